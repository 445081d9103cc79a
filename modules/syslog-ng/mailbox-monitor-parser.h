/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MAILBOX_MONITOR_PARSER_H_INCLUDED
#define MAILBOX_MONITOR_PARSER_H_INCLUDED

#include "parser/parser-expr.h"
#include "mbx-state.h"

#define MAILBOX_MONITOR_TAG_SUSPICIOUS "mailbox.suspicious"
#define MAILBOX_MONITOR_TAG_UNPARSED "mailbox.unparsed"
#define MAILBOX_MONITOR_TAG_RULE_PREFIX "mailbox.rule."

LogParser *mailbox_monitor_parser_new(GlobalConfig *cfg);
void mailbox_monitor_parser_set_prefix(LogParser *s, const gchar *prefix);
gboolean mailbox_monitor_parser_add_approved_apps(LogParser *s, GList *app_ids, GError **error);
gboolean mailbox_monitor_parser_set_fields(LogParser *s, const gchar *fields);
void mailbox_monitor_parser_set_drop_unparsed(LogParser *s, gboolean drop);
void mailbox_monitor_parser_set_prescreen(LogParser *s, gboolean prescreen);
void mailbox_monitor_parser_set_split_batches(LogParser *s, gboolean split);
void mailbox_monitor_parser_set_policy(LogParser *s, const gchar *path);
void mailbox_monitor_parser_set_cap(LogParser *s, MbxTable table, gint cap);
gboolean mailbox_monitor_parser_set_windows(LogParser *s, GList *windows, GError **error);
void mailbox_monitor_parser_set_buckets(LogParser *s, gint buckets);
gboolean mailbox_monitor_parser_set_duration(LogParser *s, const gchar *option, const gchar *value);
void mailbox_monitor_parser_set_state_file(LogParser *s, const gchar *path);
void mailbox_monitor_parser_set_state_save_interval(LogParser *s, gint seconds);

#endif
