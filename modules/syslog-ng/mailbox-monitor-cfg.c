/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Keyword table and CfgParser of the mailbox-monitor() grammar.
 */
#include "mailbox-monitor-cfg.h"
#include "mailbox-monitor-grammar.h"
#include "logpipe.h"
#include "filter/filter-expr.h"

extern int mailbox_monitor_debug;

int mailbox_monitor_parse(CfgLexer *lexer, gpointer *instance, gpointer arg);

/* '_' spelling: the lexer accepts both '-' and '_' */
static CfgLexerKeyword mailbox_monitor_keywords[] = {
  { "mailbox_monitor", KW_MAILBOX_MONITOR },
  { "prefix", KW_PREFIX },
  { "approved_apps", KW_APPROVED_APPS },
  { "fields", KW_FIELDS },
  { "drop_unparsed", KW_DROP_UNPARSED },
  { "split_batches", KW_SPLIT_BATCHES },
  { "prescreen", KW_PRESCREEN },
  { "mailbox_suspicious", KW_MAILBOX_SUSPICIOUS },
  { "min_score", KW_MIN_SCORE },
  { "rules", KW_RULES },
  { "max_mailboxes", KW_MAX_MAILBOXES },
  { "max_actors", KW_MAX_ACTORS },
  { "max_mailbox_apps", KW_MAX_MAILBOX_APPS },
  { "max_tenants", KW_MAX_TENANTS },
  { "max_tenant_apps", KW_MAX_TENANT_APPS },
  { "windows", KW_WINDOWS },
  { "buckets", KW_BUCKETS },
  { "lateness", KW_LATENESS },
  { "max_skew", KW_MAX_SKEW },
  { "state_file", KW_STATE_FILE },
  { "policy", KW_POLICY },
  { "state_save_interval", KW_STATE_SAVE_INTERVAL },
  { NULL }
};

CfgParser mailbox_monitor_parser = {
#if SYSLOG_NG_ENABLE_DEBUG
  .debug_flag = &mailbox_monitor_debug,
#endif
  .name = "mailbox-monitor",
  .keywords = mailbox_monitor_keywords,
  .parse = (gint(*)(CfgLexer *, gpointer *, gpointer)) mailbox_monitor_parse,
  .cleanup = (void (*)(gpointer)) log_pipe_unref,
};

/* the same grammar in the filter context; a half-built filter is freed as a filter (not a pipe) */
CfgParser mailbox_suspicious_filter_parser = {
#if SYSLOG_NG_ENABLE_DEBUG
  .debug_flag = &mailbox_monitor_debug,
#endif
  .name = "mailbox-suspicious",
  .keywords = mailbox_monitor_keywords,
  .parse = (gint(*)(CfgLexer *, gpointer *, gpointer)) mailbox_monitor_parse,
  .cleanup = (void (*)(gpointer)) filter_expr_unref,
};

CFG_PARSER_IMPLEMENT_LEXER_BINDING(mailbox_monitor_, MAILBOX_MONITOR_, gpointer *)
