/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GUID parsing (see mbx-guid.h).  A table gives each byte's hex value, so a
 * character costs a load and a test; each character is checked before the
 * next is read, so a string shorter than a GUID stops at its NUL.
 */
#include <string.h>

#include "mbx-guid.h"

/* the value of each hex digit, -1 for every other byte */
static gint8 hex_value[256];

static void
_init_table(void)
{
  memset(hex_value, -1, sizeof(hex_value));
  for (gint i = 0; i < 10; i++)
    hex_value['0' + i] = (gint8) i;
  for (gint i = 0; i < 6; i++)
    {
      hex_value['a' + i] = (gint8) (10 + i);
      hex_value['A' + i] = (gint8) (10 + i);
    }
}

gboolean
mbx_guid_parse(const gchar *text, MbxGuid *out)
{
  static gsize ready;
  if (g_once_init_enter(&ready))
    {
      _init_table();
      g_once_init_leave(&ready, 1);
    }
  if (!text)
    return FALSE;

  const guchar *s = (const guchar *) text;
  gint n = 0;
  for (gint i = 0; i < 36;)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (s[i++] != '-')
            return FALSE;
          continue;
        }
      gint hi = hex_value[s[i]];
      if (hi < 0)
        return FALSE;
      gint lo = hex_value[s[i + 1]];
      if (lo < 0)
        return FALSE;
      out->b[n++] = (guint8) (hi << 4 | lo);
      i += 2;
    }
  return s[36] == '\0';
}
