/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The $(mailbox-alert FORMAT [--prefix PREFIX] [RAW]) template function: one
 * alert (a JSON object: ecs, ocsf, cim, or hec, the CIM object in a Splunk
 * HEC envelope) or only its id (id) for a record the mailbox-monitor()
 * parser tagged suspicious, and nothing for any other message.  It reads the
 * tags and the name-value pairs the parser set under PREFIX (".mbx." by
 * default); RAW is the raw record, $MESSAGE by default.  The core builds the
 * JSON (mbx-alert.h).
 *
 * Threads: call() runs on several worker threads at once; the state is
 * read-only after prepare(), which resolves handles and tag ids.
 */
#include "mailbox-monitor-alert.h"
#include "mailbox-monitor-parser.h"
#include "mailbox-monitor-tags.h"

#include "mbx-alert.h"

#include "logmsg/logmsg.h"
#include "logmsg/tags.h"
#include "scratch-buffers.h"
#include "template/simple-function.h"
#include "template/templates.h"

#include <stdlib.h>
#include <string.h>

/* what a value under the prefix is to the alert */
enum
{
  VALUE_OTHER = 0, /* more evidence */
  VALUE_FIELD,     /* a field of the record: VALUE_FIELD + MbxField */
  VALUE_SCORE = VALUE_FIELD + MBX_F_MAX,
  VALUE_REASON,
  VALUE_SKIP, /* rules (the tags say it), error */
};

typedef struct
{
  TFSimpleFuncState super; /* the RAW argument, when given */
  MbxAlertFormat format;
  gboolean id_only;
  gchar *prefix;
  gsize prefix_len;
  GHashTable *roles; /* NVHandle -> VALUE_*, for the names the parser sets */
  LogTagId tag_suspicious;
  LogTagId rule_tags[MBX_RULE_MAX];
} TFMailboxAlertState;

static void
_add_role(TFMailboxAlertState *state, const gchar *name, gint role)
{
  gchar *full = g_strconcat(state->prefix, name, NULL);
  g_hash_table_insert(state->roles, GUINT_TO_POINTER(log_msg_get_value_handle(full)), GINT_TO_POINTER(role));
  g_free(full);
}

static gboolean
_prepare(LogTemplateFunction *self, gpointer s, LogTemplate *parent, gint argc, gchar *argv[], GError **error)
{
  TFMailboxAlertState *state = (TFMailboxAlertState *) s;
  const gchar *prefix = ".mbx.";
  const gchar *format = NULL;
  gchar *raw_argv[2] = { argv[0], NULL };
  gint raw_argc = 1;

  for (gint i = 1; i < argc; i++)
    {
      if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc)
        prefix = argv[++i];
      else if (g_str_has_prefix(argv[i], "--prefix="))
        prefix = argv[i] + strlen("--prefix=");
      else if (argv[i][0] == '-' && argv[i][1] == '-')
        {
          g_set_error(error, LOG_TEMPLATE_ERROR, LOG_TEMPLATE_ERROR_COMPILE,
                      "$(mailbox-alert): unknown option %s, usage: $(mailbox-alert ecs|ocsf|cim|hec|id [--prefix PREFIX] [RAW])",
                      argv[i]);
          return FALSE;
        }
      else if (!format)
        format = argv[i];
      else if (raw_argc == 1)
        raw_argv[raw_argc++] = argv[i];
      else
        {
          g_set_error(error, LOG_TEMPLATE_ERROR, LOG_TEMPLATE_ERROR_COMPILE,
                      "$(mailbox-alert): too many arguments, usage: $(mailbox-alert ecs|ocsf|cim|hec|id [--prefix PREFIX] [RAW])");
          return FALSE;
        }
    }
  state->format = mbx_alert_format_by_name(format);
  state->id_only = g_strcmp0(format, "id") == 0;
  if (state->format == MBX_ALERT_FORMAT_MAX && !state->id_only)
    {
      g_set_error(error, LOG_TEMPLATE_ERROR, LOG_TEMPLATE_ERROR_COMPILE,
                  "$(mailbox-alert): unknown format '%s', expected ecs, ocsf, cim, hec or id", format ? format : "");
      return FALSE;
    }
  if (!tf_simple_func_prepare(self, &state->super, parent, raw_argc, raw_argv, error))
    return FALSE;

  state->prefix = g_strdup(prefix);
  state->prefix_len = strlen(prefix);
  state->roles = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (gint f = 0; f < MBX_F_MAX; f++)
    _add_role(state, mbx_field_name(f), VALUE_FIELD + f);
  _add_role(state, "score", VALUE_SCORE);
  _add_role(state, "reason", VALUE_REASON);
  _add_role(state, "rules", VALUE_SKIP);
  _add_role(state, "error", VALUE_SKIP);
  state->tag_suspicious = log_tags_get_by_name(MAILBOX_MONITOR_TAG_SUSPICIOUS);
  mailbox_monitor_resolve_rule_tags(state->rule_tags);
  return TRUE;
}

#define MAX_EXTRA 128

/* what one call collects: values are copied with their NUL into @arena, which may move, so offsets */
typedef struct
{
  TFMailboxAlertState *state;
  GString *arena;
  gssize fields[MBX_F_MAX];
  gssize score, reason;
  struct
  {
    gssize name, value;
    MbxFieldType type;
  } extra[MAX_EXTRA];
  guint n_extra;
} Collect;

static gssize
_copy(GString *arena, const gchar *value, gssize len)
{
  gssize offset = arena->len;
  g_string_append_len(arena, value, len);
  g_string_append_c(arena, '\0');
  return offset;
}

static gboolean
_collect_value(NVHandle handle, const gchar *name, const gchar *value, gssize len, LogMessageValueType type,
               gpointer user_data)
{
  Collect *c = user_data;
  TFMailboxAlertState *state = c->state;

  if (len <= 0 || strncmp(name, state->prefix, state->prefix_len) != 0)
    return FALSE;
  gint role = GPOINTER_TO_INT(g_hash_table_lookup(state->roles, GUINT_TO_POINTER(handle)));
  if (role >= VALUE_FIELD && role < VALUE_FIELD + MBX_F_MAX)
    c->fields[role - VALUE_FIELD] = _copy(c->arena, value, len);
  else if (role == VALUE_SCORE)
    c->score = _copy(c->arena, value, len);
  else if (role == VALUE_REASON)
    c->reason = _copy(c->arena, value, len);
  else if (role == VALUE_OTHER && c->n_extra < MAX_EXTRA)
    {
      c->extra[c->n_extra].name = _copy(c->arena, name + state->prefix_len, -1);
      c->extra[c->n_extra].value = _copy(c->arena, value, len);
      c->extra[c->n_extra].type = (type == LM_VT_INT32 || type == LM_VT_INT64 || type == LM_VT_DOUBLE)
                                    ? MBX_TYPE_INT
                                  : type == LM_VT_BOOLEAN ? MBX_TYPE_BOOL
                                                          : MBX_TYPE_STRING;
      c->n_extra++;
    }
  return FALSE;
}

static void
_call(LogTemplateFunction *self, gpointer s, const LogTemplateInvokeArgs *args, GString *result,
      LogMessageValueType *type)
{
  TFMailboxAlertState *state = (TFMailboxAlertState *) s;
  LogMessage *msg = args->messages[args->num_messages - 1];
  MbxAlertInput input;
  MbxAlertValue extra[MAX_EXTRA];
  Collect c = { .state = state, .score = -1, .reason = -1 };

  *type = LM_VT_STRING;
  if (!log_msg_is_tag_by_id(msg, state->tag_suspicious))
    return;

  /* values need not end in NUL in the message: the core gets NUL-terminated copies */
  c.arena = scratch_buffers_alloc();
  for (gint f = 0; f < MBX_F_MAX; f++)
    c.fields[f] = -1;
  log_msg_values_foreach(msg, _collect_value, &c);
  gssize raw = -1;
  if (!state->super.argc)
    {
      gssize len;
      const gchar *message = log_msg_get_value(msg, LM_V_MESSAGE, &len);
      raw = _copy(c.arena, message, len);
    }

  mbx_alert_input_init(&input);
  for (gint f = 0; f < MBX_F_MAX; f++)
    input.values[f] = c.fields[f] >= 0 ? c.arena->str + c.fields[f] : NULL;
  for (guint i = 0; i < c.n_extra; i++)
    {
      extra[i].name = c.arena->str + c.extra[i].name;
      extra[i].value = c.arena->str + c.extra[i].value;
      extra[i].type = c.extra[i].type;
    }
  input.extra = extra;
  input.n_extra = c.n_extra;
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      if (log_msg_is_tag_by_id(msg, state->rule_tags[r]))
        input.rules |= 1u << r;
    }
  input.score = c.score >= 0 ? atoi(c.arena->str + c.score) : 0;
  input.reason = c.reason >= 0 ? c.arena->str + c.reason : NULL;
  input.raw = state->super.argc ? args->argv[0]->str : c.arena->str + raw;
  if (unix_time_is_set(&msg->timestamps[LM_TS_STAMP]))
    input.time_us = msg->timestamps[LM_TS_STAMP].ut_sec * G_USEC_PER_SEC + msg->timestamps[LM_TS_STAMP].ut_usec;

  if (state->id_only)
    {
      gchar id[MBX_ALERT_ID_LEN];
      mbx_alert_id(input.values[MBX_F_ID], input.raw, input.rules, id);
      g_string_append(result, id);
      return;
    }
  mbx_alert_append(&input, state->format, result);
  *type = LM_VT_JSON;
}

static void
_free_state(gpointer s)
{
  TFMailboxAlertState *state = (TFMailboxAlertState *) s;
  tf_simple_func_free_state(&state->super);
  if (state->roles)
    g_hash_table_destroy(state->roles);
  g_free(state->prefix);
}

TEMPLATE_FUNCTION(TFMailboxAlertState, tf_mailbox_alert, _prepare, tf_simple_func_eval, _call, _free_state, NULL);
