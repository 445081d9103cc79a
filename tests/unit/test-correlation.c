/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Correlation rules: grant then access, sign-in then access (by token,
 * session and user), tokens no sign-in issued, audit tampering and the
 * blind-spot windows it opens; the expiry and caps of the correlation memory.
 * Records go through the state and the detector exactly as the adapter
 * sends them; days of activity replay by event time.
 *
 * Sources: test-correlation.c rules-helpers.c fixture.c
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-detector.h"
#include "mailbox-monitor/mbx-policy.h"
#include "mailbox-monitor/mbx-state.h"
#include "rules-helpers.h"

#include <glib/gstdio.h>

#define CEO "ceo@contoso.com"
#define BOB "bob@contoso.com"
#define NEW_APP "4f6e2a1c-8b3d-4e59-a7c3-9b1d5e8f2a64"
#define PYTHON_AGENT "python-requests/2.32.5"
#define BROWSER_AGENT "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0.0.0 Safari/537.36"

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

TestSuite(grant_then_access, .init = setup, .fini = teardown);
TestSuite(signin_then_access, .init = setup, .fini = teardown);
TestSuite(token_unmatched, .init = setup, .fini = teardown);
TestSuite(audit_tamper, .init = setup, .fini = teardown);
TestSuite(correlation_memory, .init = setup, .fini = teardown);

static RulesHarness *
harness_only2(MbxRule a, MbxRule b)
{
  const MbxRule rules[] = { a, b, (MbxRule) -1 };
  MbxPolicy *policy = policy_only(rules);
  RulesHarness *harness = rh_new(policy);
  mbx_policy_unref(policy);
  return harness;
}

static RulesHarness *
harness_only(MbxRule rule)
{
  return harness_only2(rule, rule);
}

static const MbxVerdict *
consent(gint64 t, const gchar *app, const gchar *scopes, const gchar *id)
{
  rh_begin(h, MBX_KIND_GRANT, t);
  rh_str(h, MBX_F_OPERATION, "Consent to application.");
  rh_str(h, MBX_F_ACTOR, BOB);
  rh_str(h, MBX_F_TARGET_APP, app);
  rh_str(h, MBX_F_APP_ID, app);
  rh_str(h, MBX_F_SCOPES, scopes);
  rh_str(h, MBX_F_ID, id);
  return rh_eval(h);
}

static const MbxVerdict *
app_read(gint64 t, const gchar *mailbox, const gchar *app)
{
  rh_app_read(h, t, mailbox, app, "graph", BROWSER_AGENT, "198.51.100.7", 3);
  return rh_eval(h);
}

static const MbxVerdict *
signin(gint64 t, const gchar *user, const gchar *agent, const gchar *token, const gchar *session, const gchar *id)
{
  rh_begin(h, MBX_KIND_SIGNIN, t);
  rh_str(h, MBX_F_OPERATION, "SignInLogs");
  rh_str(h, MBX_F_ACTOR, user);
  rh_str(h, MBX_F_MAILBOX, user);
  rh_str(h, MBX_F_CLIENT_INFO, agent);
  rh_str(h, MBX_F_CLIENT_IP, "198.51.100.7");
  rh_str(h, MBX_F_TOKEN_ID, token);
  rh_str(h, MBX_F_SESSION_ID, session);
  rh_str(h, MBX_F_RESULT, "Success");
  rh_str(h, MBX_F_ID, id);
  return rh_eval(h);
}

/* the user reading their own mail over Graph with the given token and session */
static const MbxVerdict *
user_read(gint64 t, const gchar *user, const gchar *token, const gchar *session)
{
  rh_owner_read(h, t, user, "198.51.100.7", 2);
  rh_str(h, MBX_F_ACCESS_PATH, "graph");
  rh_str(h, MBX_F_TOKEN_ID, token);
  rh_str(h, MBX_F_AAD_SESSION_ID, session);
  return rh_eval(h);
}

static const MbxVerdict *
cmdlet(gint64 t, const gchar *operation, const gchar *parameters)
{
  rh_begin(h, MBX_KIND_ADMIN, t);
  rh_str(h, MBX_F_OPERATION, operation);
  rh_str(h, MBX_F_ACTOR, "admin@contoso.com");
  rh_str(h, MBX_F_PARAMETERS, parameters);
  rh_str(h, MBX_F_ID, "cmdlet-1");
  return rh_eval(h);
}

/* ---- grant then access ------------------------------------------------- */

Test(grant_then_access, the_first_read_after_a_mail_grant_is_critical_and_names_the_grant)
{
  h = harness_only(MBX_RULE_GRANT_THEN_ACCESS);
  consent(AT(0, 9, 0), NEW_APP, "Mail.Read offline_access", "grant-17");
  const MbxVerdict *v = app_read(AT(0, 10, 30), CEO, NEW_APP);
  assert_only(v, MBX_RULE_GRANT_THEN_ACCESS);
  assert_score(v, 80);
  assert_suspicious(v);
  assert_reason_has(v, "after the grant grant-17 (Consent to application.), its first read of this mailbox");
  assert_reason_has(v, "1.5 h");
  /* the next read of the same mailbox still joins, without the first-read weight */
  assert_score(app_read(AT(0, 11, 0), CEO, NEW_APP), 50);
}

/* the grants a state file holds still join after a restart (the grant filter is rebuilt from them) */
Test(grant_then_access, grants_survive_a_save_and_load_of_the_state)
{
  h = harness_only(MBX_RULE_GRANT_THEN_ACCESS);
  consent(AT(0, 9, 0), NEW_APP, "Mail.Read", "grant-21");
  cmdlet(AT(0, 9, 5), "Add-MailboxPermission",
         "{\"Identity\":\"ceo@contoso.com\",\"User\":\"Bob@Contoso.com\",\"AccessRights\":\"FullAccess\"}");

  gchar *dir = g_dir_make_tmp("mbx-grants-XXXXXX", NULL);
  gchar *path = g_build_filename(dir, "state", NULL);
  GError *error = NULL;
  gint64 stall;
  gboolean found;
  cr_assert(mbx_state_save(h->state, path, NULL, &stall, &error), "save: %s", error ? error->message : "");
  MbxState *loaded = mbx_state_load(&h->options, path, &found, &error);
  cr_assert_not_null(loaded, "load: %s", error ? error->message : "");
  cr_assert(found);
  mbx_state_unref(h->state);
  h->state = loaded;

  const MbxVerdict *v = app_read(AT(0, 10, 0), CEO, NEW_APP);
  assert_fired(v, MBX_RULE_GRANT_THEN_ACCESS);
  assert_reason_has(v, "grant-21");
  rh_delegate_read(h, AT(0, 10, 5), BOB, CEO, "198.51.100.7", 3);
  v = rh_eval(h);
  assert_fired(v, MBX_RULE_GRANT_THEN_ACCESS);
  assert_reason_has(v, "cmdlet-1 (Add-MailboxPermission)");
  /* and a reader without a grant stays quiet */
  assert_quiet(app_read(AT(0, 10, 10), CEO, "2b3c4d5e-0000-4000-8000-000000000abc"));

  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
}

/*
 * A forged state file (a valid checksum over entries whose strings have no
 * NUL) must not make the joins read past an entry: the sign-in's id and
 * address fields are filled to their last byte, and the join copies at most
 * a field.  Under valgrind (scripts/test.sh) an over-read would be an error.
 */
Test(signin_then_access, a_forged_state_file_without_string_ends_is_read_within_its_fields)
{
  h = harness_only(MBX_RULE_SIGNIN_THEN_ACCESS);
  signin(AT(0, 9, 0), CEO, BROWSER_AGENT, "tok-forge", "sess-forge", "forge-signin-id");

  gchar *dir = g_dir_make_tmp("mbx-forge-XXXXXX", NULL);
  gchar *path = g_build_filename(dir, "state", NULL);
  GError *error = NULL;
  gint64 stall;
  gboolean found;
  gchar *data;
  gsize len;
  cr_assert(mbx_state_save(h->state, path, NULL, &stall, &error), "save: %s", error ? error->message : "");
  cr_assert(g_file_get_contents(path, &data, &len, &error));
  /*
   * The sign-in is kept under its token, its session and its user: forge all
   * three copies, from the id to the end of the payload (id[40], ip[48], the
   * flags and the padding: 96 bytes), so no NUL stops a string inside the entry.
   */
  guint forged = 0;
  for (gchar *at = data; (at = memmem(at, len - (at - data), "forge-signin-id", 15)); at += 96, forged++)
    {
      cr_assert_leq(at + 96, data + len - 32);
      memset(at, 'A', 96);
    }
  cr_assert_eq(forged, 3);
  gsize digest_len = 32;
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, (const guchar *) data, len - 32);
  g_checksum_get_digest(sum, (guint8 *) data + len - 32, &digest_len);
  g_checksum_free(sum);
  cr_assert(g_file_set_contents(path, data, len, &error));

  MbxState *loaded = mbx_state_load(&h->options, path, &found, &error);
  cr_assert_not_null(loaded, "load: %s", error ? error->message : "");
  mbx_state_unref(h->state);
  h->state = loaded;
  user_read(AT(0, 9, 30), CEO, "tok-forge", "sess-forge");
  cr_assert_eq(h->obs.signin_join, MBX_SIGNIN_JOIN_TOKEN);
  cr_assert_eq(strlen(h->obs.signin_id), sizeof(h->obs.signin_id) - 1);
  cr_assert_eq(strspn(h->obs.signin_id, "A"), sizeof(h->obs.signin_id) - 1);
  cr_assert_eq(strspn(h->obs.signin_ip, "A"), strlen(h->obs.signin_ip));

  g_unlink(path);
  g_rmdir(dir);
  g_free(data);
  g_free(path);
  g_free(dir);
}

Test(grant_then_access, a_grant_without_mail_scopes_is_not_remembered)
{
  h = harness_only(MBX_RULE_GRANT_THEN_ACCESS);
  consent(AT(0, 9, 0), NEW_APP, "openid profile User.Read", "grant-18");
  assert_quiet(app_read(AT(0, 10, 0), CEO, NEW_APP));
}

Test(grant_then_access, the_grant_is_forgotten_after_its_window)
{
  h = harness_only(MBX_RULE_GRANT_THEN_ACCESS);
  consent(AT(0, 9, 0), NEW_APP, "Mail.Read", "grant-19");
  assert_fired(app_read(AT(6, 9, 0), CEO, NEW_APP), MBX_RULE_GRANT_THEN_ACCESS);
  assert_quiet(app_read(AT(7, 10, 0), CEO, NEW_APP));
}

Test(grant_then_access, a_grant_delivered_after_the_first_read_joins_the_reads_that_follow)
{
  h = harness_only(MBX_RULE_GRANT_THEN_ACCESS);
  /* the read is delivered first; the grant, 10 minutes earlier in event time, arrives after it (within the lateness) */
  assert_quiet(app_read(AT(0, 10, 0), CEO, NEW_APP));
  consent(AT(0, 9, 50), NEW_APP, "Mail.ReadWrite", "grant-20");
  assert_fired(app_read(AT(0, 10, 5), CEO, NEW_APP), MBX_RULE_GRANT_THEN_ACCESS);
}

Test(grant_then_access, full_access_to_a_user_joins_that_users_reads)
{
  h = harness_only(MBX_RULE_GRANT_THEN_ACCESS);
  cmdlet(AT(0, 9, 0), "Add-MailboxPermission",
         "{\"Identity\":\"ceo@contoso.com\",\"User\":\"Bob@Contoso.com\",\"AccessRights\":\"FullAccess\"}");
  rh_delegate_read(h, AT(0, 9, 20), BOB, CEO, "198.51.100.7", 3);
  const MbxVerdict *v = rh_eval(h);
  assert_fired(v, MBX_RULE_GRANT_THEN_ACCESS);
  assert_reason_has(v, "after the grant cmdlet-1 (Add-MailboxPermission)");
}

/* the state remembers exactly the grants grant-mail-access calls mail grants (both read facts.c) */
Test(grant_then_access, rights_on_a_calendar_folder_are_no_mail_grant)
{
  h = harness_only2(MBX_RULE_GRANT_THEN_ACCESS, MBX_RULE_GRANT_MAIL_ACCESS);
  const MbxVerdict *v = cmdlet(AT(0, 9, 0), "Add-MailboxFolderPermission",
                               "{\"Identity\":\"ceo@contoso.com:\\\\Calendar\",\"User\":\"Bob@Contoso.com\","
                               "\"AccessRights\":\"Reviewer\"}");
  cr_assert_eq(v->rules, 0, "a calendar grant fired %s", v->reason);
  rh_delegate_read(h, AT(0, 9, 20), BOB, CEO, "198.51.100.7", 3);
  cr_assert_not(mbx_verdict_fired(rh_eval(h), MBX_RULE_GRANT_THEN_ACCESS));

  v = cmdlet(AT(0, 10, 0), "Add-MailboxFolderPermission",
             "{\"Identity\":\"ceo@contoso.com:\\\\Inbox\",\"User\":\"Bob@Contoso.com\",\"AccessRights\":\"Reviewer\"}");
  assert_fired(v, MBX_RULE_GRANT_MAIL_ACCESS);
  rh_delegate_read(h, AT(0, 10, 20), BOB, CEO, "198.51.100.7", 3);
  assert_fired(rh_eval(h), MBX_RULE_GRANT_THEN_ACCESS);
}

Test(grant_then_access, an_approved_apps_reads_after_its_grant_stay_quiet)
{
  MbxPolicy *policy = policy_from_text("[approved-apps]\n" NEW_APP " = approved CRM\n");
  h = rh_new(policy);
  mbx_policy_unref(policy);
  consent(AT(0, 9, 0), NEW_APP, "Mail.Read", "grant-21");
  assert_not_fired(app_read(AT(0, 10, 0), CEO, NEW_APP), MBX_RULE_GRANT_THEN_ACCESS);
}

/* ---- sign-in then access ---------------------------------------------- */

Test(signin_then_access, a_scripted_sign_in_joins_the_access_by_token)
{
  h = harness_only(MBX_RULE_SIGNIN_THEN_ACCESS);
  signin(AT(0, 9, 0), CEO, PYTHON_AGENT, "tok-1", "sess-1", "signin-5");
  const MbxVerdict *v = user_read(AT(0, 9, 10), CEO, "tok-1", NULL);
  assert_only(v, MBX_RULE_SIGNIN_THEN_ACCESS);
  assert_reason_has(v, "after sign-in signin-5 from 198.51.100.7 (a scripted agent, joined by token, 10 min before)");
}

/* the policy decides what a scripted sign-in is: its own patterns count, its approved agents do not */
Test(signin_then_access, the_policy_decides_which_sign_in_agents_are_scripted)
{
  MbxPolicy *policy = policy_from_text("[scripted-agents]\npatterns = my-scraper\napproved = python-requests/2.32\n"
                                       "[rule:app-unapproved]\nenabled = false\n[rule:agent-scripted]\nenabled = false\n"
                                       "[rule:off-hours]\nenabled = false\n");
  h = rh_new(policy);
  mbx_policy_unref(policy);
  signin(AT(0, 9, 0), CEO, PYTHON_AGENT, "tok-approved", NULL, "signin-approved");
  cr_assert_not(mbx_verdict_fired(user_read(AT(0, 9, 10), CEO, "tok-approved", NULL), MBX_RULE_SIGNIN_THEN_ACCESS),
                "an approved automation agent's sign-in counted as scripted");
  signin(AT(0, 9, 20), BOB, "My-Scraper/1.0", "tok-own", NULL, "signin-own");
  const MbxVerdict *v = user_read(AT(0, 9, 30), BOB, "tok-own", NULL);
  assert_fired(v, MBX_RULE_SIGNIN_THEN_ACCESS);
  assert_reason_has(v, "a scripted agent");
}

Test(signin_then_access, joins_by_session_and_by_user_when_there_is_no_token)
{
  h = harness_only(MBX_RULE_SIGNIN_THEN_ACCESS);
  signin(AT(0, 9, 0), CEO, PYTHON_AGENT, "tok-2", "sess-2", "signin-6");
  assert_reason_has(user_read(AT(0, 9, 10), CEO, NULL, "sess-2"), "joined by session");
  assert_reason_has(user_read(AT(0, 9, 20), CEO, NULL, NULL), "joined by user");
}

Test(signin_then_access, a_browser_sign_in_from_the_usual_place_is_quiet)
{
  h = harness_only(MBX_RULE_SIGNIN_THEN_ACCESS);
  signin(AT(0, 9, 0), CEO, BROWSER_AGENT, "tok-3", "sess-3", "signin-7");
  assert_quiet(user_read(AT(0, 9, 10), CEO, "tok-3", NULL));
}

Test(signin_then_access, legacy_authentication_is_risky)
{
  h = harness_only(MBX_RULE_SIGNIN_THEN_ACCESS);
  signin(AT(0, 9, 0), CEO, BROWSER_AGENT, "tok-4", "sess-4", "signin-8");
  rh_begin(h, MBX_KIND_SIGNIN, AT(0, 9, 1));
  rh_str(h, MBX_F_ACTOR, CEO);
  rh_str(h, MBX_F_MAILBOX, CEO);
  rh_str(h, MBX_F_TOKEN_ID, "tok-5");
  rh_str(h, MBX_F_AUTH_PROTOCOL, "ropc");
  rh_str(h, MBX_F_ID, "signin-9");
  rh_eval(h);
  assert_reason_has(user_read(AT(0, 9, 10), CEO, "tok-5", NULL), "legacy authentication");
}

Test(signin_then_access, a_sign_in_older_than_its_window_does_not_join)
{
  h = harness_only(MBX_RULE_SIGNIN_THEN_ACCESS);
  signin(AT(0, 9, 0), CEO, PYTHON_AGENT, "tok-6", "sess-6", "signin-10");
  assert_fired(user_read(AT(0, 20, 0), CEO, "tok-6", NULL), MBX_RULE_SIGNIN_THEN_ACCESS);
  assert_quiet(user_read(AT(0, 21, 30), CEO, "tok-6", NULL));
}

Test(signin_then_access, failed_sign_ins_issue_no_token)
{
  h = harness_only(MBX_RULE_SIGNIN_THEN_ACCESS);
  rh_begin(h, MBX_KIND_SIGNIN, AT(0, 9, 0));
  rh_str(h, MBX_F_ACTOR, CEO);
  rh_str(h, MBX_F_MAILBOX, CEO);
  rh_str(h, MBX_F_CLIENT_INFO, PYTHON_AGENT);
  rh_str(h, MBX_F_TOKEN_ID, "tok-7");
  rh_str(h, MBX_F_RESULT, "Failure");
  rh_eval(h);
  assert_quiet(user_read(AT(0, 9, 10), CEO, "tok-7", NULL));
}

/* ---- token unmatched ----------------------------------------------------- */

static void
learn_with_signins(void)
{
  /* a week and a day of the owner reading: the learning period is over on day 8 */
  const gchar *mailboxes[] = { CEO, NULL };
  rh_learn_owners(h, mailboxes, 8, 9, 17, "198.51.100.7", 2);
}

Test(token_unmatched, a_token_no_sign_in_issued_is_flagged_while_sign_ins_flow)
{
  h = harness_only(MBX_RULE_TOKEN_UNMATCHED);
  learn_with_signins();
  signin(AT(8, 8, 0), BOB, BROWSER_AGENT, "tok-real", "sess-real", "signin-11");
  /* the sign-in log runs ahead of the audit log: it has reached 09:00 when the 08:30 reads arrive */
  signin(AT(8, 9, 0), BOB, BROWSER_AGENT, "tok-later", "sess-later", "signin-11b");
  assert_quiet(user_read(AT(8, 8, 30), BOB, "tok-real", NULL));
  const MbxVerdict *v = user_read(AT(8, 8, 40), CEO, "tok-forged", NULL);
  assert_only(v, MBX_RULE_TOKEN_UNMATCHED);
  assert_suspicious(v);
  assert_reason_has(v, "read with token tok-forged, which no sign-in issued");
}

Test(token_unmatched, waits_until_the_sign_in_log_has_passed_the_access)
{
  h = harness_only(MBX_RULE_TOKEN_UNMATCHED);
  learn_with_signins();
  signin(AT(8, 8, 0), BOB, BROWSER_AGENT, "tok-real", "sess-real", "signin-14");
  /* no sign-in past 08:40 yet: the token's sign-in may still be on its way */
  assert_quiet(user_read(AT(8, 8, 40), CEO, "tok-pending", NULL));
}

Test(token_unmatched, is_off_when_no_sign_in_arrived_for_a_day)
{
  h = harness_only(MBX_RULE_TOKEN_UNMATCHED);
  learn_with_signins();
  signin(AT(8, 8, 0), BOB, BROWSER_AGENT, "tok-real", "sess-real", "signin-12");
  assert_quiet(user_read(AT(9, 9, 0), CEO, "tok-unknown", NULL));
}

Test(token_unmatched, is_quiet_during_learning)
{
  h = harness_only(MBX_RULE_TOKEN_UNMATCHED);
  signin(AT(0, 8, 0), BOB, BROWSER_AGENT, "tok-real", "sess-real", "signin-13");
  assert_quiet(user_read(AT(0, 8, 40), CEO, "tok-unknown", NULL));
}

/* ---- audit tampering and blind spots ------------------------------------- */

Test(audit_tamper, every_kind_of_tampering_fires_critical)
{
  h = harness_only(MBX_RULE_AUDIT_TAMPER);
  const MbxVerdict *v = cmdlet(AT(0, 9, 0), "Set-Mailbox", "{\"Identity\":\"ceo@contoso.com\",\"AuditEnabled\":\"False\"}");
  assert_only(v, MBX_RULE_AUDIT_TAMPER);
  assert_score(v, 80);
  assert_reason_has(v, "auditing of mailbox ceo@contoso.com switched off by admin@contoso.com");
  assert_reason_has(cmdlet(AT(0, 9, 1), "Set-Mailbox",
                           "{\"Identity\":\"cfo@contoso.com\",\"AuditOwner\":\"@{Remove=\\\"MailItemsAccessed\\\"}\"}"),
                    "removed from the audit of cfo@contoso.com");
  assert_reason_has(cmdlet(AT(0, 9, 2), "Set-MailboxAuditBypassAssociation",
                           "{\"Identity\":\"svc-sync@contoso.com\",\"AuditBypassEnabled\":\"True\"}"),
                    "audit bypass set for svc-sync@contoso.com");
  assert_reason_has(cmdlet(AT(0, 9, 3), "Set-AdminAuditLogConfig", "{\"UnifiedAuditLogIngestionEnabled\":\"False\"}"),
                    "the tenant's audit switched off");
  assert_reason_has(cmdlet(AT(0, 9, 4), "Set-OrganizationConfig", "{\"AuditDisabled\":\"$True\"}"),
                    "the tenant's audit switched off");
}

Test(audit_tamper, switching_auditing_back_on_is_quiet)
{
  h = harness_only(MBX_RULE_AUDIT_TAMPER);
  assert_quiet(cmdlet(AT(0, 9, 0), "Set-Mailbox", "{\"Identity\":\"ceo@contoso.com\",\"AuditEnabled\":\"True\"}"));
  assert_quiet(cmdlet(AT(0, 9, 1), "Set-AdminAuditLogConfig", "{\"UnifiedAuditLogIngestionEnabled\":\"True\"}"));
}

Test(audit_tamper, reads_in_a_mailbox_whose_audit_is_off_weigh_more_until_it_is_back)
{
  h = harness_only2(MBX_RULE_AUDIT_TAMPER, MBX_RULE_APP_UNAPPROVED);
  cmdlet(AT(0, 9, 0), "Set-Mailbox", "{\"Identity\":\"ceo@contoso.com\",\"AuditEnabled\":\"False\"}");
  const MbxVerdict *v = app_read(AT(0, 10, 0), CEO, NEW_APP);
  assert_score(v, 65);
  assert_reason_has(v, "in a blind-spot window: mailbox-audit-off");
  cmdlet(AT(0, 11, 0), "Set-Mailbox", "{\"Identity\":\"ceo@contoso.com\",\"AuditEnabled\":\"True\"}");
  assert_score(app_read(AT(0, 12, 0), CEO, NEW_APP), 50);
}

Test(audit_tamper, throttling_opens_a_24_hour_blind_spot)
{
  h = harness_only2(MBX_RULE_THROTTLED, MBX_RULE_APP_UNAPPROVED);
  rh_owner_read(h, AT(0, 9, 0), CEO, "198.51.100.7", 5);
  rh_int(h, MBX_F_THROTTLED, 1);
  assert_score(rh_eval(h), 50); /* the throttled record opens the window: no bonus on itself */
  assert_reason_has(app_read(AT(0, 20, 0), CEO, NEW_APP), "in a blind-spot window: throttled");
  assert_score(app_read(AT(1, 10, 0), CEO, NEW_APP), 50);
}

Test(audit_tamper, the_tenant_audit_off_blinds_every_mailbox)
{
  h = harness_only2(MBX_RULE_AUDIT_TAMPER, MBX_RULE_APP_UNAPPROVED);
  cmdlet(AT(0, 9, 0), "Set-AdminAuditLogConfig", "{\"UnifiedAuditLogIngestionEnabled\":\"False\"}");
  assert_reason_has(app_read(AT(0, 10, 0), "anyone@contoso.com", NEW_APP), "in a blind-spot window: tenant-audit-off");
}

/* ---- the memory itself --------------------------------------------------- */

Test(correlation_memory, a_flood_of_grants_and_sign_ins_stays_within_the_caps)
{
  /* the harness caps mailboxes at 1024: grants follow with 1 per mailbox, sign-ins with 3 */
  h = rh_new(NULL);
  for (gint i = 0; i < 20000; i++)
    {
      gchar app[40], token[32];
      g_snprintf(app, sizeof(app), "%08x-0000-4000-8000-000000000000", i);
      g_snprintf(token, sizeof(token), "tok-%d", i);
      consent(AT(0, 9, 0) + (gint64) i * G_USEC_PER_SEC, app, "Mail.Read", "g");
      signin(AT(0, 9, 0) + (gint64) i * G_USEC_PER_SEC, BOB, BROWSER_AGENT, token, token, "s");
    }
  MbxStateStats stats;
  mbx_state_get_stats(h->state, &stats);
  cr_assert_leq(stats.entries[MBX_TABLE_GRANTS], 1024, "grants follow the mailbox cap: %" G_GUINT64_FORMAT,
                stats.entries[MBX_TABLE_GRANTS]);
  cr_assert_leq(stats.entries[MBX_TABLE_SIGNINS], 3 * 1024, "sign-ins: 3 keys per mailbox: %" G_GUINT64_FORMAT,
                stats.entries[MBX_TABLE_SIGNINS]);
  cr_assert_gt(stats.evictions[MBX_TABLE_GRANTS], 18000);
  cr_assert_gt(stats.evictions[MBX_TABLE_SIGNINS], 30000);
}
