/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The rule checks of the AN0132 catalogue, one function per rule.
 *
 * Each check reads the record, the policy and (for the rules that count)
 * what the state observed, and fires at most once with a reason that carries
 * its numbers.  Checks never change anything but the verdict.  Rules that
 * learn (first-seen, baselines, new networks, usual hours) stay quiet until
 * the learning period is over; rules with a public anchor's threshold fire
 * from the first record.
 */
#include "rules.h"
#include "mbx-access-path.h"
#include "mbx-time.h"
#include "mbx-facts.h"
#include "mbx-guid.h"

#include <string.h>

/* Microsoft's own mail clients, trusted on their normal access paths */
static const gchar *first_party_mail_apps[] = {
  "d3590ed6-52b3-4102-aeff-aad2292ab01c", /* Microsoft Office / Outlook desktop */
  "00000002-0000-0ff1-ce00-000000000000", /* Exchange Online (OWA, MAPI) */
  "27922004-5251-4030-b22d-91ecd9a37ea4", /* Outlook mobile */
  "5d661950-3475-41cd-a2c3-d671a3162bc1", /* Outlook (new, Windows) */
  "13937bba-652e-4c46-b222-3003f4d1ff97", /* Outlook REST (new Outlook) */
  "9199bf20-a13f-4107-85dc-02114787ef48", /* One Outlook Web */
};

gboolean
mbx_rules_is_first_party_mail_guid(const MbxGuid *app_id)
{
  /* asked for every mail read: the list parsed once, compared as bytes */
  static MbxGuid ids[G_N_ELEMENTS(first_party_mail_apps)];
  static gsize ready;
  if (g_once_init_enter(&ready))
    {
      for (gsize i = 0; i < G_N_ELEMENTS(first_party_mail_apps); i++)
        {
          gboolean ok = mbx_guid_parse(first_party_mail_apps[i], &ids[i]);
          g_assert(ok);
        }
      g_once_init_leave(&ready, 1);
    }
  if (!app_id)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(ids); i++)
    {
      if (mbx_guid_equal(&ids[i], app_id))
        return TRUE;
    }
  return FALSE;
}

static const gchar *
_str(const MbxRuleContext *ctx, MbxField field)
{
  return mbx_record_get_string(ctx->record, field, NULL);
}

static const gchar *
_or(const gchar *value, const gchar *fallback)
{
  return value ? value : fallback;
}

static gboolean
_path_is(const MbxRuleContext *ctx, MbxAccessPath path)
{
  return mbx_access_path_from_name(_str(ctx, MBX_F_ACCESS_PATH)) == path;
}

/* paths on which Microsoft's own clients read mail without an app of ours in between */
static gboolean
_on_client_path(const MbxRuleContext *ctx)
{
  switch (mbx_access_path_from_name(_str(ctx, MBX_F_ACCESS_PATH)))
    {
    case MBX_PATH_OUTLOOK_DESKTOP:
    case MBX_PATH_OWA:
    case MBX_PATH_OUTLOOK_MOBILE:
    case MBX_PATH_ACTIVESYNC:
    case MBX_PATH_IMAP_POP:
    case MBX_PATH_REST:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
_scripted(const MbxRuleContext *ctx, const gchar **pattern)
{
  return mbx_policy_is_scripted_agent(ctx->policy, _str(ctx, MBX_F_CLIENT_INFO), pattern);
}

/* a first-party mail client on its own path, not a script borrowing its id */
static gboolean
_first_party_on_its_path(const MbxRuleContext *ctx)
{
  if (!mbx_rules_is_first_party_mail_guid(mbx_record_get_app_guid(ctx->record)))
    return FALSE;
  gboolean api_path = _path_is(ctx, MBX_PATH_GRAPH) || _path_is(ctx, MBX_PATH_EWS);
  /* Outlook's id over Graph or EWS from a VPS or cloud network is a tool borrowing it (GraphRunner) */
  gboolean hosting = ctx->obs && ctx->obs->has_geo && ctx->obs->geo.is_hosting;
  return !(api_path && (_scripted(ctx, NULL) || hosting));
}

/* 1. app-unapproved */
static void
_app_unapproved(const MbxRuleContext *ctx, MbxVerdict *v)
{
  if (ctx->kind != MBX_KIND_MAIL_ACCESS)
    return;
  const gchar *app = _str(ctx, MBX_F_APP_ID);
  const gchar *mailbox = _or(_str(ctx, MBX_F_MAILBOX), "a mailbox");
  if (!app)
    {
      /* Outlook desktop over MAPI, OWA, mobile and legacy protocols often carry no app id */
      if (!_on_client_path(ctx))
        mbx_rule_fire(ctx, v, MBX_RULE_APP_UNAPPROVED, 0, "mail of %s read by an unidentified app", mailbox);
      return;
    }
  const MbxGuid *app_guid = mbx_record_get_app_guid(ctx->record);
  if (mbx_policy_is_approved_app_guid(ctx->policy, app_guid))
    return;
  if (mbx_rules_is_first_party_mail_guid(app_guid))
    {
      if (!_first_party_on_its_path(ctx))
        mbx_rule_fire(ctx, v, MBX_RULE_APP_UNAPPROVED, 0,
                      "first-party app %s read mail of %s over %s with a scripted agent", app, mailbox,
                      _or(_str(ctx, MBX_F_ACCESS_PATH), "?"));
      return;
    }
  mbx_rule_fire(ctx, v, MBX_RULE_APP_UNAPPROVED, 0, "app %s read mail of %s and is not on the approved list", app,
                mailbox);
}

/* 2. app-first-seen */
static void
_app_first_seen(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  /*
   * The state remembers a (mailbox, app) pair from any mailbox record, so an
   * app whose first contact is a search ($search returns the messages) fires
   * there, and the tenant's first read by an app fires even when that app
   * touched the mailbox before by other means.
   */
  gboolean read = ctx->kind == MBX_KIND_MAIL_ACCESS;
  if (!o || !ctx->learned || !(read || ctx->kind == MBX_KIND_MAIL_SEARCH) || !o->has_app || ctx->trusted ||
      !(o->pair_new || (read && o->app_new_in_tenant)))
    return;
  const gchar *app = _str(ctx, MBX_F_APP_ID);
  if (_first_party_on_its_path(ctx))
    return;
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  mbx_rule_fire(ctx, v, MBX_RULE_APP_FIRST_SEEN, o->app_new_in_tenant ? t->first_seen_tenant_bonus : 0,
                "first read of %s by app %s%s", _or(_str(ctx, MBX_F_MAILBOX), "?"), app,
                o->app_new_in_tenant ? ", an app the tenant never saw read mail" : "");
}

/* 3. volume-spike */
static void
_volume_spike(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  if (!o || !o->has_mailbox || ctx->kind != MBX_KIND_MAIL_ACCESS || ctx->trusted)
    return;
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  guint w = ctx->windows->volume;
  gdouble window_hours = MAX(1.0, (gdouble) t->volume_window_us / G_TIME_SPAN_HOUR);
  /* the baseline is per hour of day: scale it to the window; unlearned mailboxes only meet the floor */
  gdouble expected = o->baseline_days > 0 ? o->baseline_mean * window_hours : 0.0;
  gdouble threshold = MAX((gdouble) t->volume_min_items, t->volume_multiple * expected);
  guint items = o->mailbox[w].items;
  /* this record must be part of the bulk, not a small read that happens to follow it */
  gint64 own = MAX(mbx_record_get_int(ctx->record, MBX_F_OPERATION_COUNT, 0),
                   mbx_record_get_int(ctx->record, MBX_F_ITEM_COUNT, 0));
  if (items < threshold || own < MAX(10.0, threshold / 20.0))
    return;
  gchar window[16];
  mbx_duration_format(t->volume_window_us, window, sizeof(window));
  mbx_rule_fire(ctx, v, MBX_RULE_VOLUME_SPIKE, 0, "%u items of %s read in %s (threshold %.0f; usual %.1f)", items,
                _or(_str(ctx, MBX_F_MAILBOX), "?"), window, threshold, expected);
}

/* 4. sync-unusual */
static void
_sync_unusual(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const gchar *type = _str(ctx, MBX_F_MAIL_ACCESS_TYPE);
  /* an approved backup syncing every folder is what it was approved for */
  if (ctx->kind != MBX_KIND_MAIL_ACCESS || !type || g_ascii_strcasecmp(type, "Sync") != 0 || ctx->trusted)
    return;
  gint64 folders = mbx_record_get_int(ctx->record, MBX_F_FOLDER_COUNT, 1);
  if (!_path_is(ctx, MBX_PATH_OUTLOOK_DESKTOP))
    mbx_rule_fire(ctx, v, MBX_RULE_SYNC_UNUSUAL, 0, "%" G_GINT64_FORMAT " folder(s) of %s synced over %s, not Outlook desktop",
                  folders, _or(_str(ctx, MBX_F_MAILBOX), "?"), _or(_str(ctx, MBX_F_ACCESS_PATH), "an unknown path"));
  else if (ctx->obs && ctx->learned && ctx->obs->network_new &&
           !mbx_policy_is_trusted_addr(ctx->policy, mbx_record_get_client_addr(ctx->record)))
    /* Outlook itself on a new network: a tenth of the weight, evidence more than alarm (location-untrusted
       already counts the network, and a traveller's laptop syncs from every hotel) */
    mbx_rule_fire(ctx, v, MBX_RULE_SYNC_UNUSUAL, -mbx_policy_rule(ctx->policy, MBX_RULE_SYNC_UNUSUAL)->weight * 9 / 10,
                  "%" G_GINT64_FORMAT " folder(s) of %s synced by Outlook from %s, a network never seen for it", folders,
                  _or(_str(ctx, MBX_F_MAILBOX), "?"), _or(_str(ctx, MBX_F_CLIENT_IP), "?"));
}

/* 5. throttled */
static void
_throttled(const MbxRuleContext *ctx, MbxVerdict *v)
{
  if (mbx_record_get_int(ctx->record, MBX_F_THROTTLED, 0) == 1)
    mbx_rule_fire(ctx, v, MBX_RULE_THROTTLED, 0, "IsThrottled=True on %s: its reads go unaudited for 24 hours",
                  _or(_str(ctx, MBX_F_MAILBOX), "a mailbox"));
}

/*
 * The actors whose counts mean something for this record: not an app that
 * every user of the tenant runs (a first-party client: its count is the
 * whole tenant's), not an office address of the trusted networks (many
 * users behind one NAT).
 */
static gboolean
_actor_counts(const MbxRuleContext *ctx, MbxActorRef ref)
{
  if (ref == MBX_ACTOR_REF_APP)
    {
      return _str(ctx, MBX_F_APP_ID) && !mbx_rules_is_first_party_mail_guid(mbx_record_get_app_guid(ctx->record));
    }
  if (ref == MBX_ACTOR_REF_IP)
    return !mbx_policy_is_trusted_addr(ctx->policy, mbx_record_get_client_addr(ctx->record));
  return TRUE;
}

static const gchar *actor_ref_names[MBX_ACTOR_REF_MAX] = { "app", "user", "address", "session" };
static const MbxField actor_ref_fields[MBX_ACTOR_REF_MAX] = { MBX_F_APP_ID, MBX_F_ACTOR, MBX_F_CLIENT_IP,
                                                              MBX_F_SESSION_ID };

/* the counting actor with the highest count in window @w of @counts; MBX_ACTOR_REF_MAX when none */
static MbxActorRef
_top_actor(const MbxRuleContext *ctx, const guint counts[MBX_ACTOR_REF_MAX][MBX_MAX_WINDOWS], guint w, guint *n)
{
  MbxActorRef top = MBX_ACTOR_REF_MAX;
  *n = 0;
  for (gint ref = 0; ref < MBX_ACTOR_REF_MAX; ref++)
    {
      if (_actor_counts(ctx, ref) && counts[ref][w] > *n)
        {
          *n = counts[ref][w];
          top = ref;
        }
    }
  return top;
}

/* 6. fanout */
static void
_fanout(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  if (!o || !o->has_mailbox || ctx->trusted || mbx_record_get_actor_kind(ctx->record) == MBX_ACTOR_OWNER)
    return;
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  struct
  {
    guint w;
    gint64 length;
    gint max;
  } checks[] = {
    { ctx->windows->fanout_short, t->fanout_short_window_us, t->fanout_short_mailboxes },
    { ctx->windows->fanout_long, t->fanout_long_window_us, t->fanout_long_mailboxes },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(checks); i++)
    {
      guint n;
      MbxActorRef top = _top_actor(ctx, o->actor_mailboxes_of, checks[i].w, &n);
      if (top == MBX_ACTOR_REF_MAX || n <= (guint) checks[i].max)
        continue;
      gchar window[16];
      mbx_duration_format(checks[i].length, window, sizeof(window));
      mbx_rule_fire(ctx, v, MBX_RULE_FANOUT, 0, "%s %s touched %u mailboxes in %s (more than %d)",
                    actor_ref_names[top], _or(_str(ctx, actor_ref_fields[top]), "?"), n, window, checks[i].max);
      return;
    }
}

/* 7. search-burst */
static void
_search_burst(const MbxRuleContext *ctx, MbxVerdict *v)
{
  if (ctx->kind != MBX_KIND_MAIL_SEARCH)
    return;
  const gchar *uri = _str(ctx, MBX_F_REQUEST_URI);
  const gchar *app = _str(ctx, MBX_F_APP_ID);
  /*
   * Google SecOps alerts on any POST /search/query: a mailbox-wide search API
   * scripts use.  Microsoft's mail clients search through their own service,
   * not this API, so their ids calling it are no exception.
   */
  if (uri && strstr(uri, "/search/query") && !ctx->trusted)
    {
      mbx_rule_fire(ctx, v, MBX_RULE_SEARCH_BURST, 0, "Graph search/query called by app %s", _or(app, "?"));
      return;
    }
  if (!ctx->obs || ctx->trusted)
    return;
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  guint n;
  MbxActorRef top = _top_actor(ctx, ctx->obs->actor_searches_of, ctx->windows->search, &n);
  if (top != MBX_ACTOR_REF_MAX && n > (guint) t->search_max)
    {
      gchar window[16];
      mbx_duration_format(t->search_window_us, window, sizeof(window));
      mbx_rule_fire(ctx, v, MBX_RULE_SEARCH_BURST, 0, "%s %s searched %u times in %s (more than %d)",
                    actor_ref_names[top], _or(_str(ctx, actor_ref_fields[top]), "?"), n, window, t->search_max);
    }
}

/* 8. search-keyword */
static void
_search_keyword(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const gchar *term = NULL;
  if (ctx->kind != MBX_KIND_MAIL_SEARCH)
    return;
  if (mbx_policy_find_sensitive_term(ctx->policy, _str(ctx, MBX_F_SEARCH_TEXT), &term))
    mbx_rule_fire(ctx, v, MBX_RULE_SEARCH_KEYWORD, 0, "search of %s for \"%s\" matches the sensitive term \"%s\"",
                  _or(_str(ctx, MBX_F_MAILBOX), "mail"), _str(ctx, MBX_F_SEARCH_TEXT), term);
}

/* 9. agent-scripted */
static void
_agent_scripted(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const gchar *pattern = NULL;
  if (!(mbx_kind_is_mailbox(ctx->kind) || ctx->kind == MBX_KIND_SIGNIN) || ctx->trusted)
    return;
  if (_scripted(ctx, &pattern))
    mbx_rule_fire(ctx, v, MBX_RULE_AGENT_SCRIPTED, 0, "client \"%s\" is a scripted agent (%s)",
                  _str(ctx, MBX_F_CLIENT_INFO), pattern);
}

/* 10. location-untrusted */
static void
_location_untrusted(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  const gchar *ip = _str(ctx, MBX_F_CLIENT_IP);
  if (!mbx_kind_is_mailbox(ctx->kind) || !ip || ctx->trusted || !o)
    return;
  gboolean trusted_ip = mbx_policy_is_trusted_addr(ctx->policy, mbx_record_get_client_addr(ctx->record));
  if (trusted_ip)
    return;

  /* geography first: each finding adds its weight to the rule's own */
  gint extra = 0;
  GString *why = g_string_new(NULL);
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  if (o->has_geo)
    {
      if (mbx_policy_country_disallowed(ctx->policy, o->geo.country))
        {
          extra += 30;
          g_string_append_printf(why, ", country %s not allowed", o->geo.country);
        }
      /* apps run in clouds; a person reading mail from a VPS or cloud network is not */
      if (o->geo.is_hosting && mbx_record_get_actor_kind(ctx->record) != MBX_ACTOR_APP_ONLY)
        {
          extra += 30;
          g_string_append_printf(why, ", hosting network AS%u %s", o->geo.asn, o->geo.as_org);
        }
      /* a traveller's first trip is a new country too: it needs other evidence to alert */
      if (ctx->learned && o->country_new)
        {
          extra += 10;
          g_string_append_printf(why, ", country %s never seen for the mailbox", o->geo.country);
        }
      if (o->has_prev_location && mbx_geo_has_coordinates(mbx_policy_geo(ctx->policy)))
        {
          gdouble km = mbx_geo_info_distance_km(&o->prev_location, &o->geo);
          gint64 seconds = (o->event_time - o->prev_location_time) / G_USEC_PER_SEC;
          if (km >= 0 && mbx_geo_travel_impossible(km, seconds, t->max_travel_kmh))
            {
              extra += 40;
              g_string_append_printf(why, ", impossible travel: %.0f km from %s in %" G_GINT64_FORMAT " min", km,
                                     o->prev_location.country[0] ? o->prev_location.country : "?", seconds / 60);
            }
        }
    }
  gboolean new_network = ctx->learned && o->network_new;
  if (extra == 0 && !new_network)
    {
      g_string_free(why, TRUE);
      return;
    }
  mbx_rule_fire(ctx, v, MBX_RULE_LOCATION_UNTRUSTED, extra, "%s accessed from %s%s%s%s",
                _or(_str(ctx, MBX_F_MAILBOX), "mailbox"), ip, o->has_geo && o->geo.country[0] ? " in " : "",
                o->has_geo ? o->geo.country : "", new_network ? ", a network never seen for it" : "");
  /* the findings go into the reason right after the rule's own clause (the rules run in a fixed order) */
  if (why->len && mbx_verdict_fired(v, MBX_RULE_LOCATION_UNTRUSTED))
    g_strlcat(v->reason, why->str, sizeof(v->reason));
  g_string_free(why, TRUE);
}

/* 11. nonowner-access */
static void
_nonowner_access(const MbxRuleContext *ctx, MbxVerdict *v)
{
  static const gchar *logon_names[] = { "owner", "admin", "delegate", "transport", "system service", "best access",
                                        "delegated admin" };
  if (!mbx_kind_is_mailbox(ctx->kind) || ctx->trusted)
    return;
  MbxActorKind actor = mbx_record_get_actor_kind(ctx->record);
  if (actor == MBX_ACTOR_SYSTEM || actor == MBX_ACTOR_APP_ONLY || actor == MBX_ACTOR_OWNER)
    return;
  gint64 logon = mbx_record_get_int(ctx->record, MBX_F_LOGON_TYPE, -1);
  gboolean external = mbx_record_get_int(ctx->record, MBX_F_EXTERNAL_ACCESS, 0) == 1;
  gboolean nonowner = logon == 1 || logon == 2 || logon == 6 || external || actor == MBX_ACTOR_DELEGATE ||
                      actor == MBX_ACTOR_ADMIN;
  if (!nonowner)
    return;
  /* a delegation already in use during the learning period is the tenant's normal (a shared mailbox, an assistant) */
  const MbxPolicyThresholds *th = mbx_policy_thresholds(ctx->policy);
  if (ctx->learned && ctx->obs->has_delegate &&
      ctx->obs->delegate_first_seen < ctx->obs->tenant_first_seen + th->learning_us)
    return;

  /* Sentinel's threshold: more than one user's mailbox, or more than five folders */
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  gint64 folders = mbx_record_get_int(ctx->record, MBX_F_FOLDER_COUNT, 0);
  /* the user's own count: an app or an address is shared by many users */
  guint mailboxes = ctx->obs ? ctx->obs->actor_mailboxes_of[MBX_ACTOR_REF_USER][ctx->windows->fanout_long] : 0;
  gboolean wide = folders > t->nonowner_folders || mailboxes > (guint) t->nonowner_mailboxes;
  /* after learning, a delegation that began after it is new: rarer than any in use, so it counts double too */
  gboolean new_delegation = ctx->learned && ctx->obs->has_delegate;
  gint extra = wide || new_delegation ? MAX(0, mbx_policy_rule(ctx->policy, MBX_RULE_NONOWNER_ACCESS)->weight) : 0;
  mbx_rule_fire(ctx, v, MBX_RULE_NONOWNER_ACCESS, extra, "%s accessed %s as %s%s%s (%u mailbox(es), %" G_GINT64_FORMAT " folder(s))",
                _or(_str(ctx, MBX_F_ACTOR), "someone"), _or(_str(ctx, MBX_F_MAILBOX), "a mailbox"),
                external ? "an external actor" : (logon >= 0 && logon < 7 ? logon_names[logon] : "non-owner"),
                wide ? ", widely" : "", new_delegation ? ", a delegation new since the learning period" : "",
                mailboxes, folders);
}

/* 12. grant-mail-access */
static const gchar *
_param(const MbxRuleContext *ctx, const gchar *name, gchar *buf, gsize size)
{
  return mbx_facts_param(ctx->record, name, buf, size);
}


/*
 * Mailbox and folder permissions for a person are routine admin work (shared
 * mailboxes, assistants); grants to apps are not.  A person's grant weighs
 * 20 less, so it alerts with other evidence (a later read by the new
 * delegate, the correlation rules) rather than alone.
 */
static gint
_person_grant_discount(const MbxRuleContext *ctx)
{
  return MIN(20, mbx_policy_rule(ctx->policy, MBX_RULE_GRANT_MAIL_ACCESS)->weight);
}

static void
_grant_mail_access(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  const gchar *op = _or(_str(ctx, MBX_F_OPERATION), "");
  gchar a[256], b[256], c[256];

  if (ctx->kind == MBX_KIND_GRANT)
    {
      const gchar *target = _str(ctx, MBX_F_TARGET_APP);
      if (target && mbx_policy_is_approved_app(ctx->policy, target))
        return;
      gboolean wide = mbx_record_get_int(ctx->record, MBX_F_TENANT_WIDE, 0) == 1;
      const gchar *scopes = _str(ctx, MBX_F_SCOPES);
      if (mbx_facts_mail_scopes(scopes))
        mbx_rule_fire(ctx, v, MBX_RULE_GRANT_MAIL_ACCESS, wide ? t->grant_tenantwide_bonus : 0,
                      "%s gave app %s mail access (%s)%s", op, _or(target, "?"), scopes,
                      wide ? " for every user" : "");
      else if (g_str_has_prefix(op, "Add service principal credentials"))
        mbx_rule_fire(ctx, v, MBX_RULE_GRANT_MAIL_ACCESS, 0, "new credentials added to app %s", _or(target, "?"));
      return;
    }
  /* which cmdlets grant mail is decided in one place, with the state's grant memory (facts.c) */
  MbxGrantFact grant;
  if (ctx->kind != MBX_KIND_ADMIN || !mbx_facts_grant(ctx->record, &grant))
    return;
  if (g_ascii_strcasecmp(op, "Add-MailboxPermission") == 0)
    mbx_rule_fire(ctx, v, MBX_RULE_GRANT_MAIL_ACCESS, -_person_grant_discount(ctx), "FullAccess on %s given to %s by %s",
                  _or(_param(ctx, "Identity", b, sizeof(b)), "?"), _or(_param(ctx, "User", c, sizeof(c)), "?"),
                  _or(_str(ctx, MBX_F_ACTOR), "?"));
  else if (g_ascii_strcasecmp(op, "New-ManagementRoleAssignment") == 0)
    mbx_rule_fire(ctx, v, MBX_RULE_GRANT_MAIL_ACCESS, 0, "Exchange role %s assigned to %s",
                  _or(_param(ctx, "Role", a, sizeof(a)), "?"),
                  _or(_param(ctx, "App", b, sizeof(b)), _or(_param(ctx, "User", c, sizeof(c)), "?")));
  else
    mbx_rule_fire(ctx, v, MBX_RULE_GRANT_MAIL_ACCESS, -_person_grant_discount(ctx), "%s read rights on %s given to %s",
                  _or(_param(ctx, "AccessRights", a, sizeof(a)), "?"), _or(_param(ctx, "Identity", b, sizeof(b)), "?"),
                  _or(_param(ctx, "User", c, sizeof(c)), "?"));
}

/* 13. off-hours */
static void
_off_hours(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  if (!o || !ctx->learned || !o->has_mailbox || ctx->kind != MBX_KIND_MAIL_ACCESS || ctx->trusted ||
      o->active_hours == 0)
    return;
  guint hour = (guint) ((o->event_time / G_TIME_SPAN_HOUR) % 24);
  if (!(o->active_hours & (1u << hour)))
    mbx_rule_fire(ctx, v, MBX_RULE_OFF_HOURS, 0, "%s read at %02u:00 UTC, outside its usual hours",
                  _or(_str(ctx, MBX_F_MAILBOX), "mailbox"), hour);
}

static gboolean
_mail_read(MbxKind kind)
{
  return kind == MBX_KIND_MAIL_ACCESS || kind == MBX_KIND_MAIL_SEARCH;
}

static void
_time_ago(gint64 us, gchar *buf, gsize size)
{
  if (us < G_TIME_SPAN_HOUR)
    g_snprintf(buf, size, "%" G_GINT64_FORMAT " min", MAX(us, 0) / G_TIME_SPAN_MINUTE);
  else if (us < 2 * G_TIME_SPAN_DAY)
    g_snprintf(buf, size, "%.1f h", (gdouble) us / G_TIME_SPAN_HOUR);
  else
    g_snprintf(buf, size, "%.1f days", (gdouble) us / G_TIME_SPAN_DAY);
}

/* 14. grant-then-access: no public anchor joins the grant to the reads it enabled */
static void
_grant_then_access(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  if (!o || !o->has_grant || !_mail_read(ctx->kind) || ctx->trusted)
    return;
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  gint64 since = o->event_time - o->grant_time;
  /* the grant may arrive a little after the first read (delivery order): within the lateness it still joins */
  if (since > t->grant_window_us || since < -2 * G_TIME_SPAN_HOUR)
    return;
  gchar ago[32];
  _time_ago(since, ago, sizeof(ago));
  gboolean first = o->has_app && o->pair_new;
  /* a delegate reading after a FullAccess grant is how shared mailboxes work: a person's grant weighs less */
  gboolean person = mbx_record_get_actor_kind(ctx->record) != MBX_ACTOR_APP_ONLY && !first;
  mbx_rule_fire(ctx, v, MBX_RULE_GRANT_THEN_ACCESS,
                first ? t->grant_first_read_bonus : (person ? -_person_grant_discount(ctx) : 0),
                "%s read %s %s after the grant %s (%s)%s", _or(_str(ctx, MBX_F_APP_ID), _or(_str(ctx, MBX_F_ACTOR), "?")),
                _or(_str(ctx, MBX_F_MAILBOX), "mail"), ago, o->grant_id, o->grant_operation,
                first ? ", its first read of this mailbox" : "");
}

/* 15. signin-then-access */
static void
_signin_then_access(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  if (!o || !_mail_read(ctx->kind) || ctx->trusted || o->signin_join == MBX_SIGNIN_JOIN_NONE ||
      o->signin_join == MBX_SIGNIN_JOIN_UNMATCHED)
    return;
  const MbxPolicyThresholds *t = mbx_policy_thresholds(ctx->policy);
  gint64 since = o->event_time - o->signin_time;
  if (since > t->signin_window_us || since < -2 * G_TIME_SPAN_HOUR)
    return;
  const gchar *why = NULL;
  if (o->signin_flags & MBX_SIGNIN_SCRIPTED)
    why = "a scripted agent";
  else if (o->signin_flags & MBX_SIGNIN_LEGACY)
    why = "legacy authentication";
  else if (mbx_policy_geo(ctx->policy) && o->signin_ip[0])
    {
      MbxGeoInfo at;
      if (mbx_geo_lookup(mbx_policy_geo(ctx->policy), o->signin_ip, &at))
        {
          if (at.is_hosting)
            why = "a hosting network";
          else if (mbx_policy_country_disallowed(ctx->policy, at.country))
            why = "a country not allowed";
        }
    }
  if (!why)
    return;
  gchar ago[32];
  _time_ago(since, ago, sizeof(ago));
  mbx_rule_fire(ctx, v, MBX_RULE_SIGNIN_THEN_ACCESS, 0, "%s read %s after sign-in %s from %s (%s, joined by %s, %s before)",
                _or(_str(ctx, MBX_F_ACTOR), "?"), _or(_str(ctx, MBX_F_MAILBOX), "mail"), o->signin_id,
                o->signin_ip[0] ? o->signin_ip : "?", why, mbx_signin_join_name(o->signin_join), ago);
}

/* 16. token-unmatched */
static void
_token_unmatched(const MbxRuleContext *ctx, MbxVerdict *v)
{
  const MbxObservation *o = ctx->obs;
  /*
   * Sign-ins from before the feed started would be missing: only after learning.  And only once the sign-in logs
   * reach past this record's time (the audit log usually lags the sign-in log): a sign-in that issued the token
   * would have arrived by then.
   */
  if (!o || !ctx->learned || !_mail_read(ctx->kind) || ctx->trusted || o->signin_join != MBX_SIGNIN_JOIN_UNMATCHED ||
      !o->signins_caught_up)
    return;
  mbx_rule_fire(ctx, v, MBX_RULE_TOKEN_UNMATCHED, 0, "%s read with token %s, which no sign-in issued",
                _or(_str(ctx, MBX_F_MAILBOX), "mail"), _or(_str(ctx, MBX_F_TOKEN_ID), "?"));
}

/* 17. audit-tamper */
static void
_audit_tamper(const MbxRuleContext *ctx, MbxVerdict *v)
{
  static const gchar *what[MBX_TAMPER_MAX] = {
    [MBX_TAMPER_MAILBOX_AUDIT_OFF] = "auditing of mailbox %s switched off",
    [MBX_TAMPER_AUDIT_TRIMMED] = "mail reads or searches removed from the audit of %s",
    [MBX_TAMPER_BYPASS_ON] = "audit bypass set for %s: its access to every mailbox goes unlogged",
    [MBX_TAMPER_TENANT_OFF] = "the tenant's audit switched off%s",
  };
  MbxTamperFact fact;
  MbxTamper kind = mbx_facts_tamper(ctx->record, &fact);
  if (kind >= MBX_TAMPER_MAX || !what[kind])
    return;
  gchar clause[300];
  g_snprintf(clause, sizeof(clause), what[kind], kind == MBX_TAMPER_TENANT_OFF ? "" : fact.target);
  mbx_rule_fire(ctx, v, MBX_RULE_AUDIT_TAMPER, 0, "%s by %s (%s)", clause, _or(_str(ctx, MBX_F_ACTOR), "?"),
                _or(_str(ctx, MBX_F_OPERATION), "?"));
}

void
mbx_rules_check_all(const MbxRuleContext *ctx, MbxVerdict *verdict)
{
  _app_unapproved(ctx, verdict);
  _throttled(ctx, verdict);
  _app_first_seen(ctx, verdict);
  _volume_spike(ctx, verdict);
  _sync_unusual(ctx, verdict);
  _fanout(ctx, verdict);
  _search_burst(ctx, verdict);
  _search_keyword(ctx, verdict);
  _agent_scripted(ctx, verdict);
  _location_untrusted(ctx, verdict);
  _nonowner_access(ctx, verdict);
  _grant_mail_access(ctx, verdict);
  _off_hours(ctx, verdict);
  _grant_then_access(ctx, verdict);
  _signin_then_access(ctx, verdict);
  _token_unmatched(ctx, verdict);
  _audit_tamper(ctx, verdict);
}
