/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Learned per-mailbox baseline: items read per hour, for each hour of the
 * day (UTC), as a running mean and variance.
 *
 * The update rule lives here and only here: an hour's total is folded in
 * when a later hour starts (hours without reads fold in as zero, at most one
 * day of them), as a cumulative mean for the first MBX_BASELINE_DAYS
 * observations of an hour and an exponentially weighted one after that, so
 * the baseline follows slow change without forgetting in a day.
 */
#ifndef MBX_BASELINE_H_INCLUDED
#define MBX_BASELINE_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

#define MBX_BASELINE_DAYS 14

typedef struct
{
  gfloat mean[24];
  gfloat var[24];
  guint8 n[24];      /* observations of each hour of the day, saturating */
  guint32 cur_hour;  /* hours since the epoch of the hour being counted, 0 before any */
  guint32 cur_items; /* items read so far in that hour */
} MbxBaseline;

/* Counts @items read during hour @hour (hours since the epoch). */
void mbx_baseline_observe(MbxBaseline *self, guint32 hour, guint32 items);

/* Mean and standard deviation of items read in hour of day @hour_of_day; FALSE before any observation. */
gboolean mbx_baseline_expected(const MbxBaseline *self, guint hour_of_day, gdouble *mean, gdouble *stddev,
                               guint *observations);

/* Bit h set when the mailbox usually reads mail in hour of day h (mean of at least one item). */
guint32 mbx_baseline_active_hours(const MbxBaseline *self);

G_END_DECLS

#endif
