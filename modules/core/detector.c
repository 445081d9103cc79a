/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The detector: rules over one normalized record.
 *
 * Rules implemented here:
 *  - app-unapproved: mail items read by an app that is neither on the
 *    approved list nor a Microsoft first-party mail client on its normal
 *    path.  A first-party id on Graph or EWS driven by a scripted agent is
 *    not trusted: Outlook desktop's id is also the default of GraphRunner
 *    and TokenTactics.
 *  - throttled: IsThrottled=True, after which Exchange stops auditing the
 *    mailbox's reads for 24 hours.
 *
 * Invariants: configuration (the approved set) is only written before the
 * detector is shared; evaluation reads it without locks and writes only to
 * the caller's verdict, so any number of threads may evaluate at once.
 */
#include "mbx-detector.h"
#include "mbx-error.h"
#include "mbx-access-path.h"

#include <string.h>

struct _MbxDetector
{
  gint ref_cnt;
  GHashTable *approved; /* lower-cased app id -> itself */
};

static const gchar *rule_ids[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = "app-unapproved",
  [MBX_RULE_THROTTLED] = "throttled",
};

/* what alerts show as rule.name and rule.description (SIEM field conventions) */
static const gchar *rule_names[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = "Mail read by an unapproved app",
  [MBX_RULE_THROTTLED] = "Mailbox audit throttled",
};

static const gchar *rule_descriptions[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = "Mail items were read by an app that is not on the approved list: the client app, the app "
                              "behind app-only access or the Graph caller. Microsoft's own mail clients are trusted on "
                              "their normal paths, not when their id reads mail over Graph or EWS with a scripted agent.",
  [MBX_RULE_THROTTLED] = "Exchange throttled the audit of this mailbox's reads (IsThrottled=True): further reads go "
                         "unaudited for 24 hours, which bulk collection triggers.",
};

/* weight of each rule in the 0-100 score */
static const gint rule_scores[MBX_RULE_MAX] = {
  [MBX_RULE_APP_UNAPPROVED] = 60,
  [MBX_RULE_THROTTLED] = 50,
};

/* Microsoft's own mail clients, trusted on their normal access paths */
static const gchar *first_party_mail_apps[] = {
  "d3590ed6-52b3-4102-aeff-aad2292ab01c", /* Microsoft Office / Outlook desktop */
  "00000002-0000-0ff1-ce00-000000000000", /* Exchange Online (OWA, MAPI) */
  "27922004-5251-4030-b22d-91ecd9a37ea4", /* Outlook mobile */
  "5d661950-3475-41cd-a2c3-d671a3162bc1", /* Outlook (new, Windows) */
  "13937bba-652e-4c46-b222-3003f4d1ff97", /* Outlook REST (new Outlook) */
  "9199bf20-a13f-4107-85dc-02114787ef48", /* One Outlook Web */
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
mbx_detector_new(void)
{
  MbxDetector *self = g_new0(MbxDetector, 1);
  self->ref_cnt = 1;
  self->approved = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
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
  g_hash_table_destroy(self->approved);
  g_free(self);
}

static gboolean
_looks_like_app_id(const gchar *s)
{
  /* GUID: 8-4-4-4-12 hex digits */
  static const gint groups[] = { 8, 4, 4, 4, 12 };
  const gchar *p = s;
  for (gsize g = 0; g < G_N_ELEMENTS(groups); g++)
    {
      for (gint i = 0; i < groups[g]; i++, p++)
        {
          if (!g_ascii_isxdigit(*p))
            return FALSE;
        }
      if (g < G_N_ELEMENTS(groups) - 1 && *p++ != '-')
        return FALSE;
    }
  return *p == '\0';
}

gboolean
mbx_detector_add_approved_app(MbxDetector *self, const gchar *app_id, GError **error)
{
  if (!app_id || !_looks_like_app_id(app_id))
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "approved app id '%s' is not a GUID",
                  app_id ? app_id : "");
      return FALSE;
    }
  gchar *key = g_ascii_strdown(app_id, -1);
  g_hash_table_add(self->approved, key);
  return TRUE;
}

gboolean
mbx_detector_is_approved_app(const MbxDetector *self, const gchar *app_id)
{
  gchar lower[40];
  gsize len = app_id ? strlen(app_id) : 0;
  if (len == 0 || len >= sizeof(lower))
    return FALSE;
  for (gsize i = 0; i <= len; i++)
    lower[i] = g_ascii_tolower(app_id[i]);
  return g_hash_table_contains(self->approved, lower);
}

static gboolean
_is_first_party_mail_app(const gchar *app_id)
{
  for (gsize i = 0; i < G_N_ELEMENTS(first_party_mail_apps); i++)
    {
      if (g_ascii_strcasecmp(app_id, first_party_mail_apps[i]) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
_path_is(const MbxRecord *record, MbxAccessPath path)
{
  const gchar *name = mbx_record_get_string(record, MBX_F_ACCESS_PATH, NULL);
  return name && strcmp(name, mbx_access_path_name(path)) == 0;
}

/* paths on which Microsoft's own clients read mail without an app of ours in between */
static gboolean
_on_client_path(const MbxRecord *record)
{
  return _path_is(record, MBX_PATH_OUTLOOK_DESKTOP) || _path_is(record, MBX_PATH_OWA) ||
         _path_is(record, MBX_PATH_OUTLOOK_MOBILE) || _path_is(record, MBX_PATH_ACTIVESYNC) ||
         _path_is(record, MBX_PATH_IMAP_POP) || _path_is(record, MBX_PATH_REST);
}

static void
_fire(MbxVerdict *verdict, MbxRule rule, const gchar *clause)
{
  verdict->rules |= 1u << rule;
  verdict->score = MIN(100, verdict->score + rule_scores[rule]);
  if (verdict->reason[0])
    g_strlcat(verdict->reason, "; ", sizeof(verdict->reason));
  g_strlcat(verdict->reason, clause, sizeof(verdict->reason));
}

static void
_check_app_unapproved(const MbxDetector *self, const MbxRecord *record, MbxVerdict *verdict)
{
  gchar clause[160];

  if (mbx_record_get_kind(record) != MBX_KIND_MAIL_ACCESS)
    return;
  const gchar *app = mbx_record_get_string(record, MBX_F_APP_ID, NULL);
  if (!app)
    {
      /* Outlook desktop over MAPI, OWA, mobile and legacy protocols often carry no app id */
      if (_on_client_path(record))
        return;
      _fire(verdict, MBX_RULE_APP_UNAPPROVED, "app-unapproved: mail read by an unidentified app");
      return;
    }
  if (mbx_detector_is_approved_app(self, app))
    return;
  if (_is_first_party_mail_app(app))
    {
      gsize agent_len;
      const gchar *agent = mbx_record_get_string(record, MBX_F_CLIENT_INFO, &agent_len);
      gboolean api_path = _path_is(record, MBX_PATH_GRAPH) || _path_is(record, MBX_PATH_EWS);
      if (!(api_path && mbx_user_agent_is_scripted(agent, agent_len)))
        return;
      g_snprintf(clause, sizeof(clause), "app-unapproved: first-party app %s driven by a scripted agent over %s", app,
                 mbx_record_get_string(record, MBX_F_ACCESS_PATH, NULL));
      _fire(verdict, MBX_RULE_APP_UNAPPROVED, clause);
      return;
    }
  g_snprintf(clause, sizeof(clause), "app-unapproved: mail read by app %s, not on the approved list", app);
  _fire(verdict, MBX_RULE_APP_UNAPPROVED, clause);
}

static void
_check_throttled(const MbxRecord *record, MbxVerdict *verdict)
{
  if (mbx_record_get_int(record, MBX_F_THROTTLED, 0) == 1)
    _fire(verdict, MBX_RULE_THROTTLED, "throttled: IsThrottled=True, reads of this mailbox go unaudited for 24 hours");
}

void
mbx_detector_evaluate(const MbxDetector *self, const MbxRecord *record, MbxVerdict *verdict)
{
  memset(verdict, 0, sizeof(*verdict));
  _check_app_unapproved(self, record, verdict);
  _check_throttled(record, verdict);
}
