/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MAILBOX_MONITOR_SPLIT_H_INCLUDED
#define MAILBOX_MONITOR_SPLIT_H_INCLUDED

#include "logmsg/logmsg.h"
#include "logpipe.h"

typedef struct _MbxSplit MbxSplit;

/* Starts splitting @orig; takes over the caller's reference to it. */
MbxSplit *mbx_split_begin(LogMessage *orig, const LogPathOptions *path_options);

/*
 * A new message for one element, carrying @orig's metadata (timestamps,
 * host, program, source address, tags) and @json as its MESSAGE.  Its ack is
 * wired to the split; forward or drop it with @record_options.
 */
LogMessage *mbx_split_new_record(MbxSplit *self, const gchar *json, gsize len, LogPathOptions *record_options);

/* Ends the split: @orig is acked and released once every record is acked. */
void mbx_split_end(MbxSplit *self);

#endif
