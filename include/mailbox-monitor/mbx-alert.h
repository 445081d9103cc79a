/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Alerts for a SIEM: one JSON object per suspicious record, in the field
 * conventions of Elastic ECS, an OCSF Detection Finding (class 2004) or a
 * Splunk CIM Alerts event.  Every alert carries every rule that fired with
 * its reason, the evidence (the record's normalized fields), the raw record
 * and an id derived from the record's Id and the rules fired, so that a
 * replayed record gives the same id and the SIEM de-duplicates it.
 *
 * The builder takes field values as text, so the syslog-ng adapter can feed
 * it the name-value pairs the parser set and the rsyslog helper the record it
 * decoded.  It keeps no state: any number of threads may build at once.
 */
#ifndef MBX_ALERT_H_INCLUDED
#define MBX_ALERT_H_INCLUDED

#include <glib.h>
#include "mbx-record.h"
#include "mbx-detector.h"

G_BEGIN_DECLS

typedef enum
{
  MBX_ALERT_ECS,
  MBX_ALERT_OCSF,
  MBX_ALERT_CIM,
  MBX_ALERT_HEC, /* the CIM object in a Splunk HTTP Event Collector envelope */
  MBX_ALERT_FORMAT_MAX
} MbxAlertFormat;

/* "ecs", "ocsf", "cim", "hec" (case-insensitive); MBX_ALERT_FORMAT_MAX when unknown */
MbxAlertFormat mbx_alert_format_by_name(const gchar *name);
const gchar *mbx_alert_format_name(MbxAlertFormat format);

/* severity levels, numbered as OCSF severity_id */
typedef enum
{
  MBX_SEVERITY_UNKNOWN = 0,
  MBX_SEVERITY_INFORMATIONAL = 1,
  MBX_SEVERITY_LOW = 2,
  MBX_SEVERITY_MEDIUM = 3,
  MBX_SEVERITY_HIGH = 4,
  MBX_SEVERITY_CRITICAL = 5
} MbxSeverity;

/* score 0-100 to a level: 0 informational, <40 low, <70 medium, <90 high, else critical */
MbxSeverity mbx_severity_from_score(gint score);
/* lower-case name: "informational", "low", "medium", "high", "critical" */
const gchar *mbx_severity_name(MbxSeverity severity);

/* a value beyond the record's fields (state figures and the like), named as the parser named it */
typedef struct _MbxAlertValue
{
  const gchar *name;
  const gchar *value;
  MbxFieldType type; /* MBX_TYPE_INT: a number (integer or decimal) */
} MbxAlertValue;

typedef struct _MbxAlertInput
{
  /*
   * The evidence: the text of each field, NULL when unset.  Int fields in
   * decimal, bool fields "true"/"false" (or "1"/"0").  Not owned.
   */
  const gchar *values[MBX_F_MAX];
  guint32 rules;              /* bit (1 << MbxRule) per rule fired */
  gint score;                 /* 0-100 */
  const gchar *reason;        /* the verdict's reason: clauses "<rule-id>: ..." joined by "; " */
  const gchar *raw;           /* the raw record, NUL-terminated; NULL when unknown */
  gint64 time_us;             /* event time (UTC microseconds) when values[MBX_F_EVENT_TIME] is unset; -1: unknown */
  const MbxAlertValue *extra; /* more evidence, after the fields; not owned */
  guint n_extra;
} MbxAlertInput;

/* all unset, time unknown */
void mbx_alert_input_init(MbxAlertInput *input);

/*
 * Fills @input from a decoded record and its verdict; the values point into
 * @record and @verdict, which must outlive @input's use.
 */
void mbx_alert_input_from_record(MbxAlertInput *input, const MbxRecord *record, const MbxVerdict *verdict);

/* the rule whose fields head the alert (rule.id, signature_id): the first fired in catalogue order */
MbxRule mbx_alert_primary_rule(guint32 rules);

#define MBX_ALERT_ID_LEN 37

/*
 * The alert id: a UUID (version 5, SHA-1) over @record_id and the ids of the
 * rules in @rules.  The same record with the same rules always gives the same
 * id.  @record_id NULL or empty: @raw is hashed instead.
 */
void mbx_alert_id(const gchar *record_id, const gchar *raw, guint32 rules, gchar out[MBX_ALERT_ID_LEN]);

/*
 * The reason one rule gave: its clause of @reason without the "<rule-id>: "
 * head, appended to @out.  FALSE (nothing appended) when @reason has none.
 */
gboolean mbx_alert_rule_reason(const gchar *reason, MbxRule rule, GString *out);

/* Appends one alert in @format, a JSON object on one line without a newline. */
void mbx_alert_append(const MbxAlertInput *input, MbxAlertFormat format, GString *out);

/*
 * Appends the evidence object: "suspicious", "score", "severity", "rules"
 * (comma-separated), "reason", "alert_id", every field set, typed (ints as
 * numbers, bools as booleans) and named as mbx_field_name(), then the extra
 * values.  One line, JSON.
 */
void mbx_alert_append_evidence(const MbxAlertInput *input, GString *out);

G_END_DECLS

#endif
