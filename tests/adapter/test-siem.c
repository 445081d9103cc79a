/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Adapter tests of SIEM delivery against the real libsyslog-ng: the
 * mailbox-suspicious() filter (its grammar, what it matches on messages the
 * parser annotated, negation, clones, concurrent evaluation) and the
 * $(mailbox-alert) template function.
 */
#include <criterion/criterion.h>
#include <json-glib/json-glib.h>

#include "mailbox-monitor-parser.h"
#include "apphook.h"
#include "cfg.h"
#include "cfg-grammar.h"
#include "cfg-lexer.h"
#include "filter/filter-expr.h"
#include "logmsg/logmsg.h"
#include "logmsg/tags.h"
#include "plugin.h"
#include "scratch-buffers.h"
#include "template/templates.h"

#include <stdlib.h>
#include <string.h>

gboolean mailbox_monitor_module_init(PluginContext *context, CfgArgs *args);

#define APP_ONLY "mgmt-mail-items-accessed-app-only.json" /* app-unapproved, unless its app is approved */
#define APP_ONLY_APP "6f0a8c1e-2d4b-4e59-a7c3-9b1d5e8f2a64"
#define THROTTLED "mgmt-mail-items-accessed-throttled.json" /* throttled */
#define OWA "mgmt-mail-items-accessed-owa.json"             /* benign */

static void
setup(void)
{
  app_startup();
  configuration = cfg_new_snippet();
  mailbox_monitor_module_init(&configuration->plugin_context, NULL);
}

static void
teardown(void)
{
  scratch_buffers_explicit_gc();
  cfg_free(configuration);
  app_shutdown();
}

TestSuite(filter, .init = setup, .fini = teardown);
TestSuite(alert_function, .init = setup, .fini = teardown);

/* parses @name(@options...) of @context through the daemon's grammar; NULL on a syntax error */
static gpointer
parse_plugin(gint context, const gchar *name, const gchar *options)
{
  CfgLexer *lexer = cfg_lexer_new_buffer(configuration, options, strlen(options));
  CFG_LTYPE yylloc = { .first_line = 1, .first_column = 1, .last_line = 1, .last_column = 1, .level = &lexer->include_stack[0] };
  Plugin *plugin = cfg_find_plugin(configuration, context, name);
  cr_assert_not_null(plugin, "%s is registered", name);

  configuration->lexer = lexer;
  cfg_lexer_push_context(lexer, main_parser.context, main_parser.keywords, main_parser.name);
  gpointer instance = cfg_parse_plugin(configuration, plugin, &yylloc, NULL);
  cfg_lexer_pop_context(lexer);
  configuration->lexer = NULL;
  cfg_lexer_free(lexer);
  return instance;
}

static FilterExprNode *
make_filter(const gchar *options)
{
  FilterExprNode *f = parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious", options);
  cr_assert_not_null(f, "filter options parse: %s", options);
  cr_assert(filter_expr_init(f, configuration));
  return f;
}

static gchar *
fixture(const gchar *name)
{
  gchar *path = g_build_filename(FIXTURE_DIR, name, NULL);
  gchar *text = NULL;
  cr_assert(g_file_get_contents(path, &text, NULL, NULL), "reads %s", path);
  g_free(path);
  return text;
}

/* a message holding fixture @name, run through a mailbox-monitor(@parser_options) */
static LogMessage *
annotated(const gchar *name, const gchar *parser_options, gboolean throttle)
{
  LogParser *p = parse_plugin(LL_CONTEXT_PARSER, "mailbox-monitor", parser_options);
  cr_assert_not_null(p);
  cr_assert(log_pipe_init(&p->super));

  gchar *text = fixture(name);
  GString *record = g_string_new(text);
  if (throttle)
    cr_assert_gt(g_string_replace(record, "\"IsThrottled\", \"Value\": \"False\"",
                                  "\"IsThrottled\", \"Value\": \"True\"", 1),
                 0);
  LogMessage *m = log_msg_new_empty();
  log_msg_set_value(m, LM_V_MESSAGE, record->str, record->len);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;
  cr_assert(log_parser_process_message(p, &m, &po));

  g_string_free(record, TRUE);
  g_free(text);
  log_pipe_deinit(&p->super);
  log_pipe_unref(&p->super);
  return m;
}

static LogMessage *
suspicious_app_read(void)
{
  return annotated(APP_ONLY, "()", FALSE);
}

static LogMessage *
suspicious_throttled_read(void)
{
  return annotated(THROTTLED, "()", FALSE);
}

static LogMessage *
suspicious_on_both_rules(void)
{
  return annotated(APP_ONLY, "()", TRUE);
}

static LogMessage *
benign_read(void)
{
  return annotated(OWA, "()", FALSE);
}

/* ---------------------------------------------------------------- filter */

Test(filter, accepts_every_documented_option)
{
  FilterExprNode *f = parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious",
                                   "(prefix(\".x.\") min-score(70) rules(\"throttled\" \"app-unapproved\"))");
  cr_assert_not_null(f);
  filter_expr_unref(f);
  f = parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious", "()");
  cr_assert_not_null(f);
  filter_expr_unref(f);
}

Test(filter, rejects_bad_options)
{
  cr_assert_null(parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious", "(rules(\"no-such-rule\"))"));
  cr_assert_null(parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious", "(min-score(101))"));
  cr_assert_null(parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious", "(min-score(-1))"));
  cr_assert_null(parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious", "(approved-apps(\"" APP_ONLY_APP "\"))"));
  cr_assert_null(parse_plugin(LL_CONTEXT_FILTER, "mailbox-suspicious", "(bogus(1))"));
}

Test(filter, matches_only_what_the_parser_tagged_suspicious)
{
  FilterExprNode *f = make_filter("()");
  LogMessage *app = suspicious_app_read(), *throttled = suspicious_throttled_read(), *benign = benign_read();
  LogMessage *approved = annotated(APP_ONLY, "(approved-apps(\"" APP_ONLY_APP "\"))", FALSE);
  LogMessage *raw = log_msg_new_empty();
  log_msg_set_value(raw, LM_V_MESSAGE, "not a record", -1);

  cr_assert(filter_expr_eval(f, app));
  cr_assert(filter_expr_eval(f, throttled));
  cr_assert_not(filter_expr_eval(f, benign));
  cr_assert_not(filter_expr_eval(f, approved));
  cr_assert_not(filter_expr_eval(f, raw), "a message the parser never saw");

  log_msg_unref(app);
  log_msg_unref(throttled);
  log_msg_unref(benign);
  log_msg_unref(approved);
  log_msg_unref(raw);
  filter_expr_unref(f);
}

Test(filter, rules_matches_any_rule_listed)
{
  FilterExprNode *throttled_only = make_filter("(rules(\"throttled\"))");
  FilterExprNode *either = make_filter("(rules(\"throttled\" \"app-unapproved\"))");
  LogMessage *app = suspicious_app_read(), *throttled = suspicious_throttled_read(), *both = suspicious_on_both_rules();

  cr_assert_not(filter_expr_eval(throttled_only, app));
  cr_assert(filter_expr_eval(throttled_only, throttled));
  cr_assert(filter_expr_eval(throttled_only, both));
  cr_assert(filter_expr_eval(either, app));
  cr_assert(filter_expr_eval(either, throttled));
  cr_assert(filter_expr_eval(either, both));

  log_msg_unref(app);
  log_msg_unref(throttled);
  log_msg_unref(both);
  filter_expr_unref(throttled_only);
  filter_expr_unref(either);
}

Test(filter, min_score_compares_with_the_score_the_parser_set)
{
  LogMessage *app = suspicious_app_read(), *both = suspicious_on_both_rules();
  gint app_score = atoi(log_msg_get_value_by_name(app, ".mbx.score", NULL));
  gint both_score = atoi(log_msg_get_value_by_name(both, ".mbx.score", NULL));
  cr_assert_lt(app_score, both_score, "two rules score higher than one");

  gchar *options = g_strdup_printf("(min-score(%d))", app_score);
  FilterExprNode *at_app = make_filter(options);
  g_free(options);
  options = g_strdup_printf("(min-score(%d))", app_score + 1);
  FilterExprNode *above_app = make_filter(options);
  g_free(options);

  cr_assert(filter_expr_eval(at_app, app), "the threshold itself matches");
  cr_assert(filter_expr_eval(at_app, both));
  cr_assert_not(filter_expr_eval(above_app, app));
  cr_assert(filter_expr_eval(above_app, both));

  log_msg_unref(app);
  log_msg_unref(both);
  filter_expr_unref(at_app);
  filter_expr_unref(above_app);
}

Test(filter, reads_the_score_under_its_prefix)
{
  LogMessage *m = annotated(APP_ONLY, "(prefix(\"m365.\"))", FALSE);
  FilterExprNode *same_prefix = make_filter("(prefix(\"m365.\") min-score(1))");
  FilterExprNode *default_prefix = make_filter("(min-score(1))");

  cr_assert(filter_expr_eval(same_prefix, m));
  cr_assert_not(filter_expr_eval(default_prefix, m), "no .mbx.score on this message");

  log_msg_unref(m);
  filter_expr_unref(same_prefix);
  filter_expr_unref(default_prefix);
}

Test(filter, honours_negation_and_keeps_its_options_in_clones)
{
  FilterExprNode *f = make_filter("(rules(\"throttled\") min-score(1))");
  LogMessage *app = suspicious_app_read(), *throttled = suspicious_throttled_read();

  f->comp = 1;
  cr_assert(filter_expr_eval(f, app));
  cr_assert_not(filter_expr_eval(f, throttled));

  FilterExprNode *clone = filter_expr_clone(f);
  cr_assert(filter_expr_init(clone, configuration));
  cr_assert_eq(clone->comp, 1);
  cr_assert(filter_expr_eval(clone, app));
  cr_assert_not(filter_expr_eval(clone, throttled));

  log_msg_unref(app);
  log_msg_unref(throttled);
  filter_expr_unref(clone);
  filter_expr_unref(f);
}

#define EVAL_THREADS 4
#define EVAL_ROUNDS 20000

typedef struct
{
  FilterExprNode *filter;
  LogMessage *messages[4];
  gboolean expected[4];
} EvalJob;

static gpointer
_eval_many(gpointer data)
{
  EvalJob *job = data;
  gint wrong = 0;
  for (gint i = 0; i < EVAL_ROUNDS; i++)
    {
      gint k = i % 4;
      if (filter_expr_eval(job->filter, job->messages[k]) != job->expected[k])
        wrong++;
    }
  return GINT_TO_POINTER(wrong);
}

Test(filter, one_node_evaluates_on_several_threads_at_once)
{
  EvalJob job = { make_filter("(rules(\"throttled\") min-score(1))") };
  job.messages[0] = suspicious_app_read();
  job.messages[1] = suspicious_throttled_read();
  job.messages[2] = suspicious_on_both_rules();
  job.messages[3] = benign_read();
  gboolean expected[4] = { FALSE, TRUE, TRUE, FALSE };
  memcpy(job.expected, expected, sizeof(expected));

  GThread *threads[EVAL_THREADS];
  for (gint t = 0; t < EVAL_THREADS; t++)
    threads[t] = g_thread_new("eval", _eval_many, &job);
  gint wrong = 0;
  for (gint t = 0; t < EVAL_THREADS; t++)
    wrong += GPOINTER_TO_INT(g_thread_join(threads[t]));
  cr_assert_eq(wrong, 0, "%d wrong results of %d", wrong, EVAL_THREADS * EVAL_ROUNDS);

  for (gint k = 0; k < 4; k++)
    log_msg_unref(job.messages[k]);
  filter_expr_unref(job.filter);
}

/* ---------------------------------------------------------------- alert_function */

static gboolean
try_format(const gchar *template_text, LogMessage *m, GString *out)
{
  LogTemplate *t = log_template_new(configuration, NULL);
  GError *error = NULL;
  gboolean ok = log_template_compile(t, template_text, &error);
  if (ok)
    log_template_format(t, m, &DEFAULT_TEMPLATE_EVAL_OPTIONS, out);
  else
    g_error_free(error);
  log_template_unref(t);
  return ok;
}

static gchar *
format(const gchar *template_text, LogMessage *m)
{
  GString *out = g_string_new("");
  cr_assert(try_format(template_text, m, out), "%s compiles", template_text);
  return g_string_free(out, FALSE);
}

/* parses @text as a JSON object; the caller unrefs the returned node */
static JsonNode *
parse_json(const gchar *text)
{
  JsonParser *parser = json_parser_new_immutable();
  GError *error = NULL;
  cr_assert(json_parser_load_from_data(parser, text, -1, &error), "valid JSON: %s\n%s", error ? error->message : "",
            text);
  JsonNode *root = json_node_ref(json_parser_get_root(parser));
  g_object_unref(parser);
  cr_assert(JSON_NODE_HOLDS_OBJECT(root), "an object: %s", text);
  return root;
}

static const gchar *
member(JsonNode *root, const gchar *object, const gchar *name)
{
  JsonObject *o = json_node_get_object(root);
  if (object)
    o = json_object_get_object_member(o, object);
  cr_assert_not_null(o);
  cr_assert(json_object_has_member(o, name), "has %s.%s", object ? object : "", name);
  return json_object_get_string_member(o, name);
}

Test(alert_function, writes_an_alert_for_a_suspicious_record_and_nothing_else)
{
  LogMessage *app = suspicious_app_read(), *benign = benign_read();

  for (const gchar **f = (const gchar *[]){ "ecs", "ocsf", "cim", "hec", NULL }; *f; f++)
    {
      gchar *t = g_strdup_printf("$(mailbox-alert %s)", *f);
      gchar *text = format(t, app);
      json_node_unref(parse_json(text));
      g_free(text);
      text = format(t, benign);
      cr_assert_str_eq(text, "", "%s: nothing for a benign record", *f);
      g_free(text);
      g_free(t);
    }

  gchar *text = format("$(mailbox-alert ecs)", app);
  JsonNode *ecs = parse_json(text);
  cr_assert_str_eq(member(ecs, "event", "kind"), "alert");
  cr_assert_str_eq(member(ecs, "rule", "id"), "app-unapproved");
  cr_assert_str_eq(member(ecs, "user", "email"), log_msg_get_value_by_name(app, ".mbx.mailbox", NULL));
  cr_assert_str_eq(member(ecs, "event", "original"), log_msg_get_value(app, LM_V_MESSAGE, NULL));
  json_node_unref(ecs);
  g_free(text);

  log_msg_unref(app);
  log_msg_unref(benign);
}

Test(alert_function, the_id_is_the_same_for_a_replayed_record_and_in_every_format)
{
  LogMessage *first = suspicious_on_both_rules(), *replayed = suspicious_on_both_rules();
  LogMessage *other = suspicious_throttled_read();

  gchar *id = format("$(mailbox-alert id)", first);
  gchar *again = format("$(mailbox-alert id)", replayed);
  gchar *other_id = format("$(mailbox-alert id)", other);
  cr_assert_eq(strlen(id), 36, "%s", id);
  cr_assert_str_eq(id, again);
  cr_assert_str_neq(id, other_id);

  gchar *text = format("$(mailbox-alert ecs)", first);
  JsonNode *ecs = parse_json(text);
  cr_assert_str_eq(member(ecs, "event", "id"), id);
  json_node_unref(ecs);
  g_free(text);
  text = format("$(mailbox-alert ocsf)", first);
  JsonNode *ocsf = parse_json(text);
  cr_assert_str_eq(member(ocsf, "finding_info", "uid"), id);
  json_node_unref(ocsf);
  g_free(text);
  text = format("$(mailbox-alert cim)", first);
  JsonNode *cim = parse_json(text);
  cr_assert_str_eq(member(cim, NULL, "id"), id);
  json_node_unref(cim);
  g_free(text);

  g_free(id);
  g_free(again);
  g_free(other_id);
  log_msg_unref(first);
  log_msg_unref(replayed);
  log_msg_unref(other);
}

Test(alert_function, reads_the_values_under_its_prefix_and_the_raw_record_from_its_argument)
{
  LogMessage *m = annotated(APP_ONLY, "(prefix(\"m365.\"))", FALSE);
  log_msg_set_value_by_name(m, "AuditData", "{\"the\":\"raw record\"}", -1);

  gchar *text = format("$(mailbox-alert ecs --prefix m365. ${AuditData})", m);
  JsonNode *ecs = parse_json(text);
  cr_assert_str_eq(member(ecs, "event", "original"), "{\"the\":\"raw record\"}");
  cr_assert_str_eq(member(ecs, "event", "action"), "MailItemsAccessed");
  cr_assert_str_eq(member(ecs, "user", "email"), log_msg_get_value_by_name(m, "m365.mailbox", NULL));
  json_node_unref(ecs);
  g_free(text);

  log_msg_set_value_with_type(m, log_msg_get_value_handle("m365.custom_figure"), "42", -1, LM_VT_INT64);
  log_msg_set_value_by_name(m, "other.figure", "7", -1);
  text = format("$(mailbox-alert ecs --prefix=m365.)", m);
  ecs = parse_json(text);
  cr_assert_str_eq(member(ecs, "event", "action"), "MailItemsAccessed");
  JsonObject *evidence = json_object_get_object_member(
    json_object_get_object_member(json_node_get_object(ecs), "mailbox_monitor"), "evidence");
  cr_assert_eq(json_object_get_int_member(evidence, "custom_figure"), 42, "every value under the prefix is evidence");
  cr_assert_not(json_object_has_member(evidence, "figure"), "values under other prefixes are not");
  cr_assert_not(json_object_has_member(evidence, "rules"), "the rules are listed, not repeated as evidence");
  json_node_unref(ecs);
  g_free(text);

  text = format("$(mailbox-alert ecs)", m);
  ecs = parse_json(text);
  cr_assert_not(json_object_has_member(json_node_get_object(ecs), "user"), "no .mbx.* values: no user");
  json_node_unref(ecs);
  g_free(text);
  log_msg_unref(m);
}

Test(alert_function, rejects_bad_arguments_at_compile_time)
{
  LogMessage *m = log_msg_new_empty();
  GString *out = g_string_new("");
  cr_assert_not(try_format("$(mailbox-alert)", m, out));
  cr_assert_not(try_format("$(mailbox-alert leef)", m, out));
  cr_assert_not(try_format("$(mailbox-alert ecs --bogus)", m, out));
  cr_assert_not(try_format("$(mailbox-alert ecs $MSG $HOST)", m, out));
  cr_assert(try_format("$(mailbox-alert OCSF $MSG)", m, out));
  g_string_free(out, TRUE);
  log_msg_unref(m);
}
