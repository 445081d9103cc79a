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
#include "mailbox-monitor-state.h"
#include "mailbox-monitor-tags.h"

#include "mbx-decoder.h"
#include "mbx-detector.h"
#include "mbx-policy.h"
#include "mbx-prescreen.h"
#include "mbx-error.h"
#include "mbx-time.h"

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
  CTR_PRESCREENED,
  /* coverage: what the logs can and cannot show */
  CTR_KIND_FIRST,
  CTR_KIND_LAST = CTR_KIND_FIRST + MBX_KIND_MAX - 1,
  CTR_WORKLOAD_EXCHANGE,
  CTR_WORKLOAD_ENTRA,
  CTR_WORKLOAD_GRAPH,
  CTR_WORKLOAD_OTHER,
  CTR_MAIL_NO_APP,
  CTR_MAIL_NO_IP,
  CTR_MAIL_NO_ITEMS,
  CTR_IN_BLIND_SPOT,
  CTR_TAMPER,
  CTR_SIGNIN_JOIN_OFF,
  CTR_GEO_OFF,
  CTR_MAX
} CounterId;

static const gchar *counter_names[CTR_MAX] = {
  [CTR_RECORDS] = "records",
  [CTR_UNPARSED] = "unparsed",
  [CTR_SUSPICIOUS] = "suspicious",
  [CTR_BATCHES] = "batches",
  [CTR_BATCH_RECORDS] = "batch_records",
  [CTR_PRESCREENED] = "prescreened",
  [CTR_WORKLOAD_EXCHANGE] = "workload_exchange",
  [CTR_WORKLOAD_ENTRA] = "workload_entra",
  [CTR_WORKLOAD_GRAPH] = "workload_graph",
  [CTR_WORKLOAD_OTHER] = "workload_other",
  [CTR_MAIL_NO_APP] = "mail_reads_without_app",
  [CTR_MAIL_NO_IP] = "mail_reads_without_ip",
  [CTR_MAIL_NO_ITEMS] = "mail_reads_without_items",
  [CTR_IN_BLIND_SPOT] = "records_in_blind_spot",
  [CTR_TAMPER] = "audit_tamper_events",
  [CTR_SIGNIN_JOIN_OFF] = "signin_join_off",
  [CTR_GEO_OFF] = "geography_off",
};

/* "kind_mail-access" and the like: the counter of each record kind */
static gchar kind_counter_names[MBX_KIND_MAX][32];

static const gchar *
_counter_name(gint id)
{
  if (id >= CTR_KIND_FIRST && id <= CTR_KIND_LAST)
    {
      gchar *name = kind_counter_names[id - CTR_KIND_FIRST];
      if (!name[0])
        g_snprintf(name, 32, "kind_%s", mbx_kind_name(id - CTR_KIND_FIRST));
      return name;
    }
  return counter_names[id];
}

/* state figures set with the full evidence, per window: items_10m, records_1h, ... */
typedef enum
{
  SV_RECORDS,
  SV_ITEMS,
  SV_SEARCHES,
  SV_SYNCS,
  SV_APPS,
  SV_IPS,
  SV_FANOUT,
  SV_MAX
} StateValue;

static const gchar *state_value_names[SV_MAX] = {
  [SV_RECORDS] = "records",
  [SV_ITEMS] = "items",
  [SV_SEARCHES] = "searches",
  [SV_SYNCS] = "syncs",
  [SV_APPS] = "apps",
  [SV_IPS] = "ips",
  [SV_FANOUT] = "fanout",
};

typedef enum
{
  SF_LATE,
  SF_MAILBOX_NEW,
  SF_PAIR_NEW,
  SF_APP_NEW_IN_TENANT,
  SF_NETWORK_NEW,
  SF_BASELINE_MEAN,
  SF_BASELINE_DAYS,
  SF_GRANT_ID,
  SF_GRANT_TIME,
  SF_SIGNIN_ID,
  SF_SIGNIN_JOIN,
  SF_SIGNIN_IP,
  SF_BLIND_SPOT,
  SF_BLIND_SINCE,
  SF_MAX
} StateFlag;

static const gchar *state_flag_names[SF_MAX] = {
  [SF_LATE] = "late",
  [SF_MAILBOX_NEW] = "mailbox_new",
  [SF_PAIR_NEW] = "app_new_for_mailbox",
  [SF_APP_NEW_IN_TENANT] = "app_new_in_tenant",
  [SF_NETWORK_NEW] = "network_new",
  [SF_BASELINE_MEAN] = "baseline_items_per_hour",
  [SF_BASELINE_DAYS] = "baseline_days",
  [SF_GRANT_ID] = "grant_id",
  [SF_GRANT_TIME] = "grant_time",
  [SF_SIGNIN_ID] = "signin_id",
  [SF_SIGNIN_JOIN] = "signin_join",
  [SF_SIGNIN_IP] = "signin_ip",
  [SF_BLIND_SPOT] = "blind_spot",
  [SF_BLIND_SINCE] = "blind_since",
};

typedef struct
{
  LogParser super;

  gchar *prefix;
  GList *approved_apps;
  gchar *policy_file;
  FieldsMode fields;
  gboolean drop_unparsed;
  gboolean split_batches;
  gboolean prescreen;

  /* resolved in init(): the pre-screen runs unless turned off or fields("all") asks for every record */
  gboolean screening;

  MbxStateHolder *state;

  /* resolved in init() */
  MbxDetector *detector;
  NVHandle state_handles[MBX_MAX_WINDOWS][SV_MAX];
  NVHandle state_flag_handles[SF_MAX];
  gchar *persist_name;
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
_set_number(LogMessage *msg, NVHandle handle, gint64 value)
{
  gchar buf[24];
  gint len = g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT, value);
  log_msg_set_value_with_type(msg, handle, buf, len, LM_VT_INT64);
}

static void
_set_flag(LogMessage *msg, NVHandle handle, gboolean value)
{
  log_msg_set_value_with_type(msg, handle, value ? "true" : "false", -1, LM_VT_BOOLEAN);
}

/* coverage counters: what kinds of records flow, and what the audit cannot show */
static void
_count_coverage(MailboxMonitorParser *self, const MbxRecord *record, const MbxObservation *obs,
                const MbxVerdict *verdict)
{
  MbxKind kind = mbx_record_get_kind(record);
  _count(self, CTR_KIND_FIRST + kind);

  const gchar *workload = mbx_record_get_string(record, MBX_F_WORKLOAD, NULL);
  if (g_strcmp0(workload, "Exchange") == 0)
    _count(self, CTR_WORKLOAD_EXCHANGE);
  else if (g_strcmp0(workload, "AzureActiveDirectory") == 0)
    _count(self, CTR_WORKLOAD_ENTRA);
  else if (g_strcmp0(workload, "MicrosoftGraph") == 0)
    _count(self, CTR_WORKLOAD_GRAPH);
  else
    _count(self, CTR_WORKLOAD_OTHER);

  if (kind == MBX_KIND_MAIL_ACCESS)
    {
      if (!mbx_record_has(record, MBX_F_APP_ID))
        _count(self, CTR_MAIL_NO_APP);
      if (!mbx_record_has(record, MBX_F_CLIENT_IP))
        _count(self, CTR_MAIL_NO_IP);
      if (!mbx_record_has(record, MBX_F_ITEM_COUNT) && !mbx_record_has(record, MBX_F_MAIL_ACCESS_TYPE))
        _count(self, CTR_MAIL_NO_ITEMS);
      if (!obs->signins_flowing)
        _count(self, CTR_SIGNIN_JOIN_OFF);
    }
  if (obs->blind_spot != MBX_BLIND_NONE)
    _count(self, CTR_IN_BLIND_SPOT);
  if (mbx_verdict_fired(verdict, MBX_RULE_AUDIT_TAMPER))
    _count(self, CTR_TAMPER);
}

/* the state's figures for this record, part of the full evidence */
static void
_set_state_values(MailboxMonitorParser *self, LogMessage *msg, const MbxObservation *obs)
{
  const MbxStateOptions *options = mbx_state_get_options(mbx_state_holder_get(self->state));

  _set_flag(msg, self->state_flag_handles[SF_LATE], obs->late);
  if (obs->blind_spot != MBX_BLIND_NONE)
    {
      log_msg_set_value(msg, self->state_flag_handles[SF_BLIND_SPOT], mbx_blind_spot_name(obs->blind_spot), -1);
      _set_number(msg, self->state_flag_handles[SF_BLIND_SINCE], obs->blind_since);
    }
  if (obs->has_grant)
    {
      log_msg_set_value(msg, self->state_flag_handles[SF_GRANT_ID], obs->grant_id, -1);
      _set_number(msg, self->state_flag_handles[SF_GRANT_TIME], obs->grant_time);
    }
  if (obs->signin_join != MBX_SIGNIN_JOIN_NONE)
    {
      log_msg_set_value(msg, self->state_flag_handles[SF_SIGNIN_JOIN], mbx_signin_join_name(obs->signin_join), -1);
      if (obs->signin_join != MBX_SIGNIN_JOIN_UNMATCHED)
        {
          log_msg_set_value(msg, self->state_flag_handles[SF_SIGNIN_ID], obs->signin_id, -1);
          log_msg_set_value(msg, self->state_flag_handles[SF_SIGNIN_IP], obs->signin_ip, -1);
        }
    }
  else if (!obs->signins_flowing && obs->has_mailbox)
    /* no sign-in log for a day of event time: the join is off, and the evidence says so */
    log_msg_set_value(msg, self->state_flag_handles[SF_SIGNIN_JOIN], "off", -1);
  if (!obs->has_mailbox)
    return;
  for (guint w = 0; w < options->n_windows; w++)
    {
      _set_number(msg, self->state_handles[w][SV_RECORDS], obs->mailbox[w].records);
      _set_number(msg, self->state_handles[w][SV_ITEMS], obs->mailbox[w].items);
      _set_number(msg, self->state_handles[w][SV_SEARCHES], obs->mailbox[w].searches);
      _set_number(msg, self->state_handles[w][SV_SYNCS], obs->mailbox[w].syncs);
      _set_number(msg, self->state_handles[w][SV_APPS], obs->mailbox_apps[w]);
      _set_number(msg, self->state_handles[w][SV_IPS], obs->mailbox_ips[w]);
      _set_number(msg, self->state_handles[w][SV_FANOUT], obs->actor_mailboxes[w]);
    }
  _set_flag(msg, self->state_flag_handles[SF_MAILBOX_NEW], obs->mailbox_new);
  _set_flag(msg, self->state_flag_handles[SF_NETWORK_NEW], obs->network_new);
  if (obs->has_app)
    {
      _set_flag(msg, self->state_flag_handles[SF_PAIR_NEW], obs->pair_new);
      _set_flag(msg, self->state_flag_handles[SF_APP_NEW_IN_TENANT], obs->app_new_in_tenant);
    }
  if (obs->baseline_days > 0)
    {
      gchar mean[32];
      g_snprintf(mean, sizeof(mean), "%.2f", obs->baseline_mean);
      log_msg_set_value_with_type(msg, self->state_flag_handles[SF_BASELINE_MEAN], mean, -1, LM_VT_DOUBLE);
      _set_number(msg, self->state_flag_handles[SF_BASELINE_DAYS], obs->baseline_days);
    }
}

static void
_annotate(MailboxMonitorParser *self, LogMessage *msg, const MbxRecord *record, const MbxObservation *obs,
          const MbxVerdict *verdict)
{
  gchar score[8];
  gboolean suspicious = mbx_verdict_is_suspicious(verdict);

  if (self->fields == FIELDS_ALL || (suspicious && self->fields == FIELDS_SUSPICIOUS))
    {
      for (gint f = 0; f < MBX_F_MAX; f++)
        _set_field(self, msg, record, f);
      _set_state_values(self, msg, obs);
    }
  else
    {
      for (gsize i = 0; i < G_N_ELEMENTS(routing_fields); i++)
        _set_field(self, msg, record, routing_fields[i]);
    }
  g_snprintf(score, sizeof(score), "%d", verdict->score);
  log_msg_set_value_with_type(msg, self->score_handle, score, -1, LM_VT_INT32);
  /* every rule that fired is tagged, also below the alert score, so routes can pick single rules */
  if (verdict->rules)
    _set_rules(self, msg, verdict);
  if (suspicious)
    log_msg_set_tag_by_id(msg, self->tag_suspicious);
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
  MbxObservation observation;
  MbxVerdict verdict;

  /*
   * A record no rule reads (SharePoint, OneDrive, Teams: most of the audit
   * volume) is recognized from its text and passed on, marked "other", without
   * decoding or state.  Not with fields(all): that asks for every record's fields.
   */
  if (self->screening && mbx_prescreen(input, input_len) == MBX_PRESCREEN_SKIP)
    {
      _count(self, CTR_RECORDS);
      _count(self, CTR_PRESCREENED);
      _count(self, CTR_KIND_FIRST + MBX_KIND_OTHER);
      _count(self, CTR_WORKLOAD_OTHER);
      log_msg_set_value(log_msg_make_writable(pmsg, path_options), self->field_handles[MBX_F_KIND],
                        mbx_kind_name(MBX_KIND_OTHER), -1);
      return TRUE;
    }

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
  const UnixTime *received = &(*pmsg)->timestamps[LM_TS_RECVD];
  MbxObserveFlags flags = mbx_detector_observe_flags(self->detector, frame->record);
  MbxGeoInfo geo;
  gboolean located = mbx_detector_geo_lookup(self->detector, frame->record, &geo);
  mbx_state_observe_geo(mbx_state_holder_get(self->state), frame->record,
                        (gint64) received->ut_sec * G_USEC_PER_SEC + received->ut_usec, flags, located ? &geo : NULL,
                        &observation);
  mbx_detector_evaluate_observed(self->detector, frame->record, &observation, &verdict);
  if (mbx_verdict_is_suspicious(&verdict))
    _count(self, CTR_SUSPICIOUS);
  _count_coverage(self, frame->record, &observation, &verdict);
  _annotate(self, log_msg_make_writable(pmsg, path_options), frame->record, &observation, &verdict);
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

void
mailbox_monitor_parser_set_prescreen(LogParser *s, gboolean prescreen)
{
  ((MailboxMonitorParser *) s)->prescreen = prescreen;
}

void
mailbox_monitor_parser_set_policy(LogParser *s, const gchar *path)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  g_free(self->policy_file);
  self->policy_file = g_strdup(path);
}

void
mailbox_monitor_parser_set_cap(LogParser *s, MbxTable table, gint cap)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  mbx_state_holder_options(self->state)->max_entries[table] = cap;
}

gboolean
mailbox_monitor_parser_set_windows(LogParser *s, GList *windows, GError **error)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  MbxStateOptions *options = mbx_state_holder_options(self->state);
  guint n = 0;

  for (GList *l = windows; l; l = l->next, n++)
    {
      gint64 us;
      if (n >= MBX_MAX_WINDOWS)
        {
          g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "at most %d windows", MBX_MAX_WINDOWS);
          return FALSE;
        }
      if (!mbx_duration_parse(l->data, &us))
        {
          g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "'%s' is not a duration such as \"10m\"",
                      (const gchar *) l->data);
          return FALSE;
        }
      options->window_us[n] = us;
    }
  options->n_windows = n;
  return mbx_state_options_validate(options, error);
}

void
mailbox_monitor_parser_set_buckets(LogParser *s, gint buckets)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  mbx_state_holder_options(self->state)->n_buckets = buckets;
}

gboolean
mailbox_monitor_parser_set_duration(LogParser *s, const gchar *option, const gchar *value)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  MbxStateOptions *options = mbx_state_holder_options(self->state);
  gint64 us;

  if (!mbx_duration_parse(value, &us))
    return FALSE;
  if (strcmp(option, "lateness") == 0)
    options->lateness_us = us;
  else
    options->max_skew_us = us;
  return TRUE;
}

void
mailbox_monitor_parser_set_state_file(LogParser *s, const gchar *path)
{
  mbx_state_holder_set_file(((MailboxMonitorParser *) s)->state, path);
}

void
mailbox_monitor_parser_set_state_save_interval(LogParser *s, gint seconds)
{
  mbx_state_holder_set_save_interval(((MailboxMonitorParser *) s)->state, seconds);
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
      stats_cluster_single_key_set(&key, SCS_PARSER, self->stats_id, _counter_name(i));
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
      stats_cluster_single_key_set(&key, SCS_PARSER, self->stats_id, _counter_name(i));
      stats_unregister_counter(&key, SC_TYPE_SINGLE_VALUE, &self->counters[i]);
    }
  stats_unlock();
}

/* the policy file (or the built-in policy), plus approved-apps(), bound to the state's windows */
static MbxDetector *
_detector_new(MailboxMonitorParser *self, GError **error)
{
  MbxPolicy *policy = self->policy_file ? mbx_policy_load(self->policy_file, error) : mbx_policy_new();
  if (!policy)
    return NULL;
  MbxDetector *detector = mbx_detector_new_with_policy(policy);
  mbx_policy_unref(policy);

  const MbxStateOptions *options = mbx_state_holder_options(self->state);
  gboolean ok = mbx_detector_bind_windows(detector, options->window_us, options->n_windows, error);
  for (GList *l = self->approved_apps; ok && l; l = l->next)
    ok = mbx_detector_add_approved_app(detector, l->data, error);
  if (!ok)
    {
      mbx_detector_unref(detector);
      return NULL;
    }
  return detector;
}

static gboolean
_init(LogPipe *s)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  GError *error = NULL;

  if (!log_parser_init_method(s))
    return FALSE;

  /*
   * A reload builds new parsers, which read the policy afresh, so `syslog-ng-ctl
   * reload` picks up its changes.  A parser that already has a detector is the
   * old configuration restored after a failed reload: it keeps the policy it
   * ran with, whatever the file says now.
   */
  if (!self->detector)
    {
      self->detector = _detector_new(self, &error);
      if (!self->detector)
        {
          msg_error("mailbox-monitor: invalid policy", evt_tag_str("error", error->message), log_pipe_location_tag(s));
          g_error_free(error);
          return FALSE;
        }
    }

  self->screening = self->prescreen && self->fields != FIELDS_ALL;
  for (gint f = 0; f < MBX_F_MAX; f++)
    self->field_handles[f] = _handle(self->prefix, mbx_field_name(f));
  self->score_handle = _handle(self->prefix, "score");
  self->rules_handle = _handle(self->prefix, "rules");
  self->reason_handle = _handle(self->prefix, "reason");
  self->error_handle = _handle(self->prefix, "error");

  self->tag_suspicious = log_tags_get_by_name(MAILBOX_MONITOR_TAG_SUSPICIOUS);
  self->tag_unparsed = log_tags_get_by_name(MAILBOX_MONITOR_TAG_UNPARSED);
  mailbox_monitor_resolve_rule_tags(self->rule_tags);

  const MbxStateOptions *options = mbx_state_holder_options(self->state);
  for (guint w = 0; w < options->n_windows; w++)
    {
      gchar window[16], name[64];
      mbx_duration_format(options->window_us[w], window, sizeof(window));
      for (gint v = 0; v < SV_MAX; v++)
        {
          g_snprintf(name, sizeof(name), "%s_%s", state_value_names[v], window);
          self->state_handles[w][v] = _handle(self->prefix, name);
        }
    }
  for (gint f = 0; f < SF_MAX; f++)
    self->state_flag_handles[f] = _handle(self->prefix, state_flag_names[f]);

  g_free(self->stats_id);
  self->stats_id = g_strdup(self->super.name);
  /* one state per parser: named parsers keep theirs across reloads by name */
  g_free(self->persist_name);
  self->persist_name = g_strdup_printf("mailbox-monitor(%s)", self->super.name);
  if (!mbx_state_holder_init(self->state, log_pipe_get_config(s), self->persist_name, self->stats_id, &error))
    {
      msg_error("mailbox-monitor: cannot set up the detection state", evt_tag_str("error", error->message),
                log_pipe_location_tag(s));
      g_error_free(error);
      return FALSE;
    }
  _register_counters(self);
  /* checks that cannot run are reported, never silently skipped */
  if (!mbx_policy_geo(mbx_detector_get_policy(self->detector)))
    {
      msg_notice("mailbox-monitor: geography checks are off: no [geo] city-database in the policy",
                 log_pipe_location_tag(s));
      stats_counter_set(self->counters[CTR_GEO_OFF], 1);
    }
  return TRUE;
}

static gboolean
_deinit(LogPipe *s)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;
  _unregister_counters(self);
  mbx_state_holder_deinit(self->state, log_pipe_get_config(s), self->persist_name);
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
  mailbox_monitor_parser_set_policy(&cloned->super, self->policy_file);
  /* a clone counts into the same state */
  mbx_state_holder_unref(cloned->state);
  cloned->state = mbx_state_holder_ref(self->state);
  cloned->fields = self->fields;
  cloned->drop_unparsed = self->drop_unparsed;
  cloned->split_batches = self->split_batches;
  cloned->prescreen = self->prescreen;
  return &cloned->super.super;
}

static void
_free(LogPipe *s)
{
  MailboxMonitorParser *self = (MailboxMonitorParser *) s;

  if (self->detector)
    mbx_detector_unref(self->detector);
  g_list_free_full(self->approved_apps, g_free);
  g_free(self->policy_file);
  g_free(self->prefix);
  g_free(self->stats_id);
  g_free(self->persist_name);
  mbx_state_holder_unref(self->state);
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
  self->prescreen = TRUE;
  self->state = mbx_state_holder_new();
  return &self->super;
}
