/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Adapter tests against the real libsyslog-ng: the option grammar as the
 * daemon parses it, process() on built messages, and the batch split with its
 * ack wiring, observed through a collecting pipe behind the parser.
 */
#include <criterion/criterion.h>

#include "mailbox-monitor-parser.h"
#include "apphook.h"
#include "cfg.h"
#include "cfg-grammar.h"
#include "cfg-lexer.h"
#include "logmsg/logmsg.h"
#include "logmsg/tags.h"
#include "plugin.h"
#include "scratch-buffers.h"

#include <string.h>

gboolean mailbox_monitor_module_init(PluginContext *context, CfgArgs *args);

#define APPROVED "11111111-2222-3333-4444-555555555555"
#define UNAPPROVED "6f0a8c1e-2d4b-4e59-a7c3-9b1d5e8f2a64"

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

TestSuite(adapter, .init = setup, .fini = teardown);

static LogParser *
parse_options(const gchar *options)
{
  CfgLexer *lexer = cfg_lexer_new_buffer(configuration, options, strlen(options));
  CFG_LTYPE yylloc = { .first_line = 1, .first_column = 1, .last_line = 1, .last_column = 1, .level = &lexer->include_stack[0] };
  Plugin *plugin = cfg_find_plugin(configuration, LL_CONTEXT_PARSER, "mailbox-monitor");
  cr_assert_not_null(plugin, "mailbox-monitor plugin is registered");

  configuration->lexer = lexer;
  cfg_lexer_push_context(lexer, main_parser.context, main_parser.keywords, main_parser.name);
  LogParser *p = cfg_parse_plugin(configuration, plugin, &yylloc, NULL);
  cfg_lexer_pop_context(lexer);
  configuration->lexer = NULL;
  cfg_lexer_free(lexer);
  return p;
}

static LogParser *
make_parser(const gchar *options)
{
  LogParser *p = parse_options(options);
  cr_assert_not_null(p, "options parse: %s", options);
  cr_assert(log_pipe_init(&p->super), "parser initializes");
  return p;
}

static void
free_parser(LogParser *p)
{
  log_pipe_deinit(&p->super);
  log_pipe_unref(&p->super);
}

static gchar *
mail_read(const gchar *id, const gchar *app, const gchar *throttled)
{
  return g_strdup_printf("{\"CreationTime\":\"2026-11-02T08:15:02\",\"Id\":\"%s\",\"Operation\":\"MailItemsAccessed\","
                         "\"OrganizationId\":\"b86ab9d4-fcf1-4b11-8a06-7a8f91b47fbd\",\"RecordType\":50,"
                         "\"ResultStatus\":\"Succeeded\",\"UserKey\":\"10032001A4F7C2D9\",\"UserType\":0,\"Version\":1,"
                         "\"Workload\":\"Exchange\",\"UserId\":\"alice@contoso.com\",\"AppId\":\"00000003-0000-0000-c000-000000000000\","
                         "\"ClientAppId\":\"%s\",\"ClientIPAddress\":\"203.0.113.7\",\"ClientInfoString\":\"Client=REST;Client=RESTSystem;;\","
                         "\"LogonType\":0,\"MailboxOwnerUPN\":\"alice@contoso.com\",\"OperationCount\":3,"
                         "\"OperationProperties\":[{\"Name\":\"MailAccessType\",\"Value\":\"Bind\"},{\"Name\":\"IsThrottled\",\"Value\":\"%s\"}]}",
                         id, app, throttled);
}

static LogMessage *
message(const gchar *text)
{
  LogMessage *m = log_msg_new_empty();
  log_msg_set_value(m, LM_V_MESSAGE, text, -1);
  return m;
}

static const gchar *
value(LogMessage *m, const gchar *name)
{
  const gchar *v = log_msg_get_value_by_name(m, name, NULL);
  return v ? v : "";
}

Test(adapter, accepts_every_documented_option)
{
  LogParser *p = parse_options("(prefix(\".x.\") approved-apps(\"" APPROVED "\" \"" UNAPPROVED "\") fields(\"all\") "
                               "drop-unparsed(no) split-batches(yes) template(\"$MSG\"))");
  cr_assert_not_null(p);
  log_pipe_unref(&p->super);
}

Test(adapter, rejects_an_unknown_option)
{
  cr_assert_null(parse_options("(bogus(1))"));
}

Test(adapter, rejects_an_approved_app_that_is_not_a_guid)
{
  cr_assert_null(parse_options("(approved-apps(\"not-a-guid\"))"));
}

Test(adapter, rejects_an_unknown_fields_mode)
{
  cr_assert_null(parse_options("(fields(\"everything\"))"));
}

Test(adapter, tags_an_unapproved_app_read_and_sets_evidence)
{
  LogParser *p = make_parser("(approved-apps(\"" APPROVED "\"))");
  gchar *rec = mail_read("r1", UNAPPROVED, "False");
  LogMessage *m = message(rec);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;

  cr_assert(log_parser_process_message(p, &m, &po));
  cr_assert(log_msg_is_tag_by_name(m, "mailbox.suspicious"));
  cr_assert(log_msg_is_tag_by_name(m, "mailbox.rule.app-unapproved"));
  cr_assert_not(log_msg_is_tag_by_name(m, "mailbox.rule.throttled"));
  cr_assert_str_eq(value(m, ".mbx.rules"), "app-unapproved");
  cr_assert_str_eq(value(m, ".mbx.app_id"), UNAPPROVED);
  cr_assert_str_eq(value(m, ".mbx.mailbox"), "alice@contoso.com");
  cr_assert_str_eq(value(m, ".mbx.kind"), "mail-access");
  cr_assert_str_eq(value(m, ".mbx.access_path"), "graph");
  cr_assert_str_eq(value(m, ".mbx.operation_count"), "3");
  cr_assert(strlen(value(m, ".mbx.reason")) > 0);
  cr_assert_str_eq(value(m, "MESSAGE"), rec, "the message itself is unchanged");

  log_msg_unref(m);
  g_free(rec);
  free_parser(p);
}

Test(adapter, sets_only_routing_fields_on_benign_records_by_default)
{
  LogParser *p = make_parser("(approved-apps(\"" APPROVED "\"))");
  gchar *rec = mail_read("r2", APPROVED, "False");
  LogMessage *m = message(rec);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;

  cr_assert(log_parser_process_message(p, &m, &po));
  cr_assert_not(log_msg_is_tag_by_name(m, "mailbox.suspicious"));
  cr_assert_str_eq(value(m, ".mbx.kind"), "mail-access");
  cr_assert_str_eq(value(m, ".mbx.mailbox"), "alice@contoso.com");
  cr_assert_str_eq(value(m, ".mbx.actor"), "alice@contoso.com");
  cr_assert_str_eq(value(m, ".mbx.score"), "0");
  cr_assert_str_eq(value(m, ".mbx.app_id"), "", "full evidence only on suspicious records");
  cr_assert_str_eq(value(m, ".mbx.rules"), "");

  log_msg_unref(m);
  g_free(rec);
  free_parser(p);
}

Test(adapter, fields_all_sets_the_full_set_on_every_record_under_the_prefix)
{
  LogParser *p = make_parser("(prefix(\"m365.\") fields(\"all\") approved-apps(\"" APPROVED "\"))");
  gchar *rec = mail_read("r3", APPROVED, "False");
  LogMessage *m = message(rec);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;

  cr_assert(log_parser_process_message(p, &m, &po));
  cr_assert_str_eq(value(m, "m365.app_id"), APPROVED);
  cr_assert_str_eq(value(m, "m365.id"), "r3");
  cr_assert_str_eq(value(m, "m365.throttled"), "false");
  cr_assert_str_eq(value(m, ".mbx.kind"), "");

  log_msg_unref(m);
  g_free(rec);
  free_parser(p);
}

Test(adapter, tags_a_throttled_read)
{
  LogParser *p = make_parser("(approved-apps(\"" APPROVED "\"))");
  gchar *rec = mail_read("r4", APPROVED, "True");
  LogMessage *m = message(rec);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;

  cr_assert(log_parser_process_message(p, &m, &po));
  cr_assert(log_msg_is_tag_by_name(m, "mailbox.rule.throttled"));
  cr_assert_not(log_msg_is_tag_by_name(m, "mailbox.rule.app-unapproved"));
  cr_assert_str_eq(value(m, ".mbx.rules"), "throttled");

  log_msg_unref(m);
  g_free(rec);
  free_parser(p);
}

Test(adapter, passes_a_malformed_message_through_tagged_unparsed)
{
  LogParser *p = make_parser("()");
  LogMessage *m = message("{\"CreationTime\":\"2026-11-02T08:15:02\",\"Operation\":\"MailItems");
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;

  cr_assert(log_parser_process_message(p, &m, &po));
  cr_assert(log_msg_is_tag_by_name(m, "mailbox.unparsed"));
  cr_assert_not(log_msg_is_tag_by_name(m, "mailbox.suspicious"));
  cr_assert(strstr(value(m, ".mbx.error"), "malformed") != NULL);

  log_msg_unref(m);
  free_parser(p);
}

Test(adapter, drop_unparsed_drops_only_what_does_not_decode)
{
  LogParser *p = make_parser("(drop-unparsed(yes))");
  LogMessage *bad = message("not an audit record");
  gchar *rec = mail_read("r5", APPROVED, "False");
  LogMessage *good = message(rec);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;

  cr_assert_not(log_parser_process_message(p, &bad, &po));
  cr_assert(log_parser_process_message(p, &good, &po));

  log_msg_unref(bad);
  log_msg_unref(good);
  g_free(rec);
  free_parser(p);
}

Test(adapter, reads_the_record_from_the_template_when_one_is_set)
{
  LogParser *p = make_parser("(template(\"${AuditData}\"))");
  gchar *rec = mail_read("r6", UNAPPROVED, "False");
  LogMessage *m = message("a CSV line that is not JSON");
  log_msg_set_value_by_name(m, "AuditData", rec, -1);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;

  cr_assert(log_parser_process_message(p, &m, &po));
  cr_assert(log_msg_is_tag_by_name(m, "mailbox.rule.app-unapproved"));
  cr_assert_str_eq(value(m, ".mbx.id"), "r6");

  log_msg_unref(m);
  g_free(rec);
  free_parser(p);
}

/* ---- batches: a collecting pipe behind the parser ------------------- */

typedef struct
{
  LogPipe super;
  GPtrArray *messages;
  GPtrArray *options;
} Collector;

static void
collector_queue(LogPipe *s, LogMessage *msg, const LogPathOptions *path_options)
{
  Collector *self = (Collector *) s;
  g_ptr_array_add(self->messages, msg);
  g_ptr_array_add(self->options, g_memdup2(path_options, sizeof(*path_options)));
}

static Collector *
collector_new(void)
{
  Collector *self = g_new0(Collector, 1);
  log_pipe_init_instance(&self->super, configuration);
  self->super.queue = collector_queue;
  self->messages = g_ptr_array_new();
  self->options = g_ptr_array_new_with_free_func(g_free);
  cr_assert(log_pipe_init(&self->super));
  return self;
}

static void
collector_ack_all(Collector *self)
{
  for (guint i = 0; i < self->messages->len; i++)
    log_msg_drop(self->messages->pdata[i], self->options->pdata[i], AT_PROCESSED);
  g_ptr_array_set_size(self->messages, 0);
  g_ptr_array_set_size(self->options, 0);
}

static void
collector_free(Collector *self)
{
  g_ptr_array_free(self->messages, TRUE);
  g_ptr_array_free(self->options, TRUE);
  log_pipe_deinit(&self->super);
  log_pipe_unref(&self->super);
}

static gint orig_acks;
static AckType orig_ack_type;

static void
count_orig_ack(LogMessage *msg, AckType ack_type)
{
  orig_acks++;
  orig_ack_type = ack_type;
}

static void
queue_blob(LogParser *p, const gchar *blob)
{
  LogMessage *orig = message(blob);
  LogPathOptions po = LOG_PATH_OPTIONS_INIT;
  po.ack_needed = TRUE;
  orig->ack_func = count_orig_ack;
  log_msg_add_ack(orig, &po);
  orig_acks = 0;
  log_pipe_queue(&p->super, orig, &po);
}

static gchar *
blob_of(gint n, const gchar *extra_element)
{
  GString *blob = g_string_new("[");
  for (gint i = 0; i < n; i++)
    {
      gchar id[16];
      g_snprintf(id, sizeof(id), "b%d", i);
      gchar *rec = mail_read(id, i % 2 ? UNAPPROVED : APPROVED, "False");
      g_string_append_printf(blob, "%s%s", i ? "," : "", rec);
      g_free(rec);
    }
  if (extra_element)
    g_string_append_printf(blob, ",%s", extra_element);
  g_string_append_c(blob, ']');
  return g_string_free(blob, FALSE);
}

Test(adapter, splits_a_content_blob_and_acks_the_blob_after_its_last_record)
{
  LogParser *p = make_parser("(approved-apps(\"" APPROVED "\"))");
  Collector *c = collector_new();
  log_pipe_append(&p->super, &c->super);
  gchar *blob = blob_of(4, "42");

  queue_blob(p, blob);
  cr_assert_eq(c->messages->len, 5, "4 records and 1 malformed element, got %u", c->messages->len);
  cr_assert_eq(orig_acks, 0, "the blob is not acked while its records are in flight");

  for (gint i = 0; i < 4; i++)
    {
      LogMessage *m = c->messages->pdata[i];
      gchar id[16];
      g_snprintf(id, sizeof(id), "b%d", i);
      cr_assert_eq(log_msg_is_tag_by_name(m, "mailbox.rule.app-unapproved"), i % 2 == 1, "record %d", i);
      cr_assert(g_str_has_prefix(value(m, "MESSAGE"), "{\"CreationTime\""), "a record, not the blob");
      cr_assert(strstr(value(m, "MESSAGE"), id) != NULL);
    }
  LogMessage *bad = c->messages->pdata[4];
  cr_assert(log_msg_is_tag_by_name(bad, "mailbox.unparsed"));
  cr_assert_str_eq(value(bad, "MESSAGE"), "42");

  /* ack all but one: the blob still waits */
  LogMessage *last = c->messages->pdata[4];
  LogPathOptions *last_po = g_memdup2(c->options->pdata[4], sizeof(LogPathOptions));
  g_ptr_array_remove_index(c->messages, 4);
  g_ptr_array_remove_index(c->options, 4);
  collector_ack_all(c);
  cr_assert_eq(orig_acks, 0);
  log_msg_drop(last, last_po, AT_PROCESSED);
  g_free(last_po);
  cr_assert_eq(orig_acks, 1, "the blob is acked exactly once, after its last record");
  cr_assert_eq(orig_ack_type, AT_PROCESSED);

  g_free(blob);
  collector_free(c);
  free_parser(p);
}

Test(adapter, splits_an_event_hub_batch)
{
  LogParser *p = make_parser("()");
  Collector *c = collector_new();
  log_pipe_append(&p->super, &c->super);
  gchar *a = mail_read("e1", UNAPPROVED, "False"), *b = mail_read("e2", UNAPPROVED, "True");
  gchar *batch = g_strdup_printf("{\"records\": [%s,%s]}", a, b);

  queue_blob(p, batch);
  cr_assert_eq(c->messages->len, 2);
  cr_assert_str_eq(value(c->messages->pdata[1], ".mbx.rules"), "app-unapproved,throttled");
  collector_ack_all(c);
  cr_assert_eq(orig_acks, 1);

  g_free(a);
  g_free(b);
  g_free(batch);
  collector_free(c);
  free_parser(p);
}

Test(adapter, keeps_a_cut_blob_as_one_unparsed_message)
{
  LogParser *p = make_parser("()");
  Collector *c = collector_new();
  log_pipe_append(&p->super, &c->super);
  gchar *blob = blob_of(3, NULL);
  blob[strlen(blob) - 40] = '\0';

  queue_blob(p, blob);
  cr_assert_eq(c->messages->len, 1, "a cut blob is never half-decoded");
  cr_assert(log_msg_is_tag_by_name(c->messages->pdata[0], "mailbox.unparsed"));
  cr_assert_str_eq(value(c->messages->pdata[0], "MESSAGE"), blob);
  collector_ack_all(c);
  cr_assert_eq(orig_acks, 1);

  g_free(blob);
  collector_free(c);
  free_parser(p);
}

Test(adapter, acks_the_blob_aborted_when_a_record_is_aborted)
{
  LogParser *p = make_parser("()");
  Collector *c = collector_new();
  log_pipe_append(&p->super, &c->super);
  gchar *blob = blob_of(2, NULL);

  queue_blob(p, blob);
  cr_assert_eq(c->messages->len, 2);
  log_msg_drop(c->messages->pdata[0], c->options->pdata[0], AT_ABORTED);
  log_msg_drop(c->messages->pdata[1], c->options->pdata[1], AT_PROCESSED);
  cr_assert_eq(orig_acks, 1);
  cr_assert_eq(orig_ack_type, AT_ABORTED);

  g_ptr_array_set_size(c->messages, 0);
  g_ptr_array_set_size(c->options, 0);
  g_free(blob);
  collector_free(c);
  free_parser(p);
}

Test(adapter, does_not_split_when_split_batches_is_off)
{
  LogParser *p = make_parser("(split-batches(no))");
  Collector *c = collector_new();
  log_pipe_append(&p->super, &c->super);
  gchar *blob = blob_of(3, NULL);

  queue_blob(p, blob);
  cr_assert_eq(c->messages->len, 1);
  cr_assert(log_msg_is_tag_by_name(c->messages->pdata[0], "mailbox.unparsed"));
  collector_ack_all(c);
  cr_assert_eq(orig_acks, 1);

  g_free(blob);
  collector_free(c);
  free_parser(p);
}
