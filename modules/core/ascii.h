/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the core: ASCII case folding for the per-record paths (key
 * names, join keys, ids), and the word loads it and the hashes work on.
 * Inline, because g_ascii_tolower is a call per character; only 'A'..'Z'
 * change, so UTF-8 passes through untouched.  Included by C and by the one
 * C++ file.
 */
#ifndef MBX_ASCII_H_INCLUDED
#define MBX_ASCII_H_INCLUDED

#include <glib.h>
#include <string.h>

static inline guchar
mbx_ascii_fold(guchar c)
{
  return (guchar) (c - 'A') < 26 ? (guchar) (c | 0x20) : c;
}

/* eight bytes folded at once (SWAR) */
static inline guint64
mbx_ascii_fold8(guint64 x)
{
  guint64 heptets = x & G_GUINT64_CONSTANT(0x7f7f7f7f7f7f7f7f);
  guint64 above_z = heptets + G_GUINT64_CONSTANT(0x2525252525252525); /* high bit set where byte > 'Z' */
  guint64 from_a = heptets + G_GUINT64_CONSTANT(0x3f3f3f3f3f3f3f3f);  /* high bit set where byte >= 'A' */
  guint64 upper = ~x & (from_a ^ above_z) & G_GUINT64_CONSTANT(0x8080808080808080);
  return x | (upper >> 2);
}

/*
 * The @n (0..8) bytes at @p as a zero-padded little-endian word, reading
 * nothing past them: one load for a whole word, two overlapping 4-byte
 * loads for 4..7 bytes (the shared bytes land on the same places), three
 * byte loads for 1..3.  A byte loop cost a tenth of the key lookup.
 */
static inline guint64
mbx_load_le(const void *p, gsize n)
{
  const guchar *u = (const guchar *) p;
  if (n == 8)
    {
      guint64 w;
      memcpy(&w, u, 8);
      return GUINT64_FROM_LE(w);
    }
  if (n >= 4)
    {
      guint32 lo, hi;
      memcpy(&lo, u, 4);
      memcpy(&hi, u + n - 4, 4);
      return (guint64) GUINT32_FROM_LE(lo) | (guint64) GUINT32_FROM_LE(hi) << (8 * (n - 4));
    }
  if (n == 0)
    return 0;
  return (guint64) u[0] | (guint64) u[n / 2] << (8 * (n / 2)) | (guint64) u[n - 1] << (8 * (n - 1));
}

#endif
