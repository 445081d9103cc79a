/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The rules that read geography, on real MMDB files built from
 * tests/fixtures/geo/test-ranges.csv: impossible travel, hosting networks,
 * countries not allowed or never seen, risky sign-ins, and Outlook's id from
 * a cloud network.  Records go through state and detector as the adapter
 * sends them.
 *
 * Sources: test-geo-rules.c rules-helpers.c fixture.c
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-detector.h"
#include "mailbox-monitor/mbx-policy.h"
#include "mailbox-monitor/mbx-state.h"
#include "rules-helpers.h"

#define LONDON "86.128.1.1"
#define LONDON_2 "86.128.200.7"
#define PARIS "90.0.1.1"
#define TOKYO "1.72.1.1"
#define MOSCOW "178.64.1.1"
#define HETZNER "95.216.1.1"
#define AWS "18.204.1.1"
#define CEO "ceo@contoso.com"

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

TestSuite(geo_rules, .init = setup, .fini = teardown);

#if defined(GEO_CITY_DB) && defined(GEO_COUNTRY_DB)

static void
use_policy(const gchar *db, const gchar *extra, const gchar *only)
{
  gchar *text = g_strdup_printf("[geo]\ncity-database = %s\n%s\n", db, extra ? extra : "");
  GString *full = g_string_new(text);
  g_free(text);
  if (only)
    {
      for (gint r = 0; r < MBX_RULE_MAX; r++)
        {
          if (strstr(only, mbx_rule_id(r)))
            continue;
          g_string_append_printf(full, "[rule:%s]\nenabled = false\n", mbx_rule_id(r));
        }
    }
  MbxPolicy *policy = policy_from_text(full->str);
  g_string_free(full, TRUE);
  h = rh_new(policy);
  mbx_policy_unref(policy);
}

static const MbxVerdict *
owner_read(gint64 t, const gchar *ip)
{
  rh_owner_read(h, t, CEO, ip, 2);
  return rh_eval(h);
}

Test(geo_rules, london_then_tokyo_within_half_an_hour_is_impossible_travel)
{
  use_policy(GEO_CITY_DB, NULL, "location-untrusted");
  assert_quiet(owner_read(AT(0, 10, 0), LONDON));
  const MbxVerdict *v = owner_read(AT(0, 10, 30), TOKYO);
  assert_only(v, MBX_RULE_LOCATION_UNTRUSTED);
  assert_score(v, 60);
  assert_suspicious(v);
  assert_reason_has(v, "impossible travel");
  assert_reason_has(v, "from GB in 30 min");
}

Test(geo_rules, a_trusted_egress_is_no_place_to_travel_from)
{
  /* the office's address says where the office is, not the user: London through it, Tokyo half an hour later */
  use_policy(GEO_CITY_DB, "[trusted-networks]\nnetworks = 86.128.1.0/24", "location-untrusted");
  assert_quiet(owner_read(AT(0, 10, 0), LONDON));
  const MbxVerdict *v = owner_read(AT(0, 10, 30), TOKYO);
  cr_assert_null(strstr(v->reason, "impossible travel"), "reason \"%s\"", v->reason);
}

Test(geo_rules, london_then_tokyo_a_day_later_is_possible)
{
  use_policy(GEO_CITY_DB, NULL, "location-untrusted");
  owner_read(AT(0, 10, 0), LONDON);
  assert_quiet(owner_read(AT(1, 10, 0), TOKYO));
}

Test(geo_rules, two_addresses_of_one_city_are_never_impossible)
{
  use_policy(GEO_CITY_DB, NULL, "location-untrusted");
  owner_read(AT(0, 10, 0), LONDON);
  assert_quiet(owner_read(AT(0, 10, 1), LONDON_2));
}

Test(geo_rules, a_country_only_database_turns_impossible_travel_off)
{
  use_policy(GEO_COUNTRY_DB, NULL, "location-untrusted");
  owner_read(AT(0, 10, 0), LONDON);
  assert_quiet(owner_read(AT(0, 10, 30), TOKYO));
}

Test(geo_rules, a_person_reading_mail_from_a_hosting_network_weighs_more_than_an_app_there)
{
  use_policy(GEO_CITY_DB, NULL, "location-untrusted");
  const MbxVerdict *v = owner_read(AT(0, 10, 0), HETZNER);
  assert_score(v, 50);
  assert_reason_has(v, "hosting network AS24940");
  rh_app_read(h, AT(0, 10, 5), CEO, ROGUE_APP, "graph", NULL, AWS, 3);
  assert_quiet(rh_eval(h));
}

Test(geo_rules, a_country_outside_the_allowed_ones_fires)
{
  use_policy(GEO_CITY_DB, "allowed-countries = GB;FR", "location-untrusted");
  assert_quiet(owner_read(AT(0, 10, 0), PARIS));
  const MbxVerdict *v = owner_read(AT(0, 20, 0), MOSCOW);
  assert_fired(v, MBX_RULE_LOCATION_UNTRUSTED);
  assert_reason_has(v, "country RU not allowed");
}

Test(geo_rules, a_country_never_seen_for_the_mailbox_after_learning_fires)
{
  use_policy(GEO_CITY_DB, NULL, "location-untrusted");
  const gchar *mailboxes[] = { CEO, NULL };
  rh_learn_owners(h, mailboxes, 8, 9, 17, LONDON, 2);
  const MbxVerdict *v = owner_read(AT(8, 12, 0), PARIS);
  assert_score(v, 30); /* 20 for the new network, 10 for the new country */
  assert_reason_has(v, "country FR never seen for the mailbox");
}

Test(geo_rules, a_sign_in_from_a_hosting_network_makes_the_access_risky)
{
  use_policy(GEO_CITY_DB, NULL, "signin-then-access");
  rh_begin(h, MBX_KIND_SIGNIN, AT(0, 9, 0));
  rh_str(h, MBX_F_ACTOR, CEO);
  rh_str(h, MBX_F_MAILBOX, CEO);
  rh_str(h, MBX_F_CLIENT_IP, HETZNER);
  rh_str(h, MBX_F_TOKEN_ID, "tok-geo");
  rh_str(h, MBX_F_ID, "signin-geo");
  rh_eval(h);
  rh_owner_read(h, AT(0, 9, 5), CEO, LONDON, 2);
  rh_str(h, MBX_F_TOKEN_ID, "tok-geo");
  assert_reason_has(rh_eval(h), "a hosting network");
}

Test(geo_rules, outlooks_id_over_graph_from_a_cloud_network_is_not_trusted)
{
  use_policy(GEO_CITY_DB, NULL, "app-unapproved");
  rh_app_read(h, AT(0, 10, 0), CEO, OUTLOOK_APP, "graph", NULL, AWS, 3);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_USER);
  assert_fired(rh_eval(h), MBX_RULE_APP_UNAPPROVED);
  rh_app_read(h, AT(0, 10, 1), CEO, OUTLOOK_APP, "graph", NULL, LONDON, 3);
  assert_quiet(rh_eval(h));
}

Test(geo_rules, a_bad_database_path_is_a_policy_error_naming_the_key)
{
  gchar *path = policy_write("[geo]\ncity-database = /nonexistent/city.mmdb\n");
  GError *error = NULL;
  MbxPolicy *policy = mbx_policy_load(path, &error);
  cr_assert_null(policy);
  cr_assert(strstr(error->message, "[geo] city-database") != NULL, "%s", error->message);
  g_error_free(error);
  policy_remove(path);
}

#else

Test(geo_rules, skipped_without_the_test_databases)
{
  cr_skip_test("built without libmaxminddb or libmaxmind-db-writer-perl");
}

#endif
