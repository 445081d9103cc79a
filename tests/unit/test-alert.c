/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The alert builder: ids, severities, reasons per rule, and the ECS, OCSF
 * and CIM objects built from decoded fixtures, read back as JSON.
 *
 * Sources: test-alert.c fixture.c; links the core and alert libraries.
 */
#include <string.h>
#include <criterion/criterion.h>
#include <json-glib/json-glib.h>
#include "mailbox-monitor/mbx-alert.h"
#include "mailbox-monitor/mbx-detector.h"
#include "mailbox-monitor/mbx-decoder.h"
#include "fixture.h"

#define APP_ONLY_FIXTURE "mgmt-mail-items-accessed-app-only.json"
#define THROTTLED_FIXTURE "mgmt-mail-items-accessed-throttled.json"
#define BOTH (1u << MBX_RULE_APP_UNAPPROVED | 1u << MBX_RULE_THROTTLED)

static MbxDecoder *decoder;
static MbxDetector *detector;
static MbxRecord *record;
static MbxVerdict verdict;
static MbxAlertInput input;
static gchar *raw;
static JsonNode *root;

static void
setup(void)
{
  decoder = mbx_decoder_new();
  detector = mbx_detector_new();
  record = mbx_record_new();
  raw = NULL;
  root = NULL;
}

static void
teardown(void)
{
  if (root)
    json_node_unref(root);
  g_free(raw);
  mbx_record_free(record);
  mbx_detector_unref(detector);
  mbx_decoder_free(decoder);
}

TestSuite(alert, .init = setup, .fini = teardown);
TestSuite(alert_json, .init = setup, .fini = teardown);

/* decodes and evaluates @fixture into the input of an alert */
static void
load(const gchar *fixture)
{
  gsize len;
  raw = fixture_load(fixture, &len);
  fixture_decode(decoder, fixture, record);
  mbx_detector_evaluate(detector, record, &verdict);
  cr_assert_neq(verdict.rules, 0, "%s is suspicious", fixture);
  mbx_alert_input_from_record(&input, record, &verdict);
  input.raw = raw;
}

/* builds the alert and parses it back; fails when it is not one JSON object on one line */
static JsonObject *
build(MbxAlertFormat format)
{
  GString *out = g_string_new("");
  GError *error = NULL;

  mbx_alert_append(&input, format, out);
  cr_assert_null(strchr(out->str, '\n'), "one line: %s", out->str);
  JsonParser *parser = json_parser_new_immutable();
  cr_assert(json_parser_load_from_data(parser, out->str, out->len, &error), "%s alert parses: %s\n%s",
            mbx_alert_format_name(format), error ? error->message : "", out->str);
  if (root)
    json_node_unref(root);
  root = json_node_ref(json_parser_get_root(parser));
  g_object_unref(parser);
  g_string_free(out, TRUE);
  cr_assert(JSON_NODE_HOLDS_OBJECT(root));
  return json_node_get_object(root);
}

/* the node at a dotted @path ("event.kind"; "@timestamp" is one name), or NULL */
static JsonNode *
at(JsonObject *obj, const gchar *path)
{
  gchar **parts = g_strsplit(path, ".", -1);
  JsonNode *node = NULL;

  for (gint i = 0; parts[i]; i++)
    {
      if (!obj || !json_object_has_member(obj, parts[i]))
        {
          node = NULL;
          break;
        }
      node = json_object_get_member(obj, parts[i]);
      obj = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
    }
  g_strfreev(parts);
  return node;
}

static const gchar *
str_at(JsonObject *obj, const gchar *path)
{
  JsonNode *node = at(obj, path);
  cr_assert_not_null(node, "%s is present", path);
  if (JSON_NODE_HOLDS_ARRAY(node))
    {
      JsonArray *array = json_node_get_array(node);
      cr_assert_eq(json_array_get_length(array), 1, "%s holds one value", path);
      node = json_array_get_element(array, 0);
    }
  cr_assert(JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING, "%s is a string", path);
  return json_node_get_string(node);
}

static gint64
int_at(JsonObject *obj, const gchar *path)
{
  JsonNode *node = at(obj, path);
  cr_assert_not_null(node, "%s is present", path);
  cr_assert(JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_INT64, "%s is an integer", path);
  return json_node_get_int(node);
}

static void
assert_str_at(JsonObject *obj, const gchar *path, const gchar *expected)
{
  const gchar *actual = str_at(obj, path);
  cr_assert_str_eq(actual, expected, "%s is \"%s\", expected \"%s\"", path, actual, expected);
}

static gchar *
alert_id(const gchar *record_id, guint32 rules)
{
  gchar id[MBX_ALERT_ID_LEN];
  mbx_alert_id(record_id, NULL, rules, id);
  return g_strdup(id);
}

/* ---------------------------------------------------------------- alert */

Test(alert, names_its_formats)
{
  cr_assert_eq(mbx_alert_format_by_name("ecs"), MBX_ALERT_ECS);
  cr_assert_eq(mbx_alert_format_by_name("OCSF"), MBX_ALERT_OCSF);
  cr_assert_eq(mbx_alert_format_by_name("Cim"), MBX_ALERT_CIM);
  cr_assert_eq(mbx_alert_format_by_name("hec"), MBX_ALERT_HEC);
  cr_assert_eq(mbx_alert_format_by_name("leef"), MBX_ALERT_FORMAT_MAX);
  cr_assert_eq(mbx_alert_format_by_name(NULL), MBX_ALERT_FORMAT_MAX);
  cr_assert_str_eq(mbx_alert_format_name(MBX_ALERT_OCSF), "ocsf");
}

Test(alert, maps_scores_to_severities)
{
  static const struct
  {
    gint score;
    MbxSeverity severity;
    const gchar *name;
  } table[] = {
    { 0, MBX_SEVERITY_INFORMATIONAL, "informational" },
    { 1, MBX_SEVERITY_LOW, "low" },
    { 39, MBX_SEVERITY_LOW, "low" },
    { 40, MBX_SEVERITY_MEDIUM, "medium" },
    { 69, MBX_SEVERITY_MEDIUM, "medium" },
    { 70, MBX_SEVERITY_HIGH, "high" },
    { 89, MBX_SEVERITY_HIGH, "high" },
    { 90, MBX_SEVERITY_CRITICAL, "critical" },
    { 100, MBX_SEVERITY_CRITICAL, "critical" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
    {
      cr_assert_eq(mbx_severity_from_score(table[i].score), table[i].severity, "score %d", table[i].score);
      cr_assert_str_eq(mbx_severity_name(table[i].severity), table[i].name);
    }
}

Test(alert, every_rule_has_a_name_and_a_description)
{
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      cr_assert_not_null(mbx_rule_name(r), "rule %s has a name", mbx_rule_id(r));
      cr_assert_gt(strlen(mbx_rule_description(r)), strlen(mbx_rule_name(r)), "rule %s has a description",
                   mbx_rule_id(r));
    }
  cr_assert_null(mbx_rule_name(MBX_RULE_MAX));
  cr_assert_null(mbx_rule_description(MBX_RULE_MAX));
}

Test(alert, ids_are_version_5_uuids)
{
  gchar *id = alert_id("a3e85c17-94b2-4d6f-8a0e-7c1b3d5f9e24", 1u << MBX_RULE_THROTTLED);
  cr_assert_eq(strlen(id), 36);
  for (gint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        cr_assert_eq(id[i], '-', "%s", id);
      else
        cr_assert(g_ascii_isxdigit(id[i]) && !g_ascii_isupper(id[i]), "%s", id);
    }
  cr_assert_eq(id[14], '5', "version 5: %s", id);
  cr_assert(strchr("89ab", id[19]), "RFC 4122 variant: %s", id);
  g_free(id);
}

Test(alert, ids_repeat_for_a_replayed_record_and_differ_otherwise)
{
  gchar *a = alert_id("rec-1", 1u << MBX_RULE_THROTTLED);
  gchar *again = alert_id("rec-1", 1u << MBX_RULE_THROTTLED);
  gchar *other_record = alert_id("rec-2", 1u << MBX_RULE_THROTTLED);
  gchar *other_rules = alert_id("rec-1", BOTH);
  gchar *other_rule = alert_id("rec-1", 1u << MBX_RULE_APP_UNAPPROVED);

  cr_assert_str_eq(a, again);
  cr_assert_str_neq(a, other_record);
  cr_assert_str_neq(a, other_rules);
  cr_assert_str_neq(a, other_rule);
  cr_assert_str_neq(other_rules, other_rule);
  g_free(a);
  g_free(again);
  g_free(other_record);
  g_free(other_rules);
  g_free(other_rule);
}

Test(alert, ids_of_records_without_an_id_come_from_the_raw_record)
{
  gchar a[MBX_ALERT_ID_LEN], b[MBX_ALERT_ID_LEN], c[MBX_ALERT_ID_LEN];
  mbx_alert_id(NULL, "{\"x\":1}", 1, a);
  mbx_alert_id("", "{\"x\":1}", 1, b);
  mbx_alert_id(NULL, "{\"x\":2}", 1, c);
  cr_assert_str_eq(a, b);
  cr_assert_str_neq(a, c);
}

Test(alert, the_primary_rule_is_the_first_fired_in_catalogue_order)
{
  cr_assert_eq(mbx_alert_primary_rule(BOTH), MBX_RULE_APP_UNAPPROVED);
  cr_assert_eq(mbx_alert_primary_rule(1u << MBX_RULE_THROTTLED), MBX_RULE_THROTTLED);
  cr_assert_eq(mbx_alert_primary_rule(0), MBX_RULE_MAX);
}

Test(alert, splits_the_reason_per_rule)
{
  const gchar *reason = "app-unapproved: mail read by app x; y, not on the approved list; "
                        "throttled: IsThrottled=True, reads go unaudited";
  GString *out = g_string_new("");

  cr_assert(mbx_alert_rule_reason(reason, MBX_RULE_APP_UNAPPROVED, out));
  cr_assert_str_eq(out->str, "mail read by app x; y, not on the approved list", "a '; ' inside a clause stays");
  g_string_truncate(out, 0);
  cr_assert(mbx_alert_rule_reason(reason, MBX_RULE_THROTTLED, out));
  cr_assert_str_eq(out->str, "IsThrottled=True, reads go unaudited");
  g_string_truncate(out, 0);
  cr_assert_not(mbx_alert_rule_reason("throttled: x", MBX_RULE_APP_UNAPPROVED, out));
  cr_assert_not(mbx_alert_rule_reason("app-unapproved-ish: x", MBX_RULE_APP_UNAPPROVED, out));
  cr_assert_not(mbx_alert_rule_reason(NULL, MBX_RULE_THROTTLED, out));
  cr_assert_eq(out->len, 0);
  g_string_free(out, TRUE);
}

Test(alert, evidence_is_typed_and_complete)
{
  load(THROTTLED_FIXTURE);
  GString *out = g_string_new("");
  mbx_alert_append_evidence(&input, out);
  JsonParser *parser = json_parser_new_immutable();
  cr_assert(json_parser_load_from_data(parser, out->str, out->len, NULL), "%s", out->str);
  JsonObject *ev = json_node_get_object(json_parser_get_root(parser));

  cr_assert(json_object_get_boolean_member(ev, "suspicious"));
  cr_assert_str_eq(json_object_get_string_member(ev, "rules"), "throttled");
  cr_assert_eq(json_object_get_int_member(ev, "score"), verdict.score);
  cr_assert_str_eq(json_object_get_string_member(ev, "severity"), mbx_severity_name(mbx_severity_from_score(verdict.score)));
  cr_assert_str_eq(json_object_get_string_member(ev, "mailbox"), "alice@contoso.com");
  cr_assert_str_eq(json_object_get_string_member(ev, "id"), "a3e85c17-94b2-4d6f-8a0e-7c1b3d5f9e24");
  cr_assert_eq(json_node_get_value_type(json_object_get_member(ev, "record_type")), G_TYPE_INT64);
  cr_assert_eq(json_object_get_int_member(ev, "record_type"), 50);
  cr_assert_eq(json_node_get_value_type(json_object_get_member(ev, "throttled")), G_TYPE_BOOLEAN);
  cr_assert(json_object_get_boolean_member(ev, "throttled"));
  cr_assert_eq(strlen(json_object_get_string_member(ev, "alert_id")), 36);
  for (gint f = 0; f < MBX_F_MAX; f++)
    cr_assert_eq(json_object_has_member(ev, mbx_field_name(f)), mbx_record_has(record, f), "field %s",
                 mbx_field_name(f));
  g_object_unref(parser);
  g_string_free(out, TRUE);
}

Test(alert, extra_values_follow_the_fields_typed)
{
  static const MbxAlertValue extra[] = {
    { "items_10m", "812", MBX_TYPE_INT },
    { "baseline_items_per_hour", "12.5", MBX_TYPE_INT },
    { "mailbox_new", "true", MBX_TYPE_BOOL },
    { "window", "10m", MBX_TYPE_STRING },
    { "not_a_number", "12x", MBX_TYPE_INT },
    { "empty", "", MBX_TYPE_STRING },
  };
  load(THROTTLED_FIXTURE);
  input.extra = extra;
  input.n_extra = G_N_ELEMENTS(extra);
  GString *out = g_string_new("");
  mbx_alert_append_evidence(&input, out);
  JsonParser *parser = json_parser_new_immutable();
  cr_assert(json_parser_load_from_data(parser, out->str, out->len, NULL), "%s", out->str);
  JsonObject *ev = json_node_get_object(json_parser_get_root(parser));

  cr_assert_eq(json_object_get_int_member(ev, "items_10m"), 812);
  cr_assert_float_eq(json_object_get_double_member(ev, "baseline_items_per_hour"), 12.5, 1e-9);
  cr_assert(json_object_get_boolean_member(ev, "mailbox_new"));
  cr_assert_str_eq(json_object_get_string_member(ev, "window"), "10m");
  cr_assert_str_eq(json_object_get_string_member(ev, "not_a_number"), "12x");
  cr_assert_not(json_object_has_member(ev, "empty"));
  cr_assert_str_eq(json_object_get_string_member(ev, "mailbox"), "alice@contoso.com", "the fields are still there");
  g_object_unref(parser);
  g_string_free(out, TRUE);
}

/* ---------------------------------------------------------------- alert_json */

Test(alert_json, ecs_carries_the_required_fields)
{
  load(THROTTLED_FIXTURE);
  JsonObject *o = build(MBX_ALERT_ECS);
  gchar *id = alert_id("a3e85c17-94b2-4d6f-8a0e-7c1b3d5f9e24", 1u << MBX_RULE_THROTTLED);

  assert_str_at(o, "@timestamp", "2026-11-02T08:02:00.000000Z");
  assert_str_at(o, "event.kind", "alert");
  assert_str_at(o, "event.id", id);
  assert_str_at(o, "event.action", "MailItemsAccessed");
  assert_str_at(o, "event.provider", "Exchange");
  cr_assert_eq(int_at(o, "event.severity"), mbx_severity_from_score(verdict.score));
  cr_assert_eq(int_at(o, "event.risk_score"), verdict.score);
  assert_str_at(o, "event.original", raw);
  assert_str_at(o, "rule.id", "throttled");
  assert_str_at(o, "rule.name", mbx_rule_name(MBX_RULE_THROTTLED));
  assert_str_at(o, "rule.description", mbx_rule_description(MBX_RULE_THROTTLED));
  assert_str_at(o, "rule.ruleset", "mailbox-monitor");
  assert_str_at(o, "threat.framework", "MITRE ATT&CK");
  assert_str_at(o, "threat.technique.id", "T1114");
  assert_str_at(o, "threat.technique.subtechnique.id", "T1114.002");
  assert_str_at(o, "user.email", "alice@contoso.com");
  assert_str_at(o, "user.id", "alice@contoso.com");
  assert_str_at(o, "source.ip", "203.0.113.10");
  assert_str_at(o, "user_agent.original", "Client=MSExchangeRPC");
  assert_str_at(o, "organization.id", "4d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a");
  assert_str_at(o, "observer.vendor", "mailbox-monitor");
  assert_str_at(o, "observer.product", "mailbox-monitor");
  cr_assert_gt(strlen(str_at(o, "observer.version")), 0);
  JsonArray *tags = json_node_get_array(at(o, "tags"));
  cr_assert_str_eq(json_array_get_string_element(tags, 1), "mailbox.suspicious");
  cr_assert_str_eq(json_array_get_string_element(tags, 2), "mailbox.rule.throttled");
  JsonArray *rules = json_node_get_array(at(o, "mailbox_monitor.rules"));
  cr_assert_eq(json_array_get_length(rules), 1);
  const gchar *throttled_reason = json_object_get_string_member(json_array_get_object_element(rules, 0), "reason");
  cr_assert(g_str_has_prefix(throttled_reason, "IsThrottled=True") && strstr(throttled_reason, "unaudited for 24 hours"),
            "the rule's own clause, without its id: %s", throttled_reason);
  assert_str_at(o, "mailbox_monitor.evidence.mail_access_type", "Bind");
  g_free(id);
}

Test(alert_json, every_rule_fired_is_listed_with_its_reason)
{
  load(APP_ONLY_FIXTURE);
  mbx_record_set_int(record, MBX_F_THROTTLED, 1);
  mbx_detector_evaluate(detector, record, &verdict);
  cr_assert_eq(verdict.rules, BOTH, "%s", verdict.reason);
  mbx_alert_input_from_record(&input, record, &verdict);
  input.raw = raw;

  for (gint f = 0; f < MBX_ALERT_FORMAT_MAX; f++)
    {
      JsonObject *o = build(f);
      const gchar *path = f == MBX_ALERT_OCSF  ? "unmapped.mailbox_monitor.rules"
                          : f == MBX_ALERT_HEC ? "event.mailbox_monitor.rules"
                                               : "mailbox_monitor.rules";
      JsonArray *rules = json_node_get_array(at(o, path));
      cr_assert_eq(json_array_get_length(rules), 2, "%s lists both rules", mbx_alert_format_name(f));
      static const MbxRule fired[] = { MBX_RULE_APP_UNAPPROVED, MBX_RULE_THROTTLED };
      for (guint i = 0; i < G_N_ELEMENTS(fired); i++)
        {
          MbxRule r = fired[i];
          JsonObject *rule = json_array_get_object_element(rules, i);
          cr_assert_str_eq(json_object_get_string_member(rule, "id"), mbx_rule_id(r));
          cr_assert_str_eq(json_object_get_string_member(rule, "name"), mbx_rule_name(r));
          const gchar *reason = json_object_get_string_member(rule, "reason");
          cr_assert(reason && reason[0] && !strstr(reason, "; "), "one clause per rule: %s", reason);
        }
    }
  JsonObject *ecs = build(MBX_ALERT_ECS);
  assert_str_at(ecs, "rule.id", "app-unapproved");
  JsonArray *tags = json_node_get_array(at(ecs, "tags"));
  cr_assert_eq(json_array_get_length(tags), 4);
  JsonObject *ocsf = build(MBX_ALERT_OCSF);
  cr_assert_eq(json_array_get_length(json_node_get_array(at(ocsf, "finding_info.related_analytics"))), 2);
  cr_assert_eq(json_array_get_length(json_node_get_array(at(ocsf, "finding_info.types"))), 2);
  cr_assert_eq(int_at(ocsf, "severity_id"), MBX_SEVERITY_CRITICAL);
}

Test(alert_json, ocsf_is_a_detection_finding_with_the_required_fields)
{
  load(APP_ONLY_FIXTURE);
  JsonObject *o = build(MBX_ALERT_OCSF);

  cr_assert_eq(int_at(o, "class_uid"), 2004);
  cr_assert_eq(int_at(o, "category_uid"), 2);
  cr_assert_eq(int_at(o, "activity_id"), 1);
  cr_assert_eq(int_at(o, "type_uid"), 200401);
  cr_assert_eq(int_at(o, "time"), mbx_record_get_int(record, MBX_F_EVENT_TIME, 0) / 1000);
  cr_assert_eq(int_at(o, "severity_id"), mbx_severity_from_score(verdict.score));
  cr_assert_eq(int_at(o, "risk_score"), verdict.score);
  cr_assert_eq(strlen(str_at(o, "finding_info.uid")), 36);
  cr_assert(strstr(str_at(o, "finding_info.title"), mbx_rule_name(MBX_RULE_APP_UNAPPROVED)));
  assert_str_at(o, "finding_info.analytic.uid", "app-unapproved");
  assert_str_at(o, "finding_info.analytic.name", mbx_rule_name(MBX_RULE_APP_UNAPPROVED));
  cr_assert_eq(int_at(o, "finding_info.analytic.type_id"), 1);
  JsonObject *attack = json_array_get_object_element(json_node_get_array(at(o, "finding_info.attacks")), 0);
  assert_str_at(attack, "technique.uid", "T1114");
  assert_str_at(attack, "sub_technique.uid", "T1114.002");
  assert_str_at(attack, "tactic.uid", "TA0009");
  JsonObject *evidence = json_array_get_object_element(json_node_get_array(at(o, "evidences")), 0);
  assert_str_at(evidence, "actor.user.uid", record_str(record, MBX_F_ACTOR));
  assert_str_at(evidence, "src_endpoint.ip", record_str(record, MBX_F_CLIENT_IP));
  assert_str_at(evidence, "data.app_id", record_str(record, MBX_F_APP_ID));
  JsonObject *resource = json_array_get_object_element(json_node_get_array(at(o, "resources")), 0);
  assert_str_at(resource, "type", "Mailbox");
  assert_str_at(resource, "uid", record_str(record, MBX_F_MAILBOX));
  assert_str_at(o, "metadata.product.name", "mailbox-monitor");
  assert_str_at(o, "metadata.version", "1.1.0");
  assert_str_at(o, "raw_data", raw);
}

Test(alert_json, cim_carries_the_alerts_data_model_fields)
{
  load(APP_ONLY_FIXTURE);
  JsonObject *o = build(MBX_ALERT_CIM);

  assert_str_at(o, "app", "mailbox-monitor");
  assert_str_at(o, "type", "alert");
  cr_assert_eq(strlen(str_at(o, "id")), 36);
  assert_str_at(o, "severity", mbx_severity_name(mbx_severity_from_score(verdict.score)));
  assert_str_at(o, "signature", mbx_rule_name(MBX_RULE_APP_UNAPPROVED));
  assert_str_at(o, "signature_id", "app-unapproved");
  assert_str_at(o, "description", verdict.reason);
  assert_str_at(o, "dest", record_str(record, MBX_F_MAILBOX));
  assert_str_at(o, "src", record_str(record, MBX_F_CLIENT_IP));
  assert_str_at(o, "user", record_str(record, MBX_F_ACTOR));
  assert_str_at(o, "mitre_technique_id", "T1114.002");
}

Test(alert_json, hec_wraps_the_cim_object_in_an_event_collector_envelope)
{
  load(APP_ONLY_FIXTURE);
  GString *cim = g_string_new("");
  mbx_alert_append(&input, MBX_ALERT_CIM, cim);
  JsonObject *o = build(MBX_ALERT_HEC);

  assert_str_at(o, "sourcetype", "mailbox-monitor:alert");
  assert_str_at(o, "source", "mailbox-monitor");
  JsonNode *time = at(o, "time");
  cr_assert_not_null(time);
  cr_assert_float_eq(json_node_get_double(time), mbx_record_get_int(record, MBX_F_EVENT_TIME, 0) / 1e6, 1e-3);
  JsonGenerator *gen = json_generator_new();
  json_generator_set_root(gen, at(o, "event"));
  gchar *event = json_generator_to_data(gen, NULL);
  cr_assert_str_eq(event, cim->str, "the event is the CIM alert");
  g_free(event);
  g_object_unref(gen);
  g_string_free(cim, TRUE);
}

Test(alert_json, the_same_record_gives_the_same_id_in_every_format)
{
  load(APP_ONLY_FIXTURE);
  gchar *ecs = g_strdup(str_at(build(MBX_ALERT_ECS), "event.id"));
  gchar *ocsf = g_strdup(str_at(build(MBX_ALERT_OCSF), "finding_info.uid"));
  gchar *cim = g_strdup(str_at(build(MBX_ALERT_CIM), "id"));

  cr_assert_str_eq(ecs, ocsf);
  cr_assert_str_eq(ecs, cim);
  g_free(ecs);
  g_free(ocsf);
  g_free(cim);
}

Test(alert_json, leaves_out_what_the_record_does_not_carry)
{
  load(THROTTLED_FIXTURE);
  input.values[MBX_F_CLIENT_IP] = NULL;
  input.values[MBX_F_CLIENT_INFO] = "";
  input.values[MBX_F_EVENT_TIME] = NULL;
  input.raw = NULL;

  JsonObject *ecs = build(MBX_ALERT_ECS);
  cr_assert_null(at(ecs, "source"));
  cr_assert_null(at(ecs, "user_agent"));
  cr_assert_null(at(ecs, "@timestamp"), "no time at all: no @timestamp");
  cr_assert_null(at(ecs, "event.original"));
  JsonObject *ocsf = build(MBX_ALERT_OCSF);
  cr_assert_null(at(ocsf, "time"));
  cr_assert_null(at(ocsf, "raw_data"));

  input.time_us = G_GINT64_CONSTANT(1793606400000000);
  ecs = build(MBX_ALERT_ECS);
  assert_str_at(ecs, "@timestamp", "2026-11-02T08:00:00.000000Z");
}

Test(alert_json, a_mailbox_named_by_object_id_is_not_a_user_email)
{
  load(THROTTLED_FIXTURE);
  input.values[MBX_F_MAILBOX] = "2b7e9c4d-81f3-4a6e-b0d2-5c9f1e8a3d74";

  JsonObject *ecs = build(MBX_ALERT_ECS);
  cr_assert_null(at(ecs, "user.email"));
  assert_str_at(ecs, "user.target.id", "2b7e9c4d-81f3-4a6e-b0d2-5c9f1e8a3d74");
  assert_str_at(ecs, "user.id", "alice@contoso.com");
}

Test(alert_json, a_host_name_is_a_source_address_not_an_ip)
{
  load(THROTTLED_FIXTURE);
  input.values[MBX_F_CLIENT_IP] = "mail-relay.contoso.com";

  JsonObject *ecs = build(MBX_ALERT_ECS);
  cr_assert_null(at(ecs, "source.ip"));
  assert_str_at(ecs, "source.address", "mail-relay.contoso.com");
  JsonObject *ocsf = build(MBX_ALERT_OCSF);
  JsonObject *evidence = json_array_get_object_element(json_node_get_array(at(ocsf, "evidences")), 0);
  cr_assert_null(at(evidence, "src_endpoint.ip"));
  assert_str_at(evidence, "src_endpoint.hostname", "mail-relay.contoso.com");
}

Test(alert_json, invalid_utf8_still_gives_valid_json)
{
  load(THROTTLED_FIXTURE);
  input.raw = "{\"Id\":\"x\xff\xfe\",\"Operation\":\"MailItemsAccessed\"}";
  input.values[MBX_F_CLIENT_INFO] = "agent\xc3";

  for (gint f = 0; f < MBX_ALERT_FORMAT_MAX; f++)
    build(f);
  cr_assert(g_utf8_validate(str_at(build(MBX_ALERT_ECS), "event.original"), -1, NULL));
}
