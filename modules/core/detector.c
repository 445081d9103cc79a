/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The detector: the rule catalogue, its policy, and scoring.
 *
 * A record's score is the sum of the weights of the rules it fires, capped
 * at 100; it is suspicious when the score reaches the policy's alert score.
 * The checks themselves live in rules.c.  Rules that read the state (first
 * seen, volume, fan-out, searches, networks, hours) stay quiet until the
 * learning period, counted in event time from the tenant's first record,
 * is over.
 *
 * Invariants: the policy and the resolved windows are set before the
 * detector is shared and never change afterwards; evaluation writes only to
 * the caller's verdict, so any number of threads may evaluate at once.
 */
#include "mbx-detector.h"
#include "mbx-error.h"
#include "mbx-time.h"
#include "rules.h"

#include <stdarg.h>
#include <string.h>

struct _MbxDetector
{
  gint ref_cnt;
  MbxPolicy *policy;
  MbxRuleWindows windows;
};

static const gchar *rule_ids[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = "app-unapproved",
  [MBX_RULE_THROTTLED] = "throttled",
  [MBX_RULE_APP_FIRST_SEEN] = "app-first-seen",
  [MBX_RULE_VOLUME_SPIKE] = "volume-spike",
  [MBX_RULE_SYNC_UNUSUAL] = "sync-unusual",
  [MBX_RULE_FANOUT] = "fanout",
  [MBX_RULE_SEARCH_BURST] = "search-burst",
  [MBX_RULE_SEARCH_KEYWORD] = "search-keyword",
  [MBX_RULE_AGENT_SCRIPTED] = "agent-scripted",
  [MBX_RULE_LOCATION_UNTRUSTED] = "location-untrusted",
  [MBX_RULE_NONOWNER_ACCESS] = "nonowner-access",
  [MBX_RULE_GRANT_MAIL_ACCESS] = "grant-mail-access",
  [MBX_RULE_OFF_HOURS] = "off-hours",
  [MBX_RULE_GRANT_THEN_ACCESS] = "grant-then-access",
  [MBX_RULE_SIGNIN_THEN_ACCESS] = "signin-then-access",
  [MBX_RULE_TOKEN_UNMATCHED] = "token-unmatched",
  [MBX_RULE_AUDIT_TAMPER] = "audit-tamper",
};

static const gchar *rule_names[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = "Mail read by an unapproved app",
  [MBX_RULE_THROTTLED] = "Mailbox audit throttled",
  [MBX_RULE_APP_FIRST_SEEN] = "First read of a mailbox by an app",
  [MBX_RULE_VOLUME_SPIKE] = "Mail read in bulk",
  [MBX_RULE_SYNC_UNUSUAL] = "Mail folder synced by an unusual client",
  [MBX_RULE_FANOUT] = "One actor reading many mailboxes",
  [MBX_RULE_SEARCH_BURST] = "Burst of mailbox searches",
  [MBX_RULE_SEARCH_KEYWORD] = "Mailbox search for sensitive terms",
  [MBX_RULE_AGENT_SCRIPTED] = "Mailbox accessed by a scripted agent",
  [MBX_RULE_LOCATION_UNTRUSTED] = "Mailbox accessed from an untrusted network",
  [MBX_RULE_NONOWNER_ACCESS] = "Mailbox accessed by someone other than its owner",
  [MBX_RULE_GRANT_MAIL_ACCESS] = "Mail access granted",
  [MBX_RULE_OFF_HOURS] = "Mailbox accessed outside its usual hours",
  [MBX_RULE_GRANT_THEN_ACCESS] = "Mail read after a mail grant",
  [MBX_RULE_SIGNIN_THEN_ACCESS] = "Mail read after a risky sign-in",
  [MBX_RULE_TOKEN_UNMATCHED] = "Mail read with a token no sign-in issued",
  [MBX_RULE_AUDIT_TAMPER] = "Mailbox auditing tampered with",
};

static const gchar *rule_descriptions[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = "Mail items were read by an app that is not on the approved list: the client app, the app "
                              "behind app-only access or the Graph caller. Microsoft's own mail clients are trusted on "
                              "their normal paths, not when their id reads mail over Graph or EWS with a scripted agent.",
  [MBX_RULE_THROTTLED] = "Exchange throttled the audit of this mailbox's reads (IsThrottled=True): further reads go "
                         "unaudited for 24 hours, which bulk collection triggers.",
  [MBX_RULE_APP_FIRST_SEEN] = "An app read this mailbox for the first time after the learning period; stronger when the "
                              "tenant has never seen the app read mail at all.",
  [MBX_RULE_VOLUME_SPIKE] = "More mail items were read from this mailbox in the window than both an absolute floor and a "
                            "multiple of what the mailbox usually reads at this time of day (items, not records).",
  [MBX_RULE_SYNC_UNUSUAL] = "A whole folder was synced by a client other than Outlook desktop, or from a network never "
                            "seen for the mailbox: Microsoft advises to assume every item in a synced folder was taken.",
  [MBX_RULE_FANOUT] = "One app, user, address or session read many distinct mailboxes in a short window, or in a long "
                      "one for low-and-slow collection.",
  [MBX_RULE_SEARCH_BURST] = "One actor searched mailboxes many times in the window, or used Graph's search/query API.",
  [MBX_RULE_SEARCH_KEYWORD] = "A mailbox search looked for sensitive terms such as passwords, MFA codes, invoices or "
                              "wire transfers.",
  [MBX_RULE_AGENT_SCRIPTED] = "The client was a scripting tool or library rather than a mail client.",
  [MBX_RULE_LOCATION_UNTRUSTED] = "The client address is outside the trusted networks, or its network was never seen "
                                  "for the mailbox after the learning period.",
  [MBX_RULE_NONOWNER_ACCESS] = "The mailbox was accessed by an admin, a delegate or an external actor rather than its "
                               "owner; weighs more across several mailboxes or many folders.",
  [MBX_RULE_GRANT_MAIL_ACCESS] = "A grant gave mail access: Mail or EWS scopes, full_access_as_app, new app credentials, "
                                 "FullAccess or folder read rights, or an Exchange application role.",
  [MBX_RULE_OFF_HOURS] = "The mailbox was read outside the hours it is usually active.",
  [MBX_RULE_GRANT_THEN_ACCESS] = "An app or user that received a mail grant recently read mail; the first read after "
                                 "the grant weighs most.",
  [MBX_RULE_SIGNIN_THEN_ACCESS] = "The mail access joins (by token, session or user) a recent sign-in that was risky: "
                                  "a scripted agent, legacy authentication, or an untrusted location.",
  [MBX_RULE_TOKEN_UNMATCHED] = "The mail access carries a token id that no sign-in issued while the tenant's sign-in "
                               "logs are flowing: the mark of a forged or replayed token.",
  [MBX_RULE_AUDIT_TAMPER] = "Auditing was switched off, trimmed of mail reads and searches, or bypassed for an "
                            "account, for a mailbox or the whole tenant: what follows may go unseen.",
};


const gchar *
mbx_rule_id(MbxRule rule)
{
  return rule < MBX_RULE_MAX ? rule_ids[rule] : NULL;
}

const gchar *
mbx_rule_name(MbxRule rule)
{
  return rule < MBX_RULE_MAX ? rule_names[rule] : NULL;
}

const gchar *
mbx_rule_description(MbxRule rule)
{
  return rule < MBX_RULE_MAX ? rule_descriptions[rule] : NULL;
}

MbxRule
mbx_rule_by_id(const gchar *id)
{
  for (gint i = 0; i < MBX_RULE_MAX; i++)
    {
      if (g_strcmp0(rule_ids[i], id) == 0)
        return (MbxRule) i;
    }
  return MBX_RULE_MAX;
}

MbxDetector *
mbx_detector_new_with_policy(MbxPolicy *policy)
{
  MbxDetector *self = g_new0(MbxDetector, 1);
  self->ref_cnt = 1;
  self->policy = mbx_policy_ref(policy);
  return self;
}

MbxDetector *
mbx_detector_new(void)
{
  MbxPolicy *policy = mbx_policy_new();
  MbxDetector *self = mbx_detector_new_with_policy(policy);
  mbx_policy_unref(policy);
  return self;
}

MbxDetector *
mbx_detector_ref(MbxDetector *self)
{
  g_atomic_int_inc(&self->ref_cnt);
  return self;
}

void
mbx_detector_unref(MbxDetector *self)
{
  if (!self || !g_atomic_int_dec_and_test(&self->ref_cnt))
    return;
  mbx_policy_unref(self->policy);
  g_free(self);
}

const MbxPolicy *
mbx_detector_get_policy(const MbxDetector *self)
{
  return self->policy;
}

gboolean
mbx_detector_add_approved_app(MbxDetector *self, const gchar *app_id, GError **error)
{
  return mbx_policy_add_approved_app(self->policy, app_id, NULL, error);
}

gboolean
mbx_detector_is_approved_app(const MbxDetector *self, const gchar *app_id)
{
  return mbx_policy_is_approved_app(self->policy, app_id);
}

static gboolean
_bind_one(const gchar *rule, const gchar *key, gint64 length, const gint64 *window_us, guint n, guint *index,
          GError **error)
{
  for (guint w = 0; w < n; w++)
    {
      if (window_us[w] == length)
        {
          *index = w;
          return TRUE;
        }
    }
  gchar text[32];
  mbx_duration_format(length, text, sizeof(text));
  g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION,
              "policy [rule:%s] %s=%s is not one of the parser's windows()", rule, key, text);
  return FALSE;
}

gboolean
mbx_detector_bind_windows(MbxDetector *self, const gint64 *window_us, guint n, GError **error)
{
  const MbxPolicyThresholds *t = mbx_policy_thresholds(self->policy);
  MbxRuleWindows w = { 0 };

  if (!_bind_one("volume-spike", "window", t->volume_window_us, window_us, n, &w.volume, error) ||
      !_bind_one("fanout", "short-window", t->fanout_short_window_us, window_us, n, &w.fanout_short, error) ||
      !_bind_one("fanout", "long-window", t->fanout_long_window_us, window_us, n, &w.fanout_long, error) ||
      !_bind_one("search-burst", "window", t->search_window_us, window_us, n, &w.search, error))
    return FALSE;
  w.bound = TRUE;
  self->windows = w;
  return TRUE;
}

gboolean
mbx_detector_geo_lookup(const MbxDetector *self, const MbxRecord *record, MbxGeoInfo *info)
{
  const MbxGeo *geo = mbx_policy_geo(self->policy);
  const gchar *ip = mbx_record_get_string(record, MBX_F_CLIENT_IP, NULL);
  memset(info, 0, sizeof(*info));
  if (!geo || !ip || !mbx_geo_lookup(geo, ip, info))
    return FALSE;
  /* Microsoft's own network carries Graph and REST calls: its address says where the service is, not the user */
  if (info->asn == 8075)
    {
      memset(info, 0, sizeof(*info));
      return FALSE;
    }
  /* a trusted egress (office, VPN) is the organization's location, not the user's: no travel from or to it */
  if (mbx_policy_is_trusted_addr(self->policy, mbx_record_get_client_addr(record)))
    info->has_location = FALSE;
  return TRUE;
}

gboolean
mbx_detector_is_trusted(const MbxDetector *self, const MbxRecord *record)
{
  const gchar *actor = mbx_record_get_string(record, MBX_F_ACTOR, NULL);
  return mbx_policy_is_approved_app_guid(self->policy, mbx_record_get_app_guid(record)) ||
         (actor && mbx_policy_is_approved_account(self->policy, actor));
}

guint
mbx_detector_observe_flags(const MbxDetector *self, const MbxRecord *record)
{
  guint flags = mbx_detector_is_trusted(self, record) ? MBX_OBSERVE_TRUSTED : 0;
  /* the policy decides what is scripted (its patterns, its approved agents), here and in the rules alike */
  if (mbx_record_get_kind(record) == MBX_KIND_SIGNIN &&
      mbx_policy_is_scripted_agent(self->policy, mbx_record_get_string(record, MBX_F_CLIENT_INFO, NULL), NULL))
    flags |= MBX_OBSERVE_SCRIPTED;
  return flags;
}

/*
 * The reason joins clauses as "<rule-id>: ...; <rule-id>: ...", and the
 * alert formats split it back per rule (mbx_alert_rule_reason).  A clause
 * quotes record text (search strings, agents), so it could hold
 * "; fanout: ..." and forge or cut a clause: such a "; " becomes ", ".
 */
static void
_keep_clause_whole(gchar *clause)
{
  for (gchar *p = strstr(clause, "; "); p; p = strstr(p + 1, "; "))
    {
      for (gint r = 0; r < MBX_RULE_MAX; r++)
        {
          gsize n = strlen(rule_ids[r]);
          if (strncmp(p + 2, rule_ids[r], n) == 0 && p[2 + n] == ':')
            {
              *p = ',';
              break;
            }
        }
    }
}

void
mbx_rule_fire(const MbxRuleContext *ctx, MbxVerdict *verdict, MbxRule rule, gint extra_weight, const gchar *format,
              ...)
{
  const MbxRuleSettings *settings = mbx_policy_rule(ctx->policy, rule);
  gchar clause[256];
  va_list args;

  if (!settings->enabled || (verdict->rules & (1u << rule)))
    return;
  va_start(args, format);
  g_vsnprintf(clause, sizeof(clause), format, args);
  va_end(args);
  _keep_clause_whole(clause);

  verdict->rules |= 1u << rule;
  verdict->score = MIN(100, verdict->score + settings->weight + extra_weight);
  if (verdict->reason[0])
    g_strlcat(verdict->reason, "; ", sizeof(verdict->reason));
  g_strlcat(verdict->reason, rule_ids[rule], sizeof(verdict->reason));
  g_strlcat(verdict->reason, ": ", sizeof(verdict->reason));
  g_strlcat(verdict->reason, clause, sizeof(verdict->reason));
}

void
mbx_detector_evaluate_observed(const MbxDetector *self, const MbxRecord *record, const MbxObservation *observation,
                               MbxVerdict *verdict)
{
  const MbxPolicyThresholds *t = mbx_policy_thresholds(self->policy);
  MbxRuleContext ctx = {
    .policy = self->policy,
    .windows = &self->windows,
    .record = record,
    .obs = self->windows.bound ? observation : NULL,
    .kind = mbx_record_get_kind(record),
    /* the adapter asked already, to tell the state: the answer travels with the observation */
    .trusted = observation && observation->trust_known ? observation->trusted : mbx_detector_is_trusted(self, record),
  };

  memset(verdict, 0, sizeof(*verdict));
  if (ctx.obs)
    ctx.learned = !ctx.obs->late && ctx.obs->event_time >= ctx.obs->tenant_first_seen + t->learning_us;
  mbx_rules_check_all(&ctx, verdict);
  if (ctx.obs && ctx.obs->blind_spot != MBX_BLIND_NONE && ctx.obs->blind_since < ctx.obs->event_time && verdict->rules)
    {
      /* what fires inside a blind spot is all the audit shows of it: it weighs more */
      verdict->score = MIN(100, verdict->score + t->blind_spot_bonus);
      g_strlcat(verdict->reason, "; in a blind-spot window: ", sizeof(verdict->reason));
      g_strlcat(verdict->reason, mbx_blind_spot_name(ctx.obs->blind_spot), sizeof(verdict->reason));
    }
  verdict->suspicious = verdict->rules != 0 && verdict->score >= t->alert_score;
}

void
mbx_detector_evaluate(const MbxDetector *self, const MbxRecord *record, MbxVerdict *verdict)
{
  mbx_detector_evaluate_observed(self, record, NULL, verdict);
}
