/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MAILBOX_MONITOR_FILTER_H_INCLUDED
#define MAILBOX_MONITOR_FILTER_H_INCLUDED

#include "filter/filter-expr.h"

FilterExprNode *mailbox_suspicious_filter_new(void);
void mailbox_suspicious_filter_set_prefix(FilterExprNode *s, const gchar *prefix);
void mailbox_suspicious_filter_set_min_score(FilterExprNode *s, gint min_score);
gboolean mailbox_suspicious_filter_add_rules(FilterExprNode *s, GList *rule_ids, GError **error);

#endif
