/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GUID parsing (see mbx-guid.h).  A constant table gives each byte's hex
 * value plus one (0: not a hex digit), so the sixteen bytes are read from
 * fixed places without a branch per character; the length is checked first
 * (strnlen never reads past the NUL), so every place read is in the string.
 * The table is constant, so there is no first-use guard.  A record parses
 * its app id once (mbx_record_get_app_guid).
 */
#include <string.h>

#include "mbx-guid.h"

static const guint8 hex_value_1[256] = {
  ['0'] = 1,
  ['1'] = 2,
  ['2'] = 3,
  ['3'] = 4,
  ['4'] = 5,
  ['5'] = 6,
  ['6'] = 7,
  ['7'] = 8,
  ['8'] = 9,
  ['9'] = 10,
  ['a'] = 11,
  ['b'] = 12,
  ['c'] = 13,
  ['d'] = 14,
  ['e'] = 15,
  ['f'] = 16,
  ['A'] = 11,
  ['B'] = 12,
  ['C'] = 13,
  ['D'] = 14,
  ['E'] = 15,
  ['F'] = 16,
};

/* where each byte's two hex digits start in "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
static const guint8 byte_at[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34 };

gboolean
mbx_guid_parse(const gchar *text, MbxGuid *out)
{
  if (!text || strnlen(text, 37) != 36)
    return FALSE;

  const guchar *s = (const guchar *) text;
  if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
    return FALSE;
  guint invalid = 0;
  for (gint i = 0; i < 16; i++)
    {
      guint hi = hex_value_1[s[byte_at[i]]];
      guint lo = hex_value_1[s[byte_at[i] + 1]];
      invalid |= (hi == 0) | (lo == 0);
      out->b[i] = (guint8) ((hi - 1) << 4 | (lo - 1));
    }
  return !invalid;
}
