/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The detector: reads a normalized record, fires rules, scores the record
 * and explains why.  Configuration is set before the first evaluation and
 * is read-only afterwards, so one detector is shared by all worker threads.
 */
#ifndef MBX_DETECTOR_H_INCLUDED
#define MBX_DETECTOR_H_INCLUDED

#include <glib.h>
#include "mbx-record.h"

G_BEGIN_DECLS

/* Rule ids are stable: each fires the tag "mailbox.rule.<id>". */
typedef enum
{
  MBX_RULE_APP_UNAPPROVED,
  MBX_RULE_THROTTLED,
  MBX_RULE_APP_FIRST_SEEN,
  MBX_RULE_VOLUME_SPIKE,
  MBX_RULE_SYNC_UNUSUAL,
  MBX_RULE_FANOUT,
  MBX_RULE_SEARCH_BURST,
  MBX_RULE_SEARCH_KEYWORD,
  MBX_RULE_AGENT_SCRIPTED,
  MBX_RULE_LOCATION_UNTRUSTED,
  MBX_RULE_NONOWNER_ACCESS,
  MBX_RULE_GRANT_MAIL_ACCESS,
  MBX_RULE_OFF_HOURS,
  MBX_RULE_GRANT_THEN_ACCESS,
  MBX_RULE_SIGNIN_THEN_ACCESS,
  MBX_RULE_TOKEN_UNMATCHED,
  MBX_RULE_AUDIT_TAMPER,
  MBX_RULE_MAX
} MbxRule;

const gchar *mbx_rule_id(MbxRule rule);
/* a short title and a one-paragraph description, for alerts; NULL when unknown */
const gchar *mbx_rule_name(MbxRule rule);
const gchar *mbx_rule_description(MbxRule rule);
/* MBX_RULE_MAX when unknown */
MbxRule mbx_rule_by_id(const gchar *id);

typedef struct _MbxVerdict
{
  guint32 rules;       /* bit (1 << MbxRule) per rule fired */
  gint score;          /* 0-100: the fired rules' weights, capped */
  gboolean suspicious; /* the score reached the policy's alert score */
  gchar reason[1024];  /* human readable, one clause "<rule-id>: ..." per rule fired, joined by "; " */
} MbxVerdict;

static inline gboolean
mbx_verdict_fired(const MbxVerdict *verdict, MbxRule rule)
{
  return (verdict->rules & (1u << rule)) != 0;
}

static inline gboolean
mbx_verdict_is_suspicious(const MbxVerdict *verdict)
{
  return verdict->suspicious;
}

typedef struct _MbxDetector MbxDetector;
typedef struct _MbxPolicy MbxPolicy;
struct _MbxObservation;

/* a detector with the built-in policy */
MbxDetector *mbx_detector_new(void);
/* a detector with @policy (a reference is taken) */
MbxDetector *mbx_detector_new_with_policy(MbxPolicy *policy);
MbxDetector *mbx_detector_ref(MbxDetector *self);
void mbx_detector_unref(MbxDetector *self);

/* Adds an approved app id (a GUID, compared case-insensitively). */
gboolean mbx_detector_add_approved_app(MbxDetector *self, const gchar *app_id, GError **error);
gboolean mbx_detector_is_approved_app(const MbxDetector *self, const gchar *app_id);

const MbxPolicy *mbx_detector_get_policy(const MbxDetector *self);

/*
 * Resolves the policy's rule windows against the state's windows (n of them,
 * lengths in @window_us); FALSE, naming the rule, when one is not among them.
 */
gboolean mbx_detector_bind_windows(MbxDetector *self, const gint64 *window_us, guint n, GError **error);

/* The geography of the record's client address from the policy's databases; FALSE when unknown or none. */
struct _MbxGeoInfo;
gboolean mbx_detector_geo_lookup(const MbxDetector *self, const MbxRecord *record, struct _MbxGeoInfo *info);

/* TRUE when the record's actor is approved by the policy: an approved app or service account */
gboolean mbx_detector_is_trusted(const MbxDetector *self, const MbxRecord *record);

/* What the state is told about @record from the policy (MbxObserveFlags of mbx-state.h): trusted, scripted sign-in */
guint mbx_detector_observe_flags(const MbxDetector *self, const MbxRecord *record);

/* Evaluates the rules that need no state. Thread-safe once configured. */
void mbx_detector_evaluate(const MbxDetector *self, const MbxRecord *record, MbxVerdict *verdict);

/* Evaluates every rule, with what the state observed for this record (mbx-state.h). Thread-safe. */
void mbx_detector_evaluate_observed(const MbxDetector *self, const MbxRecord *record,
                                    const struct _MbxObservation *observation, MbxVerdict *verdict);

G_END_DECLS

#endif
