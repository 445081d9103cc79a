/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The per-mailbox baseline and its update rule (see mbx-baseline.h).
 *
 * Invariants: var[h] >= 0; n[h] counts folded hours and saturates at 255;
 * only the hour being counted (cur_hour) is mutable, earlier hours are
 * folded and final, so a late record for an earlier hour does not change
 * the baseline (the windows still count it).
 */
#include "mbx-baseline.h"

#include <math.h>

static void
_fold(MbxBaseline *self, guint hour_of_day, gdouble x)
{
  guint n = self->n[hour_of_day];
  gdouble alpha = 1.0 / (MIN(n, MBX_BASELINE_DAYS - 1) + 1);
  gdouble mean = self->mean[hour_of_day];
  gdouble diff = x - mean;
  gdouble incr = alpha * diff;

  self->mean[hour_of_day] = (gfloat) (mean + incr);
  self->var[hour_of_day] = (gfloat) MAX(0.0, (1.0 - alpha) * (self->var[hour_of_day] + diff * incr));
  if (n < G_MAXUINT8)
    self->n[hour_of_day] = n + 1;
}

void
mbx_baseline_observe(MbxBaseline *self, guint32 hour, guint32 items)
{
  if (self->cur_hour == 0)
    self->cur_hour = hour;
  if (hour < self->cur_hour)
    return;
  if (hour > self->cur_hour)
    {
      _fold(self, self->cur_hour % 24, self->cur_items);
      /* hours without any read are zero-read hours; one day of them covers every hour of the day */
      guint32 gap = MIN(hour - self->cur_hour - 1, 24);
      for (guint32 i = 1; i <= gap; i++)
        _fold(self, (hour - i) % 24, 0);
      self->cur_hour = hour;
      self->cur_items = 0;
    }
  self->cur_items = MIN((guint64) self->cur_items + items, G_MAXUINT32);
}

gboolean
mbx_baseline_expected(const MbxBaseline *self, guint hour_of_day, gdouble *mean, gdouble *stddev, guint *observations)
{
  hour_of_day %= 24;
  if (observations)
    *observations = self->n[hour_of_day];
  if (self->n[hour_of_day] == 0)
    return FALSE;
  if (mean)
    *mean = self->mean[hour_of_day];
  if (stddev)
    *stddev = sqrt(self->var[hour_of_day]);
  return TRUE;
}

guint32
mbx_baseline_active_hours(const MbxBaseline *self)
{
  guint32 mask = 0;
  for (guint h = 0; h < 24; h++)
    {
      if (self->n[h] > 0 && self->mean[h] >= 1.0f)
        mask |= 1u << h;
    }
  return mask;
}
