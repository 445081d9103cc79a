/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Bounded distinct counters: a fixed array of (hash, last seen) slots.
 *
 * Counting distinct values in a window is counting slots seen since the
 * window's start.  When the array is full the least recently seen value is
 * replaced, so a count saturates at the array size: it reads "at least N",
 * which is what thresholds need, in fixed memory.
 */
#ifndef MBX_DISTINCT_H_INCLUDED
#define MBX_DISTINCT_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint32 hash;      /* 0 marks an empty slot */
  guint32 last_seen; /* minutes since the epoch */
} MbxDistinctSlot;

/* Records @hash as seen at @minute; TRUE when it was not in the set. */
gboolean mbx_distinct_add(MbxDistinctSlot *slots, guint n_slots, guint32 hash, guint32 minute);

gboolean mbx_distinct_contains(const MbxDistinctSlot *slots, guint n_slots, guint32 hash);

/* How many values were seen at or after @since_minute (saturates at @n_slots). */
guint mbx_distinct_count_since(const MbxDistinctSlot *slots, guint n_slots, guint32 since_minute);

G_END_DECLS

#endif
