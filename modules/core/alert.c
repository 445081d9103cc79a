/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Alert builder: ECS, OCSF Detection Finding and Splunk CIM Alerts objects
 * (bare, or in a Splunk HEC envelope) from the evidence of one suspicious
 * record, written with json-glib's JsonBuilder and JsonGenerator.
 *
 * json-glib is only used to write.  Its JsonParser is never used: syslog-ng's
 * json-plugin exports a json_parser_new() of its own, and a module calling
 * json-glib's by name binds to that one.
 *
 * Every format leads with the primary rule (the first fired, in catalogue
 * order) in its rule fields and lists every rule fired, with its reason, in
 * a list of its own.  Values the record does not carry are left out, except
 * the constants of each format.  Text that is not valid UTF-8 is repaired,
 * so the output is always valid JSON.
 */
#include "mbx-alert.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "mbx-time.h"
#include "mbx-ip.h"

#ifndef MBX_VERSION
#define MBX_VERSION "unknown"
#endif

#define PRODUCT "mailbox-monitor"
#define RULESET "mailbox-monitor"
#define OCSF_VERSION "1.1.0"

#define TACTIC_ID "TA0009"
#define TACTIC_NAME "Collection"
#define TECHNIQUE_ID "T1114"
#define TECHNIQUE_NAME "Email Collection"
#define SUBTECHNIQUE_ID "T1114.002"
#define SUBTECHNIQUE_NAME "Remote Email Collection"
#define ATTACK_URL "https://attack.mitre.org/"

/* namespace of the alert ids (a UUID of our own, fixed forever) */
static const guint8 alert_id_namespace[16] = {
  0x6d, 0x62, 0x78, 0x2d, 0x61, 0x6c, 0x65, 0x72, 0x74, 0x2d, 0x69, 0x64, 0x2d, 0x76, 0x31, 0x00
};

static const gchar *format_names[MBX_ALERT_FORMAT_MAX] = {
  [MBX_ALERT_ECS] = "ecs",
  [MBX_ALERT_OCSF] = "ocsf",
  [MBX_ALERT_CIM] = "cim",
  [MBX_ALERT_HEC] = "hec",
};

static const gchar *severity_names[] = {
  [MBX_SEVERITY_UNKNOWN] = "unknown",
  [MBX_SEVERITY_INFORMATIONAL] = "informational",
  [MBX_SEVERITY_LOW] = "low",
  [MBX_SEVERITY_MEDIUM] = "medium",
  [MBX_SEVERITY_HIGH] = "high",
  [MBX_SEVERITY_CRITICAL] = "critical",
};

/* OCSF spells the levels with a capital */
static const gchar *ocsf_severity_names[] = {
  [MBX_SEVERITY_UNKNOWN] = "Unknown",
  [MBX_SEVERITY_INFORMATIONAL] = "Informational",
  [MBX_SEVERITY_LOW] = "Low",
  [MBX_SEVERITY_MEDIUM] = "Medium",
  [MBX_SEVERITY_HIGH] = "High",
  [MBX_SEVERITY_CRITICAL] = "Critical",
};

MbxAlertFormat
mbx_alert_format_by_name(const gchar *name)
{
  for (gint f = 0; f < MBX_ALERT_FORMAT_MAX; f++)
    {
      if (name && g_ascii_strcasecmp(name, format_names[f]) == 0)
        return (MbxAlertFormat) f;
    }
  return MBX_ALERT_FORMAT_MAX;
}

const gchar *
mbx_alert_format_name(MbxAlertFormat format)
{
  return format < MBX_ALERT_FORMAT_MAX ? format_names[format] : NULL;
}

MbxSeverity
mbx_severity_from_score(gint score)
{
  if (score <= 0)
    return MBX_SEVERITY_INFORMATIONAL;
  if (score < 40)
    return MBX_SEVERITY_LOW;
  if (score < 70)
    return MBX_SEVERITY_MEDIUM;
  if (score < 90)
    return MBX_SEVERITY_HIGH;
  return MBX_SEVERITY_CRITICAL;
}

const gchar *
mbx_severity_name(MbxSeverity severity)
{
  return severity <= MBX_SEVERITY_CRITICAL ? severity_names[severity] : severity_names[MBX_SEVERITY_UNKNOWN];
}

void
mbx_alert_input_init(MbxAlertInput *input)
{
  memset(input, 0, sizeof(*input));
  input->time_us = -1;
}

void
mbx_alert_input_from_record(MbxAlertInput *input, const MbxRecord *record, const MbxVerdict *verdict)
{
  mbx_alert_input_init(input);
  for (gint f = 0; f < MBX_F_MAX; f++)
    input->values[f] = mbx_record_get_string(record, f, NULL);
  input->rules = verdict->rules;
  input->score = verdict->score;
  input->reason = verdict->reason;
}

MbxRule
mbx_alert_primary_rule(guint32 rules)
{
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (rules & (1u << r))
        return (MbxRule) r;
    }
  return MBX_RULE_MAX;
}

void
mbx_alert_id(const gchar *record_id, const gchar *raw, guint32 rules, gchar out[MBX_ALERT_ID_LEN])
{
  GChecksum *sha1 = g_checksum_new(G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof(digest);

  g_checksum_update(sha1, alert_id_namespace, sizeof(alert_id_namespace));
  if (record_id && record_id[0])
    {
      g_checksum_update(sha1, (const guchar *) "id:", 3);
      g_checksum_update(sha1, (const guchar *) record_id, strlen(record_id));
    }
  else
    {
      g_checksum_update(sha1, (const guchar *) "raw:", 4);
      if (raw)
        g_checksum_update(sha1, (const guchar *) raw, strlen(raw));
    }
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!(rules & (1u << r)))
        continue;
      /* 0x1f cannot appear in a rule id, so "a" + "b" never hashes as "ab" */
      g_checksum_update(sha1, (const guchar *) "\x1f", 1);
      g_checksum_update(sha1, (const guchar *) mbx_rule_id(r), strlen(mbx_rule_id(r)));
    }
  g_checksum_get_digest(sha1, digest, &digest_len);
  g_checksum_free(sha1);

  /* RFC 4122 version 5, variant 10 */
  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  g_snprintf(out, MBX_ALERT_ID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7], digest[8],
             digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]);
}

/* where the clause of @rule starts in @reason ("<id>: " at the start or after "; "), or NULL */
static const gchar *
_clause_start(const gchar *reason, MbxRule rule)
{
  const gchar *id = mbx_rule_id(rule);
  gsize id_len = strlen(id);

  for (const gchar *p = reason; p && *p; p = strstr(p, "; "))
    {
      if (p != reason)
        p += 2;
      if (strncmp(p, id, id_len) == 0 && p[id_len] == ':')
        return p;
    }
  return NULL;
}

gboolean
mbx_alert_rule_reason(const gchar *reason, MbxRule rule, GString *out)
{
  if (!reason || rule >= MBX_RULE_MAX)
    return FALSE;
  const gchar *start = _clause_start(reason, rule);
  if (!start)
    return FALSE;
  start += strlen(mbx_rule_id(rule)) + 1;
  while (*start == ' ')
    start++;

  /* the clause ends where the next rule's clause starts: a reason may itself hold "; " */
  const gchar *end = start + strlen(start);
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      const gchar *next = _clause_start(start, r);
      if (next && next != start && next - 2 < end)
        end = next - 2;
    }
  g_string_append_len(out, start, end - start);
  return TRUE;
}

/* ---- JSON helpers ---------------------------------------------------- */

static void
_add_string(JsonBuilder *b, const gchar *name, const gchar *value)
{
  if (!value)
    return;
  json_builder_set_member_name(b, name);
  if (g_utf8_validate(value, -1, NULL))
    {
      json_builder_add_string_value(b, value);
      return;
    }
  gchar *valid = g_utf8_make_valid(value, -1);
  json_builder_add_string_value(b, valid);
  g_free(valid);
}

static void
_add_int(JsonBuilder *b, const gchar *name, gint64 value)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, value);
}

static void
_add_string_array(JsonBuilder *b, const gchar *name, const gchar *value)
{
  json_builder_set_member_name(b, name);
  json_builder_begin_array(b);
  json_builder_add_string_value(b, value);
  json_builder_end_array(b);
}

static void
_begin_object(JsonBuilder *b, const gchar *name)
{
  json_builder_set_member_name(b, name);
  json_builder_begin_object(b);
}

static void
_begin_array(JsonBuilder *b, const gchar *name)
{
  json_builder_set_member_name(b, name);
  json_builder_begin_array(b);
}

static void
_append_json(JsonBuilder *b, GString *out)
{
  JsonNode *root = json_builder_get_root(b);
  JsonGenerator *gen = json_generator_new();
  gsize len;

  json_generator_set_root(gen, root);
  gchar *text = json_generator_to_data(gen, &len);
  g_string_append_len(out, text, len);
  g_free(text);
  g_object_unref(gen);
  json_node_unref(root);
}

/* ---- what every format reads ------------------------------------------ */

typedef struct
{
  const MbxAlertInput *in;
  gchar id[MBX_ALERT_ID_LEN];
  MbxRule primary;
  MbxSeverity severity;
  gint64 time_us;
  gchar timestamp[40];
  GString *title;
  const gchar *ip;   /* the client address when it is an IP address */
  const gchar *host; /* ... when it is a host name */
} Alert;

static const gchar *
_value(const Alert *a, MbxField field)
{
  const gchar *v = a->in->values[field];
  return v && v[0] ? v : NULL;
}

static void
_alert_init(Alert *a, const MbxAlertInput *in)
{
  a->in = in;
  mbx_alert_id(_value(a, MBX_F_ID), in->raw, in->rules, a->id);
  a->primary = mbx_alert_primary_rule(in->rules);
  a->severity = mbx_severity_from_score(in->score);

  const gchar *t = _value(a, MBX_F_EVENT_TIME);
  a->time_us = t ? g_ascii_strtoll(t, NULL, 10) : in->time_us;
  a->timestamp[0] = '\0';
  if (a->time_us >= 0)
    mbx_time_format(a->time_us, a->timestamp, sizeof(a->timestamp));

  /* "<rule name>[; <rule name>...]: <mailbox>" */
  a->title = g_string_sized_new(128);
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!(in->rules & (1u << r)))
        continue;
      if (a->title->len)
        g_string_append(a->title, "; ");
      g_string_append(a->title, mbx_rule_name(r));
    }
  if (!a->title->len)
    g_string_append(a->title, "Suspicious mailbox access");
  const gchar *mailbox = _value(a, MBX_F_MAILBOX);
  if (mailbox)
    g_string_append_printf(a->title, ": %s", mailbox);

  const gchar *ip = _value(a, MBX_F_CLIENT_IP);
  gchar canonical[MBX_IP_TEXT_MAX];
  MbxIpKind kind = ip ? mbx_ip_canonicalize(ip, strlen(ip), canonical, sizeof(canonical)) : MBX_IP_NONE;
  a->ip = (kind == MBX_IP_V4 || kind == MBX_IP_V6) ? ip : NULL;
  a->host = kind == MBX_IP_HOST ? ip : NULL;
}

static void
_alert_clear(Alert *a)
{
  g_string_free(a->title, TRUE);
}

static gboolean
_is_true(const gchar *v)
{
  return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* @v as a member typed @type: a number or a boolean when it reads as one, else a string */
static void
_add_typed(JsonBuilder *b, const gchar *name, const gchar *v, MbxFieldType type)
{
  gchar *end;

  if (type == MBX_TYPE_INT)
    {
      gint64 n = g_ascii_strtoll(v, &end, 10);
      if (*end == '\0')
        {
          _add_int(b, name, n);
          return;
        }
      gdouble d = g_ascii_strtod(v, &end);
      if (*end == '\0' && isfinite(d))
        {
          json_builder_set_member_name(b, name);
          json_builder_add_double_value(b, d);
          return;
        }
    }
  else if (type == MBX_TYPE_BOOL)
    {
      json_builder_set_member_name(b, name);
      json_builder_add_boolean_value(b, _is_true(v));
      return;
    }
  _add_string(b, name, v);
}

/* the record's fields, then the extra values, typed, as members of the current object */
static void
_add_fields(JsonBuilder *b, const MbxAlertInput *in)
{
  for (gint f = 0; f < MBX_F_MAX; f++)
    {
      if (in->values[f] && in->values[f][0])
        _add_typed(b, mbx_field_name(f), in->values[f], mbx_field_type(f));
    }
  for (guint i = 0; i < in->n_extra; i++)
    {
      const MbxAlertValue *x = &in->extra[i];
      if (x->name && x->value && x->value[0])
        _add_typed(b, x->name, x->value, x->type);
    }
}

/* [{"id", "name", "description", "reason"}...] for every rule fired */
static void
_add_rules(JsonBuilder *b, const gchar *name, const MbxAlertInput *in)
{
  GString *reason = g_string_sized_new(128);

  _begin_array(b, name);
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!(in->rules & (1u << r)))
        continue;
      json_builder_begin_object(b);
      _add_string(b, "id", mbx_rule_id(r));
      _add_string(b, "name", mbx_rule_name(r));
      _add_string(b, "description", mbx_rule_description(r));
      g_string_truncate(reason, 0);
      if (mbx_alert_rule_reason(in->reason, r, reason))
        _add_string(b, "reason", reason->str);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
  g_string_free(reason, TRUE);
}

static void
_add_rule_ids(JsonBuilder *b, const gchar *name, guint32 rules)
{
  _begin_array(b, name);
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (rules & (1u << r))
        json_builder_add_string_value(b, mbx_rule_id(r));
    }
  json_builder_end_array(b);
}

/* {"score", "severity", "rules": [...], "evidence": {...}}: our own namespace in every format */
static void
_add_detection(JsonBuilder *b, const gchar *name, const Alert *a)
{
  _begin_object(b, name);
  _add_int(b, "score", a->in->score);
  _add_string(b, "severity", mbx_severity_name(a->severity));
  _add_string(b, "record_id", _value(a, MBX_F_ID));
  _add_rules(b, "rules", a->in);
  _add_string(b, "reason", a->in->reason);
  _begin_object(b, "evidence");
  _add_fields(b, a->in);
  json_builder_end_object(b);
  json_builder_end_object(b);
}

/* ---- Elastic ECS ------------------------------------------------------ */

static void
_build_ecs(JsonBuilder *b, const Alert *a)
{
  const MbxAlertInput *in = a->in;

  json_builder_begin_object(b);
  if (a->timestamp[0])
    _add_string(b, "@timestamp", a->timestamp);
  _add_string(b, "message", a->title->str);

  _begin_object(b, "event");
  _add_string(b, "kind", "alert");
  _add_string(b, "id", a->id);
  _add_string(b, "action", _value(a, MBX_F_OPERATION));
  _add_string(b, "provider", _value(a, MBX_F_WORKLOAD));
  _add_string(b, "code", _value(a, MBX_F_RECORD_TYPE));
  _add_string(b, "dataset", "mailbox_monitor.alert");
  _add_string(b, "module", "mailbox_monitor");
  _add_int(b, "severity", a->severity);
  _add_int(b, "risk_score", in->score);
  _add_string(b, "reason", in->reason);
  _add_string(b, "original", in->raw);
  json_builder_end_object(b);

  if (a->primary < MBX_RULE_MAX)
    {
      _begin_object(b, "rule");
      _add_string(b, "id", mbx_rule_id(a->primary));
      _add_string(b, "name", mbx_rule_name(a->primary));
      _add_string(b, "description", mbx_rule_description(a->primary));
      _add_string(b, "ruleset", RULESET);
      _add_string(b, "category", TACTIC_NAME);
      json_builder_end_object(b);
    }

  _begin_object(b, "threat");
  _add_string(b, "framework", "MITRE ATT&CK");
  _begin_object(b, "tactic");
  _add_string_array(b, "id", TACTIC_ID);
  _add_string_array(b, "name", TACTIC_NAME);
  _add_string_array(b, "reference", ATTACK_URL "tactics/" TACTIC_ID "/");
  json_builder_end_object(b);
  _begin_object(b, "technique");
  _add_string_array(b, "id", TECHNIQUE_ID);
  _add_string_array(b, "name", TECHNIQUE_NAME);
  _add_string_array(b, "reference", ATTACK_URL "techniques/T1114/");
  _begin_object(b, "subtechnique");
  _add_string_array(b, "id", SUBTECHNIQUE_ID);
  _add_string_array(b, "name", SUBTECHNIQUE_NAME);
  _add_string_array(b, "reference", ATTACK_URL "techniques/T1114/002/");
  json_builder_end_object(b);
  json_builder_end_object(b);
  json_builder_end_object(b);

  /* as Elastic's o365 integration: the mailbox owner's UPN is user.email, the actor user.id */
  const gchar *mailbox = _value(a, MBX_F_MAILBOX);
  gboolean mailbox_is_email = mailbox && strchr(mailbox, '@');
  if (mailbox || _value(a, MBX_F_ACTOR))
    {
      _begin_object(b, "user");
      _add_string(b, "email", mailbox_is_email ? mailbox : NULL);
      _add_string(b, "id", _value(a, MBX_F_ACTOR));
      if (mailbox && !mailbox_is_email)
        {
          /* a Graph record names the mailbox by the owner's object id */
          _begin_object(b, "target");
          _add_string(b, "id", mailbox);
          json_builder_end_object(b);
        }
      json_builder_end_object(b);
    }
  if (a->ip || a->host)
    {
      _begin_object(b, "source");
      _add_string(b, "ip", a->ip);
      _add_string(b, "address", a->ip ? a->ip : a->host);
      json_builder_end_object(b);
    }
  if (_value(a, MBX_F_CLIENT_INFO))
    {
      _begin_object(b, "user_agent");
      _add_string(b, "original", _value(a, MBX_F_CLIENT_INFO));
      json_builder_end_object(b);
    }
  if (_value(a, MBX_F_TENANT))
    {
      _begin_object(b, "organization");
      _add_string(b, "id", _value(a, MBX_F_TENANT));
      json_builder_end_object(b);
    }
  _begin_object(b, "observer");
  _add_string(b, "vendor", PRODUCT);
  _add_string(b, "product", PRODUCT);
  _add_string(b, "version", MBX_VERSION);
  _add_string(b, "type", "detector");
  json_builder_end_object(b);

  _begin_object(b, "related");
  _begin_array(b, "user");
  if (_value(a, MBX_F_MAILBOX))
    json_builder_add_string_value(b, _value(a, MBX_F_MAILBOX));
  if (_value(a, MBX_F_ACTOR) && g_strcmp0(_value(a, MBX_F_ACTOR), _value(a, MBX_F_MAILBOX)) != 0)
    json_builder_add_string_value(b, _value(a, MBX_F_ACTOR));
  json_builder_end_array(b);
  if (a->ip)
    _add_string_array(b, "ip", a->ip);
  json_builder_end_object(b);

  _begin_array(b, "tags");
  json_builder_add_string_value(b, PRODUCT);
  json_builder_add_string_value(b, "mailbox.suspicious");
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!(in->rules & (1u << r)))
        continue;
      gchar *tag = g_strconcat("mailbox.rule.", mbx_rule_id(r), NULL);
      json_builder_add_string_value(b, tag);
      g_free(tag);
    }
  json_builder_end_array(b);

  _add_detection(b, "mailbox_monitor", a);
  json_builder_end_object(b);
}

/* ---- OCSF Detection Finding -------------------------------------------- */

static void
_add_analytic(JsonBuilder *b, MbxRule rule)
{
  _add_string(b, "uid", mbx_rule_id(rule));
  _add_string(b, "name", mbx_rule_name(rule));
  _add_string(b, "desc", mbx_rule_description(rule));
  _add_int(b, "type_id", 1);
  _add_string(b, "type", "Rule");
  _add_string(b, "category", TACTIC_NAME);
}

static void
_add_ocsf_attack(JsonBuilder *b)
{
  json_builder_begin_object(b);
  _begin_object(b, "tactic");
  _add_string(b, "uid", TACTIC_ID);
  _add_string(b, "name", TACTIC_NAME);
  json_builder_end_object(b);
  _begin_object(b, "technique");
  _add_string(b, "uid", TECHNIQUE_ID);
  _add_string(b, "name", TECHNIQUE_NAME);
  json_builder_end_object(b);
  _begin_object(b, "sub_technique");
  _add_string(b, "uid", SUBTECHNIQUE_ID);
  _add_string(b, "name", SUBTECHNIQUE_NAME);
  json_builder_end_object(b);
  json_builder_end_object(b);
}

static void
_build_ocsf(JsonBuilder *b, const Alert *a)
{
  const MbxAlertInput *in = a->in;

  json_builder_begin_object(b);
  _add_int(b, "class_uid", 2004);
  _add_string(b, "class_name", "Detection Finding");
  _add_int(b, "category_uid", 2);
  _add_string(b, "category_name", "Findings");
  _add_int(b, "activity_id", 1);
  _add_string(b, "activity_name", "Create");
  _add_int(b, "type_uid", 200401);
  _add_string(b, "type_name", "Detection Finding: Create");
  if (a->time_us >= 0)
    _add_int(b, "time", a->time_us / 1000);
  _add_int(b, "severity_id", a->severity);
  _add_string(b, "severity", ocsf_severity_names[a->severity]);
  _add_int(b, "risk_score", in->score);
  _add_int(b, "status_id", 1);
  _add_string(b, "status", "New");
  json_builder_set_member_name(b, "is_alert");
  json_builder_add_boolean_value(b, TRUE);
  _add_string(b, "message", a->title->str);

  _begin_object(b, "finding_info");
  _add_string(b, "uid", a->id);
  _add_string(b, "title", a->title->str);
  _add_string(b, "desc", in->reason);
  _add_rule_ids(b, "types", in->rules);
  if (a->time_us >= 0)
    {
      _add_int(b, "first_seen_time", a->time_us / 1000);
      _add_int(b, "last_seen_time", a->time_us / 1000);
    }
  if (a->primary < MBX_RULE_MAX)
    {
      _begin_object(b, "analytic");
      _add_analytic(b, a->primary);
      json_builder_end_object(b);
    }
  _begin_array(b, "related_analytics");
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!(in->rules & (1u << r)))
        continue;
      json_builder_begin_object(b);
      _add_analytic(b, r);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
  _begin_array(b, "attacks");
  _add_ocsf_attack(b);
  json_builder_end_array(b);
  json_builder_end_object(b);

  _begin_array(b, "evidences");
  json_builder_begin_object(b);
  _begin_object(b, "actor");
  _begin_object(b, "user");
  _add_string(b, "uid", _value(a, MBX_F_ACTOR));
  _add_string(b, "name", _value(a, MBX_F_ACTOR));
  json_builder_end_object(b);
  _add_string(b, "app_uid", _value(a, MBX_F_APP_ID));
  json_builder_end_object(b);
  if (a->ip || a->host)
    {
      _begin_object(b, "src_endpoint");
      _add_string(b, "ip", a->ip);
      _add_string(b, "hostname", a->host);
      json_builder_end_object(b);
    }
  if (_value(a, MBX_F_OPERATION))
    {
      _begin_object(b, "api");
      _add_string(b, "operation", _value(a, MBX_F_OPERATION));
      _begin_object(b, "service");
      _add_string(b, "name", _value(a, MBX_F_WORKLOAD));
      json_builder_end_object(b);
      json_builder_end_object(b);
    }
  if (_value(a, MBX_F_CLIENT_INFO))
    {
      _begin_object(b, "http_request");
      _add_string(b, "user_agent", _value(a, MBX_F_CLIENT_INFO));
      json_builder_end_object(b);
    }
  _begin_object(b, "data");
  _add_fields(b, in);
  json_builder_end_object(b);
  json_builder_end_object(b);
  json_builder_end_array(b);

  _begin_array(b, "resources");
  if (_value(a, MBX_F_MAILBOX))
    {
      json_builder_begin_object(b);
      _add_string(b, "type", "Mailbox");
      _add_string(b, "uid", _value(a, MBX_F_MAILBOX));
      _add_string(b, "name", _value(a, MBX_F_MAILBOX));
      json_builder_end_object(b);
    }
  json_builder_end_array(b);

  if (_value(a, MBX_F_TENANT))
    {
      _begin_object(b, "cloud");
      _add_string(b, "provider", "Microsoft 365");
      _begin_object(b, "account");
      _add_string(b, "uid", _value(a, MBX_F_TENANT));
      json_builder_end_object(b);
      json_builder_end_object(b);
    }

  _begin_object(b, "metadata");
  _add_string(b, "version", OCSF_VERSION);
  _begin_object(b, "product");
  _add_string(b, "name", PRODUCT);
  _add_string(b, "vendor_name", PRODUCT);
  _add_string(b, "version", MBX_VERSION);
  json_builder_end_object(b);
  _add_string(b, "log_name", _value(a, MBX_F_SOURCE));
  json_builder_end_object(b);

  _begin_object(b, "unmapped");
  _add_detection(b, "mailbox_monitor", a);
  json_builder_end_object(b);
  _add_string(b, "raw_data", in->raw);
  json_builder_end_object(b);
}

/* ---- Splunk CIM Alerts ------------------------------------------------- */

static void
_build_cim(JsonBuilder *b, const Alert *a)
{
  const MbxAlertInput *in = a->in;

  json_builder_begin_object(b);
  if (a->time_us >= 0)
    {
      json_builder_set_member_name(b, "_time");
      json_builder_add_double_value(b, a->time_us / 1e6);
    }
  _add_string(b, "type", "alert");
  _add_string(b, "app", PRODUCT);
  _add_string(b, "vendor_product", PRODUCT);
  _add_string(b, "id", a->id);
  _add_string(b, "severity", mbx_severity_name(a->severity));
  _add_int(b, "severity_id", a->severity);
  _add_int(b, "risk_score", in->score);
  if (a->primary < MBX_RULE_MAX)
    {
      _add_string(b, "signature", mbx_rule_name(a->primary));
      _add_string(b, "signature_id", mbx_rule_id(a->primary));
    }
  _add_string(b, "subject", a->title->str);
  _add_string(b, "description", in->reason);
  _add_string(b, "dest", _value(a, MBX_F_MAILBOX));
  _add_string(b, "src", a->ip ? a->ip : a->host);
  _add_string(b, "user", _value(a, MBX_F_ACTOR));
  _add_string(b, "vendor_account", _value(a, MBX_F_TENANT));
  _add_string(b, "action", _value(a, MBX_F_OPERATION));
  _add_string(b, "http_user_agent", _value(a, MBX_F_CLIENT_INFO));
  _add_string(b, "mitre_technique_id", SUBTECHNIQUE_ID);
  _add_string_array(b, "tag", "alert");
  _add_detection(b, "mailbox_monitor", a);
  _add_string(b, "orig_raw", in->raw);
  json_builder_end_object(b);
}

/* {"time", "source", "sourcetype", "event": CIM}: what Splunk's /services/collector/event takes */
static void
_build_hec(JsonBuilder *b, const Alert *a)
{
  json_builder_begin_object(b);
  if (a->time_us >= 0)
    {
      json_builder_set_member_name(b, "time");
      json_builder_add_double_value(b, a->time_us / 1e6);
    }
  _add_string(b, "source", PRODUCT);
  _add_string(b, "sourcetype", PRODUCT ":alert");
  json_builder_set_member_name(b, "event");
  _build_cim(b, a);
  json_builder_end_object(b);
}

void
mbx_alert_append(const MbxAlertInput *input, MbxAlertFormat format, GString *out)
{
  JsonBuilder *b = json_builder_new();
  Alert a;

  _alert_init(&a, input);
  switch (format)
    {
    case MBX_ALERT_OCSF:
      _build_ocsf(b, &a);
      break;
    case MBX_ALERT_CIM:
      _build_cim(b, &a);
      break;
    case MBX_ALERT_HEC:
      _build_hec(b, &a);
      break;
    default:
      _build_ecs(b, &a);
      break;
    }
  _append_json(b, out);
  _alert_clear(&a);
  g_object_unref(b);
}

void
mbx_alert_append_evidence(const MbxAlertInput *input, GString *out)
{
  JsonBuilder *b = json_builder_new();
  gchar id[MBX_ALERT_ID_LEN];
  GString *rules = g_string_sized_new(64);

  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!(input->rules & (1u << r)))
        continue;
      if (rules->len)
        g_string_append_c(rules, ',');
      g_string_append(rules, mbx_rule_id(r));
    }
  mbx_alert_id(input->values[MBX_F_ID], input->raw, input->rules, id);

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "suspicious");
  json_builder_add_boolean_value(b, input->rules != 0);
  _add_int(b, "score", input->score);
  _add_string(b, "severity", mbx_severity_name(mbx_severity_from_score(input->score)));
  _add_string(b, "rules", rules->str);
  _add_string(b, "reason", input->reason ? input->reason : "");
  _add_string(b, "alert_id", id);
  _add_fields(b, input);
  json_builder_end_object(b);
  _append_json(b, out);

  g_string_free(rules, TRUE);
  g_object_unref(b);
}
