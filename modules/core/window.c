/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Ring arithmetic of the sliding windows (see mbx-window.h).
 *
 * Invariant: a ring with head h holds buckets h-B+1 .. h in slots
 * index % B; every other slot content is stale and is zeroed before reuse.
 * Head 0 means empty: bucket 0 is the epoch, never a real event time.
 */
#include "mbx-window.h"

#include <string.h>

gboolean
mbx_window_spec_init(MbxWindowSpec *spec, gint64 length_us, guint n_buckets)
{
  if (n_buckets < 1 || n_buckets > 1024 || length_us <= 0 || length_us % n_buckets != 0)
    return FALSE;
  if (length_us / n_buckets < G_USEC_PER_SEC)
    return FALSE;
  spec->length_us = length_us;
  spec->n_buckets = n_buckets;
  spec->granularity_us = length_us / n_buckets;
  return TRUE;
}

static inline void
_bucket_add(MbxBucket *b, const MbxBucket *d)
{
  b->records = MIN((guint64) b->records + d->records, G_MAXUINT32);
  b->items = MIN((guint64) b->items + d->items, G_MAXUINT32);
  b->searches = MIN((guint32) b->searches + d->searches, G_MAXUINT16);
  b->syncs = MIN((guint32) b->syncs + d->syncs, G_MAXUINT16);
}

gboolean
mbx_window_add(guint32 *head, MbxBucket *ring, guint n_buckets, guint32 index, const MbxBucket *delta)
{
  if (*head == 0 || index >= *head + n_buckets)
    {
      /* empty, or moved past everything the ring holds */
      memset(ring, 0, n_buckets * sizeof(MbxBucket));
      *head = index;
    }
  else if (index > *head)
    {
      for (guint32 i = *head + 1; i <= index; i++)
        memset(&ring[i % n_buckets], 0, sizeof(MbxBucket));
      *head = index;
    }
  else if (index + n_buckets <= *head)
    return FALSE;

  _bucket_add(&ring[index % n_buckets], delta);
  return TRUE;
}

void
mbx_window_sum(guint32 head, const MbxBucket *ring, guint n_buckets, guint32 now, MbxBucket *sum)
{
  memset(sum, 0, sizeof(*sum));
  if (head == 0)
    return;
  if (now == head)
    {
      /* the common case: the ring's B slots hold exactly buckets head-B+1 .. head, all in the window */
      guint64 records = 0, items = 0;
      guint32 searches = 0, syncs = 0;
      for (guint k = 0; k < n_buckets; k++)
        {
          records += ring[k].records;
          items += ring[k].items;
          searches += ring[k].searches;
          syncs += ring[k].syncs;
        }
      sum->records = MIN(records, G_MAXUINT32);
      sum->items = MIN(items, G_MAXUINT32);
      sum->searches = MIN(searches, G_MAXUINT16);
      sum->syncs = MIN(syncs, G_MAXUINT16);
      return;
    }
  /* buckets head-B+1 .. head that also fall in now-B+1 .. now */
  for (guint k = 0; k < n_buckets; k++)
    {
      if (head < k)
        break;
      guint32 index = head - k;
      if (index > now)
        continue;
      if (index + n_buckets <= now)
        break;
      _bucket_add(sum, &ring[index % n_buckets]);
    }
}
