/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Detector rules "app-unapproved" and "throttled": on records built with
 * mbx_record_set_* and on a few decoded fixtures.
 *
 * Sources: test-detector.c fixture.c; links the core library; needs -DFIXTURE_DIR.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-detector.h"
#include "mailbox-monitor/mbx-decoder.h"
#include "mailbox-monitor/mbx-error.h"
#include "mailbox-monitor/mbx-record.h"
#include "fixture.h"

#define UNKNOWN_APP "6f0a8c1e-2d4b-4e59-a7c3-9b1d5e8f2a64"
#define OUTLOOK_DESKTOP_APP "d3590ed6-52b3-4102-aeff-aad2292ab01c"
#define OUTLOOK_MOBILE_APP "27922004-5251-4030-b22d-91ecd9a37ea4"
#define OWA_APP "00000002-0000-0ff1-ce00-000000000000"
#define NEW_OUTLOOK_APP "5d661950-3475-41cd-a2c3-d671a3162bc1"
#define NEW_OUTLOOK_APP_2 "13937bba-652e-4c46-b222-3003f4d1ff97"
#define OUTLOOK_AGENT "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.14326; Pro)"

static MbxDetector *detector;
static MbxRecord *record;

static void
setup(void)
{
  detector = mbx_detector_new();
  record = mbx_record_new();
  cr_assert_not_null(detector);
}

static void
teardown(void)
{
  mbx_record_free(record);
  mbx_detector_unref(detector);
}

TestSuite(detector, .init = setup, .fini = teardown);
TestSuite(rule_throttled, .init = setup, .fini = teardown);
TestSuite(rule_app_unapproved, .init = setup, .fini = teardown);

static void
set_str(MbxField field, const gchar *value)
{
  if (value)
    mbx_record_set_string(record, field, value, strlen(value));
  else
    mbx_record_unset(record, field);
}

/* a MailItemsAccessed-like record: @app_id and @agent may be NULL */
static void
mail_read(const gchar *app_id, const gchar *path, const gchar *agent)
{
  mbx_record_reset(record);
  mbx_record_set_kind(record, MBX_KIND_MAIL_ACCESS);
  mbx_record_set_actor_kind(record, MBX_ACTOR_OWNER);
  set_str(MBX_F_OPERATION, "MailItemsAccessed");
  set_str(MBX_F_MAILBOX, "alice@contoso.com");
  set_str(MBX_F_ACTOR, "alice@contoso.com");
  set_str(MBX_F_APP_ID, app_id);
  set_str(MBX_F_ACCESS_PATH, path);
  set_str(MBX_F_CLIENT_INFO, agent);
  set_str(MBX_F_MAIL_ACCESS_TYPE, "Bind");
  mbx_record_set_int(record, MBX_F_ITEM_COUNT, 3);
}

static MbxVerdict
evaluate(void)
{
  MbxVerdict verdict;

  memset(&verdict, 0, sizeof(verdict));
  mbx_detector_evaluate(detector, record, &verdict);
  return verdict;
}

static void
assert_fires(MbxRule rule, const gchar *what)
{
  MbxVerdict v = evaluate();

  cr_assert(mbx_verdict_fired(&v, rule), "%s: rule %s did not fire", what, mbx_rule_id(rule));
  cr_assert(mbx_verdict_is_suspicious(&v));
  cr_assert_gt(v.score, 0, "%s: score is %d", what, v.score);
  cr_assert_leq(v.score, 100);
  cr_assert_neq(v.reason[0], '\0', "%s: empty reason", what);
}

static void
assert_does_not_fire(MbxRule rule, const gchar *what)
{
  MbxVerdict v = evaluate();

  cr_assert_not(mbx_verdict_fired(&v, rule), "%s: rule %s fired (%s)", what, mbx_rule_id(rule), v.reason);
}

static void
assert_benign(const gchar *what)
{
  MbxVerdict v = evaluate();

  cr_assert_eq(v.rules, 0, "%s: rules 0x%x fired (%s)", what, v.rules, v.reason);
  cr_assert_eq(v.score, 0, "%s: score %d", what, v.score);
  cr_assert_not(mbx_verdict_is_suspicious(&v));
}

static void
decode_fixture(const gchar *name)
{
  MbxDecoder *decoder = mbx_decoder_new();

  fixture_decode(decoder, name, record);
  mbx_decoder_free(decoder);
}

/* ---------------------------------------------------------------- rule ids and configuration */

Test(detector, names_its_rules)
{
  cr_assert_str_eq(mbx_rule_id(MBX_RULE_APP_UNAPPROVED), "app-unapproved");
  cr_assert_str_eq(mbx_rule_id(MBX_RULE_THROTTLED), "throttled");
}

Test(detector, finds_rules_by_id)
{
  cr_assert_eq(mbx_rule_by_id("app-unapproved"), MBX_RULE_APP_UNAPPROVED);
  cr_assert_eq(mbx_rule_by_id("throttled"), MBX_RULE_THROTTLED);
  cr_assert_eq(mbx_rule_by_id("no-such-rule"), MBX_RULE_MAX);
}

Test(detector, approved_apps_compare_case_insensitively)
{
  cr_assert(mbx_detector_add_approved_app(detector, "6F0A8C1E-2D4B-4E59-A7C3-9B1D5E8F2A64", NULL));
  cr_assert(mbx_detector_is_approved_app(detector, UNKNOWN_APP));
  cr_assert(mbx_detector_is_approved_app(detector, "6F0A8C1E-2D4B-4E59-A7C3-9B1D5E8F2A64"));
  cr_assert_not(mbx_detector_is_approved_app(detector, "c3a9e2f1-5b7d-4a86-9e0c-1f2d3b4a5c6d"));
}

Test(detector, rejects_an_approved_app_that_is_not_a_guid)
{
  GError *error = NULL;

  cr_assert_not(mbx_detector_add_approved_app(detector, "Mail Sync Tool", &error));
  cr_assert_not_null(error);
  cr_assert_eq(error->domain, MBX_ERROR);
  cr_assert_eq(error->code, MBX_ERROR_INVALID_OPTION);
  g_error_free(error);
}

Test(detector, ref_returns_the_same_detector)
{
  MbxDetector *other = mbx_detector_ref(detector);

  cr_assert_eq(other, detector);
  mbx_detector_unref(other);
  cr_assert_str_eq(mbx_rule_id(MBX_RULE_THROTTLED), "throttled"); /* still usable */
}

Test(detector, a_benign_owner_read_scores_zero)
{
  mail_read(OWA_APP, "owa", NULL);
  mbx_record_set_int(record, MBX_F_THROTTLED, 0);
  assert_benign("OWA owner read");
}

Test(detector, a_benign_verdict_has_an_empty_reason)
{
  MbxVerdict v;

  mail_read(OUTLOOK_DESKTOP_APP, "outlook-desktop", OUTLOOK_AGENT);
  memset(&v, 0, sizeof(v));
  mbx_detector_evaluate(detector, record, &v);
  cr_assert_eq(v.rules, 0);
  cr_assert_str_eq(v.reason, "");
}

Test(detector, overwrites_whatever_the_verdict_held_before)
{
  MbxVerdict v;

  mail_read(OWA_APP, "owa", NULL);
  memset(&v, 0xff, sizeof(v));
  mbx_detector_evaluate(detector, record, &v);
  cr_assert_eq(v.rules, 0);
  cr_assert_eq(v.score, 0);
}

Test(detector, fires_both_rules_on_a_throttled_unapproved_read)
{
  mail_read(UNKNOWN_APP, "rest", NULL);
  mbx_record_set_int(record, MBX_F_THROTTLED, 1);
  MbxVerdict v = evaluate();

  cr_assert(mbx_verdict_fired(&v, MBX_RULE_APP_UNAPPROVED));
  cr_assert(mbx_verdict_fired(&v, MBX_RULE_THROTTLED));
  cr_assert_eq(v.rules, (1u << MBX_RULE_APP_UNAPPROVED) | (1u << MBX_RULE_THROTTLED));
  cr_assert_gt(v.score, 0);
  cr_assert_leq(v.score, 100);
  cr_assert_neq(v.reason[0], '\0');
}

/* ---------------------------------------------------------------- throttled */

Test(rule_throttled, fires_when_throttled_is_one)
{
  mail_read(NULL, "outlook-desktop", NULL);
  mbx_record_set_int(record, MBX_F_THROTTLED, 1);
  assert_fires(MBX_RULE_THROTTLED, "IsThrottled True");
}

Test(rule_throttled, stays_quiet_when_throttled_is_zero)
{
  mail_read(NULL, "outlook-desktop", NULL);
  mbx_record_set_int(record, MBX_F_THROTTLED, 0);
  assert_does_not_fire(MBX_RULE_THROTTLED, "IsThrottled False");
}

Test(rule_throttled, stays_quiet_when_throttled_is_unset)
{
  mail_read(NULL, "outlook-desktop", NULL);
  assert_does_not_fire(MBX_RULE_THROTTLED, "IsThrottled absent");
}

Test(rule_throttled, fires_on_the_throttled_fixture_alone)
{
  decode_fixture("mgmt-mail-items-accessed-throttled.json");
  MbxVerdict v = evaluate();

  cr_assert_eq(v.rules, 1u << MBX_RULE_THROTTLED, "rules 0x%x (%s)", v.rules, v.reason);
  cr_assert_gt(v.score, 0);
}

/* ---------------------------------------------------------------- app-unapproved */

Test(rule_app_unapproved, fires_on_an_unknown_app_reading_over_graph)
{
  mail_read(UNKNOWN_APP, "graph", "python-requests/2.32.5");
  assert_fires(MBX_RULE_APP_UNAPPROVED, "unknown app over graph");
}

Test(rule_app_unapproved, fires_on_an_unknown_app_reading_over_rest)
{
  mail_read(UNKNOWN_APP, "rest", NULL);
  assert_fires(MBX_RULE_APP_UNAPPROVED, "unknown app over rest");
}

Test(rule_app_unapproved, stays_quiet_once_the_app_is_approved)
{
  cr_assert(mbx_detector_add_approved_app(detector, UNKNOWN_APP, NULL));
  mail_read(UNKNOWN_APP, "graph", "python-requests/2.32.5");
  assert_does_not_fire(MBX_RULE_APP_UNAPPROVED, "approved app");
}

Test(rule_app_unapproved, trusts_first_party_mail_clients_on_their_normal_paths)
{
  const gchar *apps[] = { OUTLOOK_DESKTOP_APP, OWA_APP, OUTLOOK_MOBILE_APP, NEW_OUTLOOK_APP, NEW_OUTLOOK_APP_2 };
  const gchar *paths[] = { "outlook-desktop", "owa", "outlook-mobile", "rest", "activesync" };

  for (gsize a = 0; a < G_N_ELEMENTS(apps); a++)
    for (gsize p = 0; p < G_N_ELEMENTS(paths); p++)
      {
        gchar *what = g_strdup_printf("%s on %s", apps[a], paths[p]);

        mail_read(apps[a], paths[p], NULL);
        assert_does_not_fire(MBX_RULE_APP_UNAPPROVED, what);
        g_free(what);
      }
}

Test(rule_app_unapproved, fires_on_a_first_party_id_over_graph_with_a_scripted_agent)
{
  mail_read(OUTLOOK_DESKTOP_APP, "graph", "python-requests/2.32.5");
  assert_fires(MBX_RULE_APP_UNAPPROVED, "Outlook id over graph from python");
}

Test(rule_app_unapproved, fires_on_a_first_party_id_over_ews_with_a_scripted_agent)
{
  mail_read(OWA_APP, "ews", "curl/8.4.0");
  assert_fires(MBX_RULE_APP_UNAPPROVED, "Exchange id over ews from curl");
}

Test(rule_app_unapproved, stays_quiet_without_an_app_on_native_mail_paths)
{
  const gchar *paths[] = { "outlook-desktop", "owa", "outlook-mobile", "activesync", "imap-pop" };

  for (gsize p = 0; p < G_N_ELEMENTS(paths); p++)
    {
      mail_read(NULL, paths[p], NULL);
      assert_does_not_fire(MBX_RULE_APP_UNAPPROVED, paths[p]);
    }
}

Test(rule_app_unapproved, never_fires_on_non_mail_records)
{
  const MbxKind kinds[] = { MBX_KIND_GRANT, MBX_KIND_SIGNIN, MBX_KIND_ADMIN, MBX_KIND_OTHER };

  for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++)
    {
      mail_read(UNKNOWN_APP, "graph", "python-requests/2.32.5");
      mbx_record_set_kind(record, kinds[k]);
      assert_does_not_fire(MBX_RULE_APP_UNAPPROVED, mbx_kind_name(kinds[k]));
    }
}

Test(rule_app_unapproved, fires_on_the_app_only_fixture)
{
  decode_fixture("mgmt-mail-items-accessed-app-only.json");
  assert_fires(MBX_RULE_APP_UNAPPROVED, "app-only read by an unknown app");
}

Test(rule_app_unapproved, stays_quiet_on_the_app_only_fixture_once_approved)
{
  cr_assert(mbx_detector_add_approved_app(detector, UNKNOWN_APP, NULL));
  decode_fixture("mgmt-mail-items-accessed-app-only.json");
  assert_does_not_fire(MBX_RULE_APP_UNAPPROVED, "app-only read by an approved app");
}

Test(rule_app_unapproved, fires_on_the_graph_activity_app_only_fixture)
{
  decode_fixture("eventhub-graph-activity-app-only.json");
  assert_fires(MBX_RULE_APP_UNAPPROVED, "Graph app-only read");
}

Test(rule_app_unapproved, fires_on_the_ews_fixture_with_an_unknown_tool)
{
  decode_fixture("mgmt-mail-items-accessed-ews.json");
  assert_fires(MBX_RULE_APP_UNAPPROVED, "EWSEditor with an unknown app");
}

Test(rule_app_unapproved, owa_fixture_is_benign)
{
  decode_fixture("mgmt-mail-items-accessed-owa.json");
  assert_benign("OWA owner read fixture");
}

Test(rule_app_unapproved, consent_fixture_never_fires_it)
{
  decode_fixture("mgmt-consent-to-application.json");
  assert_does_not_fire(MBX_RULE_APP_UNAPPROVED, "consent record");
}
