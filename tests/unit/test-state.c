/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The detection state (mbx-state.h) on records built with mbx_record_set_*:
 * what is counted per window, lateness and clamping, distinct counters,
 * first-seen logic, fan-out, learned baselines, eviction order and caps, a
 * flood of new names, many threads, and the state file (round trip and
 * every kind of damaged file).  Days of activity are replayed by passing
 * event times; nothing sleeps.
 *
 * Sources: test-state.c; links the core library.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-access-path.h"
#include "mailbox-monitor/mbx-error.h"
#include "mailbox-monitor/mbx-record.h"
#include "mailbox-monitor/mbx-state.h"

#define T0 G_GINT64_CONSTANT(1793606400000000) /* 2026-11-02T08:00:00Z, a multiple of 4 h */
#define SEC G_GINT64_CONSTANT(1000000)
#define MINUTE G_TIME_SPAN_MINUTE
#define HOUR G_TIME_SPAN_HOUR
#define DAY G_TIME_SPAN_DAY
#define W10M 0 /* window indexes of the default options: 10 min, 1 h, 24 h */
#define W1H 1
#define W24H 2

#define TENANT "8f6c2a57-1b3e-4d9a-a0c4-5e7f9b2d1c36"
#define APP_A "11111111-aaaa-4aaa-8aaa-000000000001"
#define APP_B "22222222-bbbb-4bbb-8bbb-000000000002"
#define APP_C "33333333-cccc-4ccc-8ccc-000000000003"

static MbxStateOptions options;
static MbxState *state;
static MbxRecord *record;
static MbxObservation obs;

static void
setup(void)
{
  mbx_state_options_defaults(&options);
  record = mbx_record_new();
  state = NULL;
}

static void
teardown(void)
{
  mbx_state_unref(state);
  mbx_record_free(record);
}

TestSuite(state, .init = setup, .fini = teardown);
TestSuite(state_file, .init = setup, .fini = teardown);

/* ---- helpers ------------------------------------------------------------ */

static MbxState *
new_state(void)
{
  GError *error = NULL;
  MbxState *s = mbx_state_new(&options, &error);
  cr_assert_not_null(s, "mbx_state_new: %s", error ? error->message : "?");
  return s;
}

static void
set_str(MbxRecord *r, MbxField field, const gchar *value)
{
  if (value)
    mbx_record_set_string(r, field, value, strlen(value));
  else
    mbx_record_unset(r, field);
}

/* a fresh record of @kind on @mailbox at event time @t in TENANT */
static void
begin_on(MbxRecord *r, MbxKind kind, const gchar *mailbox, gint64 t)
{
  mbx_record_reset(r);
  mbx_record_set_kind(r, kind);
  set_str(r, MBX_F_TENANT, TENANT);
  set_str(r, MBX_F_MAILBOX, mailbox);
  mbx_record_set_int(r, MBX_F_EVENT_TIME, t);
}

static void
begin(MbxKind kind, const gchar *mailbox, gint64 t)
{
  begin_on(record, kind, mailbox, t);
}

/* a Bind of @items by @app (may be NULL) */
static void
read_items(const gchar *mailbox, const gchar *app, gint64 t, gint64 items)
{
  begin(MBX_KIND_MAIL_ACCESS, mailbox, t);
  set_str(record, MBX_F_APP_ID, app);
  set_str(record, MBX_F_MAIL_ACCESS_TYPE, "Bind");
  mbx_record_set_int(record, MBX_F_OPERATION_COUNT, items);
}

/* observes the current record, received at its own event time */
static void
observe(void)
{
  gint64 t = mbx_record_get_int(record, MBX_F_EVENT_TIME, 0);
  mbx_state_observe(state, record, t, &obs);
}

static MbxStateStats
stats(void)
{
  MbxStateStats s;
  mbx_state_get_stats(state, &s);
  return s;
}

/* what a search by nobody adds (one record, one search, no items): reads the counters without moving them much */
static void
probe(const gchar *mailbox, gint64 t)
{
  begin(MBX_KIND_MAIL_SEARCH, mailbox, t);
  observe();
}

/* ---- what is counted -------------------------------------------------- */

Test(state, counts_items_syncs_and_searches_per_window)
{
  state = new_state();

  read_items("alice@contoso.com", APP_A, T0, 5);
  mbx_record_set_int(record, MBX_F_ITEM_COUNT, 8); /* more distinct ids than operations */
  observe();
  cr_assert(obs.has_mailbox);
  cr_assert_eq(obs.mailbox[W10M].items, 8, "Bind should count max(OperationCount, ids)");

  read_items("alice@contoso.com", APP_A, T0 + 10 * SEC, 9);
  mbx_record_set_int(record, MBX_F_ITEM_COUNT, 2);
  observe();
  cr_assert_eq(obs.mailbox[W10M].items, 17);

  begin(MBX_KIND_MAIL_ACCESS, "alice@contoso.com", T0 + 20 * SEC);
  set_str(record, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  mbx_record_set_int(record, MBX_F_FOLDER_COUNT, 3);
  observe();
  cr_assert_eq(obs.mailbox[W10M].syncs, 3, "a Sync counts its folders");
  cr_assert_eq(obs.mailbox[W10M].items, 17, "a Sync counted items");

  probe("alice@contoso.com", T0 + 30 * SEC);
  for (gint w = 0; w < 3; w++)
    {
      cr_assert_eq(obs.mailbox[w].records, 4, "window %d", w);
      cr_assert_eq(obs.mailbox[w].items, 17, "window %d", w);
      cr_assert_eq(obs.mailbox[w].syncs, 3, "window %d", w);
      cr_assert_eq(obs.mailbox[w].searches, 1, "window %d", w);
      cr_assert_eq(obs.tenant[w].records, 4, "tenant window %d", w);
      cr_assert_eq(obs.tenant[w].items, 17, "tenant window %d", w);
    }
}

Test(state, a_bind_without_counts_reads_one_item)
{
  state = new_state();
  begin(MBX_KIND_MAIL_ACCESS, "alice@contoso.com", T0);
  observe();
  cr_assert_eq(obs.mailbox[W10M].items, 1);
  cr_assert_eq(obs.mailbox[W10M].syncs, 0);
}

Test(state, a_sync_of_more_folders_than_a_counter_holds_saturates)
{
  state = new_state();
  begin(MBX_KIND_MAIL_ACCESS, "alice@contoso.com", T0);
  set_str(record, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  mbx_record_set_int(record, MBX_F_FOLDER_COUNT, 70000);
  observe();
  cr_assert_eq(obs.mailbox[W10M].syncs, G_MAXUINT16, "70000 folders counted as %u", obs.mailbox[W10M].syncs);
}

Test(state, records_of_other_kinds_count_for_the_tenant_only)
{
  state = new_state();
  begin(MBX_KIND_SIGNIN, "alice@contoso.com", T0);
  observe();
  cr_assert_not(obs.has_mailbox);
  cr_assert_eq(obs.tenant[W10M].records, 1);
  cr_assert_eq(stats().entries[MBX_TABLE_MAILBOXES], 0);
  cr_assert_eq(stats().entries[MBX_TABLE_TENANTS], 1);
}

/* the windows' sums, from every record kept: a record counts in the window
 * ending at bucket n when its own bucket is one of n-B+1 .. n */
static guint32
model_sum(const gint64 *times, const guint32 *items, gint n, gint64 granularity, gint64 now, gboolean count_items)
{
  gint64 last = now / granularity;
  guint32 sum = 0;
  for (gint i = 0; i < n; i++)
    {
      gint64 idx = times[i] / granularity;
      if (idx <= last && idx > last - (gint64) options.n_buckets)
        sum += count_items ? items[i] : 1;
    }
  return sum;
}

Test(state, window_sums_match_a_replay_of_five_days)
{
  state = new_state();
  GRand *rand = g_rand_new_with_seed(42);
  gint max = 4000, n = 0;
  gint64 *times = g_new(gint64, max);
  guint32 *items = g_new(guint32, max);
  gint64 t = T0 - 37 * SEC;

  while (n < max && t < T0 + 5 * DAY)
    {
      /* bursts and quiet stretches, landing on and next to bucket edges */
      gint r = g_rand_int_range(rand, 0, 100);
      t += r < 85 ? g_rand_int_range(rand, 0, 100) * SEC : r < 99 ? g_rand_int_range(rand, 1, 30) * MINUTE
                                                                  : 5 * HOUR;
      if (r < 10)
        t += (100 * SEC - t % (100 * SEC)) % (100 * SEC); /* forward to a 10-minute window's bucket edge */
      times[n] = t;
      items[n] = g_rand_int_range(rand, 1, 20);
      read_items("alice@contoso.com", APP_A, t, items[n]);
      observe();
      n++;
      for (guint w = 0; w < options.n_windows; w++)
        {
          gint64 g = options.window_us[w] / options.n_buckets;
          cr_assert_eq(obs.mailbox[w].records, model_sum(times, items, n, g, t, FALSE), "record %d window %u", n, w);
          cr_assert_eq(obs.mailbox[w].items, model_sum(times, items, n, g, t, TRUE), "record %d window %u", n, w);
          cr_assert_eq(obs.tenant[w].items, obs.mailbox[w].items, "record %d tenant window %u", n, w);
        }
    }
  cr_assert_gt(n, 800, "the replay was too short: %d records", n);
  cr_assert_geq(t, T0 + 5 * DAY);
  g_free(times);
  g_free(items);
  g_rand_free(rand);
}

/* ---- event time: lateness and clamping ---------------------------------- */

Test(state, a_record_older_than_the_watermark_minus_lateness_is_late_and_changes_no_counter)
{
  state = new_state();
  gint64 watermark = T0 + 3 * HOUR;

  read_items("alice@contoso.com", APP_A, watermark, 1);
  observe();

  read_items("alice@contoso.com", APP_A, watermark - options.lateness_us - 1, 100);
  observe();
  cr_assert(obs.late, "one microsecond past the lateness");
  cr_assert_not(obs.has_mailbox, "a late record reached the mailbox table");
  cr_assert_eq(stats().late, 1);

  read_items("new-mailbox@contoso.com", APP_B, T0, 1);
  observe();
  cr_assert(obs.late);
  cr_assert_eq(stats().entries[MBX_TABLE_MAILBOXES], 1, "a late record created a mailbox");
  cr_assert_eq(stats().entries[MBX_TABLE_PAIRS], 1, "a late record created a pair");

  read_items("alice@contoso.com", APP_A, watermark - options.lateness_us, 10);
  observe();
  cr_assert_not(obs.late, "exactly at the lateness is still windowed");
  /* all three times share the 24 h window's bucket [T0, T0 + 4 h) */
  cr_assert_eq(obs.mailbox[W24H].records, 2, "%u records: the late ones were counted", obs.mailbox[W24H].records);
  cr_assert_eq(obs.mailbox[W24H].items, 11);
  cr_assert_eq(obs.tenant[W24H].records, 2);
  MbxStateStats s = stats();
  cr_assert_eq(s.late, 2);
  cr_assert_eq(s.records, 4, "late records are still records seen");
}

Test(state, a_record_within_lateness_lands_in_its_own_bucket)
{
  state = new_state();

  read_items("alice@contoso.com", APP_A, T0 + 35 * MINUTE, 1);
  observe();
  read_items("alice@contoso.com", APP_A, T0 + 5 * MINUTE, 1); /* 30 minutes behind */
  observe();
  cr_assert_not(obs.late);
  cr_assert_eq(obs.event_time, T0 + 5 * MINUTE);
  cr_assert_eq(obs.mailbox[W10M].records, 1, "the 10 minute window ending now has no room for it");
  cr_assert_eq(obs.mailbox[W1H].records, 2);

  /* the hour ending at 09:04 covers the buckets from 08:10: the record of 08:05 is out, 08:35 is in */
  read_items("alice@contoso.com", APP_A, T0 + HOUR + 4 * MINUTE, 1);
  observe();
  cr_assert_eq(obs.mailbox[W1H].records, 2, "the late record was not in its own bucket");
  cr_assert_eq(obs.mailbox[W24H].records, 3);
}

Test(state, each_tenant_has_its_own_watermark)
{
  state = new_state();
  read_items("alice@contoso.com", APP_A, T0 + 10 * HOUR, 1);
  observe();
  read_items("bob@fabrikam.com", APP_A, T0, 1);
  set_str(record, MBX_F_TENANT, "other-tenant");
  observe();
  cr_assert_not(obs.late, "another tenant's watermark made the record late");
  cr_assert_eq(obs.tenant[W10M].records, 1);
  cr_assert_eq(stats().entries[MBX_TABLE_TENANTS], 2);
}

Test(state, an_event_time_too_far_ahead_of_the_receive_time_is_clamped)
{
  state = new_state();
  gint64 received = T0 + HOUR;

  read_items("alice@contoso.com", APP_A, received + options.max_skew_us, 1);
  mbx_state_observe(state, record, received, &obs);
  cr_assert_not(obs.clamped, "exactly the allowed skew");
  cr_assert_eq(obs.event_time, received + options.max_skew_us);

  read_items("alice@contoso.com", APP_A, received + options.max_skew_us + 1, 1);
  mbx_state_observe(state, record, received, &obs);
  cr_assert(obs.clamped);
  cr_assert_eq(obs.event_time, received + options.max_skew_us);

  read_items("alice@contoso.com", APP_A, received + 30 * DAY, 1);
  mbx_state_observe(state, record, received, &obs);
  cr_assert(obs.clamped);
  cr_assert_eq(obs.event_time, received + options.max_skew_us);
  cr_assert_eq(obs.mailbox[W10M].records, 3, "the clamped records count at the clamped time");
  cr_assert_eq(stats().clamped, 2);

  /* the watermark moved only to the clamped time: a record of now is not late */
  read_items("alice@contoso.com", APP_A, received, 1);
  mbx_state_observe(state, record, received, &obs);
  cr_assert_not(obs.late);
}

Test(state, a_record_without_event_time_counts_at_its_receive_time)
{
  state = new_state();
  read_items("alice@contoso.com", APP_A, 0, 1);
  mbx_record_unset(record, MBX_F_EVENT_TIME);
  mbx_state_observe(state, record, T0 + 7 * MINUTE, &obs);
  cr_assert_eq(obs.event_time, T0 + 7 * MINUTE);
  cr_assert_not(obs.clamped);
}

/* ---- distinct counters and first-seen ----------------------------------- */

static void
read_via(const gchar *mailbox, gint64 t, const gchar *app, const gchar *ip, MbxAccessPath path)
{
  read_items(mailbox, app, t, 1);
  set_str(record, MBX_F_CLIENT_IP, ip);
  if (path != MBX_PATH_MAX)
    set_str(record, MBX_F_ACCESS_PATH, mbx_access_path_name(path));
  observe();
}

Test(state, counts_distinct_apps_ips_and_paths_per_window)
{
  state = new_state();
  read_via("bob@contoso.com", T0, APP_A, "10.0.0.1", MBX_PATH_OWA);
  read_via("bob@contoso.com", T0 + 20 * MINUTE, APP_B, "10.0.0.2", MBX_PATH_GRAPH);
  read_via("bob@contoso.com", T0 + 50 * MINUTE, APP_C, "10.0.0.3", MBX_PATH_GRAPH);

  guint want_apps[] = { 1, 3, 3 }, want_paths[] = { 1, 2, 2 };
  for (gint w = 0; w < 3; w++)
    {
      cr_assert_eq(obs.mailbox_apps[w], want_apps[w], "apps in window %d: %u", w, obs.mailbox_apps[w]);
      cr_assert_eq(obs.mailbox_ips[w], want_apps[w], "ips in window %d: %u", w, obs.mailbox_ips[w]);
      cr_assert_eq(obs.mailbox_paths[w], want_paths[w], "paths in window %d: %u", w, obs.mailbox_paths[w]);
    }

  /* five minutes later, without a path: the 10 minute window holds C (08:50) and A again (08:55) */
  read_via("bob@contoso.com", T0 + 55 * MINUTE, APP_A, "10.0.0.1", MBX_PATH_MAX);
  cr_assert_eq(obs.mailbox_apps[W10M], 2);
  cr_assert_eq(obs.mailbox_ips[W10M], 2);
  cr_assert_eq(obs.mailbox_paths[W10M], 1);
  cr_assert_eq(obs.mailbox_apps[W1H], 3);

  /* a day later only the new value is in the 24 h window */
  read_via("bob@contoso.com", T0 + 25 * HOUR, APP_B, "10.0.0.9", MBX_PATH_EWS);
  cr_assert_eq(obs.mailbox_apps[W24H], 1);
  cr_assert_eq(obs.mailbox_ips[W24H], 1);
  cr_assert_eq(obs.mailbox_paths[W24H], 1);
}

Test(state, distinct_apps_of_a_mailbox_saturate_at_their_bound)
{
  state = new_state();
  for (gint i = 0; i < 20; i++)
    {
      gchar app[32];
      g_snprintf(app, sizeof(app), "app-%02d", i);
      read_via("bob@contoso.com", T0 + i * SEC, app, NULL, MBX_PATH_MAX);
    }
  cr_assert_eq(obs.mailbox_apps[W10M], 8, "20 apps read as %u", obs.mailbox_apps[W10M]);
  cr_assert_eq(stats().entries[MBX_TABLE_PAIRS], 20);
}

Test(state, a_new_network_is_a_new_slash_24_or_slash_48)
{
  state = new_state();
  struct
  {
    const gchar *ip;
    gboolean network_new;
  } steps[] = {
    { "10.1.2.3", TRUE },
    { "10.1.2.99", FALSE },
    { "10.1.3.1", TRUE },
    { "10.1.2.3", FALSE },
    { "2001:db8:1::1", TRUE },
    { "2001:db8:1:ffff::2", FALSE },
    { "2001:db8:2::1", TRUE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(steps); i++)
    {
      read_via("carol@contoso.com", T0 + i * MINUTE, APP_A, steps[i].ip, MBX_PATH_MAX);
      cr_assert_eq(obs.network_new, steps[i].network_new, "%s: network_new %d", steps[i].ip, obs.network_new);
    }
  /* another mailbox has its own networks */
  read_via("dave@contoso.com", T0 + HOUR, APP_A, "10.1.2.3", MBX_PATH_MAX);
  cr_assert(obs.network_new);
  /* a client address that is not an address has no network */
  read_via("dave@contoso.com", T0 + HOUR, APP_A, "not-an-ip", MBX_PATH_MAX);
  cr_assert_not(obs.network_new);
}

Test(state, first_seen_of_a_mailbox_app_pair_and_of_an_app_in_the_tenant)
{
  state = new_state();

  read_items("alice@contoso.com", APP_A, T0 + 90 * SEC, 1);
  observe();
  cr_assert(obs.mailbox_new);
  cr_assert(obs.has_app);
  cr_assert(obs.pair_new);
  cr_assert(obs.app_new_in_tenant);
  cr_assert_eq(obs.pair_first_seen, T0 + MINUTE, "first seen is kept to the minute");
  cr_assert_eq(obs.mailbox_first_seen, T0 + MINUTE);

  read_items("bob@contoso.com", APP_A, T0 + 2 * HOUR, 1);
  observe();
  cr_assert(obs.pair_new, "a new mailbox for a known app is a new pair");
  cr_assert_not(obs.app_new_in_tenant, "the tenant already saw the app read mail");

  read_items("alice@contoso.com", APP_A, T0 + 3 * HOUR, 1);
  observe();
  cr_assert_not(obs.mailbox_new);
  cr_assert_not(obs.pair_new);
  cr_assert_eq(obs.pair_first_seen, T0 + MINUTE);
  cr_assert_eq(obs.mailbox_first_seen, T0 + MINUTE);

  /* a search does not make an app known for reading mail, but is a pair of its own */
  begin(MBX_KIND_MAIL_SEARCH, "alice@contoso.com", T0 + 3 * HOUR);
  set_str(record, MBX_F_APP_ID, APP_B);
  observe();
  cr_assert(obs.pair_new);
  cr_assert_not(obs.app_new_in_tenant, "only mail reads make an app new in the tenant");
  read_items("alice@contoso.com", APP_B, T0 + 3 * HOUR, 1);
  observe();
  cr_assert_not(obs.pair_new);
  cr_assert(obs.app_new_in_tenant, "the first mail read of APP_B in the tenant");

  /* the same app in another tenant is new there */
  read_items("erin@fabrikam.com", APP_A, T0 + 3 * HOUR, 1);
  set_str(record, MBX_F_TENANT, "fabrikam");
  observe();
  cr_assert(obs.app_new_in_tenant);

  /* an earlier record (within the lateness) moves first seen back */
  read_items("bob@contoso.com", APP_A, T0 + 90 * MINUTE, 1);
  observe();
  cr_assert_not(obs.late);
  cr_assert_eq(obs.pair_first_seen, T0 + 90 * MINUTE);
  cr_assert_eq(obs.mailbox_first_seen, T0 + 90 * MINUTE);

  /* no app: no pair */
  begin(MBX_KIND_MAIL_ACCESS, "alice@contoso.com", T0 + 3 * HOUR);
  observe();
  cr_assert_not(obs.has_app);
  cr_assert_not(obs.pair_new);
}

Test(state, one_app_touching_seven_mailboxes_in_ten_minutes_has_a_fan_out_of_seven)
{
  state = new_state();
  for (gint k = 0; k < 7; k++)
    {
      gchar mailbox[32];
      g_snprintf(mailbox, sizeof(mailbox), "user%d@contoso.com", k);
      read_items(mailbox, APP_A, T0 + k * MINUTE, 1);
      observe();
      cr_assert_eq(obs.actor_mailboxes[W10M], (guint) k + 1);
    }
  cr_assert_eq(obs.actor_mailboxes[W10M], 7);

  /* the same mailbox again adds nothing */
  read_items("user3@contoso.com", APP_A, T0 + 7 * MINUTE, 1);
  observe();
  cr_assert_eq(obs.actor_mailboxes[W10M], 7);

  /* at 08:12 the 10 minute window starts at 08:02: users 2 .. 6 and the new one */
  read_items("user7@contoso.com", APP_A, T0 + 12 * MINUTE, 1);
  observe();
  cr_assert_eq(obs.actor_mailboxes[W10M], 6);
  cr_assert_eq(obs.actor_mailboxes[W1H], 8);
  cr_assert_eq(obs.actor_mailboxes[W24H], 8);

  /* another app reading one of them has its own count */
  read_items("user0@contoso.com", APP_B, T0 + 13 * MINUTE, 1);
  observe();
  cr_assert_eq(obs.actor_mailboxes[W24H], 1);
}

Test(state, the_fan_out_is_the_largest_of_the_records_actors)
{
  state = new_state();
  /* a user reads 3 mailboxes through 3 apps, from one IP */
  const gchar *apps[] = { APP_A, APP_B, APP_C };
  for (gint k = 0; k < 3; k++)
    {
      gchar mailbox[32];
      g_snprintf(mailbox, sizeof(mailbox), "user%d@contoso.com", k);
      read_items(mailbox, apps[k], T0 + k * MINUTE, 1);
      set_str(record, MBX_F_ACTOR, "mallory@contoso.com");
      set_str(record, MBX_F_CLIENT_IP, "203.0.113.9");
      set_str(record, MBX_F_SESSION_ID, k < 2 ? "session-1" : "session-2");
      observe();
    }
  cr_assert_eq(obs.actor_mailboxes[W10M], 3, "the user and the IP touched 3 mailboxes");
  cr_assert_eq(stats().entries[MBX_TABLE_ACTORS], 3 + 1 + 1 + 2);
}

/* ---- baselines ------------------------------------------------------------ */

Test(state, baselines_learned_over_fourteen_days_give_the_expected_mean_at_an_hour_of_day)
{
  state = new_state();
  gdouble totals[14];

  for (gint d = 0; d < 14; d++)
    {
      gint64 day = T0 - 8 * HOUR + d * DAY;
      totals[d] = (10 + d) + 5;
      read_items("alice@contoso.com", APP_A, day + 9 * HOUR + 10 * MINUTE, 10 + d);
      observe();
      read_items("alice@contoso.com", APP_A, day + 9 * HOUR + 40 * MINUTE, 5);
      observe();
      read_items("alice@contoso.com", APP_A, day + 14 * HOUR, 2);
      observe();
    }
  probe("alice@contoso.com", T0 - 8 * HOUR + 14 * DAY + 9 * HOUR + 30 * MINUTE);

  gdouble mean = 0, var = 0;
  for (gint d = 0; d < 14; d++)
    mean += totals[d] / 14;
  for (gint d = 0; d < 14; d++)
    var += (totals[d] - mean) * (totals[d] - mean) / 14;
  cr_assert_eq(obs.baseline_days, 14);
  cr_assert(fabs(obs.baseline_mean - mean) < 1e-4, "mean %g, expected %g", obs.baseline_mean, mean);
  cr_assert(fabs(obs.baseline_stddev - sqrt(var)) < 1e-4, "stddev %g, expected %g", obs.baseline_stddev, sqrt(var));
  cr_assert_eq(obs.active_hours, (1u << 9) | (1u << 14), "active hours 0x%06x", obs.active_hours);

  /* at 03:00 nothing was ever read: 14 zero hours */
  probe("alice@contoso.com", T0 - 8 * HOUR + 15 * DAY + 3 * HOUR);
  cr_assert_eq(obs.baseline_days, 14);
  cr_assert_eq(obs.baseline_mean, 0.0);
  cr_assert_eq(obs.baseline_stddev, 0.0);
}

/* ---- eviction order and caps --------------------------------------------- */

/* observes a bare mailbox record; returns whether the state had never seen the mailbox */
static gboolean
touch(const gchar *mailbox, gint64 t)
{
  begin(MBX_KIND_MAILBOX_LOGIN, mailbox, t);
  observe();
  return obs.mailbox_new;
}

Test(state, a_full_table_evicts_new_keys_before_keys_with_history)
{
  options.max_entries[MBX_TABLE_MAILBOXES] = 4;
  state = new_state();

  for (gint i = 0; i < 4; i++)
    cr_assert(touch((const gchar *[]){ "a", "b", "c", "d" }[i], T0 + i * SEC));
  cr_assert(!touch("a", T0 + HOUR) && !touch("b", T0 + HOUR), "a and b are now established");
  cr_assert_eq(stats().evictions[MBX_TABLE_MAILBOXES], 0);

  cr_assert(touch("e", T0 + HOUR)); /* evicts c, the least recently used new key */
  cr_assert_eq(stats().entries[MBX_TABLE_MAILBOXES], 4);
  cr_assert_eq(stats().evictions[MBX_TABLE_MAILBOXES], 1);
  cr_assert_not(touch("d", T0 + HOUR), "d was evicted instead of c");
  cr_assert(touch("c", T0 + HOUR), "c was kept"); /* evicts e */
  cr_assert(touch("f", T0 + HOUR));               /* evicts c */
  cr_assert(touch("e", T0 + HOUR));               /* evicts f */
  cr_assert_not(touch("a", T0 + HOUR), "an established key was evicted by new ones");
  cr_assert_not(touch("b", T0 + HOUR), "an established key was evicted by new ones");
  cr_assert_eq(stats().evictions[MBX_TABLE_MAILBOXES], 4);

  /* all established (e in a second hour): a new key evicts the least recently used one */
  cr_assert_not(touch("e", T0 + 2 * HOUR));
  cr_assert(touch("g", T0 + 2 * HOUR)); /* evicts d, the least recently used of d, a, b, e */
  cr_assert_not(touch("a", T0 + 2 * HOUR));
  cr_assert(touch("d", T0 + 2 * HOUR), "d should have been evicted");
  MbxStateStats s = stats();
  cr_assert_eq(s.entries[MBX_TABLE_MAILBOXES], 4);
  cr_assert_eq(s.evictions[MBX_TABLE_MAILBOXES], 6);
}

Test(state, a_table_at_its_cap_stays_at_its_cap)
{
  /* a cap that does not divide into the shards */
  options.max_entries[MBX_TABLE_MAILBOXES] = 1001;
  options.max_entries[MBX_TABLE_PAIRS] = 777;
  state = new_state();

  for (gint i = 0; i < 5000; i++)
    {
      gchar mailbox[32];
      g_snprintf(mailbox, sizeof(mailbox), "user%d@contoso.com", i);
      read_items(mailbox, APP_A, T0 + i * SEC / 4, 1);
      observe();
      if (i % 500 == 499)
        {
          MbxStateStats s = stats();
          cr_assert_leq(s.entries[MBX_TABLE_MAILBOXES], 1001, "%" G_GUINT64_FORMAT " mailboxes after %d",
                        s.entries[MBX_TABLE_MAILBOXES], i + 1);
          cr_assert_leq(s.entries[MBX_TABLE_PAIRS], 777, "%" G_GUINT64_FORMAT " pairs after %d",
                        s.entries[MBX_TABLE_PAIRS], i + 1);
        }
    }
  MbxStateStats s = stats();
  cr_assert_eq(s.entries[MBX_TABLE_MAILBOXES], 1001);
  cr_assert_eq(s.evictions[MBX_TABLE_MAILBOXES], 5000 - 1001);
  cr_assert_eq(s.entries[MBX_TABLE_PAIRS], 777);
  cr_assert_eq(s.evictions[MBX_TABLE_PAIRS], 5000 - 777);
}

Test(state, a_table_below_its_cap_evicts_nothing)
{
  /* the cap is the table's, not an even share per shard: N mailboxes fit a cap of N */
  options.max_entries[MBX_TABLE_MAILBOXES] = 20000;
  state = new_state();
  for (gint i = 0; i < 20000; i++)
    {
      gchar mailbox[32];
      g_snprintf(mailbox, sizeof(mailbox), "user%d@contoso.com", i);
      touch(mailbox, T0 + i * SEC / 8);
    }
  MbxStateStats s = stats();
  cr_assert_eq(s.evictions[MBX_TABLE_MAILBOXES], 0, "%" G_GUINT64_FORMAT " evictions below the cap",
               s.evictions[MBX_TABLE_MAILBOXES]);
  cr_assert_eq(s.entries[MBX_TABLE_MAILBOXES], 20000);
}

Test(state, a_flood_of_new_names_cannot_push_out_established_mailboxes)
{
  enum
  {
    ESTABLISHED = 1000,
    FLOOD = 100000
  };
  options.max_entries[MBX_TABLE_MAILBOXES] = 2000;
  options.max_entries[MBX_TABLE_PAIRS] = 4000;
  options.max_entries[MBX_TABLE_ACTORS] = 2000;
  state = new_state();
  gint64 day1 = T0, day2 = T0 + DAY - HOUR; /* 08:xx, then 07:xx the next day */
  gchar name[64];

  for (gint i = 0; i < ESTABLISHED; i++)
    {
      g_snprintf(name, sizeof(name), "est%d@contoso.com", i);
      read_items(name, APP_A, day1 + (i % 60) * SEC, 5);
      observe();
    }
  for (gint i = 0; i < ESTABLISHED; i++)
    {
      g_snprintf(name, sizeof(name), "est%d@contoso.com", i);
      read_items(name, APP_A, day2 + (i % 60) * SEC, 3);
      observe();
      cr_assert_not(obs.mailbox_new);
    }

  GRand *rand = g_rand_new_with_seed(99);
  for (gint i = 0; i < FLOOD; i++)
    {
      g_snprintf(name, sizeof(name), "%08x%08x@evil.example", g_rand_int(rand), g_rand_int(rand));
      gchar ip[32];
      g_snprintf(ip, sizeof(ip), "198.51.%u.%u", g_rand_int_range(rand, 0, 256), g_rand_int_range(rand, 0, 256));
      read_items(name, APP_C, day2 + HOUR + (i % 1800) * SEC, 1);
      set_str(record, MBX_F_CLIENT_IP, ip);
      observe();
      cr_assert(obs.mailbox_new, "flood name %d was not new", i);
    }
  g_rand_free(rand);

  MbxStateStats s = stats();
  cr_assert_leq(s.entries[MBX_TABLE_MAILBOXES], 2000);
  cr_assert_leq(s.entries[MBX_TABLE_PAIRS], 4000);
  cr_assert_leq(s.entries[MBX_TABLE_ACTORS], 2000);
  cr_assert_eq(s.evictions[MBX_TABLE_MAILBOXES], ESTABLISHED + FLOOD - s.entries[MBX_TABLE_MAILBOXES]);

  for (gint i = 0; i < ESTABLISHED; i++)
    {
      g_snprintf(name, sizeof(name), "est%d@contoso.com", i);
      read_items(name, APP_A, day2 + HOUR + 30 * MINUTE, 1);
      observe();
      cr_assert_not(obs.mailbox_new, "%s was pushed out by the flood", name);
      cr_assert_not(obs.pair_new, "the pair of %s was pushed out by the flood", name);
      cr_assert_eq(obs.mailbox_first_seen, day1, "%s lost its first seen", name);
      cr_assert_eq(obs.mailbox[W24H].records, 2, "%s: %u records in 24 h", name, obs.mailbox[W24H].records);
      cr_assert_eq(obs.mailbox[W24H].items, 3 + 1, "%s: %u items in 24 h", name, obs.mailbox[W24H].items);
      cr_assert_eq(obs.baseline_days, 1, "%s lost its baseline", name);
      cr_assert_eq(obs.baseline_mean, 5.0, "%s: baseline mean %g", name, obs.baseline_mean);
    }
}

Test(state, memory_estimates_grow_with_the_entries)
{
  state = new_state();
  for (gint i = 0; i < 10; i++)
    {
      gchar mailbox[32];
      g_snprintf(mailbox, sizeof(mailbox), "user%d@contoso.com", i);
      touch(mailbox, T0);
    }
  gsize ten = mbx_state_memory_estimate(state, MBX_TABLE_MAILBOXES);
  cr_assert_gt(ten, 10 * 256, "%zu bytes for 10 mailboxes", ten);
  cr_assert_leq(ten, 10 * 1024, "%zu bytes for 10 mailboxes", ten);
  for (gint i = 10; i < 20; i++)
    {
      gchar mailbox[32];
      g_snprintf(mailbox, sizeof(mailbox), "user%d@contoso.com", i);
      touch(mailbox, T0);
    }
  cr_assert_eq(mbx_state_memory_estimate(state, MBX_TABLE_MAILBOXES), 2 * ten);
  cr_assert_eq(mbx_state_memory_estimate(state, MBX_TABLE_PAIRS), 0);
  cr_assert_str_eq(mbx_table_name(MBX_TABLE_PAIRS), "mailbox_apps");
  cr_assert_null(mbx_table_name(MBX_TABLE_MAX));
}

/* ---- options -------------------------------------------------------------- */

static void
assert_options_rejected(const gchar *what)
{
  GError *error = NULL;
  MbxState *s = mbx_state_new(&options, &error);
  cr_assert_null(s, "%s was accepted", what);
  cr_assert_not_null(error, "%s: no error", what);
  cr_assert(g_error_matches(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION), "%s: %s", what, error->message);
  g_error_free(error);
  mbx_state_options_defaults(&options);
}

Test(state, rejects_options_that_do_not_make_a_layout)
{
  GError *error = NULL;
  cr_assert(mbx_state_options_validate(&options, &error), "the defaults are invalid");

  options.n_windows = 0;
  assert_options_rejected("no window");
  options.n_windows = MBX_MAX_WINDOWS + 1;
  assert_options_rejected("too many windows");
  options.window_us[1] = options.window_us[0];
  assert_options_rejected("windows not ascending");
  options.window_us[0] = 10 * MINUTE + 1;
  assert_options_rejected("a window that does not cut into buckets");
  options.n_buckets = 0;
  assert_options_rejected("no buckets");
  options.lateness_us = -1;
  assert_options_rejected("negative lateness");
  options.lateness_us = DAY + 1;
  assert_options_rejected("lateness past the longest window");
  options.max_skew_us = -1;
  assert_options_rejected("negative skew");
  options.max_entries[MBX_TABLE_MAILBOXES] = 0; /* the other tables take 0 as "follow the mailboxes cap" */
  assert_options_rejected("a cap of 0");
  options.n_shards = 3;
  assert_options_rejected("3 shards");
  options.n_shards = 8192;
  assert_options_rejected("8192 shards");
}

/* ---- many threads ------------------------------------------------------- */

#define THREADS 4
#define PER_THREAD 20000
#define OWN 50
#define SHARED 16

typedef struct
{
  gint id;
} Worker;

/* record j of worker @id: mailbox, time (all within one hour, so never late), items */
static void
worker_record(gint id, gint j, gchar *mailbox, gsize size, gint64 *t, gint64 *items)
{
  if (j % 2)
    g_snprintf(mailbox, size, "shared%d@contoso.com", (j / 2) % SHARED);
  else
    g_snprintf(mailbox, size, "w%d-own%d@contoso.com", id, (j / 2) % OWN);
  *t = T0 + (j * 997 % 3600) * SEC;
  *items = j % 7 + 1;
}

static gpointer
worker_run(gpointer data)
{
  Worker *w = data;
  MbxRecord *r = mbx_record_new();
  MbxObservation o;
  gchar mailbox[64], app[32], ip[32];

  g_snprintf(app, sizeof(app), "app-%d", w->id);
  for (gint j = 0; j < PER_THREAD; j++)
    {
      gint64 t, items;
      worker_record(w->id, j, mailbox, sizeof(mailbox), &t, &items);
      begin_on(r, MBX_KIND_MAIL_ACCESS, mailbox, t);
      set_str(r, MBX_F_APP_ID, app);
      g_snprintf(ip, sizeof(ip), "10.%d.%d.%d", w->id, j % 4, j % 200);
      set_str(r, MBX_F_CLIENT_IP, ip);
      mbx_record_set_int(r, MBX_F_OPERATION_COUNT, items);
      mbx_state_observe(state, r, t, &o);
      if (o.late)
        return GINT_TO_POINTER(1);
    }
  mbx_record_free(r);
  return NULL;
}

Test(state, threads_on_disjoint_and_shared_mailboxes_count_exact_totals)
{
  state = new_state();
  Worker workers[THREADS];
  GThread *threads[THREADS];

  for (gint i = 0; i < THREADS; i++)
    {
      workers[i].id = i;
      threads[i] = g_thread_new("observer", worker_run, &workers[i]);
    }
  for (gint i = 0; i < THREADS; i++)
    cr_assert_null(g_thread_join(threads[i]), "worker %d saw a late record", i);

  /* the expected totals, from the same sequence */
  GHashTable *want_records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *want_items = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (gint id = 0; id < THREADS; id++)
    {
      for (gint j = 0; j < PER_THREAD; j++)
        {
          gchar mailbox[64];
          gint64 t, items;
          worker_record(id, j, mailbox, sizeof(mailbox), &t, &items);
          gint r = GPOINTER_TO_INT(g_hash_table_lookup(want_records, mailbox));
          gint it = GPOINTER_TO_INT(g_hash_table_lookup(want_items, mailbox));
          g_hash_table_insert(want_records, g_strdup(mailbox), GINT_TO_POINTER(r + 1));
          g_hash_table_insert(want_items, g_strdup(mailbox), GINT_TO_POINTER(it + items));
        }
    }

  MbxStateStats s = stats();
  cr_assert_eq(s.records, THREADS * PER_THREAD);
  cr_assert_eq(s.late, 0);
  cr_assert_eq(s.entries[MBX_TABLE_MAILBOXES], THREADS * OWN + SHARED);
  cr_assert_eq(s.entries[MBX_TABLE_PAIRS], THREADS * (OWN + SHARED));
  cr_assert_eq(s.entries[MBX_TABLE_TENANT_APPS], THREADS);
  cr_assert_eq(g_hash_table_size(want_records), THREADS * OWN + SHARED);

  GHashTableIter iter;
  gpointer key, value;
  guint64 total_items = 0;
  gint probes = 0;
  g_hash_table_iter_init(&iter, want_records);
  while (g_hash_table_iter_next(&iter, &key, &value))
    {
      guint32 items = GPOINTER_TO_INT(g_hash_table_lookup(want_items, key));
      probe(key, T0 + 59 * MINUTE);
      probes++;
      for (gint w = W1H; w <= W24H; w++)
        {
          cr_assert_eq(obs.mailbox[w].records, (guint32) GPOINTER_TO_INT(value) + 1, "%s window %d: %u records",
                       (gchar *) key, w, obs.mailbox[w].records);
          cr_assert_eq(obs.mailbox[w].items, items, "%s window %d: %u items", (gchar *) key, w, obs.mailbox[w].items);
        }
      total_items += items;
    }
  cr_assert_eq(obs.tenant[W24H].records, THREADS * PER_THREAD + probes);
  cr_assert_eq(obs.tenant[W24H].items, total_items);
  cr_assert_eq(obs.tenant[W1H].records, THREADS * PER_THREAD + probes);
  g_hash_table_destroy(want_records);
  g_hash_table_destroy(want_items);
}

/* ---- the state file ------------------------------------------------------ */

static gchar *tmp_dir;
static gchar *state_path;

static void
file_setup(void)
{
  setup();
  GError *error = NULL;
  tmp_dir = g_dir_make_tmp("mbx-state-XXXXXX", &error);
  cr_assert_not_null(tmp_dir, "g_dir_make_tmp: %s", error ? error->message : "?");
  state_path = g_build_filename(tmp_dir, "state", NULL);
}

static void
file_teardown(void)
{
  GDir *dir = g_dir_open(tmp_dir, 0, NULL);
  const gchar *name;
  while (dir && (name = g_dir_read_name(dir)))
    {
      gchar *path = g_build_filename(tmp_dir, name, NULL);
      g_unlink(path);
      g_free(path);
    }
  if (dir)
    g_dir_close(dir);
  g_rmdir(tmp_dir);
  g_free(state_path);
  g_free(tmp_dir);
  teardown();
}

TestSuite(state_file_round_trip, .init = file_setup, .fini = file_teardown);
TestSuite(state_file_damage, .init = file_setup, .fini = file_teardown);

/* record i of a replay over @days days: several mailboxes, apps, addresses, paths and two tenants */
static void
replay_record(MbxRecord *r, gint i, gint64 start)
{
  static const MbxAccessPath paths[] = { MBX_PATH_OWA, MBX_PATH_GRAPH, MBX_PATH_EWS };
  gchar mailbox[32], app[32], ip[32];
  gint m = (i * 7) % 23;
  gint64 t = start + (gint64) i * 7 * MINUTE + (i % 5) * SEC;

  g_snprintf(mailbox, sizeof(mailbox), "user%d@contoso.com", m);
  g_snprintf(app, sizeof(app), "app-%d", (i / 3) % 5);
  g_snprintf(ip, sizeof(ip), "10.%d.%d.%d", m % 3, (i / 11) % 4, i % 250);
  begin_on(r, i % 9 == 0 ? MBX_KIND_MAIL_SEARCH : MBX_KIND_MAIL_ACCESS, mailbox, t);
  if (m % 4 == 0)
    set_str(r, MBX_F_TENANT, "fabrikam");
  set_str(r, MBX_F_APP_ID, app);
  set_str(r, MBX_F_CLIENT_IP, ip);
  set_str(r, MBX_F_ACTOR, mailbox);
  set_str(r, MBX_F_ACCESS_PATH, mbx_access_path_name(paths[i % 3]));
  set_str(r, MBX_F_MAIL_ACCESS_TYPE, i % 13 == 0 ? "Sync" : "Bind");
  mbx_record_set_int(r, MBX_F_OPERATION_COUNT, i % 17 + 1);
  mbx_record_set_int(r, MBX_F_FOLDER_COUNT, i % 3 + 1);
}

/* replays records @from .. @to - 1 into @s */
static void
replay(MbxState *s, gint from, gint to)
{
  MbxObservation o;
  for (gint i = from; i < to; i++)
    {
      replay_record(record, i, T0);
      mbx_state_observe(s, record, mbx_record_get_int(record, MBX_F_EVENT_TIME, 0), &o);
    }
}

/* 15 days of 7-minute steps */
#define REPLAY_SAVED 3086
#define REPLAY_MORE 600

static void
save_ok(MbxState *s)
{
  GError *error = NULL;
  gint64 stall = -1;
  cr_assert(mbx_state_save(s, state_path, g_get_monotonic_time, &stall, &error), "save: %s",
            error ? error->message : "?");
  cr_assert_geq(stall, 0, "the longest stall was not measured");
  cr_assert_lt(stall, G_USEC_PER_SEC, "a stall of %" G_GINT64_FORMAT " us", stall);
}

static MbxState *
load_ok(void)
{
  GError *error = NULL;
  gboolean found = FALSE;
  MbxState *s = mbx_state_load(&options, state_path, &found, &error);
  cr_assert_not_null(s, "load: %s", error ? error->message : "?");
  cr_assert_null(error);
  cr_assert(found);
  return s;
}

static void
small_caps(void)
{
  options.max_entries[MBX_TABLE_MAILBOXES] = 1000;
  options.max_entries[MBX_TABLE_ACTORS] = 1000;
  options.max_entries[MBX_TABLE_PAIRS] = 1000;
  options.max_entries[MBX_TABLE_TENANTS] = 10;
  options.max_entries[MBX_TABLE_TENANT_APPS] = 100;
}

Test(state_file_round_trip, a_loaded_state_continues_exactly_where_the_saved_one_was)
{
  small_caps();
  state = new_state();
  replay(state, 0, REPLAY_SAVED);
  save_ok(state);
  MbxState *loaded = load_ok();
  MbxState *fresh = new_state();

  MbxStateStats a, b;
  mbx_state_get_stats(state, &a);
  mbx_state_get_stats(loaded, &b);
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    cr_assert_eq(a.entries[t], b.entries[t], "table %s: %" G_GUINT64_FORMAT " entries, loaded %" G_GUINT64_FORMAT,
                 mbx_table_name(t), a.entries[t], b.entries[t]);

  gint differs_from_fresh = 0, with_baseline = 0;
  for (gint i = REPLAY_SAVED; i < REPLAY_SAVED + REPLAY_MORE; i++)
    {
      MbxObservation want, got, blank;
      replay_record(record, i, T0);
      gint64 t = mbx_record_get_int(record, MBX_F_EVENT_TIME, 0);
      mbx_state_observe(state, record, t, &want);
      mbx_state_observe(loaded, record, t, &got);
      mbx_state_observe(fresh, record, t, &blank);
      cr_assert_eq(got.mailbox_new, want.mailbox_new, "record %d", i);
      cr_assert_eq(got.mailbox_first_seen, want.mailbox_first_seen, "record %d", i);
      cr_assert_eq(got.pair_first_seen, want.pair_first_seen, "record %d", i);
      cr_assert_eq(got.baseline_days, want.baseline_days, "record %d", i);
      cr_assert_eq(got.baseline_mean, want.baseline_mean, "record %d", i);
      cr_assert_eq(got.mailbox[W24H].items, want.mailbox[W24H].items, "record %d", i);
      cr_assert_eq(got.tenant[W24H].records, want.tenant[W24H].records, "record %d", i);
      cr_assert_eq(got.actor_mailboxes[W24H], want.actor_mailboxes[W24H], "record %d", i);
      cr_assert(memcmp(&got, &want, sizeof(got)) == 0, "record %d: the observations differ", i);
      differs_from_fresh += memcmp(&blank, &want, sizeof(blank)) != 0;
      with_baseline += want.baseline_days >= 14;
    }
  cr_assert_eq(differs_from_fresh, REPLAY_MORE, "a fresh state observes the same: the comparison proves nothing");
  cr_assert_gt(with_baseline, REPLAY_MORE / 2, "the replay learned too few baselines");
  mbx_state_unref(loaded);
  mbx_state_unref(fresh);
}

Test(state_file_round_trip, a_saved_late_record_is_still_late_after_loading)
{
  state = new_state();
  read_items("alice@contoso.com", APP_A, T0 + 5 * HOUR, 1);
  observe();
  save_ok(state);
  mbx_state_unref(state);
  state = load_ok();
  read_items("alice@contoso.com", APP_A, T0, 1);
  observe();
  cr_assert(obs.late, "the tenant watermark was not restored");
}

Test(state_file_round_trip, a_missing_file_is_a_fresh_state_and_no_error)
{
  GError *error = NULL;
  gboolean found = TRUE;
  state = mbx_state_load(&options, state_path, &found, &error);
  cr_assert_not_null(state);
  cr_assert_null(error);
  cr_assert_not(found);
  MbxStateStats s = stats();
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    cr_assert_eq(s.entries[t], 0);
}

Test(state_file_round_trip, saving_replaces_the_file_and_leaves_no_temporary_file)
{
  state = new_state();
  replay(state, 0, 100);
  save_ok(state);
  replay(state, 100, 200);
  save_ok(state);
  GDir *dir = g_dir_open(tmp_dir, 0, NULL);
  const gchar *name;
  gint n = 0;
  while ((name = g_dir_read_name(dir)))
    {
      cr_assert_str_eq(name, "state", "left behind: %s", name);
      n++;
    }
  g_dir_close(dir);
  cr_assert_eq(n, 1);
}

Test(state_file_round_trip, saving_into_a_missing_directory_fails_cleanly)
{
  state = new_state();
  replay(state, 0, 10);
  gchar *path = g_build_filename(tmp_dir, "no-such-dir", "state", NULL);
  GError *error = NULL;
  gint64 stall = -1;
  cr_assert_not(mbx_state_save(state, path, NULL, &stall, &error));
  cr_assert_not_null(error);
  cr_assert(g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT), "%s", error->message);
  cr_assert_eq(stall, 0, "no clock, no stall");
  g_error_free(error);
  g_free(path);
}

static gint64 fake_now;

static gint64
ticking_clock(void)
{
  return fake_now += 3;
}

Test(state_file_round_trip, the_longest_stall_is_the_longest_shard_copy)
{
  state = new_state();
  replay(state, 0, 50);
  gint64 stall = -1;
  fake_now = 0;
  cr_assert(mbx_state_save(state, state_path, ticking_clock, &stall, NULL));
  cr_assert_eq(stall, 3, "each shard copy reads the clock before and after it: %" G_GINT64_FORMAT, stall);
  cr_assert_gt(fake_now, 3 * 2 * 5, "the clock was not read around each shard");
}

static gpointer
busy_observer(gpointer data)
{
  volatile gint *stop = data;
  MbxRecord *r = mbx_record_new();
  MbxObservation o;
  for (gint i = 0; !g_atomic_int_get(stop); i = (i + 1) % 3000)
    {
      replay_record(r, i % 3000, T0 + DAY * 30);
      mbx_state_observe(state, r, mbx_record_get_int(r, MBX_F_EVENT_TIME, 0), &o);
    }
  mbx_record_free(r);
  return NULL;
}

Test(state_file_round_trip, saving_while_another_thread_observes_writes_a_loadable_file)
{
  small_caps();
  state = new_state();
  replay(state, 0, 500);
  gint stop = 0;
  GThread *thread = g_thread_new("observer", busy_observer, &stop);
  for (gint i = 0; i < 5; i++)
    {
      save_ok(state);
      MbxState *loaded = load_ok();
      mbx_state_unref(loaded);
    }
  g_atomic_int_set(&stop, 1);
  g_thread_join(thread);
}

Test(state_file_round_trip, a_file_loads_into_a_state_with_smaller_caps_within_the_caps)
{
  state = new_state();
  replay(state, 0, 1000);
  save_ok(state);
  options.max_entries[MBX_TABLE_MAILBOXES] = 5;
  options.max_entries[MBX_TABLE_PAIRS] = 7;
  MbxState *loaded = load_ok();
  MbxStateStats s;
  mbx_state_get_stats(loaded, &s);
  cr_assert_eq(s.entries[MBX_TABLE_MAILBOXES], 5);
  cr_assert_eq(s.entries[MBX_TABLE_PAIRS], 7);
  mbx_state_unref(loaded);
}

Test(state_file_round_trip, window_slots_past_the_configured_windows_are_not_part_of_the_layout)
{
  /* two windows, the third slot left over from the defaults */
  options.n_windows = 2;
  options.lateness_us = HOUR;
  state = new_state();
  replay(state, 0, 50);
  save_ok(state);
  options.window_us[2] = 0;
  MbxState *loaded = load_ok();
  mbx_state_unref(loaded);
}

/* ---- damaged files -------------------------------------------------------- */

/* offsets in the header (see state-file.c) */
#define OFF_VERSION 8
#define OFF_BYTE_ORDER 12
#define HEADER_SIZE (76 + 4 * MBX_TABLE_MAX) /* the fixed fields, then one entry size per table */
#define DIGEST_LEN 32

static guint8 *saved;
static gsize saved_len;

/* a state with some of everything, saved; its bytes in `saved` */
static void
save_reference(void)
{
  small_caps();
  state = new_state();
  replay(state, 0, 400);
  save_ok(state);
  GError *error = NULL;
  cr_assert(g_file_get_contents(state_path, (gchar **) &saved, &saved_len, &error));
  cr_assert_gt(saved_len, HEADER_SIZE + DIGEST_LEN + 1000);
}

static void
write_file(const guint8 *data, gsize len)
{
  GError *error = NULL;
  cr_assert(g_file_set_contents(state_path, (const gchar *) data, len, &error), "%s",
            error ? error->message : "?");
}

/* rewrites the trailer so that the damage is not caught by the checksum */
static void
reseal(guint8 *data, gsize len)
{
  gsize digest_len = DIGEST_LEN;
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, data, len - DIGEST_LEN);
  g_checksum_get_digest(sum, data + len - DIGEST_LEN, &digest_len);
  g_checksum_free(sum);
}

/* loading the file must fail with an error that says @why, without a state and without crashing */
static void
assert_refused(const gchar *why, const gchar *what)
{
  GError *error = NULL;
  gboolean found = FALSE;
  MbxState *s = mbx_state_load(&options, state_path, &found, &error);
  cr_assert_null(s, "%s: a damaged file was loaded", what);
  cr_assert_not_null(error, "%s: no error", what);
  cr_assert(found, "%s: the file was not found", what);
  cr_assert(strstr(error->message, why), "%s: \"%s\" does not say \"%s\"", what, error->message, why);
  g_error_free(error);
}

static void
damage_teardown(void)
{
  g_free(saved);
  saved = NULL;
  file_teardown();
}

TestSuite(state_file_corrupt, .init = file_setup, .fini = damage_teardown);

Test(state_file_corrupt, the_reference_file_loads)
{
  save_reference();
  MbxState *s = load_ok();
  mbx_state_unref(s);
}

Test(state_file_corrupt, an_empty_file_is_refused)
{
  save_reference();
  write_file(saved, 0);
  assert_refused("truncated", "empty file");
}

Test(state_file_corrupt, a_truncated_file_is_refused_at_every_length_tried)
{
  save_reference();
  gsize lengths[] = { 1, 8, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + DIGEST_LEN - 1, HEADER_SIZE + DIGEST_LEN,
                      HEADER_SIZE + 100, saved_len / 3, saved_len / 2, saved_len - DIGEST_LEN - 1,
                      saved_len - DIGEST_LEN, saved_len - 1 };
  for (gsize i = 0; i < G_N_ELEMENTS(lengths); i++)
    {
      gchar what[64];
      g_snprintf(what, sizeof(what), "truncated to %zu of %zu bytes", lengths[i], saved_len);
      write_file(saved, lengths[i]);
      assert_refused(lengths[i] < HEADER_SIZE + DIGEST_LEN ? "truncated" : "checksum", what);
    }
}

Test(state_file_corrupt, one_flipped_byte_anywhere_is_refused_by_the_checksum)
{
  save_reference();
  guint8 *copy = g_memdup2(saved, saved_len);
  gint tried = 0;
  /* every byte of the header and the trailer, about 400 spread over the body */
  gsize stride = (saved_len / 400) | 1;
  for (gsize off = 0; off < saved_len; off += (off < HEADER_SIZE || off + 2 * DIGEST_LEN > saved_len) ? 1 : stride)
    {
      gchar what[64];
      g_snprintf(what, sizeof(what), "byte %zu of %zu flipped", off, saved_len);
      copy[off] ^= 0x5a;
      write_file(copy, saved_len);
      assert_refused("checksum", what);
      copy[off] ^= 0x5a;
      tried++;
    }
  cr_assert_gt(tried, 200);
  g_free(copy);
}

Test(state_file_corrupt, a_file_of_another_kind_is_refused)
{
  save_reference();
  memcpy(saved, "NOTSTATE", 8);
  reseal(saved, saved_len);
  write_file(saved, saved_len);
  assert_refused("not a mailbox-monitor state file", "wrong magic");
}

Test(state_file_corrupt, a_file_of_another_version_is_refused)
{
  save_reference();
  guint32 version;
  memcpy(&version, saved + OFF_VERSION, 4);
  cr_assert_eq(version, 3, "the version is not where this test expects it");
  /* version 1 hashed its keys with SipHash-2-4: its entries would never be found again */
  version = 1;
  memcpy(saved + OFF_VERSION, &version, 4);
  reseal(saved, saved_len);
  write_file(saved, saved_len);
  assert_refused("another version", "version 1");
}

Test(state_file_corrupt, a_file_of_another_byte_order_is_refused)
{
  save_reference();
  guint32 mark = GUINT32_SWAP_LE_BE(0x01020304u);
  memcpy(saved + OFF_BYTE_ORDER, &mark, 4);
  reseal(saved, saved_len);
  write_file(saved, saved_len);
  assert_refused("byte order", "swapped byte order");
}

Test(state_file_corrupt, a_file_of_another_window_layout_is_refused)
{
  save_reference();
  write_file(saved, saved_len);
  options.n_buckets = 12;
  assert_refused("windows differ", "12 buckets instead of 6");
  mbx_state_options_defaults(&options);
  small_caps();
  options.window_us[0] = 5 * MINUTE;
  assert_refused("windows differ", "a 5 minute window");
  mbx_state_options_defaults(&options);
  small_caps();
  options.n_windows = 2;
  options.lateness_us = HOUR;
  assert_refused("windows differ", "two windows");
}

Test(state_file_corrupt, a_sealed_file_with_a_bad_structure_is_refused)
{
  save_reference();
  guint8 *copy = g_memdup2(saved, saved_len);
  guint32 huge = G_MAXUINT32, bad_table = 3;

  /* the first shard's entry count, past the end of the file */
  memcpy(copy + HEADER_SIZE + 8, &huge, 4);
  reseal(copy, saved_len);
  write_file(copy, saved_len);
  assert_refused("bad shard section", "an entry count past the end");

  /* a table id out of order */
  memcpy(copy, saved, saved_len);
  memcpy(copy + HEADER_SIZE, &bad_table, 4);
  reseal(copy, saved_len);
  write_file(copy, saved_len);
  assert_refused("bad table section", "table 3 first");

  /* cut in the middle of the entries, then sealed */
  gsize cut = saved_len / 2;
  memcpy(copy, saved, cut);
  reseal(copy, cut + DIGEST_LEN);
  write_file(copy, cut + DIGEST_LEN);
  assert_refused("is unusable", "cut in the middle and sealed");

  /* bytes after the last table, sealed */
  guint8 *longer = g_malloc0(saved_len + 16);
  memcpy(longer, saved, saved_len - DIGEST_LEN);
  reseal(longer, saved_len + 16);
  write_file(longer, saved_len + 16);
  assert_refused("trailing bytes", "16 bytes after the last table");
  g_free(longer);
  g_free(copy);
}

Test(state_file_corrupt, random_sealed_damage_never_crashes)
{
  save_reference();
  GRand *rand = g_rand_new_with_seed(1234);
  guint8 *copy = g_malloc(saved_len);
  gint refused = 0, loaded = 0;
  for (gint i = 0; i < 300; i++)
    {
      memcpy(copy, saved, saved_len);
      gint flips = g_rand_int_range(rand, 1, 4);
      for (gint f = 0; f < flips; f++)
        copy[g_rand_int_range(rand, HEADER_SIZE, saved_len - DIGEST_LEN)] = g_rand_int_range(rand, 0, 256);
      reseal(copy, saved_len);
      write_file(copy, saved_len);
      GError *error = NULL;
      gboolean found;
      MbxState *s = mbx_state_load(&options, state_path, &found, &error);
      cr_assert((s == NULL) == (error != NULL), "damage %d: a state and an error, or neither", i);
      if (s)
        {
          /* whatever was loaded stays within the caps and can be used */
          MbxStateStats st;
          mbx_state_get_stats(s, &st);
          for (gint t = 0; t < MBX_TABLE_MAX; t++)
            cr_assert_leq(st.entries[t], options.max_entries[t]);
          MbxObservation o;
          replay_record(record, i, T0 + 20 * DAY);
          mbx_state_observe(s, record, mbx_record_get_int(record, MBX_F_EVENT_TIME, 0), &o);
          mbx_state_unref(s);
          loaded++;
        }
      else
        {
          g_error_free(error);
          refused++;
        }
    }
  cr_assert_gt(refused + loaded, 0);
  g_free(copy);
  g_rand_free(rand);
}

Test(state_file_corrupt, an_unreadable_path_is_an_error)
{
  /* a directory where the file should be */
  GError *error = NULL;
  gboolean found = FALSE;
  cr_assert_eq(g_mkdir(state_path, 0700), 0);
  MbxState *s = mbx_state_load(&options, state_path, &found, &error);
  cr_assert_null(s);
  cr_assert_not_null(error);
  g_error_free(error);
  g_rmdir(state_path);
}
