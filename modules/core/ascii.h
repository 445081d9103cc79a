/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the core: ASCII case folding for the per-record paths (key
 * names, join keys, ids).  Inline, because g_ascii_tolower is a call per
 * character; only 'A'..'Z' change, so UTF-8 passes through untouched.
 * Included by C and by the one C++ file.
 */
#ifndef MBX_ASCII_H_INCLUDED
#define MBX_ASCII_H_INCLUDED

#include <glib.h>

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

#endif
