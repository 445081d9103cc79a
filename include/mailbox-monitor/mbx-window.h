/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Sliding windows over event time, as rings of time buckets.
 *
 * A window of length L is kept as B buckets of granularity g = L / B; the
 * sum over a window ending at bucket n covers buckets n-B+1 .. n, so it
 * spans between L - g and L of event time.  A ring remembers only the index
 * of its newest bucket: moving forward zeroes the buckets it passes, and a
 * count for a bucket older than the ring holds is refused (the caller counts
 * it as late).  Bucket indexes are event time / g, unsigned 32-bit, which
 * holds for any granularity of a second or more.
 */
#ifndef MBX_WINDOW_H_INCLUDED
#define MBX_WINDOW_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

#define MBX_MAX_WINDOWS 4

/* what is counted per bucket */
typedef struct
{
  guint32 records;  /* audit records */
  guint32 items;    /* mail items read: Bind OperationCount or distinct ids, Sync as whole folders */
  guint16 searches; /* mail searches */
  guint16 syncs;    /* folders synced */
} MbxBucket;

typedef struct
{
  gint64 length_us;
  gint64 granularity_us;
  guint n_buckets;
} MbxWindowSpec;

/* Fills @spec from a window length and a bucket count; FALSE when they do not fit */
gboolean mbx_window_spec_init(MbxWindowSpec *spec, gint64 length_us, guint n_buckets);

static inline guint32
mbx_window_bucket_index(const MbxWindowSpec *spec, gint64 time_us)
{
  return (guint32) (time_us / spec->granularity_us);
}

/*
 * Adds @delta to bucket @index of the ring (@head is its newest index, 0 for
 * an empty ring).  Returns FALSE, changing nothing, when @index is older
 * than the ring holds.
 */
gboolean mbx_window_add(guint32 *head, MbxBucket *ring, guint n_buckets, guint32 index, const MbxBucket *delta);

/* Sums the buckets of the window that ends at bucket @now into @sum. */
void mbx_window_sum(guint32 head, const MbxBucket *ring, guint n_buckets, guint32 now, MbxBucket *sum);

G_END_DECLS

#endif
