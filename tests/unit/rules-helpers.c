/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Sources: rules-helpers.c (this file), fixture.c; links the core library.
 */
#include "rules-helpers.h"
#include "fixture.h"

#include <string.h>
#include <glib/gstdio.h>

RulesHarness *
rh_new(MbxPolicy *policy)
{
  RulesHarness *h = g_new0(RulesHarness, 1);
  GError *error = NULL;

  h->policy = policy ? mbx_policy_ref(policy) : mbx_policy_new();
  h->detector = mbx_detector_new_with_policy(h->policy);
  mbx_state_options_defaults(&h->options);
  /* small caps: a few hundred mailboxes are plenty and keep the tables cheap */
  h->options.max_entries[MBX_TABLE_MAILBOXES] = 1024;
  h->options.max_entries[MBX_TABLE_TENANTS] = 4;
  h->options.n_shards = 4;
  h->state = mbx_state_new(&h->options, &error);
  cr_assert_not_null(h->state, "mbx_state_new: %s", error ? error->message : "?");
  cr_assert(mbx_detector_bind_windows(h->detector, h->options.window_us, h->options.n_windows, &error),
            "mbx_detector_bind_windows: %s", error ? error->message : "?");
  h->record = mbx_record_new();
  return h;
}

void
rh_free(RulesHarness *h)
{
  if (!h)
    return;
  mbx_record_free(h->record);
  mbx_state_unref(h->state);
  mbx_detector_unref(h->detector);
  mbx_policy_unref(h->policy);
  g_free(h);
}

gchar *
policy_write(const gchar *text)
{
  GError *error = NULL;
  gchar *dir = g_dir_make_tmp("mbx-policy-XXXXXX", &error);
  cr_assert_not_null(dir, "g_dir_make_tmp: %s", error ? error->message : "?");
  gchar *path = g_build_filename(dir, "policy.ini", NULL);
  cr_assert(g_file_set_contents(path, text, -1, &error), "writing %s: %s", path, error ? error->message : "?");
  g_free(dir);
  return path;
}

MbxPolicy *
policy_from_text(const gchar *text)
{
  GError *error = NULL;
  gchar *path = policy_write(text);
  MbxPolicy *policy = mbx_policy_load(path, &error);
  policy_remove(path);
  cr_assert_not_null(policy, "the policy did not load: %s", error ? error->message : "(no error)");
  return policy;
}

void
policy_remove(gchar *path)
{
  gchar *dir = g_path_get_dirname(path);
  g_unlink(path);
  g_rmdir(dir);
  g_free(dir);
  g_free(path);
}

MbxPolicy *
policy_only(const MbxRule *rules)
{
  GString *text = g_string_new("");
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      gboolean keep = FALSE;
      for (const MbxRule *k = rules; (gint) *k >= 0; k++)
        keep = keep || *k == (MbxRule) r;
      if (!keep)
        g_string_append_printf(text, "[rule:%s]\nenabled = false\n", mbx_rule_id(r));
    }
  MbxPolicy *policy = policy_from_text(text->str);
  g_string_free(text, TRUE);
  return policy;
}

void
rh_str(RulesHarness *h, MbxField field, const gchar *value)
{
  if (value)
    mbx_record_set_string(h->record, field, value, strlen(value));
  else
    mbx_record_unset(h->record, field);
}

void
rh_int(RulesHarness *h, MbxField field, gint64 value)
{
  mbx_record_set_int(h->record, field, value);
}

void
rh_begin(RulesHarness *h, MbxKind kind, gint64 t)
{
  mbx_record_reset(h->record);
  mbx_record_set_kind(h->record, kind);
  rh_str(h, MBX_F_TENANT, TENANT);
  rh_int(h, MBX_F_EVENT_TIME, t);
}

void
rh_owner_read(RulesHarness *h, gint64 t, const gchar *mailbox, const gchar *ip, gint64 items)
{
  gchar session[96];

  rh_begin(h, MBX_KIND_MAIL_ACCESS, t);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_OWNER);
  rh_str(h, MBX_F_OPERATION, "MailItemsAccessed");
  rh_str(h, MBX_F_MAILBOX, mailbox);
  rh_str(h, MBX_F_ACTOR, mailbox);
  rh_str(h, MBX_F_CLIENT_IP, ip);
  rh_str(h, MBX_F_CLIENT_INFO, "Client=MSExchangeRPC");
  rh_str(h, MBX_F_ACCESS_PATH, "outlook-desktop");
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Bind");
  rh_int(h, MBX_F_OPERATION_COUNT, items);
  rh_int(h, MBX_F_FOLDER_COUNT, 1);
  rh_int(h, MBX_F_LOGON_TYPE, 0);
  rh_int(h, MBX_F_THROTTLED, 0);
  g_snprintf(session, sizeof(session), "session-of-%s", mailbox);
  rh_str(h, MBX_F_SESSION_ID, session);
}

void
rh_app_read(RulesHarness *h, gint64 t, const gchar *mailbox, const gchar *app, const gchar *path,
            const gchar *agent, const gchar *ip, gint64 items)
{
  rh_begin(h, MBX_KIND_MAIL_ACCESS, t);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_APP_ONLY);
  rh_str(h, MBX_F_OPERATION, "MailItemsAccessed");
  rh_int(h, MBX_F_USER_TYPE, 5);
  rh_str(h, MBX_F_MAILBOX, mailbox);
  rh_str(h, MBX_F_ACTOR, app);
  rh_str(h, MBX_F_APP_ID, app);
  rh_str(h, MBX_F_CLIENT_APP_ID, app);
  rh_str(h, MBX_F_ACCESS_PATH, path);
  rh_str(h, MBX_F_CLIENT_INFO, agent);
  rh_str(h, MBX_F_CLIENT_IP, ip);
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Bind");
  rh_int(h, MBX_F_OPERATION_COUNT, items);
  rh_int(h, MBX_F_FOLDER_COUNT, 1);
  rh_int(h, MBX_F_LOGON_TYPE, 0);
  rh_int(h, MBX_F_THROTTLED, 0);
}

void
rh_delegate_read(RulesHarness *h, gint64 t, const gchar *delegate, const gchar *mailbox, const gchar *ip,
                 gint64 folders)
{
  gchar session[96];

  rh_begin(h, MBX_KIND_MAIL_ACCESS, t);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_DELEGATE);
  rh_str(h, MBX_F_OPERATION, "MailItemsAccessed");
  rh_str(h, MBX_F_MAILBOX, mailbox);
  rh_str(h, MBX_F_ACTOR, delegate);
  rh_str(h, MBX_F_CLIENT_IP, ip);
  rh_str(h, MBX_F_CLIENT_INFO, "Client=MSExchangeRPC");
  rh_str(h, MBX_F_ACCESS_PATH, "outlook-desktop");
  rh_str(h, MBX_F_MAIL_ACCESS_TYPE, "Bind");
  rh_int(h, MBX_F_OPERATION_COUNT, 1);
  rh_int(h, MBX_F_FOLDER_COUNT, folders);
  rh_int(h, MBX_F_LOGON_TYPE, 2);
  rh_int(h, MBX_F_EXTERNAL_ACCESS, 0);
  g_snprintf(session, sizeof(session), "session-of-%s", delegate);
  rh_str(h, MBX_F_SESSION_ID, session);
}

void
rh_owner_search(RulesHarness *h, gint64 t, const gchar *mailbox, const gchar *ip, const gchar *text)
{
  gchar session[96];

  rh_begin(h, MBX_KIND_MAIL_SEARCH, t);
  mbx_record_set_actor_kind(h->record, MBX_ACTOR_OWNER);
  rh_str(h, MBX_F_OPERATION, "SearchQueryInitiatedExchange");
  rh_str(h, MBX_F_MAILBOX, mailbox);
  rh_str(h, MBX_F_ACTOR, mailbox);
  rh_str(h, MBX_F_APP_ID, OWA_APP);
  rh_str(h, MBX_F_CLIENT_IP, ip);
  rh_str(h, MBX_F_CLIENT_INFO, "Client=OWA;Action=ViaProxy");
  rh_str(h, MBX_F_ACCESS_PATH, "owa");
  rh_int(h, MBX_F_LOGON_TYPE, 0);
  rh_str(h, MBX_F_SEARCH_TEXT, text);
  g_snprintf(session, sizeof(session), "session-of-%s", mailbox);
  rh_str(h, MBX_F_SESSION_ID, session);
}

void
rh_decode(RulesHarness *h, const gchar *name)
{
  MbxDecoder *decoder = mbx_decoder_new();
  fixture_decode(decoder, name, h->record);
  mbx_decoder_free(decoder);
}

const MbxVerdict *
rh_eval_received(RulesHarness *h, gint64 receive_time)
{
  MbxObserveFlags flags = mbx_detector_observe_flags(h->detector, h->record);

  MbxGeoInfo geo;
  gboolean located = mbx_detector_geo_lookup(h->detector, h->record, &geo);
  mbx_state_observe_geo(h->state, h->record, receive_time, flags, located ? &geo : NULL, &h->obs);
  memset(&h->verdict, 0xff, sizeof(h->verdict)); /* the detector must overwrite all of it */
  mbx_detector_evaluate_observed(h->detector, h->record, &h->obs, &h->verdict);
  return &h->verdict;
}

const MbxVerdict *
rh_eval(RulesHarness *h)
{
  return rh_eval_received(h, mbx_record_get_int(h->record, MBX_F_EVENT_TIME, DAY0));
}

guint
rh_learn_owners(RulesHarness *h, const gchar *const *mailboxes, gint days, gint first_hour, gint last_hour,
                const gchar *ip, gint64 items)
{
  guint n = 0;
  for (gint d = 0; d < days; d++)
    for (gint hour = first_hour; hour <= last_hour; hour++)
      for (const gchar *const *m = mailboxes; *m; m++)
        {
          rh_owner_read(h, AT(d, hour, 5), *m, ip, items);
          const MbxVerdict *v = rh_eval(h);
          cr_assert_not(v->suspicious, "learning day %d %02d:05, %s: suspicious (%s)", d, hour, *m, v->reason);
          n++;
        }
  return n;
}

const gchar *
mailbox_n(guint n)
{
  static gchar names[64][32];
  g_assert(n < G_N_ELEMENTS(names));
  if (!names[n][0])
    g_snprintf(names[n], sizeof(names[n]), "user%u@contoso.com", n);
  return names[n];
}
