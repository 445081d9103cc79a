/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The policy (see mbx-policy.h): built-in defaults, the key-file loader,
 * and the matching the rules need.
 *
 * Invariants: every list is normalized at load time (app ids and accounts
 * lower-cased, agent patterns lower-cased, sensitive terms folded to lower
 * case without accents, networks parsed to bytes), so matching on the hot
 * path does no allocation but folding the record's own text; a policy is
 * never modified after it is shared.
 */
#include "mbx-policy.h"
#include "ascii.h"
#include "mbx-access-path.h"
#include "mbx-error.h"
#include "mbx-guid.h"
#include "mbx-hash.h"
#include "mbx-ip.h"
#include "mbx-time.h"

#include <arpa/inet.h>
#include <math.h>
#include <string.h>

typedef struct
{
  gint family;
  guint8 addr[16];
  guint prefix;
} Network;

struct _MbxPolicy
{
  gint ref_cnt;
  MbxRuleSettings rules[MBX_RULE_MAX];
  MbxPolicyThresholds thresholds;
  GHashTable *approved_apps;     /* lower-cased id -> name */
  GArray *approved_app_ids;      /* the same ids as 16 bytes each (MbxGuid): the per-record check reads these */
  GHashTable *approved_accounts; /* lower-cased UPN -> note */
  GArray *networks;              /* of Network */
  GPtrArray *agent_patterns;     /* lower-case substrings */
  GPtrArray *approved_agents;    /* lower-case substrings that win over the patterns */
  GPtrArray *terms;              /* folded */
  MbxGeo *geo;                   /* NULL: no [geo] database */
  GPtrArray *allowed_countries;  /* upper-case ISO codes; empty: any */

  /*
   * Answers of mbx_policy_is_scripted_agent() by agent text: a handful of
   * agents make up a tenant's traffic, and matching one against every
   * pattern cost more than the rest of the rules.  Each slot is one 64-bit
   * word, written and read atomically: the top 48 bits of the agent's keyed
   * hash (random key: nobody can make an agent take another's answer), the
   * low 16 bits 1 + the answer (0: not scripted, else the pattern index + 1);
   * 0 is an empty slot.  A lost race only costs a recomputation.
   */
  MbxHashKey agent_cache_key;
  guint64 agent_cache[1024];
};

/*
 * Default weights, with alert-score 50: a rule whose public anchor alerts
 * on one record (Elastic's IsThrottled and OperationCount >= 100, Splunk's
 * fan-out, Sentinel's and Splunk's mail grants, Google's /search/query)
 * reaches 50 alone; context rules (scripted agent, untrusted network,
 * off-hours, keywords) need company.
 */
static const gint default_weights[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = 50,
  [MBX_RULE_APP_FIRST_SEEN] = 30,
  [MBX_RULE_VOLUME_SPIKE] = 50,
  [MBX_RULE_SYNC_UNUSUAL] = 50,
  [MBX_RULE_THROTTLED] = 50,
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

/* beyond the built-in scripted-agent markers (mbx_scripted_agent_markers()): what attack tools forge or leave */
static const gchar *default_agent_patterns[] = {
  "[nouseragent]",
  /* the Windows/Edge agent GraphRunner and TokenTactics forge by default (Google SecOps' GraphRunner rule); their
     other forged agents are real browsers' strings, which a substring list would match on real users */
  "mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) chrome/70.0.3538.102 "
  "safari/537.36 edge/18.19042",
};

/* what mail collection searches for (public incident reports, BEC playbooks) */
static const gchar *default_terms[] = {
  "password",
  "passwort",
  "mot de passe",
  "contraseña",
  "credential",
  "login",
  "mfa",
  "2fa",
  "one-time code",
  "verification code",
  "vpn",
  "invoice",
  "facture",
  "rechnung",
  "wire transfer",
  "bank details",
  "iban",
  "swift",
  "routing number",
  "payroll",
  "salary",
  "payment",
  "confidential",
  "secret",
  "token",
  "api key",
  "private key",
  "ssh",
  "certificate",
  "gift card",
  "w-2",
  "tax",
};

static const gchar *
_rule_group(MbxRule rule, gchar *buf, gsize size)
{
  g_snprintf(buf, size, "rule:%s", mbx_rule_id(rule));
  return buf;
}

static gchar *
_fold(const gchar *text)
{
  /* decompose, drop the accents, fold case: "Contraseña" -> "contrasena" */
  gchar *nfd = g_utf8_normalize(text, -1, G_NORMALIZE_NFD);
  if (!nfd)
    return g_ascii_strdown(text, -1);
  GString *out = g_string_sized_new(strlen(nfd));
  for (const gchar *p = nfd; *p; p = g_utf8_next_char(p))
    {
      gunichar c = g_utf8_get_char(p);
      if (!g_unichar_ismark(c))
        g_string_append_unichar(out, c);
    }
  g_free(nfd);
  gchar *folded = g_utf8_casefold(out->str, out->len);
  g_string_free(out, TRUE);
  return folded;
}

static void
_set_defaults(MbxPolicy *self)
{
  MbxPolicyThresholds *t = &self->thresholds;

  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      self->rules[r].enabled = TRUE;
      self->rules[r].weight = default_weights[r];
    }
  /* a week covers the weekly rhythm once; Elastic's first-seen rule looks back 14 days */
  t->learning_us = 7 * G_TIME_SPAN_DAY;
  t->alert_score = 50;
  t->first_seen_tenant_bonus = 20;
  /* Elastic alerts on OperationCount >= 100; 5x the learned hourly mean keeps busy owners quiet */
  t->volume_window_us = G_TIME_SPAN_HOUR;
  t->volume_min_items = 100;
  t->volume_multiple = 5.0;
  /* Splunk: more than 5 mailboxes in 10 minutes; low-and-slow: more than 20 in a day */
  t->fanout_short_window_us = 10 * G_TIME_SPAN_MINUTE;
  t->fanout_short_mailboxes = 5;
  t->fanout_long_window_us = 24 * G_TIME_SPAN_HOUR;
  t->fanout_long_mailboxes = 20;
  /* a person searches a few times in ten minutes; a script dozens */
  t->search_window_us = 10 * G_TIME_SPAN_MINUTE;
  t->search_max = 10;
  /* Sentinel: non-owner access to more than one user's mailbox or more than 5 folders */
  t->nonowner_folders = 5;
  t->nonowner_mailboxes = 1;
  t->grant_tenantwide_bonus = 20;
  /* consent phishing reads within hours; a week catches a slow start */
  t->grant_window_us = 7 * G_TIME_SPAN_DAY;
  t->grant_first_read_bonus = 30;
  /* a token lives about an hour, a refresh session a working day */
  t->signin_window_us = 12 * G_TIME_SPAN_HOUR;
  t->blind_spot_bonus = 15;
  /* an airliner with a tailwind reaches 1000 km/h over ground; faster than that, two places are two people */
  t->max_travel_kmh = 1000.0;

  gsize n_markers;
  const gchar *const *markers = mbx_scripted_agent_markers(&n_markers);
  for (gsize i = 0; i < n_markers; i++)
    g_ptr_array_add(self->agent_patterns, g_strdup(markers[i]));
  for (gsize i = 0; i < G_N_ELEMENTS(default_agent_patterns); i++)
    g_ptr_array_add(self->agent_patterns, g_strdup(default_agent_patterns[i]));
  for (gsize i = 0; i < G_N_ELEMENTS(default_terms); i++)
    g_ptr_array_add(self->terms, _fold(default_terms[i]));
}

MbxPolicy *
mbx_policy_new(void)
{
  MbxPolicy *self = g_new0(MbxPolicy, 1);
  self->ref_cnt = 1;
  self->approved_apps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  self->approved_app_ids = g_array_new(FALSE, FALSE, sizeof(MbxGuid));
  self->approved_accounts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  self->networks = g_array_new(FALSE, TRUE, sizeof(Network));
  self->agent_patterns = g_ptr_array_new_with_free_func(g_free);
  self->approved_agents = g_ptr_array_new_with_free_func(g_free);
  self->terms = g_ptr_array_new_with_free_func(g_free);
  self->allowed_countries = g_ptr_array_new_with_free_func(g_free);
  self->agent_cache_key.k0 = (guint64) g_random_int() << 32 | g_random_int();
  self->agent_cache_key.k1 = (guint64) g_random_int() << 32 | g_random_int();
  _set_defaults(self);
  return self;
}

MbxPolicy *
mbx_policy_ref(MbxPolicy *self)
{
  g_atomic_int_inc(&self->ref_cnt);
  return self;
}

void
mbx_policy_unref(MbxPolicy *self)
{
  if (!self || !g_atomic_int_dec_and_test(&self->ref_cnt))
    return;
  g_hash_table_destroy(self->approved_apps);
  g_array_free(self->approved_app_ids, TRUE);
  g_hash_table_destroy(self->approved_accounts);
  g_array_free(self->networks, TRUE);
  g_ptr_array_free(self->agent_patterns, TRUE);
  g_ptr_array_free(self->approved_agents, TRUE);
  g_ptr_array_free(self->terms, TRUE);
  g_ptr_array_free(self->allowed_countries, TRUE);
  if (self->geo)
    mbx_geo_unref(self->geo);
  g_free(self);
}

static gboolean
_has_app_id(const MbxPolicy *self, const MbxGuid *id)
{
  for (guint i = 0; i < self->approved_app_ids->len; i++)
    {
      if (mbx_guid_equal(&g_array_index(self->approved_app_ids, MbxGuid, i), id))
        return TRUE;
    }
  return FALSE;
}

gboolean
mbx_policy_add_approved_app(MbxPolicy *self, const gchar *app_id, const gchar *name, GError **error)
{
  MbxGuid id;
  if (!mbx_guid_parse(app_id, &id))
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "approved app id '%s' is not a GUID",
                  app_id ? app_id : "");
      return FALSE;
    }
  if (!_has_app_id(self, &id))
    g_array_append_val(self->approved_app_ids, id);
  g_hash_table_replace(self->approved_apps, g_ascii_strdown(app_id, -1), g_strdup(name ? name : ""));
  return TRUE;
}

static gboolean
_parse_network(const gchar *text, Network *net)
{
  gchar *copy = g_strstrip(g_strdup(text));
  gchar *slash = strchr(copy, '/');
  gboolean ok = FALSE;
  guint max;

  memset(net, 0, sizeof(*net));
  if (slash)
    *slash = '\0';
  if (inet_pton(AF_INET, copy, net->addr) == 1)
    {
      net->family = AF_INET;
      max = 32;
    }
  else if (inet_pton(AF_INET6, copy, net->addr) == 1)
    {
      net->family = AF_INET6;
      max = 128;
    }
  else
    goto out;
  net->prefix = max;
  if (slash)
    {
      gchar *end;
      guint64 p = g_ascii_strtoull(slash + 1, &end, 10);
      if (end == slash + 1 || *end || p > max)
        goto out;
      net->prefix = p;
    }
  ok = TRUE;
out:
  g_free(copy);
  return ok;
}

static gboolean
_prefix_match(const guint8 *a, const guint8 *b, guint prefix)
{
  guint bytes = prefix / 8, bits = prefix % 8;
  if (memcmp(a, b, bytes) != 0)
    return FALSE;
  if (bits == 0)
    return TRUE;
  guint8 mask = (guint8) (0xff << (8 - bits));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

/* ---- loading ---------------------------------------------------------- */

typedef struct
{
  const gchar *path;
  GKeyFile *kf;
  GError **error;
} Loader;

static gboolean
_bad(Loader *l, const gchar *group, const gchar *key, const gchar *why)
{
  if (key)
    g_set_error(l->error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "policy %s: [%s] %s: %s", l->path, group, key, why);
  else
    g_set_error(l->error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "policy %s: [%s]: %s", l->path, group, why);
  return FALSE;
}

static gboolean
_get_int(Loader *l, const gchar *group, const gchar *key, gint min, gint max, gint *out)
{
  if (!g_key_file_has_key(l->kf, group, key, NULL))
    return TRUE;
  GError *e = NULL;
  gint v = g_key_file_get_integer(l->kf, group, key, &e);
  if (e)
    {
      g_error_free(e);
      return _bad(l, group, key, "not an integer");
    }
  if (v < min || v > max)
    {
      gchar why[64];
      g_snprintf(why, sizeof(why), "must be between %d and %d", min, max);
      return _bad(l, group, key, why);
    }
  *out = v;
  return TRUE;
}

static gboolean
_get_double(Loader *l, const gchar *group, const gchar *key, gdouble min, gdouble *out)
{
  if (!g_key_file_has_key(l->kf, group, key, NULL))
    return TRUE;
  GError *e = NULL;
  gdouble v = g_key_file_get_double(l->kf, group, key, &e);
  if (e)
    {
      g_error_free(e);
      return _bad(l, group, key, "not a number");
    }
  /* "nan" and "inf" parse as numbers: a NaN threshold would make every comparison false */
  if (!isfinite(v))
    return _bad(l, group, key, "not a finite number");
  if (v < min)
    return _bad(l, group, key, "too small");
  *out = v;
  return TRUE;
}

static gboolean
_get_bool(Loader *l, const gchar *group, const gchar *key, gboolean *out)
{
  if (!g_key_file_has_key(l->kf, group, key, NULL))
    return TRUE;
  GError *e = NULL;
  gboolean v = g_key_file_get_boolean(l->kf, group, key, &e);
  if (e)
    {
      g_error_free(e);
      return _bad(l, group, key, "not true or false");
    }
  *out = v;
  return TRUE;
}

static gboolean
_get_duration(Loader *l, const gchar *group, const gchar *key, gint64 *out)
{
  if (!g_key_file_has_key(l->kf, group, key, NULL))
    return TRUE;
  gchar *v = g_key_file_get_string(l->kf, group, key, NULL);
  gboolean ok = v && mbx_duration_parse(g_strstrip(v), out);
  g_free(v);
  return ok ? TRUE : _bad(l, group, key, "not a duration such as 10m, 1h or 7d");
}

/*
 * Text and lists: a value that is not UTF-8 or has a bad escape is an error
 * like any other, not an absent key (a list GLib cannot read would otherwise
 * drop every item of it, the good ones too).  *@out is NULL when absent.
 */
static gboolean
_get_text(Loader *l, const gchar *group, const gchar *key, gchar **out)
{
  GError *e = NULL;
  *out = NULL;
  if (!g_key_file_has_key(l->kf, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_string(l->kf, group, key, &e);
  if (!e)
    return TRUE;
  g_clear_pointer(out, g_free);
  _bad(l, group, key, e->message);
  g_error_free(e);
  return FALSE;
}

static gboolean
_get_list(Loader *l, const gchar *group, const gchar *key, gchar ***out)
{
  GError *e = NULL;
  *out = NULL;
  if (!g_key_file_has_key(l->kf, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_string_list(l->kf, group, key, NULL, &e);
  if (!e)
    return TRUE;
  g_clear_pointer(out, g_strfreev);
  _bad(l, group, key, e->message);
  g_error_free(e);
  return FALSE;
}

/* only the keys in @allowed may appear in @group */
static gboolean
_check_keys(Loader *l, const gchar *group, const gchar *const *allowed)
{
  gchar **keys = g_key_file_get_keys(l->kf, group, NULL, NULL);
  gboolean ok = TRUE;
  for (gchar **k = keys; ok && k && *k; k++)
    {
      if (!g_strv_contains(allowed, *k))
        ok = _bad(l, group, *k, "unknown key");
    }
  g_strfreev(keys);
  return ok;
}

static gboolean
_load_list(Loader *l, const gchar *group, const gchar *key, GPtrArray *into, gboolean fold)
{
  gchar **items;
  if (!_get_list(l, group, key, &items))
    return FALSE;
  for (gchar **i = items; i && *i; i++)
    {
      gchar *item = g_strstrip(*i);
      if (*item)
        g_ptr_array_add(into, fold ? _fold(item) : g_ascii_strdown(item, -1));
    }
  g_strfreev(items);
  return TRUE;
}

static gboolean
_load_policy_group(Loader *l, MbxPolicy *self)
{
  static const gchar *keys[] = { "learning-period", "alert-score", "blind-spot-bonus", NULL };
  return _check_keys(l, "policy", keys) && _get_duration(l, "policy", "learning-period", &self->thresholds.learning_us) &&
         _get_int(l, "policy", "alert-score", 1, 100, &self->thresholds.alert_score) &&
         _get_int(l, "policy", "blind-spot-bonus", 0, 100, &self->thresholds.blind_spot_bonus);
}

static gboolean
_load_named_ids(Loader *l, MbxPolicy *self, const gchar *group)
{
  gchar **keys = g_key_file_get_keys(l->kf, group, NULL, NULL);
  gboolean ok = TRUE;
  for (gchar **k = keys; ok && k && *k; k++)
    {
      gchar *name;
      if (!_get_text(l, group, *k, &name))
        ok = FALSE;
      else if (strcmp(group, "approved-apps") == 0)
        {
          if (!mbx_policy_add_approved_app(self, *k, name, NULL))
            ok = _bad(l, group, *k, "an app id must be a GUID");
        }
      else
        g_hash_table_replace(self->approved_accounts, g_ascii_strdown(*k, -1), g_strdup(name ? name : ""));
      g_free(name);
    }
  g_strfreev(keys);
  return ok;
}

static gboolean
_load_networks(Loader *l, MbxPolicy *self)
{
  static const gchar *keys[] = { "networks", NULL };
  if (!_check_keys(l, "trusted-networks", keys))
    return FALSE;
  gchar **items;
  if (!_get_list(l, "trusted-networks", "networks", &items))
    return FALSE;
  gboolean ok = TRUE;
  for (gchar **i = items; ok && i && *i; i++)
    {
      Network net;
      if (!*g_strstrip(*i))
        continue;
      if (!_parse_network(*i, &net))
        {
          gchar why[128];
          g_snprintf(why, sizeof(why), "'%s' is not an IPv4 or IPv6 network (a.b.c.d/n, x::/n)", *i);
          ok = _bad(l, "trusted-networks", "networks", why);
        }
      else
        g_array_append_val(self->networks, net);
    }
  g_strfreev(items);
  return ok;
}

static gboolean
_load_extendable(Loader *l, const gchar *group, const gchar *list_key, GPtrArray *list, gboolean fold,
                 const gchar *extra_key, GPtrArray *extra)
{
  const gchar *keys[] = { list_key, "replace-defaults", extra_key, NULL };
  gboolean replace = FALSE;
  if (!_check_keys(l, group, keys) || !_get_bool(l, group, "replace-defaults", &replace))
    return FALSE;
  if (replace)
    g_ptr_array_set_size(list, 0);
  return _load_list(l, group, list_key, list, fold) && (!extra_key || _load_list(l, group, extra_key, extra, fold));
}

/* [geo]: the databases are opened here, so a bad path stops the load like any bad value */
static gboolean
_load_geo(Loader *l, MbxPolicy *self)
{
  static const gchar *keys[] = { "city-database", "asn-database", "allowed-countries", "hosting-asns",
                                 "max-travel-kmh", NULL };
  const gchar *group = "geo";
  if (!g_key_file_has_group(l->kf, group))
    return TRUE;
  if (!_check_keys(l, group, keys) || !_get_double(l, group, "max-travel-kmh", 1.0, &self->thresholds.max_travel_kmh))
    return FALSE;
  gchar **countries;
  if (!_get_list(l, group, "allowed-countries", &countries))
    return FALSE;
  for (gchar **c = countries; c && *c; c++)
    {
      gchar *code = g_ascii_strup(g_strstrip(*c), -1);
      if (strlen(code) != 2)
        {
          g_free(code);
          g_strfreev(countries);
          return _bad(l, group, "allowed-countries", "a country is a two-letter ISO code");
        }
      g_ptr_array_add(self->allowed_countries, code);
    }
  g_strfreev(countries);

  gchar *city, *asn = NULL;
  gboolean ok = _get_text(l, group, "city-database", &city) && _get_text(l, group, "asn-database", &asn);
  if (ok && city)
    {
      GError *e = NULL;
      self->geo = mbx_geo_open(g_strstrip(city), asn ? g_strstrip(asn) : NULL, &e);
      if (!self->geo)
        {
          ok = _bad(l, group, "city-database", e->message);
          g_error_free(e);
        }
    }
  else if (ok && asn)
    ok = _bad(l, group, "asn-database", "needs city-database too");
  g_free(city);
  g_free(asn);

  if (ok && self->geo && g_key_file_has_key(l->kf, group, "hosting-asns", NULL))
    {
      gsize n = 0;
      gint *list = g_key_file_get_integer_list(l->kf, group, "hosting-asns", &n, NULL);
      if (!list && n == 0)
        return _bad(l, group, "hosting-asns", "a list of AS numbers");
      guint32 *asns = g_new(guint32, n);
      for (gsize i = 0; i < n; i++)
        asns[i] = (guint32) list[i];
      mbx_geo_set_hosting_asns(self->geo, asns, n);
      g_free(asns);
      g_free(list);
    }
  return ok;
}

static gboolean
_load_rule(Loader *l, MbxPolicy *self, MbxRule rule)
{
  gchar group[64];
  MbxPolicyThresholds *t = &self->thresholds;
  _rule_group(rule, group, sizeof(group));
  if (!g_key_file_has_group(l->kf, group))
    return TRUE;

  const gchar *keys[8] = { "enabled", "weight", NULL };
  switch (rule)
    {
    case MBX_RULE_APP_FIRST_SEEN:
      keys[2] = "tenant-new-bonus";
      break;
    case MBX_RULE_VOLUME_SPIKE:
      keys[2] = "window", keys[3] = "min-items", keys[4] = "baseline-multiple";
      break;
    case MBX_RULE_FANOUT:
      keys[2] = "short-window", keys[3] = "short-mailboxes", keys[4] = "long-window", keys[5] = "long-mailboxes";
      break;
    case MBX_RULE_SEARCH_BURST:
      keys[2] = "window", keys[3] = "max-searches";
      break;
    case MBX_RULE_NONOWNER_ACCESS:
      keys[2] = "max-folders", keys[3] = "max-mailboxes";
      break;
    case MBX_RULE_GRANT_MAIL_ACCESS:
      keys[2] = "tenant-wide-bonus";
      break;
    case MBX_RULE_GRANT_THEN_ACCESS:
      keys[2] = "window", keys[3] = "first-read-bonus";
      break;
    case MBX_RULE_SIGNIN_THEN_ACCESS:
      keys[2] = "window";
      break;
    default:
      break;
    }
  if (!_check_keys(l, group, keys) || !_get_bool(l, group, "enabled", &self->rules[rule].enabled) ||
      !_get_int(l, group, "weight", 0, 100, &self->rules[rule].weight))
    return FALSE;

  switch (rule)
    {
    case MBX_RULE_APP_FIRST_SEEN:
      return _get_int(l, group, "tenant-new-bonus", 0, 100, &t->first_seen_tenant_bonus);
    case MBX_RULE_VOLUME_SPIKE:
      return _get_duration(l, group, "window", &t->volume_window_us) &&
             _get_int(l, group, "min-items", 1, G_MAXINT, &t->volume_min_items) &&
             _get_double(l, group, "baseline-multiple", 1.0, &t->volume_multiple);
    case MBX_RULE_FANOUT:
      return _get_duration(l, group, "short-window", &t->fanout_short_window_us) &&
             _get_int(l, group, "short-mailboxes", 1, 31, &t->fanout_short_mailboxes) &&
             _get_duration(l, group, "long-window", &t->fanout_long_window_us) &&
             _get_int(l, group, "long-mailboxes", 1, 31, &t->fanout_long_mailboxes);
    case MBX_RULE_SEARCH_BURST:
      return _get_duration(l, group, "window", &t->search_window_us) &&
             _get_int(l, group, "max-searches", 1, G_MAXUINT16, &t->search_max);
    case MBX_RULE_NONOWNER_ACCESS:
      return _get_int(l, group, "max-folders", 0, G_MAXINT, &t->nonowner_folders) &&
             _get_int(l, group, "max-mailboxes", 0, 31, &t->nonowner_mailboxes);
    case MBX_RULE_GRANT_MAIL_ACCESS:
      return _get_int(l, group, "tenant-wide-bonus", 0, 100, &t->grant_tenantwide_bonus);
    case MBX_RULE_GRANT_THEN_ACCESS:
      return _get_duration(l, group, "window", &t->grant_window_us) &&
             _get_int(l, group, "first-read-bonus", 0, 100, &t->grant_first_read_bonus);
    case MBX_RULE_SIGNIN_THEN_ACCESS:
      return _get_duration(l, group, "window", &t->signin_window_us);
    default:
      return TRUE;
    }
}

static gboolean
_check_groups(Loader *l)
{
  static const gchar *fixed[] = { "policy", "approved-apps", "approved-accounts", "trusted-networks",
                                  "scripted-agents", "sensitive-terms", "geo", NULL };
  gchar **groups = g_key_file_get_groups(l->kf, NULL);
  gboolean ok = TRUE;
  for (gchar **g = groups; ok && *g; g++)
    {
      if (g_strv_contains(fixed, *g))
        continue;
      if (g_str_has_prefix(*g, "rule:") && mbx_rule_by_id(*g + 5) != MBX_RULE_MAX)
        continue;
      ok = _bad(l, *g, NULL, "unknown section (rules are [rule:<rule-id>])");
    }
  g_strfreev(groups);
  return ok;
}

MbxPolicy *
mbx_policy_load(const gchar *path, GError **error)
{
  GKeyFile *kf = g_key_file_new();
  GError *e = NULL;
  Loader l = { path, kf, error };
  MbxPolicy *self = mbx_policy_new();

  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e))
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "policy %s: %s", path, e->message);
      g_error_free(e);
      goto fail;
    }
  if (!_check_groups(&l) || !_load_policy_group(&l, self) || !_load_named_ids(&l, self, "approved-apps") ||
      !_load_named_ids(&l, self, "approved-accounts") || !_load_networks(&l, self) ||
      !_load_extendable(&l, "scripted-agents", "patterns", self->agent_patterns, FALSE, "approved",
                        self->approved_agents) ||
      !_load_extendable(&l, "sensitive-terms", "terms", self->terms, TRUE, NULL, NULL) || !_load_geo(&l, self))
    goto fail;
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!_load_rule(&l, self, r))
        goto fail;
    }
  g_key_file_free(kf);
  return self;

fail:
  g_key_file_free(kf);
  mbx_policy_unref(self);
  return NULL;
}

/* ---- matching --------------------------------------------------------- */

const MbxRuleSettings *
mbx_policy_rule(const MbxPolicy *self, MbxRule rule)
{
  return &self->rules[rule];
}

const MbxPolicyThresholds *
mbx_policy_thresholds(const MbxPolicy *self)
{
  return &self->thresholds;
}

static gboolean
_lookup_lower(GHashTable *table, const gchar *key, const gchar **value)
{
  gchar lower[320];
  gsize len = key ? strlen(key) : 0;
  /* most policies approve no accounts and a few apps: an empty table is the common answer */
  if (len == 0 || len >= sizeof(lower) || g_hash_table_size(table) == 0)
    return FALSE;
  for (gsize i = 0; i <= len; i++)
    lower[i] = mbx_ascii_fold(key[i]);
  return g_hash_table_lookup_extended(table, lower, NULL, (gpointer *) value);
}

gboolean
mbx_policy_is_approved_app(const MbxPolicy *self, const gchar *app_id)
{
  MbxGuid id;
  return self->approved_app_ids->len > 0 && mbx_guid_parse(app_id, &id) && _has_app_id(self, &id);
}

gboolean
mbx_policy_is_approved_app_guid(const MbxPolicy *self, const MbxGuid *app_id)
{
  /* asked for every record: 16 bytes compared with a few ids, not a lower-cased copy hashed */
  return app_id && self->approved_app_ids->len > 0 && _has_app_id(self, app_id);
}

const gchar *
mbx_policy_app_name(const MbxPolicy *self, const gchar *app_id)
{
  const gchar *name = NULL;
  return _lookup_lower(self->approved_apps, app_id, &name) ? name : NULL;
}

gboolean
mbx_policy_is_approved_account(const MbxPolicy *self, const gchar *upn)
{
  return _lookup_lower(self->approved_accounts, upn, NULL);
}

gboolean
mbx_policy_has_trusted_networks(const MbxPolicy *self)
{
  return self->networks->len > 0;
}

gboolean
mbx_policy_is_trusted_addr(const MbxPolicy *self, const MbxIpAddr *addr)
{
  if (!addr || self->networks->len == 0)
    return FALSE;
  gint family = addr->kind == MBX_IP_V4 ? AF_INET : AF_INET6;
  for (guint i = 0; i < self->networks->len; i++)
    {
      const Network *net = &g_array_index(self->networks, Network, i);
      if (net->family == family && _prefix_match(net->addr, addr->bytes, net->prefix))
        return TRUE;
    }
  return FALSE;
}

gboolean
mbx_policy_is_trusted_ip(const MbxPolicy *self, const gchar *ip)
{
  MbxIpAddr addr;

  if (!ip || self->networks->len == 0)
    return FALSE;
  return mbx_ip_parse(ip, strlen(ip), &addr) && mbx_policy_is_trusted_addr(self, &addr);
}

static const gchar *
_find_any(GPtrArray *needles, const gchar *hay)
{
  for (guint i = 0; i < needles->len; i++)
    {
      if (strstr(hay, needles->pdata[i]))
        return needles->pdata[i];
    }
  return NULL;
}

/* the answer for @agent: -1 not scripted, else the index of the matching pattern */
static gint
_match_agent(const MbxPolicy *self, const gchar *agent, gsize len)
{
  gchar lower[512];
  len = MIN(len, sizeof(lower) - 1);
  for (gsize i = 0; i < len; i++)
    lower[i] = mbx_ascii_fold(agent[i]);
  lower[len] = '\0';
  if (_find_any(self->approved_agents, lower))
    return -1;
  for (guint i = 0; i < self->agent_patterns->len; i++)
    {
      if (strstr(lower, self->agent_patterns->pdata[i]))
        return (gint) i;
    }
  return -1;
}

gboolean
mbx_policy_is_scripted_agent(const MbxPolicy *self, const gchar *agent, const gchar **pattern)
{
  gsize len = agent ? strlen(agent) : 0;
  if (pattern)
    *pattern = NULL;
  if (len == 0)
    return FALSE;

  guint64 h = mbx_hash64(&self->agent_cache_key, agent, len);
  guint64 *slot = (guint64 *) &self->agent_cache[h % G_N_ELEMENTS(self->agent_cache)];
  guint64 tag = h & ~G_GUINT64_CONSTANT(0xffff);
  guint64 cached = __atomic_load_n(slot, __ATOMIC_RELAXED);
  gint answer;
  if (cached && (cached & ~G_GUINT64_CONSTANT(0xffff)) == tag)
    answer = (gint) (cached & 0xffff) - 2;
  else
    {
      answer = _match_agent(self, agent, len);
      if (answer < 0xfff0)
        __atomic_store_n(slot, tag | (guint64) (answer + 2), __ATOMIC_RELAXED);
    }
  if (answer < 0)
    return FALSE;
  if (pattern)
    *pattern = self->agent_patterns->pdata[answer];
  return TRUE;
}

gboolean
mbx_policy_find_sensitive_term(const MbxPolicy *self, const gchar *text, const gchar **term)
{
  if (!text || !*text || self->terms->len == 0 || !g_utf8_validate(text, -1, NULL))
    return FALSE;
  gchar *folded = _fold(text);
  const gchar *hit = _find_any(self->terms, folded);
  g_free(folded);
  if (term)
    *term = hit;
  return hit != NULL;
}

const MbxGeo *
mbx_policy_geo(const MbxPolicy *self)
{
  return self->geo;
}

gboolean
mbx_policy_country_disallowed(const MbxPolicy *self, const gchar *country)
{
  if (self->allowed_countries->len == 0 || !country || !country[0])
    return FALSE;
  for (guint i = 0; i < self->allowed_countries->len; i++)
    {
      if (g_ascii_strcasecmp(self->allowed_countries->pdata[i], country) == 0)
        return FALSE;
    }
  return TRUE;
}
