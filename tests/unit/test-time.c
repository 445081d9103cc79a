/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * mbx_time_parse / mbx_time_format on the timestamp forms audit records carry.
 *
 * Sources: test-time.c; links the core library.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-time.h"

#define T_2026_11_02_0800 G_GINT64_CONSTANT(1793606400000000) /* 2026-11-02T08:00:00Z */

static gint64
parse_ok(const gchar *text)
{
  gint64 us = G_MININT64;

  cr_assert(mbx_time_parse(text, strlen(text), &us), "\"%s\" did not parse", text);
  return us;
}

static void
assert_parses_to(const gchar *text, gint64 expected)
{
  gint64 us = parse_ok(text);

  cr_assert_eq(us, expected, "\"%s\" parsed to %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT, text, us,
               expected);
}

static void
assert_rejects(const gchar *text)
{
  gint64 us = 0;

  cr_assert_not(mbx_time_parse(text, strlen(text), &us), "\"%s\" should not parse", text);
}

Test(time, reads_a_management_api_time_without_zone_as_utc)
{
  assert_parses_to("2023-09-15T18:16:53", G_GINT64_CONSTANT(1694801813000000));
}

Test(time, reads_a_z_suffix_as_utc)
{
  assert_parses_to("2026-11-02T08:00:00Z", T_2026_11_02_0800);
}

Test(time, reads_a_space_between_date_and_time)
{
  assert_parses_to("2022-12-12 22:19:00", G_GINT64_CONSTANT(1670883540000000));
}

Test(time, reads_seven_fractional_digits)
{
  assert_parses_to("2026-01-24T06:54:24.0000000Z", G_GINT64_CONSTANT(1769237664000000));
}

Test(time, drops_fraction_digits_past_microseconds_without_rounding)
{
  assert_parses_to("2026-11-02T08:00:00.1234567Z", T_2026_11_02_0800 + 123456);
  assert_parses_to("2026-11-02T08:00:00.999999999Z", T_2026_11_02_0800 + 999999);
}

Test(time, reads_short_fractions_as_decimal_fractions)
{
  assert_parses_to("2026-11-02T08:00:00.5Z", T_2026_11_02_0800 + 500000);
  assert_parses_to("2026-11-02T08:00:00.123Z", T_2026_11_02_0800 + 123000);
}

Test(time, applies_a_positive_colon_offset)
{
  assert_parses_to("2026-11-02T09:00:00+01:00", T_2026_11_02_0800);
}

Test(time, applies_a_negative_offset_without_colon)
{
  assert_parses_to("2026-11-02T03:00:00-0500", T_2026_11_02_0800);
}

Test(time, reads_a_zero_offset_like_sign_in_created_date_time)
{
  assert_parses_to("2026-11-02T07:55:12.3456789+00:00", G_GINT64_CONSTANT(1793606112345678));
}

Test(time, reads_a_us_locale_morning_time)
{
  assert_parses_to("1/9/2007 9:41:00 AM", G_GINT64_CONSTANT(1168335660000000));
}

Test(time, reads_a_us_locale_afternoon_time)
{
  assert_parses_to("9/20/2023 4:05:03 PM", G_GINT64_CONSTANT(1695225903000000));
}

Test(time, reads_twelve_am_as_midnight_and_twelve_pm_as_noon)
{
  assert_parses_to("11/2/2026 12:00:00 AM", T_2026_11_02_0800 - G_GINT64_CONSTANT(8) * 3600 * G_USEC_PER_SEC);
  assert_parses_to("11/2/2026 12:00:00 PM", T_2026_11_02_0800 + G_GINT64_CONSTANT(4) * 3600 * G_USEC_PER_SEC);
}

Test(time, reads_a_us_locale_date_with_a_24_hour_time)
{
  assert_parses_to("9/20/2023 16:05:03", G_GINT64_CONSTANT(1695225903000000));
}

Test(time, ignores_surrounding_blanks_like_purview_exports)
{
  assert_parses_to("2026-01-24T06:54:24.0000000Z ", G_GINT64_CONSTANT(1769237664000000));
  assert_parses_to("  2026-11-02T08:00:00Z", T_2026_11_02_0800);
}

Test(time, reads_only_the_given_length)
{
  const gchar text[] = "2026-11-02T08:00:00Zgarbage";
  gint64 us = 0;

  cr_assert(mbx_time_parse(text, strlen("2026-11-02T08:00:00Z"), &us));
  cr_assert_eq(us, T_2026_11_02_0800);
}

Test(time, reads_a_leap_day)
{
  assert_parses_to("2000-02-29T12:00:00Z", G_GINT64_CONSTANT(951825600000000));
}

Test(time, reads_the_epoch_as_zero)
{
  assert_parses_to("1970-01-01T00:00:00Z", 0);
}

Test(time, rejects_empty_text)
{
  gint64 us = 0;

  cr_assert_not(mbx_time_parse("", 0, &us));
}

Test(time, rejects_text_that_is_not_a_time)
{
  assert_rejects("not a time");
  assert_rejects("ANONYMIZED");
}

Test(time, rejects_an_impossible_month_or_hour)
{
  assert_rejects("2026-13-02T08:00:00Z");
  assert_rejects("2026-11-02T25:00:00Z");
}

Test(time, formats_microseconds_as_iso_8601_utc)
{
  gchar buf[32];

  mbx_time_format(T_2026_11_02_0800 + 123456, buf, sizeof(buf));
  cr_assert_str_eq(buf, "2026-11-02T08:00:00.123456Z");
}

Test(time, formats_the_epoch)
{
  gchar buf[32];

  mbx_time_format(0, buf, sizeof(buf));
  cr_assert_str_eq(buf, "1970-01-01T00:00:00.000000Z");
}

Test(time, formats_what_it_parses)
{
  const gchar *text = "2023-09-20T16:05:03.000042Z";
  gchar buf[32];

  mbx_time_format(parse_ok(text), buf, sizeof(buf));
  cr_assert_str_eq(buf, text);
}
