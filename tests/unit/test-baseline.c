/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The baseline update rule (mbx-baseline.h): a cumulative mean for the
 * first MBX_BASELINE_DAYS observations of an hour of day, exponentially
 * weighted after that; zero-read hours folded in; late hours ignored;
 * variance never negative; the active-hours mask.  Expected numbers are
 * computed here from the textbook formulas, not by calling the code.
 *
 * Sources: test-baseline.c; links the core library.
 */
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-baseline.h"

#define H0 498224u /* 2026-11-02T08:00Z in hours since the epoch: hour of day 8 */
#define DAY 24u

static MbxBaseline b;

static void
setup(void)
{
  memset(&b, 0, sizeof(b));
}

TestSuite(baseline, .init = setup);

static void
assert_close(gdouble actual, gdouble expected, const gchar *what)
{
  gdouble tolerance = 1e-5 * MAX(1.0, fabs(expected));
  cr_assert(fabs(actual - expected) <= tolerance, "%s is %.9g, expected %.9g", what, actual, expected);
}

static void
assert_expected(guint hour_of_day, gdouble mean, gdouble var, guint n)
{
  gdouble m = -1, s = -1;
  guint obs = 999;
  cr_assert(mbx_baseline_expected(&b, hour_of_day, &m, &s, &obs), "no expectation for hour %u", hour_of_day);
  cr_assert_eq(obs, n, "hour %u has %u observations, expected %u", hour_of_day, obs, n);
  assert_close(m, mean, "mean");
  assert_close(s, sqrt(var), "standard deviation");
}

Test(baseline, nothing_is_expected_before_an_hour_was_folded)
{
  guint obs = 99;
  cr_assert_not(mbx_baseline_expected(&b, 8, NULL, NULL, &obs));
  cr_assert_eq(obs, 0);
  mbx_baseline_observe(&b, H0, 5);
  mbx_baseline_observe(&b, H0, 7);
  cr_assert_not(mbx_baseline_expected(&b, 8, NULL, NULL, &obs), "the hour being counted is not folded yet");
  cr_assert_eq(b.cur_items, 12);
  cr_assert_eq(mbx_baseline_active_hours(&b), 0);
}

Test(baseline, a_later_hour_folds_the_current_one_and_the_empty_hours_between)
{
  mbx_baseline_observe(&b, H0, 5);     /* 08:00 */
  mbx_baseline_observe(&b, H0 + 3, 2); /* 11:00: folds 08 = 5, 09 = 0, 10 = 0 */
  assert_expected(8, 5, 0, 1);
  assert_expected(9, 0, 0, 1);
  assert_expected(10, 0, 0, 1);
  guint obs;
  cr_assert_not(mbx_baseline_expected(&b, 11, NULL, NULL, &obs), "the current hour was folded");
  cr_assert_not(mbx_baseline_expected(&b, 12, NULL, NULL, &obs), "a future hour was folded");
  cr_assert_eq(b.cur_hour, H0 + 3);
  cr_assert_eq(b.cur_items, 2);
}

Test(baseline, a_gap_of_days_folds_one_day_of_zero_hours_at_most)
{
  mbx_baseline_observe(&b, H0, 5);
  mbx_baseline_observe(&b, H0 + 10 * DAY, 1); /* ten days later, same hour of day */
  for (guint h = 0; h < 24; h++)
    {
      guint obs;
      mbx_baseline_expected(&b, h, NULL, NULL, &obs);
      /* 08 was folded with 5 and then once more as zero (the day before H0 + 10 days) */
      cr_assert_eq(obs, h == 8 ? 2 : 1, "hour %u folded %u times", h, obs);
    }
  assert_expected(8, 2.5, 6.25, 2); /* values 5 and 0 */
  assert_expected(9, 0, 0, 1);
}

Test(baseline, the_first_observations_are_a_cumulative_mean_and_population_variance)
{
  gdouble values[MBX_BASELINE_DAYS];
  for (guint d = 0; d < MBX_BASELINE_DAYS; d++)
    values[d] = (d * 7) % 11 + 3; /* 3, 10, 6, 13, 9, 5, 12, ... */

  for (guint d = 0; d < MBX_BASELINE_DAYS; d++)
    {
      mbx_baseline_observe(&b, H0 + d * DAY, (guint32) values[d]);
      if (d == 0)
        continue;
      /* days 0 .. d-1 are folded into hour 8 */
      gdouble sum = 0, sq = 0;
      for (guint i = 0; i < d; i++)
        sum += values[i];
      gdouble mean = sum / d;
      for (guint i = 0; i < d; i++)
        sq += (values[i] - mean) * (values[i] - mean);
      assert_expected(8, mean, sq / d, d);
    }
}

Test(baseline, after_fourteen_observations_the_mean_is_exponentially_weighted)
{
  /* 14 days of 10 items, then 6 days of 38 items at 08:00 */
  guint days = MBX_BASELINE_DAYS + 6;
  for (guint d = 0; d <= days; d++)
    mbx_baseline_observe(&b, H0 + d * DAY, d < MBX_BASELINE_DAYS ? 10 : 38);

  gdouble alpha = 1.0 / MBX_BASELINE_DAYS, mean = 10, var = 0;
  for (guint d = MBX_BASELINE_DAYS; d < days; d++)
    {
      gdouble diff = 38 - mean;
      mean += alpha * diff;
      var = (1 - alpha) * (var + alpha * diff * diff);
    }
  assert_expected(8, mean, var, days);
  /* a plain cumulative mean would be (14 * 10 + 6 * 38) / 20 = 18.4; the weighted one moves faster */
  cr_assert_gt(mean, 18.4 + 1);
  /* the 15th observation weighs 1/14, as the 14th did */
  assert_close(alpha, 1.0 / 14, "alpha");
}

Test(baseline, the_observation_count_saturates)
{
  for (guint d = 0; d <= 300; d++)
    mbx_baseline_observe(&b, H0 + d * DAY, 4);
  assert_expected(8, 4, 0, 255);
}

Test(baseline, a_late_hour_is_ignored)
{
  mbx_baseline_observe(&b, H0 + 2, 5);
  mbx_baseline_observe(&b, H0, 100); /* two hours late */
  cr_assert_eq(b.cur_hour, H0 + 2);
  cr_assert_eq(b.cur_items, 5, "a late hour was counted");
  mbx_baseline_observe(&b, H0 + 3, 0);
  assert_expected(10, 5, 0, 1);
  guint obs;
  cr_assert_not(mbx_baseline_expected(&b, 8, NULL, NULL, &obs), "the late hour was folded");
}

Test(baseline, counts_within_an_hour_add_up_and_saturate)
{
  mbx_baseline_observe(&b, H0, G_MAXUINT32 - 1);
  mbx_baseline_observe(&b, H0, 5);
  cr_assert_eq(b.cur_items, G_MAXUINT32);
}

Test(baseline, the_variance_is_never_negative)
{
  GRand *rand = g_rand_new_with_seed(7);
  guint32 hour = H0;
  for (gint i = 0; i < 5000; i++)
    {
      hour += g_rand_int_range(rand, 0, 30);
      /* mostly constant values: where rounding would go below zero */
      guint32 items = g_rand_int_range(rand, 0, 10) ? 1000000 : g_rand_int_range(rand, 0, 3000000);
      mbx_baseline_observe(&b, hour, items);
    }
  for (guint h = 0; h < 24; h++)
    {
      cr_assert_geq(b.var[h], 0.0f, "var[%u] = %g", h, b.var[h]);
      cr_assert(!isnan(b.mean[h]) && !isnan(b.var[h]), "hour %u is NaN", h);
    }
  g_rand_free(rand);
}

Test(baseline, active_hours_are_the_hours_with_a_mean_of_at_least_one_item)
{
  /* two weeks of a working pattern: 09:00 reads 20 items, 14:00 reads 1, 16:00 reads 1 every other day */
  for (guint d = 0; d < MBX_BASELINE_DAYS; d++)
    {
      guint32 day = H0 - 8 + d * DAY;
      mbx_baseline_observe(&b, day + 9, 20);
      mbx_baseline_observe(&b, day + 14, 1);
      mbx_baseline_observe(&b, day + 16, d % 2);
    }
  mbx_baseline_observe(&b, H0 - 8 + MBX_BASELINE_DAYS * DAY + 9, 0);
  guint32 mask = mbx_baseline_active_hours(&b);
  cr_assert_eq(mask, (1u << 9) | (1u << 14), "mask is 0x%06x", mask);
  assert_expected(9, 20, 0, MBX_BASELINE_DAYS);
  assert_expected(16, 0.5, 0.25, MBX_BASELINE_DAYS);
  assert_expected(3, 0, 0, MBX_BASELINE_DAYS);
}

Test(baseline, an_hour_of_day_past_24_wraps)
{
  mbx_baseline_observe(&b, H0, 6);
  mbx_baseline_observe(&b, H0 + 1, 0);
  assert_expected(8 + 24, 6, 0, 1);
}
