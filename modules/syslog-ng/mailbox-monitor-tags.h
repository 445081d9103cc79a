/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The tag ids of the rules, for whoever reads or sets the tags.  The lookup
 * takes a global lock: call it in init() or prepare(), never per message.
 */
#ifndef MAILBOX_MONITOR_TAGS_H_INCLUDED
#define MAILBOX_MONITOR_TAGS_H_INCLUDED

#include "mailbox-monitor-parser.h"
#include "mbx-detector.h"
#include "logmsg/tags.h"

static inline void
mailbox_monitor_resolve_rule_tags(LogTagId tags[MBX_RULE_MAX])
{
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      gchar *tag = g_strconcat(MAILBOX_MONITOR_TAG_RULE_PREFIX, mbx_rule_id(r), NULL);
      tags[r] = log_tags_get_by_name(tag);
      g_free(tag);
    }
}

#endif
