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
  guint32 rules;      /* bit (1 << MbxRule) per rule fired */
  gint score;         /* 0-100 */
  gchar reason[256];  /* human readable, one clause per rule fired */
} MbxVerdict;

static inline gboolean
mbx_verdict_fired(const MbxVerdict *verdict, MbxRule rule)
{
  return (verdict->rules & (1u << rule)) != 0;
}

static inline gboolean
mbx_verdict_is_suspicious(const MbxVerdict *verdict)
{
  return verdict->rules != 0;
}

typedef struct _MbxDetector MbxDetector;

MbxDetector *mbx_detector_new(void);
MbxDetector *mbx_detector_ref(MbxDetector *self);
void mbx_detector_unref(MbxDetector *self);

/* Adds an approved app id (a GUID, compared case-insensitively). */
gboolean mbx_detector_add_approved_app(MbxDetector *self, const gchar *app_id, GError **error);
gboolean mbx_detector_is_approved_app(const MbxDetector *self, const gchar *app_id);

/* Thread-safe once configured. */
void mbx_detector_evaluate(const MbxDetector *self, const MbxRecord *record, MbxVerdict *verdict);

G_END_DECLS

#endif
