/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The policy (mbx-policy.h): the built-in defaults, a key file with every
 * section loaded from a temporary directory, the matching the rules use
 * (approved apps and accounts, trusted networks at prefix edges, scripted
 * agents, sensitive terms folded for case and accents), each rule's own
 * keys, and every kind of error, whose message must name the file, the
 * [section] and the key.
 *
 * Sources: test-policy.c rules-helpers.c fixture.c; links the core library.
 */
#include <string.h>
#include <glib/gstdio.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-error.h"
#include "mailbox-monitor/mbx-policy.h"
#include "rules-helpers.h"

static MbxPolicy *policy;

static void
setup(void)
{
  policy = NULL;
}

static void
teardown(void)
{
  mbx_policy_unref(policy);
}

TestSuite(policy_defaults, .init = setup, .fini = teardown);
TestSuite(policy_file, .init = setup, .fini = teardown);
TestSuite(policy_networks, .init = setup, .fini = teardown);
TestSuite(policy_agents, .init = setup, .fini = teardown);
TestSuite(policy_terms, .init = setup, .fini = teardown);
TestSuite(policy_errors, .init = setup, .fini = teardown);

/* ---- helpers ------------------------------------------------------------ */

/* loads @text expecting an error; returns its message and the file's path (g_free both) */
static gchar *
load_error(const gchar *text, gchar **path_out)
{
  GError *error = NULL;
  gchar *path = policy_write(text);
  MbxPolicy *p = mbx_policy_load(path, &error);

  /* the message names the path; the file itself is no longer needed */
  gchar *dir = g_path_get_dirname(path);
  g_unlink(path);
  g_rmdir(dir);
  g_free(dir);
  cr_assert_null(p, "the policy loaded:\n%s", text);
  cr_assert_not_null(error, "no error set for:\n%s", text);
  cr_assert_eq(error->domain, MBX_ERROR);
  cr_assert_eq(error->code, MBX_ERROR_INVALID_OPTION);
  gchar *message = g_strdup(error->message);
  g_error_free(error);
  *path_out = path;
  return message;
}

/* @text fails to load with a message naming the file, "[@section] @key" and containing @why */
static void
assert_load_error(const gchar *text, const gchar *section, const gchar *key, const gchar *why)
{
  gchar *path = NULL;
  gchar *message = load_error(text, &path);
  gchar *where = key ? g_strdup_printf("[%s] %s", section, key) : g_strdup_printf("[%s]", section);

  cr_assert_not_null(strstr(message, path), "\"%s\" does not name the file %s", message, path);
  cr_assert_not_null(strstr(message, where), "\"%s\" does not name %s", message, where);
  cr_assert_not_null(strstr(message, why), "\"%s\" does not say \"%s\"", message, why);
  g_free(where);
  g_free(message);
  g_free(path);
}

static gboolean
trusted(const gchar *ip)
{
  return mbx_policy_is_trusted_ip(policy, ip);
}

static const gchar *
agent_pattern(const gchar *agent)
{
  const gchar *pattern = NULL;
  return mbx_policy_is_scripted_agent(policy, agent, &pattern) ? pattern : NULL;
}

static const gchar *
term_in(const gchar *text)
{
  const gchar *term = NULL;
  return mbx_policy_find_sensitive_term(policy, text, &term) ? term : NULL;
}

/* ---- the scripted-agent answers, remembered per agent ------------------ */

Test(policy_agent_cache, answers_the_same_the_second_time_and_under_slot_collisions)
{
  policy = mbx_policy_new();
  /* more distinct agents than the cache has slots, twice over: every answer as computed afresh */
  for (gint round = 0; round < 3; round++)
    {
      for (gint i = 0; i < 3000; i++)
        {
          gchar agent[64];
          g_snprintf(agent, sizeof(agent), i % 3 ? "Mozilla/5.0 client-%d" : "python-requests/2.%d", i);
          const gchar *pattern = agent_pattern(agent);
          if (i % 3)
            cr_assert_null(pattern, "round %d: %s", round, agent);
          else
            cr_assert_str_eq(pattern, "python", "round %d: %s", round, agent);
        }
    }
  cr_assert_not(mbx_policy_is_scripted_agent(policy, "", NULL));
  cr_assert_not(mbx_policy_is_scripted_agent(policy, NULL, NULL));
  mbx_policy_unref(policy);
  policy = NULL;
}

Test(policy_approved_apps, match_any_case_and_only_whole_guids)
{
  policy = mbx_policy_new();
  cr_assert_not(mbx_policy_is_approved_app(policy, "d0bbc075-60b6-4143-8809-78bb5d9f9a29"), "nothing approved yet");
  cr_assert(mbx_policy_add_approved_app(policy, "D0BBC075-60b6-4143-8809-78BB5D9F9A29", "backup", NULL));
  cr_assert(mbx_policy_add_approved_app(policy, "d0bbc075-60b6-4143-8809-78bb5d9f9a29", "backup again", NULL));
  cr_assert(mbx_policy_is_approved_app(policy, "d0bbc075-60b6-4143-8809-78bb5d9f9a29"));
  cr_assert(mbx_policy_is_approved_app(policy, "D0BBC075-60B6-4143-8809-78BB5D9F9A29"));
  cr_assert_str_eq(mbx_policy_app_name(policy, "d0bbc075-60b6-4143-8809-78bb5d9f9a29"), "backup again");
  const gchar *not_it[] = { "d0bbc075-60b6-4143-8809-78bb5d9f9a2", "d0bbc075-60b6-4143-8809-78bb5d9f9a299",
                            "{d0bbc075-60b6-4143-8809-78bb5d9f9a29}", "d0bbc07560b6-4143-8809-78bb5d9f9a29-",
                            "d0bbc075-60b6-4143-8809-78bb5d9f9a28", "g0bbc075-60b6-4143-8809-78bb5d9f9a29",
                            "", "d0bbc075" };
  for (gsize i = 0; i < G_N_ELEMENTS(not_it); i++)
    cr_assert_not(mbx_policy_is_approved_app(policy, not_it[i]), "\"%s\"", not_it[i]);
  cr_assert_not(mbx_policy_is_approved_app(policy, NULL));
  mbx_policy_unref(policy);
  policy = NULL;
}

/* ---- the built-in policy ------------------------------------------------ */

Test(policy_defaults, enables_every_rule)
{
  policy = mbx_policy_new();
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    cr_assert(mbx_policy_rule(policy, r)->enabled, "%s is disabled by default", mbx_rule_id(r));
}

Test(policy_defaults, weighs_each_rule_as_documented)
{
  static const gint expected[MBX_RULE_MAX] = {
    [MBX_RULE_APP_UNAPPROVED] = 50,
    [MBX_RULE_THROTTLED] = 50,
    [MBX_RULE_APP_FIRST_SEEN] = 30,
    [MBX_RULE_VOLUME_SPIKE] = 50,
    [MBX_RULE_SYNC_UNUSUAL] = 50,
    [MBX_RULE_FANOUT] = 50,
    [MBX_RULE_SEARCH_BURST] = 50,
    [MBX_RULE_SEARCH_KEYWORD] = 30,
    [MBX_RULE_AGENT_SCRIPTED] = 30,
    [MBX_RULE_LOCATION_UNTRUSTED] = 20,
    [MBX_RULE_NONOWNER_ACCESS] = 25,
    [MBX_RULE_GRANT_MAIL_ACCESS] = 50,
    [MBX_RULE_OFF_HOURS] = 10,
    [MBX_RULE_GRANT_THEN_ACCESS] = 50,
    [MBX_RULE_SIGNIN_THEN_ACCESS] = 40,
    [MBX_RULE_TOKEN_UNMATCHED] = 50,
    [MBX_RULE_AUDIT_TAMPER] = 80,
  };
  policy = mbx_policy_new();
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    cr_assert_eq(mbx_policy_rule(policy, r)->weight, expected[r], "%s weighs %d, documented %d", mbx_rule_id(r),
                 mbx_policy_rule(policy, r)->weight, expected[r]);
}

Test(policy_defaults, lets_every_anchored_rule_alert_alone_and_no_context_rule)
{
  /* the anchors alert on one record; context rules need company */
  const MbxRule alone[] = { MBX_RULE_APP_UNAPPROVED, MBX_RULE_THROTTLED, MBX_RULE_VOLUME_SPIKE, MBX_RULE_SYNC_UNUSUAL,
                            MBX_RULE_FANOUT, MBX_RULE_SEARCH_BURST, MBX_RULE_GRANT_MAIL_ACCESS };
  const MbxRule context[] = { MBX_RULE_APP_FIRST_SEEN, MBX_RULE_SEARCH_KEYWORD, MBX_RULE_AGENT_SCRIPTED,
                              MBX_RULE_LOCATION_UNTRUSTED, MBX_RULE_NONOWNER_ACCESS, MBX_RULE_OFF_HOURS };
  policy = mbx_policy_new();
  gint alert = mbx_policy_thresholds(policy)->alert_score;
  for (gsize i = 0; i < G_N_ELEMENTS(alone); i++)
    cr_assert_geq(mbx_policy_rule(policy, alone[i])->weight, alert, "%s", mbx_rule_id(alone[i]));
  for (gsize i = 0; i < G_N_ELEMENTS(context); i++)
    cr_assert_lt(mbx_policy_rule(policy, context[i])->weight, alert, "%s", mbx_rule_id(context[i]));
}

Test(policy_defaults, has_the_documented_thresholds)
{
  policy = mbx_policy_new();
  const MbxPolicyThresholds *t = mbx_policy_thresholds(policy);

  cr_assert_eq(t->learning_us, 7 * DAY);
  cr_assert_eq(t->alert_score, 50);
  cr_assert_eq(t->first_seen_tenant_bonus, 20);
  cr_assert_eq(t->volume_window_us, HOUR);
  cr_assert_eq(t->volume_min_items, 100); /* Elastic: OperationCount >= 100 */
  cr_assert_float_eq(t->volume_multiple, 5.0, 1e-9);
  cr_assert_eq(t->fanout_short_window_us, 10 * MINUTE); /* Splunk: more than 5 mailboxes in 10 minutes */
  cr_assert_eq(t->fanout_short_mailboxes, 5);
  cr_assert_eq(t->fanout_long_window_us, DAY);
  cr_assert_eq(t->fanout_long_mailboxes, 20);
  cr_assert_eq(t->search_window_us, 10 * MINUTE);
  cr_assert_eq(t->search_max, 10);
  cr_assert_eq(t->nonowner_folders, 5); /* Sentinel: more than 5 folders or more than one mailbox */
  cr_assert_eq(t->nonowner_mailboxes, 1);
  cr_assert_eq(t->grant_tenantwide_bonus, 20);
}

Test(policy_defaults, approves_nothing_and_trusts_no_network)
{
  policy = mbx_policy_new();
  cr_assert_not(mbx_policy_is_approved_app(policy, ROGUE_APP));
  cr_assert_not(mbx_policy_is_approved_app(policy, OUTLOOK_APP)); /* first-party ids are judged by path, not listed */
  cr_assert_null(mbx_policy_app_name(policy, ROGUE_APP));
  cr_assert_not(mbx_policy_is_approved_account(policy, "svc-backup@contoso.com"));
  cr_assert_not(mbx_policy_has_trusted_networks(policy));
  cr_assert_not(trusted("203.0.113.10"));
  cr_assert_not(trusted("2001:db8::1"));
}

Test(policy_defaults, an_empty_file_is_the_built_in_policy)
{
  MbxPolicy *builtin = mbx_policy_new();
  policy = policy_from_text("");

  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      cr_assert_eq(mbx_policy_rule(policy, r)->enabled, mbx_policy_rule(builtin, r)->enabled);
      cr_assert_eq(mbx_policy_rule(policy, r)->weight, mbx_policy_rule(builtin, r)->weight);
    }
  cr_assert_eq(memcmp(mbx_policy_thresholds(policy), mbx_policy_thresholds(builtin), sizeof(MbxPolicyThresholds)), 0);
  cr_assert_str_eq(agent_pattern("python-requests/2.32.5"), "python");
  cr_assert_str_eq(term_in("password reset"), "password");
  mbx_policy_unref(builtin);
}

Test(policy_defaults, reference_counting_keeps_the_policy_alive)
{
  policy = mbx_policy_new();
  MbxPolicy *other = mbx_policy_ref(policy);
  cr_assert_eq(other, policy);
  mbx_policy_unref(other);
  cr_assert_eq(mbx_policy_thresholds(policy)->alert_score, 50);
}

/* ---- a file with every section ------------------------------------------ */

static const gchar *every_section =
  "# a policy with every section\n"
  "[policy]\n"
  "learning-period = 14d\n"
  "alert-score = 60\n"
  "\n"
  "[approved-apps]\n"
  "D0BBC075-60B6-4143-8809-78BB5D9F9A29 = Fabrikam Cloud Backup\n"
  "7136c419-3ccc-429f-9bd7-f9220cb9b884 = Northwind CRM for Outlook\n"
  "\n"
  "[approved-accounts]\n"
  "Svc-Backup@Contoso.com = backup service account\n"
  "\n"
  "[trusted-networks]\n"
  "networks = 203.0.113.0/24; 2001:db8:100::/48 ;198.51.100.7/32\n"
  "\n"
  "[scripted-agents]\n"
  "patterns = My-Scraper;harvester/\n"
  "approved = helpdesk-connector/\n"
  "\n"
  "[sensitive-terms]\n"
  "terms = Project Zeus;Fusión\n"
  "\n"
  "[rule:app-unapproved]\n"
  "enabled = false\n"
  "[rule:throttled]\n"
  "weight = 70\n"
  "[rule:app-first-seen]\n"
  "weight = 35\n"
  "tenant-new-bonus = 15\n"
  "[rule:volume-spike]\n"
  "window = 10m\n"
  "min-items = 250\n"
  "baseline-multiple = 3.5\n"
  "[rule:sync-unusual]\n"
  "weight = 40\n"
  "[rule:fanout]\n"
  "short-window = 1h\n"
  "short-mailboxes = 8\n"
  "long-window = 24h\n"
  "long-mailboxes = 30\n"
  "[rule:search-burst]\n"
  "window = 1h\n"
  "max-searches = 25\n"
  "[rule:search-keyword]\n"
  "weight = 0\n"
  "[rule:agent-scripted]\n"
  "enabled = true\n"
  "weight = 45\n"
  "[rule:location-untrusted]\n"
  "weight = 5\n"
  "[rule:nonowner-access]\n"
  "max-folders = 9\n"
  "max-mailboxes = 2\n"
  "[rule:grant-mail-access]\n"
  "tenant-wide-bonus = 40\n"
  "[rule:off-hours]\n"
  "enabled = false\n"
  "weight = 100\n";

Test(policy_file, reads_the_policy_section)
{
  policy = policy_from_text(every_section);
  cr_assert_eq(mbx_policy_thresholds(policy)->learning_us, 14 * DAY);
  cr_assert_eq(mbx_policy_thresholds(policy)->alert_score, 60);
}

Test(policy_file, reads_approved_apps_with_their_names_ignoring_case)
{
  policy = policy_from_text(every_section);
  cr_assert(mbx_policy_is_approved_app(policy, BACKUP_APP));
  cr_assert(mbx_policy_is_approved_app(policy, "D0BBC075-60B6-4143-8809-78bb5d9f9a29"));
  cr_assert(mbx_policy_is_approved_app(policy, "7136C419-3CCC-429F-9BD7-F9220CB9B884"));
  cr_assert_str_eq(mbx_policy_app_name(policy, "d0bbc075-60b6-4143-8809-78BB5D9F9A29"), "Fabrikam Cloud Backup");
  cr_assert_str_eq(mbx_policy_app_name(policy, CRM_APP), "Northwind CRM for Outlook");
  cr_assert_not(mbx_policy_is_approved_app(policy, ROGUE_APP));
  cr_assert_null(mbx_policy_app_name(policy, ROGUE_APP));
  cr_assert_not(mbx_policy_is_approved_app(policy, NULL));
  cr_assert_not(mbx_policy_is_approved_app(policy, ""));
}

Test(policy_file, reads_approved_accounts_ignoring_case)
{
  policy = policy_from_text(every_section);
  cr_assert(mbx_policy_is_approved_account(policy, "svc-backup@contoso.com"));
  cr_assert(mbx_policy_is_approved_account(policy, "SVC-BACKUP@CONTOSO.COM"));
  cr_assert_not(mbx_policy_is_approved_account(policy, "alice@contoso.com"));
  cr_assert_not(mbx_policy_is_approved_account(policy, NULL));
}

Test(policy_file, an_app_approved_after_loading_is_approved_too)
{
  GError *error = NULL;
  policy = policy_from_text(every_section);
  cr_assert(mbx_policy_add_approved_app(policy, "C3A9E2F1-5B7D-4A86-9E0C-1F2D3B4A5C6D", "added", &error));
  cr_assert(mbx_policy_is_approved_app(policy, "c3a9e2f1-5b7d-4a86-9e0c-1f2d3b4a5c6d"));
  cr_assert_str_eq(mbx_policy_app_name(policy, "c3a9e2f1-5b7d-4a86-9e0c-1f2d3b4a5c6d"), "added");
  cr_assert_not(mbx_policy_add_approved_app(policy, "Mail Sync Tool", "x", &error));
  cr_assert_not_null(strstr(error->message, "Mail Sync Tool"), "%s", error->message);
  g_error_free(error);
}

Test(policy_file, reads_trusted_networks_of_both_families)
{
  policy = policy_from_text(every_section);
  cr_assert(mbx_policy_has_trusted_networks(policy));
  cr_assert(trusted("203.0.113.77"));
  cr_assert(trusted("2001:db8:100:42::1"));
  cr_assert(trusted("198.51.100.7"));
  cr_assert_not(trusted("198.51.100.8"));
  cr_assert_not(trusted("2001:db8:101::1"));
}

Test(policy_file, extends_the_scripted_agent_patterns_and_lowers_their_case)
{
  policy = policy_from_text(every_section);
  cr_assert_str_eq(agent_pattern("MY-SCRAPER/1.0"), "my-scraper");
  cr_assert_str_eq(agent_pattern("Harvester/2"), "harvester/");
  cr_assert_str_eq(agent_pattern("python-requests/2.32.5"), "python"); /* the defaults are kept */
}

Test(policy_file, approved_agents_win_over_the_patterns)
{
  policy = policy_from_text(every_section);
  cr_assert_null(agent_pattern("Helpdesk-Connector/3.1 python-requests/2.31"));
  cr_assert_str_eq(agent_pattern("python-requests/2.31"), "python");
}

Test(policy_file, extends_the_sensitive_terms_folding_case_and_accents)
{
  policy = policy_from_text(every_section);
  cr_assert_str_eq(term_in("status of PROJECT ZEUS"), "project zeus");
  cr_assert_str_eq(term_in("fusion plans"), "fusion"); /* "Fusión" in the file */
  cr_assert_str_eq(term_in("FUSIÓN"), "fusion");
  cr_assert_str_eq(term_in("reset my password"), "password"); /* the defaults are kept */
}

Test(policy_file, reads_every_rule_switch_and_weight)
{
  policy = policy_from_text(every_section);
  cr_assert_not(mbx_policy_rule(policy, MBX_RULE_APP_UNAPPROVED)->enabled);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_APP_UNAPPROVED)->weight, 50, "weight kept when only disabled");
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_THROTTLED)->weight, 70);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_APP_FIRST_SEEN)->weight, 35);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_SYNC_UNUSUAL)->weight, 40);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_SEARCH_KEYWORD)->weight, 0);
  cr_assert(mbx_policy_rule(policy, MBX_RULE_AGENT_SCRIPTED)->enabled);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_AGENT_SCRIPTED)->weight, 45);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_LOCATION_UNTRUSTED)->weight, 5);
  cr_assert_not(mbx_policy_rule(policy, MBX_RULE_OFF_HOURS)->enabled);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_OFF_HOURS)->weight, 100);
  /* untouched rules keep their defaults */
  cr_assert(mbx_policy_rule(policy, MBX_RULE_FANOUT)->enabled);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_FANOUT)->weight, 50);
  cr_assert_eq(mbx_policy_rule(policy, MBX_RULE_NONOWNER_ACCESS)->weight, 25);
}

Test(policy_file, reads_each_rules_own_keys)
{
  policy = policy_from_text(every_section);
  const MbxPolicyThresholds *t = mbx_policy_thresholds(policy);

  cr_assert_eq(t->first_seen_tenant_bonus, 15);
  cr_assert_eq(t->volume_window_us, 10 * MINUTE);
  cr_assert_eq(t->volume_min_items, 250);
  cr_assert_float_eq(t->volume_multiple, 3.5, 1e-9);
  cr_assert_eq(t->fanout_short_window_us, HOUR);
  cr_assert_eq(t->fanout_short_mailboxes, 8);
  cr_assert_eq(t->fanout_long_window_us, DAY);
  cr_assert_eq(t->fanout_long_mailboxes, 30);
  cr_assert_eq(t->search_window_us, HOUR);
  cr_assert_eq(t->search_max, 25);
  cr_assert_eq(t->nonowner_folders, 9);
  cr_assert_eq(t->nonowner_mailboxes, 2);
  cr_assert_eq(t->grant_tenantwide_bonus, 40);
}

Test(policy_file, its_rule_windows_bind_to_the_default_state_windows)
{
  MbxStateOptions options;
  GError *error = NULL;

  policy = policy_from_text(every_section);
  mbx_state_options_defaults(&options);
  MbxDetector *detector = mbx_detector_new_with_policy(policy);
  cr_assert(mbx_detector_bind_windows(detector, options.window_us, options.n_windows, &error), "%s",
            error ? error->message : "");
  mbx_detector_unref(detector);
}

Test(policy_file, a_rule_window_the_state_lacks_is_refused_when_binding)
{
  MbxStateOptions options;
  GError *error = NULL;

  policy = policy_from_text("[rule:fanout]\nshort-window = 5m\n");
  mbx_state_options_defaults(&options);
  MbxDetector *detector = mbx_detector_new_with_policy(policy);
  cr_assert_not(mbx_detector_bind_windows(detector, options.window_us, options.n_windows, &error));
  cr_assert_not_null(error);
  cr_assert_not_null(strstr(error->message, "[rule:fanout] short-window=5m"), "%s", error->message);
  g_error_free(error);
  mbx_detector_unref(detector);
}

Test(policy_file, replace_defaults_drops_the_built_in_agents)
{
  policy = policy_from_text("[scripted-agents]\npatterns = my-scraper\nreplace-defaults = true\n");
  cr_assert_null(agent_pattern("python-requests/2.32.5"));
  cr_assert_null(agent_pattern("curl/8.4.0"));
  cr_assert_str_eq(agent_pattern("my-scraper/1"), "my-scraper");
}

Test(policy_file, replace_defaults_false_keeps_the_built_in_agents)
{
  policy = policy_from_text("[scripted-agents]\npatterns = my-scraper\nreplace-defaults = false\n");
  cr_assert_str_eq(agent_pattern("curl/8.4.0"), "curl/");
  cr_assert_str_eq(agent_pattern("my-scraper/1"), "my-scraper");
}

Test(policy_file, replace_defaults_drops_the_built_in_terms)
{
  policy = policy_from_text("[sensitive-terms]\nterms = merger\nreplace-defaults = true\n");
  cr_assert_null(term_in("password"));
  cr_assert_null(term_in("wire transfer"));
  cr_assert_str_eq(term_in("the Merger plan"), "merger");
}

Test(policy_file, replacing_the_terms_with_nothing_finds_none)
{
  policy = policy_from_text("[sensitive-terms]\nreplace-defaults = true\n");
  cr_assert_null(term_in("password"));
}

Test(policy_file, blank_list_items_are_ignored)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = ;10.0.0.0/8;;\n[sensitive-terms]\nterms = ; ;\n");
  cr_assert(trusted("10.1.2.3"));
  cr_assert_not(term_in(" "), "a blank term matched");
}

Test(policy_file, comments_and_blank_lines_are_allowed)
{
  policy = policy_from_text("# comment\n\n[policy]\n# alert-score = 90\nalert-score = 55\n");
  cr_assert_eq(mbx_policy_thresholds(policy)->alert_score, 55);
}

Test(policy_file, the_shipped_example_loads)
{
  GError *error = NULL;
  gchar *path = g_build_filename(FIXTURE_DIR, "..", "..", "examples", "policy.ini", NULL);
  policy = mbx_policy_load(path, &error);
  cr_assert_not_null(policy, "%s", error ? error->message : "");
  cr_assert(mbx_policy_is_approved_app(policy, BACKUP_APP));
  cr_assert(trusted("203.0.113.5"));
  g_free(path);
}

/* ---- trusted networks at prefix edges ----------------------------------- */

Test(policy_networks, slash_0_trusts_every_address_of_its_family_only)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 0.0.0.0/0\n");
  cr_assert(trusted("1.2.3.4"));
  cr_assert(trusted("255.255.255.255"));
  cr_assert_not(trusted("2001:db8::1"));
  mbx_policy_unref(policy);
  policy = policy_from_text("[trusted-networks]\nnetworks = ::/0\n");
  cr_assert(trusted("2001:db8::1"));
  cr_assert(trusted("::1"));
  cr_assert_not(trusted("1.2.3.4"));
}

Test(policy_networks, slash_24_ends_at_its_last_address)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 192.0.2.0/24\n");
  cr_assert(trusted("192.0.2.0"));
  cr_assert(trusted("192.0.2.255"));
  cr_assert_not(trusted("192.0.3.0"));
  cr_assert_not(trusted("192.0.1.255"));
}

Test(policy_networks, slash_32_is_one_address)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 198.51.100.7/32\n");
  cr_assert(trusted("198.51.100.7"));
  cr_assert_not(trusted("198.51.100.6"));
  cr_assert_not(trusted("198.51.100.8"));
}

Test(policy_networks, an_address_without_a_prefix_is_one_address)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 198.51.100.7;2001:db8::7\n");
  cr_assert(trusted("198.51.100.7"));
  cr_assert_not(trusted("198.51.100.70"));
  cr_assert(trusted("2001:db8::7"));
  cr_assert_not(trusted("2001:db8::8"));
}

Test(policy_networks, a_prefix_inside_a_byte_masks_bits)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 10.16.0.0/12\n");
  cr_assert(trusted("10.16.0.0"));
  cr_assert(trusted("10.31.255.255"));
  cr_assert_not(trusted("10.32.0.0"));
  cr_assert_not(trusted("10.15.255.255"));
}

Test(policy_networks, host_bits_in_the_network_do_not_matter)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 192.0.2.77/24\n");
  cr_assert(trusted("192.0.2.1"));
  cr_assert_not(trusted("192.0.3.1"));
}

Test(policy_networks, slash_48_ends_at_its_last_address)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 2001:db8:100::/48\n");
  cr_assert(trusted("2001:db8:100::"));
  cr_assert(trusted("2001:db8:100:ffff:ffff:ffff:ffff:ffff"));
  cr_assert_not(trusted("2001:db8:101::"));
  cr_assert_not(trusted("2001:db8:ff:ffff::1"));
}

Test(policy_networks, slash_128_is_one_address)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 2001:db8::42/128\n");
  cr_assert(trusted("2001:db8::42"));
  cr_assert_not(trusted("2001:db8::43"));
  cr_assert_not(trusted("2001:db8::41"));
}

Test(policy_networks, an_ipv4_address_never_matches_an_ipv6_network)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = ::ffff:203.0.113.0/120;::/8\n");
  cr_assert_not(trusted("203.0.113.5"));
  cr_assert_not(trusted("0.0.0.1"));
}

Test(policy_networks, an_ipv6_address_never_matches_an_ipv4_network)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 0.0.0.0/1\n");
  cr_assert(trusted("10.0.0.1"));
  cr_assert_not(trusted("::a00:1"));
}

Test(policy_networks, text_that_is_no_address_is_never_trusted)
{
  policy = policy_from_text("[trusted-networks]\nnetworks = 0.0.0.0/0;::/0\n");
  cr_assert_not(trusted(NULL));
  cr_assert_not(trusted(""));
  cr_assert_not(trusted("not-an-ip"));
  cr_assert_not(trusted("203.0.113.5:443"));
}

/* ---- scripted agents ---------------------------------------------------- */

Test(policy_agents, the_defaults_know_the_scripting_tools_of_the_issue)
{
  static const struct
  {
    const gchar *agent, *pattern;
  } cases[] = {
    { "python-requests/2.32.5", "python" },
    { "Go-http-client/2.0", "go-http-client" },
    { "curl/8.4.0", "curl/" },
    { "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; en-US) PowerShell/7.4.1", "powershell" },
    { "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.1", "powershell" },
    { "okhttp/4.8.1", "okhttp" },
    { "axios/1.6.2", "axios" },
    { "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "node-fetch" },
    { "AADInternals", "aadinternals" },
    { "EWSEditor/1.10", "ewseditor" },
    { "[NoUserAgent]", "[nouseragent]" },
    { "Client=REST;Client=RESTSystem;[NoUserAgent];", "[nouseragent]" },
  };
  policy = mbx_policy_new();
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      const gchar *hit = agent_pattern(cases[i].agent);
      cr_assert_not_null(hit, "\"%s\" is not a scripted agent", cases[i].agent);
      cr_assert_str_eq(hit, cases[i].pattern, "\"%s\" matched \"%s\"", cases[i].agent, hit);
    }
}

Test(policy_agents, graphrunners_default_forged_agent_is_scripted)
{
  policy = mbx_policy_new();
  cr_assert_not_null(agent_pattern("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                                   "Chrome/70.0.3538.102 Safari/537.36 Edge/18.19042"));
  /* a legitimate Intune agent differs in the EdgeHTML build (detection-anchors.md, 4.5) */
  cr_assert_null(agent_pattern("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                               "Chrome/70.0.3538.102 Safari/537.36 Edge/18.22631"));
}

Test(policy_agents, mail_clients_and_browsers_are_not_scripted)
{
  static const gchar *agents[] = {
    "Client=MSExchangeRPC",
    "Client=OWA;Action=ViaProxy",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.14326; Pro)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Outlook-iOS/709.2226530.prod.iphone (4.2408.0)",
    "Client=OutlookService;Outlook-Android/2.0;",
  };
  policy = mbx_policy_new();
  for (gsize i = 0; i < G_N_ELEMENTS(agents); i++)
    cr_assert_null(agent_pattern(agents[i]), "\"%s\" matched \"%s\"", agents[i], agent_pattern(agents[i]));
  cr_assert_null(agent_pattern(NULL));
  cr_assert_null(agent_pattern(""));
}

/* ---- sensitive terms ---------------------------------------------------- */

Test(policy_terms, an_accented_text_matches_its_unaccented_term)
{
  policy = policy_from_text("[sensitive-terms]\nterms = contrasena\nreplace-defaults = true\n");
  cr_assert_str_eq(term_in("Contraseña del banco"), "contrasena");
}

Test(policy_terms, an_accented_default_matches_text_typed_without_accents)
{
  policy = mbx_policy_new();
  cr_assert_not_null(term_in("CONTRASENA"), "the default \"contraseña\" did not match");
  cr_assert_not_null(term_in("contraseña"));
}

Test(policy_terms, upper_case_text_matches_a_lower_case_term)
{
  policy = mbx_policy_new();
  cr_assert_str_eq(term_in("MOT DE PASSE"), "mot de passe");
  cr_assert_str_eq(term_in("Wire Transfer details"), "wire transfer");
}

Test(policy_terms, the_defaults_cover_the_issues_categories)
{
  static const gchar *texts[] = { "password", "credentials", "MFA", "VPN config", "invoice", "wire transfer",
                                  "payroll", "bank details", "confidential", "Rechnung", "facture" };
  policy = mbx_policy_new();
  for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
    cr_assert_not_null(term_in(texts[i]), "\"%s\" matched no default term", texts[i]);
}

Test(policy_terms, ordinary_searches_match_nothing)
{
  static const gchar *texts[] = { "team lunch", "quarterly report", "holiday schedule", "from:bob" };
  policy = mbx_policy_new();
  for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
    cr_assert_null(term_in(texts[i]), "\"%s\" matched \"%s\"", texts[i], term_in(texts[i]));
}

Test(policy_terms, empty_and_invalid_text_matches_nothing)
{
  policy = mbx_policy_new();
  cr_assert_null(term_in(NULL));
  cr_assert_null(term_in(""));
  cr_assert_null(term_in("pass\xffword password"));
}

/* ---- errors ------------------------------------------------------------- */

Test(policy_errors, an_unknown_section)
{
  assert_load_error("[polciy]\nalert-score = 50\n", "polciy", NULL, "unknown section");
}

Test(policy_errors, a_rule_section_for_an_unknown_rule)
{
  assert_load_error("[rule:no-such-rule]\nweight = 10\n", "rule:no-such-rule", NULL, "unknown section");
}

Test(policy_errors, an_unknown_key_in_the_policy_section)
{
  assert_load_error("[policy]\nlearning = 7d\n", "policy", "learning", "unknown key");
}

Test(policy_errors, an_unknown_key_in_a_rule_section)
{
  assert_load_error("[rule:fanout]\nmax-mailboxes = 3\n", "rule:fanout", "max-mailboxes", "unknown key");
}

Test(policy_errors, another_rules_key_is_unknown)
{
  assert_load_error("[rule:throttled]\nwindow = 1h\n", "rule:throttled", "window", "unknown key");
}

Test(policy_errors, an_unknown_key_in_the_networks_section)
{
  assert_load_error("[trusted-networks]\nnetwork = 10.0.0.0/8\n", "trusted-networks", "network", "unknown key");
}

Test(policy_errors, an_unknown_key_in_the_agents_section)
{
  assert_load_error("[scripted-agents]\nagents = x\n", "scripted-agents", "agents", "unknown key");
}

Test(policy_errors, an_unknown_key_in_the_terms_section)
{
  assert_load_error("[sensitive-terms]\napproved = x\n", "sensitive-terms", "approved", "unknown key");
}

Test(policy_errors, a_bad_integer)
{
  assert_load_error("[rule:fanout]\nshort-mailboxes = many\n", "rule:fanout", "short-mailboxes", "not an integer");
  assert_load_error("[policy]\nalert-score = 50%\n", "policy", "alert-score", "not an integer");
}

Test(policy_errors, an_out_of_range_weight)
{
  assert_load_error("[rule:off-hours]\nweight = 101\n", "rule:off-hours", "weight", "between 0 and 100");
  assert_load_error("[rule:throttled]\nweight = -1\n", "rule:throttled", "weight", "between 0 and 100");
}

Test(policy_errors, an_out_of_range_alert_score)
{
  assert_load_error("[policy]\nalert-score = 0\n", "policy", "alert-score", "between 1 and 100");
}

Test(policy_errors, an_out_of_range_threshold)
{
  assert_load_error("[rule:fanout]\nshort-mailboxes = 32\n", "rule:fanout", "short-mailboxes", "between 1 and 31");
  assert_load_error("[rule:volume-spike]\nmin-items = 0\n", "rule:volume-spike", "min-items", "between 1");
  assert_load_error("[rule:nonowner-access]\nmax-mailboxes = 40\n", "rule:nonowner-access", "max-mailboxes",
                    "between 0 and 31");
}

Test(policy_errors, a_bad_number)
{
  assert_load_error("[rule:volume-spike]\nbaseline-multiple = lots\n", "rule:volume-spike", "baseline-multiple",
                    "not a number");
  assert_load_error("[rule:volume-spike]\nbaseline-multiple = 0.5\n", "rule:volume-spike", "baseline-multiple",
                    "too small");
}

Test(policy_errors, a_multiple_that_is_not_finite)
{
  assert_load_error("[rule:volume-spike]\nbaseline-multiple = nan\n", "rule:volume-spike", "baseline-multiple",
                    "finite");
  assert_load_error("[rule:volume-spike]\nbaseline-multiple = inf\n", "rule:volume-spike", "baseline-multiple",
                    "finite");
}

Test(policy_errors, a_bad_boolean)
{
  assert_load_error("[rule:fanout]\nenabled = maybe\n", "rule:fanout", "enabled", "not true or false");
  assert_load_error("[scripted-agents]\nreplace-defaults = yes please\n", "scripted-agents", "replace-defaults",
                    "not true or false");
}

Test(policy_errors, an_approved_app_that_is_not_a_guid)
{
  assert_load_error("[approved-apps]\nMail Sync Tool = ours\n", "approved-apps", "Mail Sync Tool", "GUID");
  assert_load_error("[approved-apps]\nd0bbc075-60b6-4143-8809-78bb5d9f9a2 = one digit short\n", "approved-apps",
                    "d0bbc075-60b6-4143-8809-78bb5d9f9a2", "GUID");
  assert_load_error("[approved-apps]\nd0bbc075-60b6-4143-8809-78bb5d9f9a29x = one too many\n", "approved-apps",
                    "d0bbc075-60b6-4143-8809-78bb5d9f9a29x", "GUID");
}

Test(policy_errors, a_bad_cidr)
{
  static const gchar *bad[] = { "10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "office", "10.0.0.0/", "10.0.0.0/8x",
                                "10.0.0.0/-1", "10.0.0.0/8, 192.168.0.0/16" };
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
    {
      gchar *text = g_strdup_printf("[trusted-networks]\nnetworks = 192.0.2.0/24;%s\n", bad[i]);
      gchar *why = g_strdup_printf("'%s' is not an IPv4 or IPv6 network", bad[i]);
      assert_load_error(text, "trusted-networks", "networks", why);
      g_free(why);
      g_free(text);
    }
}

Test(policy_errors, a_bad_duration)
{
  assert_load_error("[policy]\nlearning-period = 7 days\n", "policy", "learning-period", "not a duration");
  assert_load_error("[rule:volume-spike]\nwindow = 0m\n", "rule:volume-spike", "window", "not a duration");
  assert_load_error("[rule:fanout]\nlong-window = 1w\n", "rule:fanout", "long-window", "not a duration");
  assert_load_error("[rule:search-burst]\nwindow = -10m\n", "rule:search-burst", "window", "not a duration");
}

Test(policy_errors, a_missing_file)
{
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp("mbx-policy-XXXXXX", &error);
  gchar *path = g_build_filename(dir, "missing.ini", NULL);

  policy = mbx_policy_load(path, &error);
  cr_assert_null(policy);
  cr_assert_not_null(error);
  cr_assert_eq(error->domain, MBX_ERROR);
  cr_assert_not_null(strstr(error->message, path), "\"%s\" does not name %s", error->message, path);
  g_error_free(error);
  g_rmdir(dir);
  g_free(path);
  g_free(dir);
}

Test(policy_errors, a_file_that_is_no_key_file)
{
  gchar *path = NULL;
  gchar *message = load_error("this is not = a key file\n", &path);
  cr_assert_not_null(strstr(message, path), "\"%s\" does not name %s", message, path);
  g_free(message);
  g_free(path);
}

Test(policy_errors, several_errors_report_one_of_them)
{
  gchar *path = NULL;
  gchar *message = load_error("[policy]\nalert-score = 70\n[rule:fanout]\nweight = 500\n[rule:throttled]\nweight = x\n",
                              &path);
  gboolean fanout = strstr(message, "[rule:fanout] weight") != NULL;
  gboolean throttled = strstr(message, "[rule:throttled] weight") != NULL;
  cr_assert(fanout != throttled, "one error, named: %s", message);
  g_free(message);
  g_free(path);
}
