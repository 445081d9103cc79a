/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The mailbox-monitor() parser: the thin syslog-ng adapter around the core.
 *
 * Per message: decode (core), evaluate (core), then write tags and
 * name-value pairs.  Setting a value costs about as much as decoding a
 * field, so by default every record gets only what routing needs and the
 * full evidence goes on suspicious records (fields()).
 *
 * Threads: queue() runs on several worker threads at once.  The parser
 * object is read-only configuration after init(); the decoders and the
 * scratch record are per thread (GPrivate); counters are atomic.  Handles
 * and tag ids are resolved in init(), because their lookups take global
 * locks.  A message that holds a content blob or an Event Hub batch is
 * split into one message per record (mailbox-monitor-split.c).
 */
#include "mailbox-monitor-parser.h"
#include "mailbox-monitor-split.h"

#include "mbx-decoder.h"
#include "mbx-detector.h"
#include "mbx-error.h"

#include "logmsg/tags.h"
#include "messages.h"
#include "stats/stats-registry.h"
#include "stats/stats-cluster-single.h"
#include "template/templates.h"

#include <string.h>

typedef enum
{
  FIELDS_MINIMAL,    /* routing fields on every record, nothing more */
  FIELDS_SUSPICIOUS, /* routing fields on every record, all fields on suspicious ones */
  FIELDS_ALL         /* all fields on every record */
} FieldsMode;

typedef enum
{
  CTR_RECORDS,
  CTR_UNPARSED,
  CTR_SUSPICIOUS,
  CTR_BATCHES,
  CTR_BATCH_RECORDS,
  CTR_MAX
} CounterId;

static const gchar *counter_names[CTR_MAX] = {
  [CTR_RECORDS] = "records",
  [CTR_UNPARSED] = "unparsed",
  [CTR_SUSPICIOUS] = "suspicious",
  [CTR_BATCHES] = "batches",
  [CTR_BATCH_RECORDS] = "batch_records",
};

typedef struct
{
  LogParser super;

  gchar *prefix;
  GList *approved_apps;
  FieldsMode fields;
  gboolean drop_unparsed;
  gboolean split_batches;

  /* resolved in init() */
  MbxDetector *detector;
  NVHandle field_handles[MBX_F_MAX];
  NVHandle score_handle;
  NVHandle rules_handle;
  NVHandle reason_handle;
  NVHandle error_handle;
  LogTagId tag_suspicious;
  LogTagId tag_unparsed;
  LogTagId rule_tags[MBX_RULE_MAX];
  StatsCounterItem *counters[CTR_MAX];
  gchar *stats_id;
} MailboxMonitorParser;

/*
 * Per-thread decoding state.  A record forwarded by queue() may reach another
 * mailbox-monitor() further down the same path on the same thread (chained
 * parsers, a batch inside a blob) while this one still walks its batch, so
 * the state is a stack of frames: each queue() call takes the next frame and
 * no decoder is ever used by two calls at once.
 */
typedef struct
{
  MbxDecoder *batch_decoder;
  MbxDecoder *decoder;
  MbxRecord *record;
  GString *input;
} Frame;

typedef struct
{
  GPtrArray *frames;
  guint depth;
} ThreadState;

static void
_frame_free(gpointer p)
{
  Frame *frame = p;
  mbx_decoder_free(frame->batch_decoder);
  mbx_decoder_free(frame->decoder);
  mbx_record_free(frame->record);
  g_string_free(frame->input, TRUE);
  g_free(frame);
}

static void
_thread_state_free(gpointer p)
{
  ThreadState *ts = p;
  g_ptr_array_free(ts->frames, TRUE);
  g_free(ts);
}

static GPrivate thread_state = G_PRIVATE_INIT(_thread_state_free);

static Frame *
_frame_enter(void)
{
  ThreadState *ts = g_private_get(&thread_state);
  if (G_UNLIKELY(!ts))
    {
      ts = g_new0(ThreadState, 1);
      ts->frames = g_ptr_array_new_with_free_func(_frame_free);
      g_private_set(&thread_state, ts);
    }
  if (G_UNLIKELY(ts->depth == ts->frames->len))
    {
      Frame *frame = g_new0(Frame, 1);
      frame->batch_decoder = mbx_decoder_new();
      frame->decoder = mbx_decoder_new();
      frame->record = mbx_record_new();
      frame->input = g_string_sized_new(4096);
      g_ptr_array_add(ts->frames, frame);
    }
  return g_ptr_array_index(ts->frames, ts->depth++);
}

static void
_frame_leave(void)
{
  ThreadState *ts = g_private_get(&thread_state);
  ts->depth--;
}

/* the fields every record gets, so routing and filters work without the full set */
static const MbxField routing_fields[] = { MBX_F_KIND, MBX_F_MAILBOX, MBX_F_ACTOR };

static inline void
_count(MailboxMonitorParser *self, CounterId id)
{
  stats_counter_inc(self->counters[id]);
}

static void
_set_field(MailboxMonitorParser *self, LogMessage *msg, const MbxRecord *record, MbxField field)
{
  gsize len;
  const gchar *value = mbx_record_get_string(record, field, &len);
  if (!value)
    return;
  switch (mbx_field_type(field))
    {
    case MBX_TYPE_INT:
      log_msg_set_value_with_type(msg, self->field_handles[field], value, len, LM_VT_INT64);
      break;
    case MBX_TYPE_BOOL:
      log_msg_set_value_with_type(msg, self->field_handles[field], value[0] == '1' ? "true" : "false", -1,
                                  LM_VT_BOOLEAN);
      break;
    default:
      log_msg_set_value(msg, self->field_handles[field], value, len);
    }
}

static void
_set_rules(MailboxMonitorParser *self, LogMessage *msg, const MbxVerdict *verdict)
{
  gchar rules[256] = "";
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (!mbx_verdict_fired(verdict, r))
        continue;
      log_msg_set_tag_by_id(msg, self->rule_tags[r]);
      if (rules[0])
        g_strlcat(rules, ",", sizeof(rules));
      g_strlcat(rules, mbx_rule_id(r), sizeof(rules));
    }
  log_msg_set_value(msg, self->rules_handle, rules, -1);
  log_msg_set_value(msg, self->reason_handle, verdict->reason, -1);
}

static void
_annotate(MailboxMonitorParser *self, LogMessage *msg, const MbxRecord *record, const MbxVerdict *verdict)
{
  gchar score[8];
  gboolean suspicious = mbx_verdict_is_suspicious(verdict);

  if (self->fields == FIELDS_ALL || (suspicious && self->fields == FIELDS_SUSPICIOUS))
    {
      for (gint f = 0; f < MBX_F_MAX; f++)
        _set_field(self, msg, record, f);
    }
  else
    {
      for (gsize i = 0; i < G_N_ELEMENTS(routing_fields); i++)
        _set_field(self, msg, record, routing_fields[i]);
    }
  g_snprintf(score, sizeof(score), "%d", verdict->score);
  log_msg_set_value_with_type(msg, self->score_handle, score, -1, LM_VT_INT32);
  if (suspicious)
    {
      log_msg_set_tag_by_id(msg, self->tag_suspicious);
      _set_rules(self, msg, verdict);
    }
}

/*
 * Decodes and evaluates one record held in @input and annotates the message.
 * Returns FALSE when the message is to be dropped (only with drop-unparsed).
 */
static gboolean
_process_record(MailboxMonitorParser *self, Frame *frame, LogMessage **pmsg, const LogPathOptions *path_options,
                const gchar *input, gsize input_len)
{
  GError *error = NULL;
  MbxVerdict verdict;

  if (!mbx_decoder_decode(frame->decoder, input, input_len, frame->record, &error))
    {
      _count(self, CTR_UNPARSED);
      msg_debug("mailbox-monitor: message is not a decodable audit record", evt_tag_str("error", error->message),
                log_pipe_location_tag(&self->super.super));
      if (self->drop_unparsed)
        {
          g_error_free(error);
          return FALSE;
        }
      LogMessage *msg = log_msg_make_writable(pmsg, path_options);
      log_msg_set_tag_by_id(msg, self->tag_unparsed);
      log_msg_set_value(msg, self->error_handle, error->message, -1);
      g_error_free(error);
      return TRUE;
    }

  _count(self, CTR_RECORDS);
  mbx_detector_evaluate(self->detector, frame->record, &verdict);
  if (mbx_verdict_is_suspicious(&verdict))
    _count(self, CTR_SUSPICIOUS);
  _annotate(self, log_msg_make_writable(pmsg, path_options), frame->record, &verdict);
  return TRUE;
}

/* the process() of LogParser: one message, one record (batches go through queue()) */
static gboolean
_process(LogParser *s, LogMessage **pmsg, const LogPathOptions *path_options, const gchar *input, gsize input_len)
{
  Frame *frame = _frame_enter();
  gboolean keep = _process_record((MailboxMonitorParser *) s, frame, pmsg, path_options, input, input_len);
  _frame_leave();
  return keep;
}

static void
_forward_or_drop(MailboxMonitorParser *self, LogMessage *msg, const LogPathOptions *path_options, gboolean keep)
{
  if (keep)
    {
      log_pipe_forward_msg(&self->super.super, msg, path_options);
      return;
    }
  stats_counter_inc(self->super.super.discarded_messages);
  if (path_options->matched)
    *path_options->matched = FALSE;
  log_msg_drop(msg, path_options, AT_PROCESSED);
}

typedef struct
{
  MailboxMonitorParser *self;
  Frame *frame;
  LogMessage *orig;
  const LogPathOptions *path_options;
  MbxSplit *split;
} SplitContext;

static gboolean
_split_element(const gchar *json, gsize len, gpointer user_data)
{
  SplitContext *sc = user_data;
  LogPathOptions po;

  /* the split starts with the first element, so a batch with none stays one message */
  if (!sc->split)
    sc->split = mbx_split_begin(sc->orig, sc->path_options);
  LogMessage *record = mbx_split_new_record(sc->split, json, len, &po);

  _count(sc->self, CTR_BATCH_RECORDS);
  gboolean keep = _process_record(sc->self, sc->frame, &record, &po, json, len);
  _forward_or_drop(sc->self, record, &po, keep);
  return TRUE;
}

static void
_queue(LogPipe *s, LogMessage *msg, const LogPathOptions *path_options)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  Frame *frame = _frame_enter();
  NVTable *payload = NULL;
  const gchar *input;
  gsize input_len;

  if (self->super.template)
    {
      log_template_format(self->super.template, msg, &DEFAULT_TEMPLATE_EVAL_OPTIONS, frame->input);
      input = frame->input->str;
      input_len = frame->input->len;
    }
  else
    {
      /* keep the payload alive while values are set (see log_parser_process_message) */
      gssize len;
      payload = nv_table_ref(msg->payload);
      input = log_msg_get_value(msg, LM_V_MESSAGE, &len);
      input_len = len;
    }

  gsize offset;
  MbxInputShape shape = mbx_input_locate(input, input_len, &offset);
  if (self->split_batches && (shape == MBX_INPUT_ARRAY || shape == MBX_INPUT_BATCH))
    {
      SplitContext sc = { self, frame, msg, path_options, NULL };
      GError *error = NULL;

      /*
       * The whole batch parses before the first element is passed on: a cut
       * blob is one unparsed message, never half-decoded.  The batch
       * decoder's element texts stay valid while the record decoder runs.
       */
      if (mbx_decoder_split(frame->batch_decoder, input, input_len, _split_element, &sc, NULL, &error))
        _count(self, CTR_BATCHES);
      else
        {
          msg_debug("mailbox-monitor: batch does not parse", evt_tag_str("error", error->message),
                    log_pipe_location_tag(s));
          g_error_free(error);
        }
      if (sc.split)
        {
          /* @msg now belongs to the split, which acks it when all its records are */
          if (payload)
            nv_table_unref(payload);
          mbx_split_end(sc.split);
          _frame_leave();
          return;
        }
    }

  gboolean keep = _process_record(self, frame, &msg, path_options, input, input_len);
  if (payload)
    nv_table_unref(payload);
  _forward_or_drop(self, msg, path_options, keep);
  _frame_leave();
}

/* ---- configuration -------------------------------------------------- */

void
mailbox_monitor_parser_set_prefix(LogParser *s, const gchar *prefix)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  g_free(self->prefix);
  self->prefix = g_strdup(prefix);
}

gboolean
mailbox_monitor_parser_add_approved_apps(LogParser *s, GList *app_ids, GError **error)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  /* checked now with a throw-away detector, so `syslog-ng -s` reports a bad id */
  MbxDetector *check = mbx_detector_new();
  gboolean ok = TRUE;

  for (GList *l = app_ids; l && ok; l = l->next)
    {
      ok = mbx_detector_add_approved_app(check, l->data, error);
      if (ok)
        self->approved_apps = g_list_append(self->approved_apps, g_strdup(l->data));
    }
  mbx_detector_unref(check);
  return ok;
}

gboolean
mailbox_monitor_parser_set_fields(LogParser *s, const gchar *fields)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  if (strcmp(fields, "minimal") == 0)
    self->fields = FIELDS_MINIMAL;
  else if (strcmp(fields, "suspicious") == 0)
    self->fields = FIELDS_SUSPICIOUS;
  else if (strcmp(fields, "all") == 0)
    self->fields = FIELDS_ALL;
  else
    return FALSE;
  return TRUE;
}

void
mailbox_monitor_parser_set_drop_unparsed(LogParser *s, gboolean drop)
{
  ((MailboxMonitorParser *) s)->drop_unparsed = drop;
}

void
mailbox_monitor_parser_set_split_batches(LogParser *s, gboolean split)
{
  ((MailboxMonitorParser *) s)->split_batches = split;
}

/* ---- lifecycle ------------------------------------------------------- */

static NVHandle
_handle(const gchar *prefix, const gchar *name)
{
  gchar *full = g_strconcat(prefix, name, NULL);
  NVHandle handle = log_msg_get_value_handle(full);
  g_free(full);
  return handle;
}

static void
_register_counters(MailboxMonitorParser *self)
{
  stats_lock();
  for (gint i = 0; i < CTR_MAX; i++)
    {
      StatsClusterKey key;
      stats_cluster_single_key_set(&key, SCS_PARSER, self->stats_id, counter_names[i]);
      stats_register_counter(0, &key, SC_TYPE_SINGLE_VALUE, &self->counters[i]);
    }
  stats_unlock();
}

static void
_unregister_counters(MailboxMonitorParser *self)
{
  stats_lock();
  for (gint i = 0; i < CTR_MAX; i++)
    {
      StatsClusterKey key;
      stats_cluster_single_key_set(&key, SCS_PARSER, self->stats_id, counter_names[i]);
      stats_unregister_counter(&key, SC_TYPE_SINGLE_VALUE, &self->counters[i]);
    }
  stats_unlock();
}

static gboolean
_init(LogPipe *s)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  GError *error = NULL;

  if (!log_parser_init_method(s))
    return FALSE;

  MbxDetector *detector = mbx_detector_new();
  for (GList *l = self->approved_apps; l; l = l->next)
    {
      if (!mbx_detector_add_approved_app(detector, l->data, &error))
        {
          msg_error("mailbox-monitor: invalid approved-apps() entry", evt_tag_str("error", error->message),
                    log_pipe_location_tag(s));
          g_error_free(error);
          mbx_detector_unref(detector);
          return FALSE;
        }
    }
  if (self->detector)
    mbx_detector_unref(self->detector);
  self->detector = detector;

  for (gint f = 0; f < MBX_F_MAX; f++)
    self->field_handles[f] = _handle(self->prefix, mbx_field_name(f));
  self->score_handle = _handle(self->prefix, "score");
  self->rules_handle = _handle(self->prefix, "rules");
  self->reason_handle = _handle(self->prefix, "reason");
  self->error_handle = _handle(self->prefix, "error");

  self->tag_suspicious = log_tags_get_by_name(MAILBOX_MONITOR_TAG_SUSPICIOUS);
  self->tag_unparsed = log_tags_get_by_name(MAILBOX_MONITOR_TAG_UNPARSED);
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      gchar *tag = g_strconcat(MAILBOX_MONITOR_TAG_RULE_PREFIX, mbx_rule_id(r), NULL);
      self->rule_tags[r] = log_tags_get_by_name(tag);
      g_free(tag);
    }

  g_free(self->stats_id);
  self->stats_id = g_strdup(self->super.name);
  _register_counters(self);
  return TRUE;
}

static gboolean
_deinit(LogPipe *s)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  _unregister_counters(self);
  return log_parser_deinit_method(s);
}

static LogPipe *
_clone(LogPipe *s)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  MailboxMonitorParser *cloned = (MailboxMonitorParser *) mailbox_monitor_parser_new(s->cfg);

  log_parser_set_template(&cloned->super, log_template_ref(self->super.template));
  mailbox_monitor_parser_set_prefix(&cloned->super, self->prefix);
  for (GList *l = self->approved_apps; l; l = l->next)
    cloned->approved_apps = g_list_append(cloned->approved_apps, g_strdup(l->data));
  cloned->fields = self->fields;
  cloned->drop_unparsed = self->drop_unparsed;
  cloned->split_batches = self->split_batches;
  return &cloned->super.super;
}

static void
_free(LogPipe *s)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;

  if (self->detector)
    mbx_detector_unref(self->detector);
  g_list_free_full(self->approved_apps, g_free);
  g_free(self->prefix);
  g_free(self->stats_id);
  log_parser_free_method(s);
}

LogParser *
mailbox_monitor_parser_new(GlobalConfig *cfg)
{
  MailboxMonitorParser *self = g_new0(MailboxMonitorParser, 1);

  log_parser_init_instance(&self->super, cfg);
  self->super.super.init = _init;
  self->super.super.deinit = _deinit;
  self->super.super.free_fn = _free;
  self->super.super.clone = _clone;
  self->super.super.queue = _queue;
  self->super.process = _process;

  self->prefix = g_strdup(".mbx.");
  self->fields = FIELDS_SUSPICIOUS;
  self->split_batches = TRUE;
  return &self->super;
}
