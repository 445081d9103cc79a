/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Bounded distinct counters (see mbx-distinct.h).  Linear scans: the arrays
 * hold 8 to 32 slots, which fit in a few cache lines.
 */
#include "mbx-distinct.h"

gboolean
mbx_distinct_add(MbxDistinctSlot *slots, guint n_slots, guint32 hash, guint32 minute)
{
  guint oldest = 0;

  if (hash == 0)
    hash = 1;
  for (guint i = 0; i < n_slots; i++)
    {
      if (slots[i].hash == hash)
        {
          if (minute > slots[i].last_seen)
            slots[i].last_seen = minute;
          return FALSE;
        }
      if (slots[i].hash == 0)
        {
          slots[i].hash = hash;
          slots[i].last_seen = minute;
          return TRUE;
        }
      if (slots[i].last_seen < slots[oldest].last_seen)
        oldest = i;
    }
  slots[oldest].hash = hash;
  slots[oldest].last_seen = minute;
  return TRUE;
}

gboolean
mbx_distinct_contains(const MbxDistinctSlot *slots, guint n_slots, guint32 hash)
{
  if (hash == 0)
    hash = 1;
  for (guint i = 0; i < n_slots && slots[i].hash; i++)
    {
      if (slots[i].hash == hash)
        return TRUE;
    }
  return FALSE;
}

guint
mbx_distinct_count_since(const MbxDistinctSlot *slots, guint n_slots, guint32 since_minute)
{
  guint n = 0;
  for (guint i = 0; i < n_slots && slots[i].hash; i++)
    n += slots[i].last_seen >= since_minute;
  return n;
}
