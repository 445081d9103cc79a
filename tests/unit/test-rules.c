/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The AN0132 rule catalogue through the state and the detector, wired as
 * the syslog-ng adapter wires them (observe with the trusted flag, then
 * evaluate the observation): for each of the 13 rules its positive cases,
 * the near misses that must stay quiet, and the benign look-alikes of the
 * issue (an approved backup app reading and syncing every mailbox nightly,
 * an approved app rolled out tenant-wide, a user travelling once, the
 * owner working late); one test per public anchor replaying the anchor's
 * own threshold case with the default policy; and scoring (capped sum of
 * the weights, the alert score, one reason clause per rule, disabled rules,
 * weights from the policy).  Days of activity are replayed by event time.
 *
 * Sources: test-rules.c rules-helpers.c fixture.c; links the core library; needs -DFIXTURE_DIR.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-detector.h"
#include "mailbox-monitor/mbx-policy.h"
#include "mailbox-monitor/mbx-state.h"
#include "rules-helpers.h"
#include "mailbox-monitor/mbx-alert.h"

#define PYTHON_AGENT "python-requests/2.32.5"
#define BROWSER_AGENT \
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
#define EWS_BACKUP_AGENT "ExchangeServicesClient/15.0.913.15"
#define CEO "ceo@contoso.com"
#define CFO "cfo@contoso.com"
#define BOB "bob@contoso.com"

static RulesHarness *h;

static void
setup(void)
{
  h = NULL;
}

static void
teardown(void)
{
  rh_free(h);
}

TestSuite(scoring, .init = setup, .fini = teardown);
TestSuite(anchors, .init = setup, .fini = teardown);
TestSuite(lookalikes, .init = setup, .fini = teardown);
TestSuite(rule_app_unapproved, .init = setup, .fini = teardown);
TestSuite(rule_throttled, .init = setup, .fini = teardown);
TestSuite(rule_app_first_seen, .init = setup, .fini = teardown);
TestSuite(rule_volume_spike, .init = setup, .fini = teardown);
TestSuite(rule_sync_unusual, .init = setup, .fini = teardown);
TestSuite(rule_fanout, .init = setup, .fini = teardown);
TestSuite(rule_search_burst, .init = setup, .fini = teardown);
TestSuite(rule_search_keyword, .init = setup, .fini = teardown);
TestSuite(rule_agent_scripted, .init = setup, .fini = teardown);
TestSuite(rule_location_untrusted, .init = setup, .fini = teardown);
TestSuite(rule_nonowner_access, .init = setup, .fini = teardown);
TestSuite(rule_grant_mail_access, .init = setup, .fini = teardown);
TestSuite(rule_off_hours, .init = setup, .fini = teardown);

/* ---- helpers ------------------------------------------------------------ */

static RulesHarness *
harness_with(const gchar *policy_text)
{
  MbxPolicy *policy = policy_text ? policy_from_text(policy_text) : NULL;
  RulesHarness *harness = rh_new(policy);
  mbx_policy_unref(policy);
  return harness;
}

static RulesHarness *
harness_only(MbxRule rule)
{
  const MbxRule rules[] = { rule, (MbxRule) -1 };
  MbxPolicy *policy = policy_only(rules);
  RulesHarness *harness = rh_new(policy);
  mbx_policy_unref(policy);
  return harness;
}

/*
 * The learning period: owners of mailbox_n(0 .. @n - 1) read 5 items every
 * hour from 09:00 to 17:00 UTC from the office, days 0 to 7; day 8 is the
 * first day after it.
 */
#define LEARNED_DAY 8

static void
learn(guint n, gint64 items)
{
  const gchar *mailboxes[65] = { 0 };
  g_assert(n < G_N_ELEMENTS(mailboxes));
  for (guint i = 0; i < n; i++)
    mailboxes[i] = mailbox_n(i);
  rh_learn_owners(h, mailboxes, LEARNED_DAY, 9, 17, OFFICE_IP, items);
}

/* an app-only read that fires nothing else with the default policy than what the app itself is */
static const MbxVerdict *
app_read(gint64 t, const gchar *mailbox, const gchar *app, const gchar *ip, gint64 items)
{
  rh_app_read(h, t, mailbox, app, "graph", BROWSER_AGENT, ip, items);
  return rh_eval(h);
}

static const MbxVerdict *
owner_read(gint64 t, const gchar *mailbox, const gchar *ip, gint64 items)
{
  rh_owner_read(h, t, mailbox, ip, items);
  return rh_eval(h);
}

static const MbxVerdict *
delegate_read(gint64 t, const gchar *delegate, const gchar *mailbox, gint64 folders)
{
  rh_delegate_read(h, t, delegate, mailbox, OFFICE_IP, folders);
  return rh_eval(h);
}

static const MbxVerdict *
decoded(const gchar *fixture)
{
  rh_decode(h, fixture);
  return rh_eval(h);
}

/* a grant decoded from @fixture, with @field replaced by @value (NULL: unset) */
static const MbxVerdict *
decoded_with(const gchar *fixture, MbxField field, const gchar *value)
{
  rh_decode(h, fixture);
  rh_str(h, field, value);
  return rh_eval(h);
}

static guint
count_clauses(const gchar *reason)
{
  guint n = reason[0] ? 1 : 0;
  for (const gchar *p = reason; (p = strstr(p, "; ")); p += 2)
    n++;
  return n;
}

static guint
count_rules(guint32 rules)
{
  guint n = 0;
  for (; rules; rules &= rules - 1)
    n++;
  return n;
}

/* ---- scoring ------------------------------------------------------------ */

Test(scoring, a_benign_owner_read_fires_nothing_and_scores_zero)
{
  h = rh_new(NULL);
  const MbxVerdict *v = owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 5);
  assert_quiet(v);
  assert_score(v, 0);
  assert_not_suspicious(v);
  cr_assert_str_eq(v->reason, "");
}

Test(scoring, the_score_is_the_sum_of_the_fired_weights)
{
  h = rh_new(NULL);
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  const MbxVerdict *v = rh_eval(h);
  cr_assert_eq(v->rules, (1u << MBX_RULE_APP_UNAPPROVED) | (1u << MBX_RULE_AGENT_SCRIPTED), "%s", v->reason);
  assert_score(v, 50 + 30);
  assert_suspicious(v);
}

Test(scoring, the_score_is_capped_at_100)
{
  h = rh_new(NULL);
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  rh_int(h, MBX_F_THROTTLED, 1);
  const MbxVerdict *v = rh_eval(h);
  cr_assert_eq(count_rules(v->rules), 3, "%s", v->reason);
  assert_score(v, 100); /* 50 + 30 + 50 */
}

Test(scoring, suspicious_exactly_when_the_score_reaches_the_alert_score)
{
  h = harness_with("[policy]\nalert-score = 80\n");
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  const MbxVerdict *v = rh_eval(h);
  assert_score(v, 80);
  assert_suspicious(v);
  rh_free(h);

  h = harness_with("[policy]\nalert-score = 81\n");
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  v = rh_eval(h);
  assert_score(v, 80);
  assert_not_suspicious(v);
}

Test(scoring, the_reason_has_one_clause_per_fired_rule_led_by_its_id)
{
  h = rh_new(NULL);
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  rh_int(h, MBX_F_THROTTLED, 1);
  const MbxVerdict *v = rh_eval(h);
  cr_assert_eq(count_clauses(v->reason), count_rules(v->rules), "%s", v->reason);
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      gchar *lead = g_strdup_printf("%s: ", mbx_rule_id(r));
      cr_assert_eq(strstr(v->reason, lead) != NULL, mbx_verdict_fired(v, r), "%s in \"%s\"", lead, v->reason);
      g_free(lead);
    }
  cr_assert(g_str_has_prefix(v->reason, "app-unapproved: app " ROGUE_APP " read mail of " CEO), "%s", v->reason);
  assert_reason_has(v, "agent-scripted: client \"" PYTHON_AGENT "\" is a scripted agent (python)");
}

Test(scoring, a_disabled_rule_never_fires_nor_scores)
{
  h = harness_with("[rule:app-unapproved]\nenabled = false\n");
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_AGENT_SCRIPTED);
  assert_score(v, 30);
  assert_not_suspicious(v);
  cr_assert_null(strstr(v->reason, "app-unapproved"), "%s", v->reason);
}

Test(scoring, every_rule_can_be_disabled)
{
  GString *text = g_string_new("");
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    g_string_append_printf(text, "[rule:%s]\nenabled = false\n", mbx_rule_id(r));
  h = harness_with(text->str);
  g_string_free(text, TRUE);

  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 500);
  rh_int(h, MBX_F_THROTTLED, 1);
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  assert_quiet(rh_eval(h));
  assert_quiet(decoded("eventhub-audit-consent.json"));
  assert_quiet(decoded("eventhub-graph-activity-search-query.json"));
}

Test(scoring, the_policys_weights_are_used)
{
  h = harness_with("[rule:agent-scripted]\nweight = 7\n[rule:app-unapproved]\nweight = 11\n");
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  const MbxVerdict *v = rh_eval(h);
  assert_score(v, 18);
  assert_not_suspicious(v);
}

Test(scoring, a_rule_of_weight_zero_fires_but_adds_nothing)
{
  h = harness_with("[rule:agent-scripted]\nweight = 0\n[rule:app-unapproved]\nenabled = false\n");
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_AGENT_SCRIPTED);
  assert_score(v, 0);
  assert_not_suspicious(v);
}

/* ---- the public anchors' own threshold cases, default policy --------------- */

Test(anchors, splunk_more_than_5_mailboxes_in_10_minutes_by_one_app)
{
  h = rh_new(NULL);
  for (guint i = 0; i < 5; i++)
    {
      const MbxVerdict *v = app_read(AT(0, 10, i), mailbox_n(i), ROGUE_APP, VPS_IP, 2);
      assert_not_fired(v, MBX_RULE_FANOUT);
    }
  const MbxVerdict *v = app_read(AT(0, 10, 9), mailbox_n(5), ROGUE_APP, VPS_IP, 2);
  assert_fired(v, MBX_RULE_FANOUT);
  assert_suspicious(v);
  assert_reason_has(v, "fanout: app " ROGUE_APP " touched 6 mailboxes in 10m (more than 5)");
}

Test(anchors, splunk_more_than_5_mailboxes_in_10_minutes_by_one_delegate)
{
  h = rh_new(NULL);
  for (guint i = 0; i < 5; i++)
    assert_not_fired(delegate_read(AT(0, 10, i), BOB, mailbox_n(i), 1), MBX_RULE_FANOUT);
  const MbxVerdict *v = delegate_read(AT(0, 10, 9), BOB, mailbox_n(5), 1);
  assert_fired(v, MBX_RULE_FANOUT);
  assert_suspicious(v);
  assert_reason_has(v, "fanout: user " BOB " touched 6 mailboxes in 10m (more than 5)");
}

Test(anchors, fanout_alone_reaches_the_alert_score)
{
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 5; i++)
    assert_quiet(delegate_read(AT(0, 10, i), BOB, mailbox_n(i), 1));
  const MbxVerdict *v = delegate_read(AT(0, 10, 9), BOB, mailbox_n(5), 1);
  assert_only(v, MBX_RULE_FANOUT);
  assert_suspicious(v);
}

Test(anchors, elastic_operation_count_of_100_or_more)
{
  h = rh_new(NULL);
  const MbxVerdict *v = owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 100);
  assert_only(v, MBX_RULE_VOLUME_SPIKE);
  assert_suspicious(v);
  assert_reason_has(v, "volume-spike: 100 items of " CEO " read in 1h (threshold 100");
}

Test(anchors, elastic_operation_count_of_99_stays_quiet)
{
  h = rh_new(NULL);
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 99));
}

Test(anchors, elastic_is_throttled)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-mail-items-accessed-throttled.json");
  assert_only(v, MBX_RULE_THROTTLED);
  assert_suspicious(v);
  assert_reason_has(v, "throttled: IsThrottled=True on ");
}

Test(anchors, sentinel_nonowner_more_than_5_folders)
{
  h = rh_new(NULL);
  const MbxVerdict *v = delegate_read(AT(0, 10, 0), BOB, CEO, 6);
  assert_only(v, MBX_RULE_NONOWNER_ACCESS);
  assert_score(v, 50);
  assert_suspicious(v);
  assert_reason_has(v, "(1 mailbox(es), 6 folder(s))");
}

Test(anchors, sentinel_nonowner_more_than_one_users_mailbox)
{
  h = rh_new(NULL);
  const MbxVerdict *v = delegate_read(AT(0, 10, 0), BOB, CEO, 1);
  assert_only(v, MBX_RULE_NONOWNER_ACCESS);
  assert_not_suspicious(v);
  v = delegate_read(AT(0, 10, 30), BOB, CFO, 1);
  assert_only(v, MBX_RULE_NONOWNER_ACCESS);
  assert_score(v, 50);
  assert_suspicious(v);
  assert_reason_has(v, "(2 mailbox(es), 1 folder(s))");
}

Test(anchors, sentinel_nonowner_one_mailbox_five_folders_fires_at_base_weight_only)
{
  h = rh_new(NULL);
  const MbxVerdict *v = delegate_read(AT(0, 10, 0), BOB, CEO, 5);
  assert_only(v, MBX_RULE_NONOWNER_ACCESS);
  assert_score(v, 25);
  assert_not_suspicious(v);
}

Test(anchors, elastic_new_client_app_id_after_learning)
{
  h = rh_new(NULL);
  learn(4, 5);
  const MbxVerdict *v = app_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), ROGUE_APP, VPS_IP, 3);
  assert_fired(v, MBX_RULE_APP_FIRST_SEEN);
  assert_suspicious(v);
  assert_reason_has(v, "app-first-seen: first read of user0@contoso.com by app " ROGUE_APP
                       ", an app the tenant never saw read mail");
}

Test(anchors, elastic_new_client_app_id_alone_reaches_50_with_the_tenant_new_bonus)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  learn(4, 5);
  const MbxVerdict *v = app_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), ROGUE_APP, VPS_IP, 3);
  assert_only(v, MBX_RULE_APP_FIRST_SEEN);
  assert_score(v, 50);
  assert_suspicious(v);
}

Test(anchors, sentinel_full_access_as_app_consent)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-add-app-role-assignment.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_suspicious(v);
  assert_reason_has(v, "gave app " ROGUE_APP " mail access (full_access_as_app)");
}

Test(anchors, splunk_full_access_as_app_added_to_an_application)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-update-application.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_suspicious(v);
  assert_reason_has(v, "full_access_as_app Mail.Read");
}

Test(anchors, sentinel_end_user_consent_to_offline_access_with_mail_read)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-consent-to-application.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_score(v, 50);
  assert_suspicious(v);
  assert_reason_has(v, "(Mail.Read offline_access)");
}

Test(anchors, splunk_tenant_wide_admin_consent_weighs_more)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("eventhub-audit-consent.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_score(v, 70);
  assert_suspicious(v);
  assert_reason_has(v, "for every user");
}

Test(anchors, google_post_search_query)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("eventhub-graph-activity-search-query.json");
  assert_only(v, MBX_RULE_SEARCH_BURST);
  assert_suspicious(v);
  assert_reason_has(v, "search-burst: Graph search/query called by app de8bc8b5-d9f9-48b1-a8ad-b748da725064");
}

/* ---- the benign look-alikes ----------------------------------------------- */

static const gchar *policy_with_backup = "[approved-apps]\n" BACKUP_APP " = Fabrikam Cloud Backup\n" CRM_APP " = Northwind CRM\n";

Test(lookalikes, an_approved_backup_reading_and_syncing_every_mailbox_nightly)
{
  h = harness_with(policy_with_backup);
  learn(40, 5);
  /* the backup's nights: 01:00-01:40 UTC, outside every owner's hours, through the learning period and after */
  for (gint d = 0; d < LEARNED_DAY + 3; d++)
    for (guint i = 0; i < 40; i++)
      {
        rh_app_read(h, AT(d, 1, i), mailbox_n(i), BACKUP_APP, "ews", EWS_BACKUP_AGENT, "20.190.128.9", 800);
        const MbxVerdict *v = rh_eval(h);
        assert_quiet(v);
        rh_app_read(h, AT(d, 1, i) + 30 * SEC, mailbox_n(i), BACKUP_APP, "ews", EWS_BACKUP_AGENT, "20.190.128.9", 0);
        rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
        rh_int(h, MBX_F_FOLDER_COUNT, 12);
        v = rh_eval(h);
        assert_not_fired(v, MBX_RULE_SYNC_UNUSUAL);
        assert_not_fired(v, MBX_RULE_VOLUME_SPIKE);
        assert_not_fired(v, MBX_RULE_FANOUT);
        assert_not_fired(v, MBX_RULE_OFF_HOURS);
        assert_quiet(v);
      }
  /* the bulk stayed out of the owners' baselines: the owner's own 100 items still meet the floor only */
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY + 2, 10, 0), mailbox_n(3), OFFICE_IP, 100);
  assert_only(v, MBX_RULE_VOLUME_SPIKE);
}

Test(lookalikes, the_same_nightly_bulk_by_an_unapproved_app_is_suspicious)
{
  /* the control: without the approval, the look-alike's records are what the rules exist for */
  h = rh_new(NULL);
  learn(8, 5);
  const MbxVerdict *v = NULL;
  for (guint i = 0; i < 8; i++)
    {
      rh_app_read(h, AT(LEARNED_DAY, 1, i), mailbox_n(i), BACKUP_APP, "ews", EWS_BACKUP_AGENT, "20.190.128.9", 0);
      rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
      rh_int(h, MBX_F_FOLDER_COUNT, 12);
      v = rh_eval(h);
      assert_suspicious(v);
      assert_fired(v, MBX_RULE_SYNC_UNUSUAL);
    }
  assert_fired(v, MBX_RULE_FANOUT);
  assert_fired(v, MBX_RULE_APP_FIRST_SEEN);
  assert_fired(v, MBX_RULE_OFF_HOURS);
}

Test(lookalikes, an_approved_app_rolled_out_tenant_wide)
{
  h = harness_with(policy_with_backup);
  learn(40, 5);
  for (guint i = 0; i < 40; i++)
    {
      rh_app_read(h, AT(LEARNED_DAY, 11, 0) + i * 10 * SEC, mailbox_n(i), CRM_APP, "graph", "NorthwindCRM/4.2",
                  "40.76.1.1", 20);
      const MbxVerdict *v = rh_eval(h);
      cr_assert(h->obs.pair_new, "the state saw the pair before: the test proves nothing");
      assert_not_fired(v, MBX_RULE_APP_FIRST_SEEN);
      assert_not_fired(v, MBX_RULE_FANOUT);
      assert_quiet(v);
    }
}

Test(lookalikes, the_same_rollout_by_an_unapproved_app_is_suspicious)
{
  h = rh_new(NULL);
  learn(8, 5);
  const MbxVerdict *v = NULL;
  for (guint i = 0; i < 8; i++)
    {
      rh_app_read(h, AT(LEARNED_DAY, 11, 0) + i * 10 * SEC, mailbox_n(i), CRM_APP, "graph", "NorthwindCRM/4.2",
                  "40.76.1.1", 20);
      v = rh_eval(h);
      assert_fired(v, MBX_RULE_APP_FIRST_SEEN);
      assert_suspicious(v);
    }
  assert_fired(v, MBX_RULE_FANOUT);
}

Test(lookalikes, a_user_travelling_once)
{
  h = rh_new(NULL);
  learn(4, 5);
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY + 1, 10, 0), mailbox_n(2), HOTEL_IP, 5);
  assert_only(v, MBX_RULE_LOCATION_UNTRUSTED);
  assert_score(v, 20);
  assert_not_suspicious(v);
  assert_reason_has(v, "location-untrusted: user2@contoso.com accessed from " HOTEL_IP ", a network never seen for it");
  /* the rest of the trip is the same network, back at the office nothing */
  assert_quiet(owner_read(AT(LEARNED_DAY + 1, 11, 0), mailbox_n(2), HOTEL_IP, 5));
  assert_quiet(owner_read(AT(LEARNED_DAY + 3, 10, 0), mailbox_n(2), OFFICE_IP, 5));
}

Test(lookalikes, the_owner_working_late_from_the_usual_network)
{
  h = rh_new(NULL);
  learn(4, 5);
  for (gint hour = 20; hour <= 23; hour++)
    {
      const MbxVerdict *v = owner_read(AT(LEARNED_DAY + 1, hour, 15), mailbox_n(1), OFFICE_IP, 30);
      assert_only(v, MBX_RULE_OFF_HOURS);
      assert_score(v, 10);
      assert_not_suspicious(v);
    }
}

/* ---- 1. app-unapproved ---------------------------------------------------- */

Test(rule_app_unapproved, fires_on_an_unknown_app_from_the_first_record)
{
  h = rh_new(NULL);
  const MbxVerdict *v = app_read(AT(0, 10, 0), CEO, ROGUE_APP, VPS_IP, 3);
  assert_only(v, MBX_RULE_APP_UNAPPROVED);
  assert_suspicious(v);
  assert_reason_has(v, "app-unapproved: app " ROGUE_APP " read mail of " CEO " and is not on the approved list");
}

Test(rule_app_unapproved, stays_quiet_for_an_approved_app_in_any_case)
{
  gchar *text = g_strdup_printf("[approved-apps]\n%s = ours\n", "6F0A8C1E-2D4B-4E59-A7C3-9B1D5E8F2A64");
  h = harness_with(text);
  g_free(text);
  assert_not_fired(app_read(AT(0, 10, 0), CEO, ROGUE_APP, VPS_IP, 3), MBX_RULE_APP_UNAPPROVED);
}

Test(rule_app_unapproved, fires_on_the_decoded_app_only_read)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-mail-items-accessed-app-only.json");
  assert_fired(v, MBX_RULE_APP_UNAPPROVED);
  assert_suspicious(v);
}

Test(rule_app_unapproved, stays_quiet_for_owners_on_native_clients_without_an_app_id)
{
  h = rh_new(NULL);
  assert_quiet(decoded("mgmt-mail-items-accessed-bind.json"));
  assert_quiet(decoded("mgmt-mail-items-accessed-owa.json"));
}

Test(rule_app_unapproved, fires_on_an_unidentified_app_over_an_api)
{
  h = rh_new(NULL);
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "ews", NULL, VPS_IP, 3);
  rh_str(h, MBX_F_APP_ID, NULL);
  const MbxVerdict *v = rh_eval(h);
  assert_fired(v, MBX_RULE_APP_UNAPPROVED);
  assert_reason_has(v, "read by an unidentified app");
}

Test(rule_app_unapproved, fires_on_outlooks_id_over_graph_with_a_scripted_agent)
{
  h = rh_new(NULL);
  rh_app_read(h, AT(0, 10, 0), CEO, OUTLOOK_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  rh_str(h, MBX_F_ACTOR, CEO);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_OWNER);
  const MbxVerdict *v = rh_eval(h);
  assert_fired(v, MBX_RULE_APP_UNAPPROVED);
  assert_fired(v, MBX_RULE_AGENT_SCRIPTED);
  assert_suspicious(v);
  assert_reason_has(v, "first-party app " OUTLOOK_APP " read mail of " CEO " over graph with a scripted agent");
}

Test(rule_app_unapproved, trusts_outlooks_id_on_its_own_path)
{
  h = rh_new(NULL);
  rh_app_read(h, AT(0, 10, 0), CEO, OUTLOOK_APP, "outlook-desktop", PYTHON_AGENT, OFFICE_IP, 3);
  rh_str(h, MBX_F_ACTOR, CEO);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_OWNER);
  assert_not_fired(rh_eval(h), MBX_RULE_APP_UNAPPROVED);
}

Test(rule_app_unapproved, only_judges_mail_reads)
{
  h = rh_new(NULL);
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", BROWSER_AGENT, VPS_IP, 3);
  mbx_record_set_kind(h->record, MBX_KIND_MAIL_ITEM);
  assert_not_fired(rh_eval(h), MBX_RULE_APP_UNAPPROVED);
}

/* ---- 5. throttled --------------------------------------------------------- */

Test(rule_throttled, fires_on_is_throttled_true_with_the_mailbox_in_the_reason)
{
  h = rh_new(NULL);
  rh_owner_read(h, AT(0, 10, 0), CEO, OFFICE_IP, 5);
  rh_int(h, MBX_F_THROTTLED, 1);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_THROTTLED);
  assert_score(v, 50);
  assert_reason_has(v, "IsThrottled=True on " CEO);
}

Test(rule_throttled, stays_quiet_when_false_or_absent)
{
  h = rh_new(NULL);
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 5));
  assert_quiet(decoded("mgmt-mail-items-accessed-no-throttle-flag.json"));
}

/* ---- 2. app-first-seen ---------------------------------------------------- */

Test(rule_app_first_seen, stays_quiet_during_the_learning_period)
{
  h = rh_new(NULL);
  learn(4, 5);
  /* a fresh harness: the app's first read on day 6 is inside the 7 days */
  rh_free(h);
  h = rh_new(NULL);
  assert_quiet(owner_read(AT(0, 9, 0), mailbox_n(0), OFFICE_IP, 5));
  const MbxVerdict *v = app_read(AT(6, 23, 0), mailbox_n(0), ROGUE_APP, VPS_IP, 3);
  cr_assert(h->obs.pair_new);
  assert_not_fired(v, MBX_RULE_APP_FIRST_SEEN);
  assert_fired(v, MBX_RULE_APP_UNAPPROVED);
}

Test(rule_app_first_seen, learning_ends_seven_days_after_the_tenants_first_record)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  assert_quiet(owner_read(AT(0, 9, 0), mailbox_n(0), OFFICE_IP, 5));
  assert_quiet(app_read(AT(7, 8, 59), mailbox_n(1), ROGUE_APP, VPS_IP, 3));
  assert_fired(app_read(AT(7, 9, 0), mailbox_n(2), ROGUE_APP, VPS_IP, 3), MBX_RULE_APP_FIRST_SEEN);
}

Test(rule_app_first_seen, a_second_read_of_the_same_mailbox_is_not_first)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  learn(2, 5);
  assert_fired(app_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), ROGUE_APP, VPS_IP, 3), MBX_RULE_APP_FIRST_SEEN);
  assert_quiet(app_read(AT(LEARNED_DAY, 10, 5), mailbox_n(0), ROGUE_APP, VPS_IP, 3));
  assert_quiet(app_read(AT(LEARNED_DAY + 3, 10, 5), mailbox_n(0), ROGUE_APP, VPS_IP, 3));
}

Test(rule_app_first_seen, an_app_the_tenant_knows_weighs_30_on_a_new_mailbox)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  assert_quiet(app_read(AT(0, 10, 0), mailbox_n(0), ROGUE_APP, VPS_IP, 3)); /* learnt */
  learn(2, 5);
  const MbxVerdict *v = app_read(AT(LEARNED_DAY, 10, 0), mailbox_n(1), ROGUE_APP, VPS_IP, 3);
  assert_only(v, MBX_RULE_APP_FIRST_SEEN);
  assert_score(v, 30);
  assert_not_suspicious(v);
  assert_reason_has(v, "first read of user1@contoso.com by app " ROGUE_APP);
  cr_assert_null(strstr(v->reason, "never saw"), "%s", v->reason);
}

Test(rule_app_first_seen, the_tenant_new_bonus_follows_the_policy)
{
  h = harness_with("[rule:app-first-seen]\nweight = 10\ntenant-new-bonus = 5\n[rule:app-unapproved]\nenabled = false\n"
                   "[rule:location-untrusted]\nenabled = false\n");
  learn(2, 5);
  const MbxVerdict *v = app_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), ROGUE_APP, VPS_IP, 3);
  assert_only(v, MBX_RULE_APP_FIRST_SEEN);
  assert_score(v, 15);
}

Test(rule_app_first_seen, stays_quiet_for_a_first_party_client_on_its_path)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  learn(2, 5);
  rh_app_read(h, AT(LEARNED_DAY, 10, 0), mailbox_n(0), OWA_APP, "owa", BROWSER_AGENT, OFFICE_IP, 3);
  rh_str(h, MBX_F_ACTOR, mailbox_n(0));
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_OWNER);
  const MbxVerdict *v = rh_eval(h);
  cr_assert(h->obs.pair_new);
  assert_quiet(v);
}

Test(rule_app_first_seen, fires_for_a_first_party_id_borrowed_by_a_script)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  learn(2, 5);
  rh_app_read(h, AT(LEARNED_DAY, 10, 0), mailbox_n(0), OUTLOOK_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  assert_fired(rh_eval(h), MBX_RULE_APP_FIRST_SEEN);
}

Test(rule_app_first_seen, fires_on_a_search_that_is_the_apps_first_contact)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  learn(2, 5);
  rh_decode(h, "eventhub-graph-activity-search.json");
  rh_int(h, MBX_F_EVENT_TIME, AT(LEARNED_DAY, 10, 0));
  rh_str(h, MBX_F_TENANT, TENANT);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_APP_FIRST_SEEN);
  assert_reason_has(v, "first read of victim@contoso.com by app 9e1f2a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b");
  /* its first read of the same mailbox is the tenant's first read by that app */
  v = app_read(AT(LEARNED_DAY, 10, 1), "victim@contoso.com", "9e1f2a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b", VPS_IP, 50);
  cr_assert_not(h->obs.pair_new);
  assert_only(v, MBX_RULE_APP_FIRST_SEEN);
  assert_score(v, 50);
  assert_reason_has(v, "an app the tenant never saw read mail");
}

Test(rule_app_first_seen, a_graph_search_by_a_known_app_of_the_mailbox_is_not_first)
{
  h = harness_only(MBX_RULE_APP_FIRST_SEEN);
  assert_quiet(app_read(AT(0, 10, 0), "victim@contoso.com", "9e1f2a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b", VPS_IP, 3));
  learn(2, 5);
  rh_decode(h, "eventhub-graph-activity-search.json");
  rh_int(h, MBX_F_EVENT_TIME, AT(LEARNED_DAY, 10, 0));
  assert_quiet(rh_eval(h));
}

/* ---- 3. volume-spike ------------------------------------------------------ */

Test(rule_volume_spike, counts_items_across_records_in_the_window)
{
  h = rh_new(NULL);
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 60));
  const MbxVerdict *v = owner_read(AT(0, 10, 20), CEO, OFFICE_IP, 40);
  assert_only(v, MBX_RULE_VOLUME_SPIKE);
  assert_reason_has(v, "100 items of " CEO " read in 1h");
}

Test(rule_volume_spike, counts_distinct_message_ids_when_they_say_more)
{
  h = rh_new(NULL);
  rh_owner_read(h, AT(0, 10, 0), CEO, OFFICE_IP, 1);
  rh_int(h, MBX_F_ITEM_COUNT, 120);
  assert_fired(rh_eval(h), MBX_RULE_VOLUME_SPIKE);
}

Test(rule_volume_spike, items_read_hours_apart_stay_quiet)
{
  h = rh_new(NULL);
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 60));
  assert_quiet(owner_read(AT(0, 12, 0), CEO, OFFICE_IP, 60));
}

Test(rule_volume_spike, counts_per_mailbox_not_per_tenant)
{
  h = rh_new(NULL);
  for (guint i = 0; i < 10; i++)
    assert_quiet(owner_read(AT(0, 10, i), mailbox_n(i), OFFICE_IP, 60));
}

Test(rule_volume_spike, a_busy_mailbox_needs_a_multiple_of_its_baseline)
{
  h = rh_new(NULL);
  learn(2, 40); /* 40 items every office hour */
  assert_quiet(owner_read(AT(LEARNED_DAY, 10, 30), mailbox_n(0), OFFICE_IP, 150));
  assert_quiet(owner_read(AT(LEARNED_DAY, 10, 35), mailbox_n(0), OFFICE_IP, 40));         /* 190 */
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY, 10, 40), mailbox_n(0), OFFICE_IP, 10); /* 200 */
  assert_only(v, MBX_RULE_VOLUME_SPIKE);
  assert_reason_has(v, "200 items of user0@contoso.com read in 1h (threshold 200; usual 40.0)");
}

Test(rule_volume_spike, a_small_read_after_the_bulk_is_not_part_of_it)
{
  h = harness_only(MBX_RULE_VOLUME_SPIKE);
  assert_fired(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 150), MBX_RULE_VOLUME_SPIKE);
  assert_quiet(owner_read(AT(0, 10, 5), CEO, OFFICE_IP, 3));
  assert_fired(owner_read(AT(0, 10, 6), CEO, OFFICE_IP, 10), MBX_RULE_VOLUME_SPIKE);
}

Test(rule_volume_spike, the_multiple_follows_the_policy)
{
  h = harness_with("[rule:volume-spike]\nbaseline-multiple = 2\nmin-items = 50\n");
  learn(1, 40);
  assert_quiet(owner_read(AT(LEARNED_DAY, 10, 30), mailbox_n(0), OFFICE_IP, 70));
  assert_fired(owner_read(AT(LEARNED_DAY, 10, 31), mailbox_n(0), OFFICE_IP, 10), MBX_RULE_VOLUME_SPIKE);
}

Test(rule_volume_spike, the_floor_follows_the_policy)
{
  h = harness_with("[rule:volume-spike]\nmin-items = 500\n");
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 475));
  assert_fired(owner_read(AT(0, 10, 1), CEO, OFFICE_IP, 25), MBX_RULE_VOLUME_SPIKE);
}

Test(rule_volume_spike, syncs_are_not_items)
{
  h = harness_only(MBX_RULE_VOLUME_SPIKE);
  rh_owner_read(h, AT(0, 10, 0), CEO, OFFICE_IP, 500);
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  rh_int(h, MBX_F_FOLDER_COUNT, 30);
  assert_quiet(rh_eval(h));
}

/* ---- 4. sync-unusual ------------------------------------------------------ */

static const MbxVerdict *
sync_by(const gchar *app, const gchar *path, const gchar *ip, gint64 t, gint64 folders)
{
  if (app)
    rh_app_read(h, t, CEO, app, path, BROWSER_AGENT, ip, 0);
  else
    {
      rh_owner_read(h, t, CEO, ip, 0);
      rh_str(h, MBX_F_ACCESS_PATH, path);
    }
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  rh_int(h, MBX_F_FOLDER_COUNT, folders);
  return rh_eval(h);
}

Test(rule_sync_unusual, fires_on_a_sync_by_anything_but_outlook_desktop)
{
  static const gchar *paths[] = { "graph", "ews", "rest", "owa", "activesync", "imap-pop", "outlook-mobile" };
  h = harness_only(MBX_RULE_SYNC_UNUSUAL);
  for (gsize i = 0; i < G_N_ELEMENTS(paths); i++)
    {
      const MbxVerdict *v = sync_by(NULL, paths[i], OFFICE_IP, AT(0, 10, i), 3);
      assert_only(v, MBX_RULE_SYNC_UNUSUAL);
      assert_suspicious(v);
      gchar *text = g_strdup_printf("3 folder(s) of " CEO " synced over %s, not Outlook desktop", paths[i]);
      assert_reason_has(v, text);
      g_free(text);
    }
}

Test(rule_sync_unusual, fires_on_a_sync_by_an_unknown_app_over_graph)
{
  h = rh_new(NULL);
  const MbxVerdict *v = sync_by(ROGUE_APP, "graph", VPS_IP, AT(0, 10, 0), 1);
  assert_fired(v, MBX_RULE_SYNC_UNUSUAL);
  assert_suspicious(v);
}

Test(rule_sync_unusual, stays_quiet_for_outlook_desktop_on_a_known_network)
{
  h = rh_new(NULL);
  assert_quiet(decoded("mgmt-mail-items-accessed-sync.json"));
  learn(1, 5);
  rh_owner_read(h, AT(LEARNED_DAY, 10, 0), mailbox_n(0), OFFICE_IP, 0);
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  assert_quiet(rh_eval(h));
}

Test(rule_sync_unusual, fires_at_a_tenth_of_its_weight_for_outlook_desktop_from_a_network_never_seen_after_learning)
{
  h = harness_only(MBX_RULE_SYNC_UNUSUAL);
  learn(1, 5);
  rh_owner_read(h, AT(LEARNED_DAY, 10, 0), mailbox_n(0), VPS_IP, 0);
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  rh_int(h, MBX_F_FOLDER_COUNT, 4);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_SYNC_UNUSUAL);
  assert_score(v, 5);
  assert_not_suspicious(v);
  assert_reason_has(v, "4 folder(s) of user0@contoso.com synced by Outlook from " VPS_IP ", a network never seen for it");
}

Test(rule_sync_unusual, outlook_desktop_from_a_new_trusted_network_stays_quiet)
{
  h = harness_with("[trusted-networks]\nnetworks = 203.0.113.0/24;10.0.0.0/8\n");
  learn(1, 5);
  rh_owner_read(h, AT(LEARNED_DAY, 10, 0), mailbox_n(0), "10.44.0.7", 0);
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  const MbxVerdict *v = rh_eval(h);
  cr_assert(h->obs.network_new, "the state knew the network: the test proves nothing");
  assert_quiet(v);
}

Test(rule_sync_unusual, a_new_network_during_learning_is_quiet)
{
  h = rh_new(NULL);
  assert_quiet(owner_read(AT(0, 9, 0), CEO, OFFICE_IP, 5));
  rh_owner_read(h, AT(2, 10, 0), CEO, VPS_IP, 0);
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  assert_quiet(rh_eval(h));
}

Test(rule_sync_unusual, a_bind_over_graph_is_no_sync)
{
  h = harness_only(MBX_RULE_SYNC_UNUSUAL);
  assert_quiet(app_read(AT(0, 10, 0), CEO, ROGUE_APP, VPS_IP, 3));
}

Test(rule_sync_unusual, stays_quiet_for_an_approved_app)
{
  h = harness_with(policy_with_backup);
  assert_quiet(sync_by(BACKUP_APP, "ews", VPS_IP, AT(0, 1, 0), 12));
}

static const MbxVerdict *
archiver_sync(void)
{
  rh_delegate_read(h, AT(0, 1, 0), "svc-archive@contoso.com", CEO, OFFICE_IP, 12);
  rh_str(h, MBX_F_ACCESS_PATH, "ews");
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  return rh_eval(h);
}

Test(rule_sync_unusual, stays_quiet_for_an_approved_account)
{
  h = harness_with("[approved-accounts]\nsvc-archive@contoso.com = archiver\n");
  assert_not_fired(archiver_sync(), MBX_RULE_SYNC_UNUSUAL);
  rh_free(h);
  h = rh_new(NULL);
  assert_fired(archiver_sync(), MBX_RULE_SYNC_UNUSUAL);
}

/* ---- 6. fanout ------------------------------------------------------------ */

Test(rule_fanout, six_mailboxes_over_more_than_ten_minutes_stay_quiet)
{
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 6; i++)
    assert_quiet(delegate_read(AT(0, 10, 0) + i * 3 * MINUTE, BOB, mailbox_n(i), 1));
}

Test(rule_fanout, more_than_20_mailboxes_in_a_day_is_low_and_slow)
{
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 20; i++)
    assert_quiet(app_read(AT(0, 1, 0) + i * HOUR, mailbox_n(i), ROGUE_APP, VPS_IP, 1));
  const MbxVerdict *v = app_read(AT(0, 21, 30), mailbox_n(20), ROGUE_APP, VPS_IP, 1);
  assert_only(v, MBX_RULE_FANOUT);
  assert_suspicious(v);
  assert_reason_has(v, "touched 21 mailboxes in 24h (more than 20)");
}

Test(rule_fanout, twenty_mailboxes_in_a_day_stay_quiet)
{
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 20; i++)
    assert_quiet(app_read(AT(0, 1, 0) + i * HOUR, mailbox_n(i), ROGUE_APP, VPS_IP, 1));
  /* a day later the first ones have left the window */
  assert_quiet(app_read(AT(1, 1, 30), mailbox_n(20), ROGUE_APP, VPS_IP, 1));
}

Test(rule_fanout, one_mailbox_read_many_times_is_no_fanout)
{
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 50; i++)
    assert_quiet(app_read(AT(0, 10, 0) + i * 10 * SEC, CEO, ROGUE_APP, VPS_IP, 1));
}

Test(rule_fanout, owners_behind_one_office_address_are_no_fanout)
{
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 40; i++)
    assert_quiet(owner_read(AT(0, 10, 0) + i * 10 * SEC, mailbox_n(i), OFFICE_IP, 3));
}

Test(rule_fanout, delegates_behind_one_trusted_office_address_are_judged_each_on_their_own)
{
  /* six assistants, each reading their own manager's mailbox, behind the office NAT */
  h = harness_with("[trusted-networks]\nnetworks = 203.0.113.0/24\n");
  for (guint i = 0; i < 6; i++)
    {
      gchar *assistant = g_strdup_printf("assistant%u@contoso.com", i);
      const MbxVerdict *v = delegate_read(AT(0, 10, i), assistant, mailbox_n(i), 1);
      assert_only(v, MBX_RULE_NONOWNER_ACCESS);
      assert_score(v, 25);
      g_free(assistant);
    }
}

Test(rule_fanout, an_untrusted_address_reading_many_mailboxes_is_fanout)
{
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 5; i++)
    {
      gchar *user = g_strdup_printf("stolen%u@contoso.com", i);
      assert_quiet(delegate_read(AT(0, 10, i), user, mailbox_n(i), 1));
      g_free(user);
    }
  rh_delegate_read(h, AT(0, 10, 6), "stolen5@contoso.com", mailbox_n(5), OFFICE_IP, 1);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_FANOUT);
  assert_reason_has(v, "fanout: address " OFFICE_IP " touched 6 mailboxes in 10m");
}

Test(rule_fanout, a_first_party_client_id_shared_by_the_tenant_is_no_actor)
{
  /* delegates in OWA from their homes: only Exchange's own id is common to them */
  h = harness_only(MBX_RULE_FANOUT);
  for (guint i = 0; i < 8; i++)
    {
      gchar *assistant = g_strdup_printf("assistant%u@contoso.com", i);
      gchar *ip = g_strdup_printf("198.51.100.%u", 10 + i);
      rh_delegate_read(h, AT(0, 10, i), assistant, mailbox_n(i), ip, 1);
      rh_str(h, MBX_F_APP_ID, OWA_APP);
      rh_str(h, MBX_F_ACCESS_PATH, "owa");
      assert_quiet(rh_eval(h));
      g_free(ip);
      g_free(assistant);
    }
}

Test(rule_fanout, the_thresholds_follow_the_policy)
{
  h = harness_with("[rule:fanout]\nshort-mailboxes = 2\n[rule:nonowner-access]\nenabled = false\n");
  assert_quiet(delegate_read(AT(0, 10, 0), BOB, mailbox_n(0), 1));
  assert_quiet(delegate_read(AT(0, 10, 1), BOB, mailbox_n(1), 1));
  assert_only(delegate_read(AT(0, 10, 2), BOB, mailbox_n(2), 1), MBX_RULE_FANOUT);
}

Test(rule_fanout, an_approved_app_is_no_fanout)
{
  h = harness_with(policy_with_backup);
  for (guint i = 0; i < 40; i++)
    assert_quiet(app_read(AT(0, 10, 0) + i * 10 * SEC, mailbox_n(i), BACKUP_APP, VPS_IP, 1));
}

/* ---- 7. search-burst ------------------------------------------------------ */

Test(rule_search_burst, more_than_10_searches_in_10_minutes_by_one_actor)
{
  h = rh_new(NULL);
  for (guint i = 0; i < 10; i++)
    {
      rh_owner_search(h, AT(0, 10, 0) + i * 20 * SEC, CEO, OFFICE_IP, "team lunch");
      assert_quiet(rh_eval(h));
    }
  rh_owner_search(h, AT(0, 10, 4), CEO, OFFICE_IP, "team lunch");
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_SEARCH_BURST);
  assert_suspicious(v);
  assert_reason_has(v, "search-burst: user " CEO " searched 11 times in 10m (more than 10)");
}

Test(rule_search_burst, searches_spread_over_half_an_hour_stay_quiet)
{
  h = rh_new(NULL);
  for (guint i = 0; i < 15; i++)
    {
      rh_owner_search(h, AT(0, 10, 0) + i * 2 * MINUTE, CEO, OFFICE_IP, "team lunch");
      assert_quiet(rh_eval(h));
    }
}

Test(rule_search_burst, owners_searching_behind_one_trusted_office_address_are_no_burst)
{
  h = harness_with("[trusted-networks]\nnetworks = 203.0.113.0/24\n");
  for (guint i = 0; i < 30; i++)
    {
      rh_owner_search(h, AT(0, 10, 0) + i * 10 * SEC, mailbox_n(i), OFFICE_IP, "team lunch");
      assert_quiet(rh_eval(h));
    }
}

Test(rule_search_burst, the_limit_follows_the_policy)
{
  h = harness_with("[rule:search-burst]\nmax-searches = 3\n");
  for (guint i = 0; i < 3; i++)
    {
      rh_owner_search(h, AT(0, 10, i), CEO, OFFICE_IP, "team lunch");
      assert_quiet(rh_eval(h));
    }
  rh_owner_search(h, AT(0, 10, 3), CEO, OFFICE_IP, "team lunch");
  assert_fired(rh_eval(h), MBX_RULE_SEARCH_BURST);
}

Test(rule_search_burst, search_query_with_outlooks_id_and_a_browser_agent_fires)
{
  /* GraphRunner's Invoke-SearchMailbox: Outlook's client id, a forged browser agent */
  h = rh_new(NULL);
  rh_decode(h, "eventhub-graph-activity-search-query.json");
  rh_str(h, MBX_F_APP_ID, OUTLOOK_APP);
  const MbxVerdict *v = rh_eval(h);
  assert_fired(v, MBX_RULE_SEARCH_BURST);
  assert_suspicious(v);
}

Test(rule_search_burst, search_query_by_an_approved_app_stays_quiet)
{
  gchar *text = g_strdup_printf("[approved-apps]\nde8bc8b5-d9f9-48b1-a8ad-b748da725064 = eDiscovery\n");
  h = harness_with(text);
  g_free(text);
  assert_quiet(decoded("eventhub-graph-activity-search-query.json"));
}

Test(rule_search_burst, other_graph_requests_are_no_search_query)
{
  h = harness_only(MBX_RULE_SEARCH_BURST);
  assert_quiet(decoded("eventhub-graph-activity-me-messages.json"));
  assert_quiet(decoded("eventhub-graph-activity-search.json"));
}

/* ---- 8. search-keyword ---------------------------------------------------- */

static const MbxVerdict *
owner_search(const gchar *text)
{
  rh_owner_search(h, AT(0, 10, 0), CEO, OFFICE_IP, text);
  return rh_eval(h);
}

Test(rule_search_keyword, fires_on_the_owners_search_for_a_wire_transfer_at_its_weight)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-search-query-initiated.json");
  assert_only(v, MBX_RULE_SEARCH_KEYWORD);
  assert_score(v, 30);
  assert_not_suspicious(v);
  assert_reason_has(v, "search of alice@contoso.com for \"wire transfer\" matches the sensitive term \"wire transfer\"");
}

/* record text quoted in a clause cannot forge another rule's clause in the joined reason */
Test(rule_search_keyword, a_search_text_cannot_forge_another_clause)
{
  h = rh_new(NULL);
  const MbxVerdict *v = owner_search("password; fanout: 99 mailboxes; throttled: none");
  assert_fired(v, MBX_RULE_SEARCH_KEYWORD);
  cr_assert_not(mbx_verdict_fired(v, MBX_RULE_FANOUT));
  cr_assert_null(strstr(v->reason, "; fanout:"), "%s", v->reason);
  cr_assert_null(strstr(v->reason, "; throttled:"), "%s", v->reason);
  GString *out = g_string_new("");
  cr_assert_not(mbx_alert_rule_reason(v->reason, MBX_RULE_FANOUT, out), "a forged fanout clause: %s", out->str);
  cr_assert(mbx_alert_rule_reason(v->reason, MBX_RULE_SEARCH_KEYWORD, out));
  cr_assert(strstr(out->str, "throttled: none"), "the clause was cut: %s", out->str);
  g_string_free(out, TRUE);
}

Test(rule_search_keyword, a_scripted_graph_search_for_a_keyword_is_suspicious)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("eventhub-graph-activity-search.json");
  assert_fired(v, MBX_RULE_SEARCH_KEYWORD);
  assert_fired(v, MBX_RULE_AGENT_SCRIPTED);
  assert_suspicious(v);
}

Test(rule_search_keyword, folds_case_and_accents)
{
  h = harness_only(MBX_RULE_SEARCH_KEYWORD);
  assert_only(owner_search("Contraseña del banco"), MBX_RULE_SEARCH_KEYWORD);
  assert_only(owner_search("CONTRASENA"), MBX_RULE_SEARCH_KEYWORD);
  assert_only(owner_search("MOT DE PASSE"), MBX_RULE_SEARCH_KEYWORD);
}

Test(rule_search_keyword, uses_the_policys_terms)
{
  h = harness_with("[sensitive-terms]\nterms = Project Zeus\nreplace-defaults = true\n");
  assert_fired(owner_search("project ZEUS timeline"), MBX_RULE_SEARCH_KEYWORD);
  assert_quiet(owner_search("password"));
}

Test(rule_search_keyword, ordinary_searches_stay_quiet)
{
  h = rh_new(NULL);
  assert_quiet(owner_search("team lunch"));
  assert_quiet(owner_search("holiday schedule"));
}

Test(rule_search_keyword, only_judges_searches)
{
  h = harness_only(MBX_RULE_SEARCH_KEYWORD);
  rh_owner_read(h, AT(0, 10, 0), CEO, OFFICE_IP, 3);
  rh_str(h, MBX_F_SEARCH_TEXT, "password");
  assert_quiet(rh_eval(h));
}

/* ---- 9. agent-scripted ---------------------------------------------------- */

Test(rule_agent_scripted, fires_on_a_scripting_library_at_its_weight)
{
  h = harness_with("[rule:app-unapproved]\nenabled = false\n");
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", "Go-http-client/2.0", VPS_IP, 3);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_AGENT_SCRIPTED);
  assert_score(v, 30);
  assert_not_suspicious(v);
  assert_reason_has(v, "client \"Go-http-client/2.0\" is a scripted agent (go-http-client)");
}

Test(rule_agent_scripted, fires_on_graphrunners_forged_agent)
{
  h = harness_only(MBX_RULE_AGENT_SCRIPTED);
  rh_app_read(h, AT(0, 10, 0), CEO, OUTLOOK_APP, "graph",
              "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 "
              "Safari/537.36 Edge/18.19042",
              VPS_IP, 3);
  assert_fired(rh_eval(h), MBX_RULE_AGENT_SCRIPTED);
}

Test(rule_agent_scripted, fires_on_a_scripted_sign_in)
{
  h = harness_only(MBX_RULE_AGENT_SCRIPTED);
  assert_only(decoded("mgmt-user-login-failed.json"), MBX_RULE_AGENT_SCRIPTED);
}

Test(rule_agent_scripted, mail_clients_stay_quiet)
{
  h = harness_only(MBX_RULE_AGENT_SCRIPTED);
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 3));
  assert_quiet(app_read(AT(0, 10, 1), CEO, ROGUE_APP, VPS_IP, 3));
  assert_quiet(decoded("mgmt-mail-items-accessed-owa.json"));
}

Test(rule_agent_scripted, an_approved_app_may_script)
{
  h = harness_with(policy_with_backup);
  rh_app_read(h, AT(0, 10, 0), CEO, BACKUP_APP, "graph", PYTHON_AGENT, VPS_IP, 3);
  assert_quiet(rh_eval(h));
}

Test(rule_agent_scripted, an_approved_agent_is_no_script)
{
  h = harness_with("[scripted-agents]\napproved = helpdesk-connector/\n[rule:app-unapproved]\nenabled = false\n");
  rh_app_read(h, AT(0, 10, 0), CEO, ROGUE_APP, "graph", "helpdesk-connector/3 python-requests/2.31", VPS_IP, 3);
  assert_quiet(rh_eval(h));
}

Test(rule_agent_scripted, grants_are_not_judged_by_agent)
{
  h = harness_only(MBX_RULE_AGENT_SCRIPTED);
  rh_decode(h, "mgmt-consent-to-application.json");
  rh_str(h, MBX_F_CLIENT_INFO, PYTHON_AGENT);
  assert_quiet(rh_eval(h));
}

/* ---- 10. location-untrusted ----------------------------------------------- */

static const gchar *policy_with_networks = "[trusted-networks]\nnetworks = 203.0.113.0/24;10.0.0.0/8;2001:db8:100::/48\n";

Test(rule_location_untrusted, fires_on_a_new_network_outside_the_trusted_networks_after_learning)
{
  h = harness_with(policy_with_networks);
  learn(1, 5);
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), VPS_IP, 3);
  assert_only(v, MBX_RULE_LOCATION_UNTRUSTED);
  assert_score(v, 20);
  assert_not_suspicious(v);
  assert_reason_has(v, "user0@contoso.com accessed from " VPS_IP
                       ", a network never seen for it");
  assert_fired(owner_read(AT(LEARNED_DAY, 10, 1), mailbox_n(0), "2001:db8:200::1", 3), MBX_RULE_LOCATION_UNTRUSTED);
}

Test(rule_location_untrusted, a_usual_network_outside_the_trusted_ones_stays_quiet)
{
  /* the home office: outside the office ranges, but the mailbox's own */
  h = harness_with(policy_with_networks);
  assert_quiet(owner_read(AT(0, 10, 0), mailbox_n(0), HOTEL_IP, 3));
  learn(1, 5);
  assert_quiet(owner_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), HOTEL_IP, 3));
}

Test(rule_location_untrusted, a_new_ipv6_network_inside_the_trusted_ones_stays_quiet)
{
  h = harness_with(policy_with_networks);
  learn(1, 5);
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), "2001:db8:100:7::1", 3);
  cr_assert(h->obs.network_new, "the state knew the network: the test proves nothing");
  assert_quiet(v);
}

Test(rule_location_untrusted, a_trusted_network_never_seen_for_the_mailbox_is_still_trusted)
{
  /* a VPN pool hands out addresses from many /24s */
  h = harness_with(policy_with_networks);
  learn(2, 5);
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), "10.77.3.9", 5);
  cr_assert(h->obs.network_new, "the state knew the network: the test proves nothing");
  assert_quiet(v);
}

Test(rule_location_untrusted, without_trusted_networks_a_new_network_during_learning_is_quiet)
{
  h = rh_new(NULL);
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 3));
  assert_quiet(owner_read(AT(3, 10, 0), CEO, HOTEL_IP, 3));
}

Test(rule_location_untrusted, without_trusted_networks_the_same_slash_24_is_no_new_network)
{
  h = rh_new(NULL);
  learn(1, 5);
  assert_quiet(owner_read(AT(LEARNED_DAY, 10, 0), mailbox_n(0), "203.0.113.200", 5));
}

Test(rule_location_untrusted, an_approved_app_may_read_from_anywhere)
{
  h = harness_with("[trusted-networks]\nnetworks = 203.0.113.0/24\n[approved-apps]\n" BACKUP_APP " = backup\n");
  assert_quiet(app_read(AT(0, 10, 0), CEO, BACKUP_APP, VPS_IP, 3));
}

/* ---- 11. nonowner-access -------------------------------------------------- */

Test(rule_nonowner_access, fires_on_the_decoded_delegate_read_at_base_weight)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-mail-items-accessed-delegate.json");
  assert_only(v, MBX_RULE_NONOWNER_ACCESS);
  assert_score(v, 25);
  assert_reason_has(v, "nonowner-access: bob@contoso.com accessed ceo@contoso.com as delegate");
}

Test(rule_nonowner_access, a_delegation_in_use_during_learning_is_quiet_after_it)
{
  h = harness_only(MBX_RULE_NONOWNER_ACCESS);
  const gchar *mailboxes[] = { mailbox_n(0), mailbox_n(1), NULL };
  /* days 0-6 of the learning period; records arrive in time order, so the delegate reads on day 6 */
  rh_learn_owners(h, mailboxes, 7, 9, 17, OFFICE_IP, 5);
  /* bob reads mailbox 1 (say a shared mailbox) during the learning period: fires then, at base weight */
  rh_delegate_read(h, AT(6, 18, 0), BOB, mailbox_n(1), OFFICE_IP, 1);
  assert_score(rh_eval(h), 25);
  /* after learning the same delegation is the tenant's normal */
  rh_delegate_read(h, AT(LEARNED_DAY, 10, 0), BOB, mailbox_n(1), OFFICE_IP, 1);
  assert_quiet(rh_eval(h));
}

Test(rule_nonowner_access, a_delegation_new_after_learning_counts_double)
{
  h = harness_only(MBX_RULE_NONOWNER_ACCESS);
  const gchar *mailboxes[] = { mailbox_n(0), mailbox_n(1), NULL };
  rh_learn_owners(h, mailboxes, 7, 9, 17, OFFICE_IP, 5);
  rh_delegate_read(h, AT(6, 18, 0), BOB, mailbox_n(1), OFFICE_IP, 1);
  rh_eval(h);
  /* bob opens mailbox 0 for the first time after learning: 25 doubled, suspicious */
  rh_delegate_read(h, AT(LEARNED_DAY, 11, 0), BOB, mailbox_n(0), OFFICE_IP, 1);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_NONOWNER_ACCESS);
  assert_score(v, 50);
  assert_suspicious(v);
  assert_reason_has(v, "a delegation new since the learning period");
}

Test(rule_nonowner_access, fires_on_admin_and_delegated_admin_logons)
{
  h = harness_only(MBX_RULE_NONOWNER_ACCESS);
  rh_delegate_read(h, AT(0, 10, 0), "admin@contoso.com", CEO, OFFICE_IP, 1);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_ADMIN);
  rh_int(h, MBX_F_LOGON_TYPE, 1);
  const MbxVerdict *v = rh_eval(h);
  assert_only(v, MBX_RULE_NONOWNER_ACCESS);
  assert_reason_has(v, "as admin");
  rh_delegate_read(h, AT(0, 10, 1), "partner@fabrikam.com", CEO, OFFICE_IP, 1);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_ADMIN);
  rh_int(h, MBX_F_LOGON_TYPE, 6);
  assert_reason_has(rh_eval(h), "as delegated admin");
}

Test(rule_nonowner_access, fires_on_external_access)
{
  h = harness_only(MBX_RULE_NONOWNER_ACCESS);
  rh_owner_read(h, AT(0, 10, 0), CEO, OFFICE_IP, 1);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_UNKNOWN);
  rh_int(h, MBX_F_EXTERNAL_ACCESS, 1);
  assert_reason_has(rh_eval(h), "as an external actor");
}

Test(rule_nonowner_access, the_owner_app_only_reads_and_the_system_are_not_judged)
{
  h = harness_only(MBX_RULE_NONOWNER_ACCESS);
  assert_quiet(owner_read(AT(0, 10, 0), CEO, OFFICE_IP, 1));
  assert_quiet(app_read(AT(0, 10, 1), CEO, ROGUE_APP, VPS_IP, 1));
  rh_delegate_read(h, AT(0, 10, 2), "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)", CEO, OFFICE_IP, 9);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_SYSTEM);
  rh_int(h, MBX_F_LOGON_TYPE, 3);
  assert_quiet(rh_eval(h));
}

Test(rule_nonowner_access, the_limits_follow_the_policy)
{
  h = harness_with("[rule:nonowner-access]\nmax-folders = 10\nweight = 20\n");
  assert_score(delegate_read(AT(0, 10, 0), BOB, CEO, 10), 20);
  assert_score(delegate_read(AT(0, 10, 1), BOB, CEO, 11), 40);
}

Test(rule_nonowner_access, an_approved_account_is_not_judged)
{
  h = harness_with("[approved-accounts]\nbob@contoso.com = the CEO's assistant\n");
  assert_quiet(delegate_read(AT(0, 10, 0), BOB, CEO, 9));
}

/* ---- 12. grant-mail-access ------------------------------------------------ */

Test(rule_grant_mail_access, fires_on_a_delegated_mail_grant)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-add-delegated-permission-grant.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_reason_has(v, "(Mail.Read Mail.Send)");
}

Test(rule_grant_mail_access, fires_on_new_service_principal_credentials)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-add-service-principal-credentials.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_reason_has(v, "new credentials added to app " ROGUE_APP);
}

Test(rule_grant_mail_access, fires_on_ews_and_graph_app_scopes)
{
  static const gchar *scopes[] = { "EWS.AccessAsUser.All", "Mail.ReadBasic.All", "full_access_as_app",
                                   "IMAP.AccessAsUser.All", "MailboxSettings.ReadWrite offline_access" };
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  for (gsize i = 0; i < G_N_ELEMENTS(scopes); i++)
    assert_fired(decoded_with("mgmt-consent-to-application.json", MBX_F_SCOPES, scopes[i]),
                 MBX_RULE_GRANT_MAIL_ACCESS);
}

Test(rule_grant_mail_access, consent_without_mail_scopes_stays_quiet)
{
  static const gchar *scopes[] = { "offline_access", "openid profile email offline_access", "User.Read",
                                   "Files.Read.All Calendars.Read" };
  h = rh_new(NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(scopes); i++)
    assert_quiet(decoded_with("mgmt-consent-to-application.json", MBX_F_SCOPES, scopes[i]));
  assert_quiet(decoded_with("mgmt-consent-to-application.json", MBX_F_SCOPES, NULL));
}

Test(rule_grant_mail_access, a_grant_to_an_approved_app_stays_quiet)
{
  h = harness_with("[approved-apps]\n" ROGUE_APP " = ours\n");
  assert_quiet(decoded("mgmt-consent-to-application.json"));
  assert_quiet(decoded("eventhub-audit-consent.json"));
  assert_quiet(decoded("mgmt-add-app-role-assignment.json"));
}

Test(rule_grant_mail_access, the_tenant_wide_bonus_follows_the_policy)
{
  h = harness_with("[rule:grant-mail-access]\nweight = 30\ntenant-wide-bonus = 45\n");
  assert_score(decoded("eventhub-audit-consent.json"), 75);
  assert_score(decoded("mgmt-consent-to-application.json"), 30);
}

Test(rule_grant_mail_access, fires_on_full_access_to_a_mailbox_naming_the_grantee_at_the_person_weight)
{
  /* a person's mailbox permission is routine admin work: 20 less than an app's grant, it alerts with company */
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-add-mailbox-permission.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_score(v, 30);
  assert_not_suspicious(v);
  assert_reason_has(v, "FullAccess on ceo@contoso.com given to bob@contoso.com by admin@contoso.com");
}

Test(rule_grant_mail_access, full_access_typed_in_lower_case_counts)
{
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  assert_fired(decoded_with("mgmt-add-mailbox-permission.json", MBX_F_PARAMETERS,
                            "{\"Identity\":\"ceo@contoso.com\",\"User\":\"bob@contoso.com\",\"AccessRights\":\"fullaccess\"}"),
               MBX_RULE_GRANT_MAIL_ACCESS);
}

Test(rule_grant_mail_access, other_mailbox_rights_stay_quiet)
{
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  assert_quiet(decoded_with("mgmt-add-mailbox-permission.json", MBX_F_PARAMETERS,
                            "{\"Identity\":\"ceo@contoso.com\",\"User\":\"bob@contoso.com\",\"AccessRights\":\"ReadPermission\"}"));
}

Test(rule_grant_mail_access, fires_on_folder_read_rights)
{
  static const gchar *rights[] = { "Reviewer", "Editor", "PublishingEditor", "Author", "NonEditingAuthor", "Owner",
                                   "ReadItems", "reviewer" };
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  assert_reason_has(decoded("mgmt-add-mailbox-folder-permission.json"),
                    "Reviewer read rights on ceo@contoso.com:\\Inbox given to bob@contoso.com");
  for (gsize i = 0; i < G_N_ELEMENTS(rights); i++)
    {
      gchar *params = g_strdup_printf("{\"Identity\":\"ceo@contoso.com:\\\\Inbox\",\"User\":\"bob@contoso.com\","
                                      "\"AccessRights\":\"%s\"}",
                                      rights[i]);
      assert_fired(decoded_with("mgmt-add-mailbox-folder-permission.json", MBX_F_PARAMETERS, params),
                   MBX_RULE_GRANT_MAIL_ACCESS);
      g_free(params);
    }
}

Test(rule_grant_mail_access, folder_rights_without_reading_stay_quiet)
{
  static const gchar *rights[] = { "AvailabilityOnly", "LimitedDetails", "Contributor", "None" };
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  for (gsize i = 0; i < G_N_ELEMENTS(rights); i++)
    {
      gchar *params = g_strdup_printf("{\"Identity\":\"ceo@contoso.com:\\\\Calendar\",\"User\":\"Default\","
                                      "\"AccessRights\":\"%s\"}",
                                      rights[i]);
      assert_quiet(decoded_with("mgmt-add-mailbox-folder-permission.json", MBX_F_PARAMETERS, params));
      g_free(params);
    }
}

Test(rule_grant_mail_access, fires_on_an_application_mail_role_for_an_app)
{
  h = rh_new(NULL);
  const MbxVerdict *v = decoded("mgmt-new-management-role-assignment-app.json");
  assert_only(v, MBX_RULE_GRANT_MAIL_ACCESS);
  assert_suspicious(v);
  assert_reason_has(v, "Exchange role Application Mail.Read assigned to e7c5a3b1-9d8f-4e6a-b2c4-0d1e3f5a7b9c");
}

Test(rule_grant_mail_access, fires_on_ews_access_as_app_and_impersonation)
{
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  assert_fired(decoded_with("mgmt-new-management-role-assignment-app.json", MBX_F_PARAMETERS,
                            "{\"App\":\"e7c5a3b1-9d8f-4e6a-b2c4-0d1e3f5a7b9c\",\"Role\":\"Application EWS.AccessAsApp\"}"),
               MBX_RULE_GRANT_MAIL_ACCESS);
  assert_fired(decoded_with("mgmt-new-management-role-assignment-app.json", MBX_F_PARAMETERS,
                            "{\"Role\":\"ApplicationImpersonation\",\"User\":\"svc-sync@contoso.com\"}"),
               MBX_RULE_GRANT_MAIL_ACCESS);
}

Test(rule_grant_mail_access, other_role_assignments_stay_quiet)
{
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  assert_quiet(decoded_with("mgmt-new-management-role-assignment-app.json", MBX_F_PARAMETERS,
                            "{\"App\":\"e7c5a3b1-9d8f-4e6a-b2c4-0d1e3f5a7b9c\",\"Role\":\"Application Calendars.Read\"}"));
  assert_quiet(decoded_with("mgmt-new-management-role-assignment-app.json", MBX_F_PARAMETERS,
                            "{\"Role\":\"Mail Recipients\",\"User\":\"helpdesk@contoso.com\"}"));
  /* an Application Mail role for a user is no RBAC-for-Applications grant */
  assert_quiet(decoded_with("mgmt-new-management-role-assignment-app.json", MBX_F_PARAMETERS,
                            "{\"Role\":\"Application Mail.Read\",\"User\":\"helpdesk@contoso.com\"}"));
}

Test(rule_grant_mail_access, other_admin_cmdlets_stay_quiet)
{
  h = harness_only(MBX_RULE_GRANT_MAIL_ACCESS);
  assert_quiet(decoded("mgmt-new-inbox-rule.json"));
  assert_quiet(decoded("mgmt-set-mailbox-audit-bypass.json"));
}

/* ---- 13. off-hours -------------------------------------------------------- */

Test(rule_off_hours, fires_outside_the_learned_hours_with_the_hour_in_the_reason)
{
  h = harness_only(MBX_RULE_OFF_HOURS);
  learn(1, 5);
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY, 3, 10), mailbox_n(0), OFFICE_IP, 5);
  assert_only(v, MBX_RULE_OFF_HOURS);
  assert_reason_has(v, "user0@contoso.com read at 03:00 UTC, outside its usual hours");
}

Test(rule_off_hours, stays_quiet_inside_the_learned_hours)
{
  h = harness_only(MBX_RULE_OFF_HOURS);
  learn(1, 5);
  for (gint hour = 9; hour <= 17; hour++)
    assert_quiet(owner_read(AT(LEARNED_DAY, hour, 30), mailbox_n(0), OFFICE_IP, 5));
}

Test(rule_off_hours, stays_quiet_during_learning)
{
  h = harness_only(MBX_RULE_OFF_HOURS);
  const gchar *mailboxes[] = { CEO, NULL };
  rh_learn_owners(h, mailboxes, 3, 9, 17, OFFICE_IP, 5);
  assert_quiet(owner_read(AT(3, 23, 0), CEO, OFFICE_IP, 5));
}

Test(rule_off_hours, a_mailbox_with_no_history_has_no_usual_hours)
{
  h = harness_only(MBX_RULE_OFF_HOURS);
  learn(1, 5);
  assert_quiet(owner_read(AT(LEARNED_DAY, 3, 0), "newcomer@contoso.com", OFFICE_IP, 5));
}

Test(rule_off_hours, an_approved_app_keeps_its_own_hours)
{
  h = harness_with("[approved-apps]\n" BACKUP_APP " = backup\n[rule:off-hours]\nweight = 60\n");
  learn(1, 5);
  assert_quiet(app_read(AT(LEARNED_DAY, 2, 0), mailbox_n(0), BACKUP_APP, VPS_IP, 5));
  /* the same hour by the owner weighs what the policy says */
  const MbxVerdict *v = owner_read(AT(LEARNED_DAY, 2, 5), mailbox_n(0), OFFICE_IP, 5);
  assert_only(v, MBX_RULE_OFF_HOURS);
  assert_score(v, 60);
  assert_suspicious(v);
}
