/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Splitting one message (a content blob or an Event Hub batch) into one
 * message per record, without breaking flow control.
 *
 * Why not log_msg_clone_cow(): a clone shares the blob's payload and copies
 * all of it on its first write, so 5,000 records of an 8 MB blob would make
 * 5,000 copies of 8 MB.  Each record here is a fresh, small message that
 * holds only its own JSON.
 *
 * Ack wiring, the invariant that keeps the daemon alive: the original
 * message keeps the one pending ack of this path until every record has
 * been acked downstream (delivered, or dropped by a filter).  A tracker
 * counts outstanding records plus one guard held while records are still
 * being created; each record's ack_func releases one count, and the last
 * release acks the original with the worst outcome seen (suspended over
 * aborted over processed) and drops our reference.  No ack is ever added to
 * the original itself: the producer thread caches the original's ack count
 * in a bounded per-thread counter (8191), which a blob of 10,000 records
 * would overflow.
 */
#include "mailbox-monitor-split.h"

#include <string.h>

enum
{
  SPLIT_ABORTED = 1,
  SPLIT_SUSPENDED = 2,
};

struct _MbxSplit
{
  gint pending;
  gint outcome;
  gboolean ack_needed;
  gboolean flow_control_requested;
  gboolean *matched;
  LogMessage *orig;
};

MbxSplit *
mbx_split_begin(LogMessage *orig, const LogPathOptions *path_options)
{
  MbxSplit *self = g_new0(MbxSplit, 1);
  self->pending = 1; /* the guard, released by mbx_split_end() */
  self->ack_needed = path_options->ack_needed;
  self->flow_control_requested = path_options->flow_control_requested;
  self->matched = path_options->matched;
  self->orig = orig;
  return self;
}

static void
_split_release(MbxSplit *self)
{
  if (!g_atomic_int_dec_and_test(&self->pending))
    return;

  LogPathOptions po = LOG_PATH_OPTIONS_INIT;
  gint outcome = g_atomic_int_get(&self->outcome);
  AckType ack_type = AT_PROCESSED;
  if (outcome & SPLIT_SUSPENDED)
    ack_type = AT_SUSPENDED;
  else if (outcome & SPLIT_ABORTED)
    ack_type = AT_ABORTED;

  po.ack_needed = self->ack_needed;
  log_msg_ack(self->orig, &po, ack_type);
  log_msg_unref(self->orig);
  g_free(self);
}

static void
_record_ack(LogMessage *record, AckType ack_type)
{
  MbxSplit *self = (MbxSplit *) record->ack_record;

  if (ack_type == AT_SUSPENDED)
    g_atomic_int_or(&self->outcome, SPLIT_SUSPENDED);
  else if (ack_type == AT_ABORTED)
    g_atomic_int_or(&self->outcome, SPLIT_ABORTED);
  _split_release(self);
}

static gboolean
_copy_tag(const LogMessage *orig, LogTagId tag_id, const gchar *name, gpointer user_data)
{
  log_msg_set_tag_by_id((LogMessage *) user_data, tag_id);
  return TRUE;
}

static void
_copy_value(LogMessage *record, const LogMessage *orig, NVHandle handle)
{
  gssize len;
  const gchar *value = log_msg_get_value(orig, handle, &len);
  if (len > 0)
    log_msg_set_value(record, handle, value, len);
}

LogMessage *
mbx_split_new_record(MbxSplit *self, const gchar *json, gsize len, LogPathOptions *record_options)
{
  LogMessage *orig = self->orig;
  LogMessage *record = log_msg_new_empty();

  memcpy(record->timestamps, orig->timestamps, sizeof(record->timestamps));
  record->pri = orig->pri;
  if (orig->saddr)
    log_msg_set_saddr(record, orig->saddr);
  _copy_value(record, orig, LM_V_HOST);
  _copy_value(record, orig, LM_V_HOST_FROM);
  _copy_value(record, orig, LM_V_PROGRAM);
  _copy_value(record, orig, LM_V_PID);
  _copy_value(record, orig, LM_V_SOURCE);
  log_msg_tags_foreach(orig, _copy_tag, record);
  log_msg_set_value(record, LM_V_MESSAGE, json, len);

  g_atomic_int_inc(&self->pending);
  record->ack_record = (AckRecord *) self;
  record->ack_func = _record_ack;

  LogPathOptions po = LOG_PATH_OPTIONS_INIT;
  po.ack_needed = TRUE; /* always: the tracker must hear from every record */
  po.flow_control_requested = self->flow_control_requested;
  po.matched = self->matched;
  *record_options = po;
  log_msg_add_ack(record, record_options);
  return record;
}

void
mbx_split_end(MbxSplit *self)
{
  _split_release(self);
}
