/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The mailbox-suspicious() filter: matches what the mailbox-monitor() parser
 * tagged suspicious, optionally only with a minimum score or with one of a
 * set of rules fired.  It reads the tags and the score the parser set, so it
 * composes with and/or/not and routes records after the parser anywhere in
 * the path.
 *
 * Threads: eval() runs on several worker threads at once; the node is
 * read-only configuration after init(), which resolves the tag ids and the
 * score's handle (their lookups take global locks).
 */
#include "mailbox-monitor-filter.h"
#include "mailbox-monitor-parser.h"
#include "mailbox-monitor-tags.h"

#include "mbx-detector.h"
#include "mbx-error.h"

#include "logmsg/logmsg.h"
#include "logmsg/tags.h"

#include <stdlib.h>
#include <string.h>

typedef struct
{
  FilterExprNode super;

  gchar *prefix;
  gint min_score;
  guint32 rules; /* bit (1 << MbxRule) per rule asked for; 0: any */

  /* resolved in init() */
  NVHandle score_handle;
  LogTagId tag_suspicious;
  LogTagId rule_tags[MBX_RULE_MAX];
} MailboxSuspiciousFilter;

static gint
_score(MailboxSuspiciousFilter *self, LogMessage *msg)
{
  gssize len;
  const gchar *value = log_msg_get_value(msg, self->score_handle, &len);
  gchar text[16];

  if (len <= 0 || len >= (gssize) sizeof(text))
    return -1;
  memcpy(text, value, len);
  text[len] = '\0';
  return atoi(text);
}

static gboolean
_matches(MailboxSuspiciousFilter *self, LogMessage *msg)
{
  if (!log_msg_is_tag_by_id(msg, self->tag_suspicious))
    return FALSE;
  if (self->rules)
    {
      gboolean any = FALSE;
      for (gint r = 0; r < MBX_RULE_MAX && !any; r++)
        any = (self->rules & (1u << r)) && log_msg_is_tag_by_id(msg, self->rule_tags[r]);
      if (!any)
        return FALSE;
    }
  return self->min_score <= 0 || _score(self, msg) >= self->min_score;
}

static gboolean
_eval(FilterExprNode *s, LogMessage **msgs, gint num_msg, LogTemplateEvalOptions *options)
{
  MailboxSuspiciousFilter *self = (MailboxSuspiciousFilter *) s;
  return _matches(self, msgs[num_msg - 1]) ^ s->comp;
}

static gboolean
_init(FilterExprNode *s, GlobalConfig *cfg)
{
  MailboxSuspiciousFilter *self = (MailboxSuspiciousFilter *) s;
  gchar *name = g_strconcat(self->prefix, "score", NULL);

  self->score_handle = log_msg_get_value_handle(name);
  g_free(name);
  self->tag_suspicious = log_tags_get_by_name(MAILBOX_MONITOR_TAG_SUSPICIOUS);
  mailbox_monitor_resolve_rule_tags(self->rule_tags);
  return TRUE;
}

static FilterExprNode *
_clone(FilterExprNode *s)
{
  MailboxSuspiciousFilter *self = (MailboxSuspiciousFilter *) s;
  MailboxSuspiciousFilter *cloned = (MailboxSuspiciousFilter *) mailbox_suspicious_filter_new();

  cloned->super.comp = s->comp;
  mailbox_suspicious_filter_set_prefix(&cloned->super, self->prefix);
  cloned->min_score = self->min_score;
  cloned->rules = self->rules;
  return &cloned->super;
}

static void
_free(FilterExprNode *s)
{
  MailboxSuspiciousFilter *self = (MailboxSuspiciousFilter *) s;
  g_free(self->prefix);
}

void
mailbox_suspicious_filter_set_prefix(FilterExprNode *s, const gchar *prefix)
{
  MailboxSuspiciousFilter *self = (MailboxSuspiciousFilter *) s;
  g_free(self->prefix);
  self->prefix = g_strdup(prefix);
}

void
mailbox_suspicious_filter_set_min_score(FilterExprNode *s, gint min_score)
{
  ((MailboxSuspiciousFilter *) s)->min_score = min_score;
}

gboolean
mailbox_suspicious_filter_add_rules(FilterExprNode *s, GList *rule_ids, GError **error)
{
  MailboxSuspiciousFilter *self = (MailboxSuspiciousFilter *) s;

  for (GList *l = rule_ids; l; l = l->next)
    {
      MbxRule rule = mbx_rule_by_id(l->data);
      if (rule == MBX_RULE_MAX)
        {
          GString *known = g_string_new("");
          for (gint r = 0; r < MBX_RULE_MAX; r++)
            g_string_append_printf(known, "%s%s", r ? ", " : "", mbx_rule_id(r));
          g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "unknown rule '%s', the rules are: %s",
                      (const gchar *) l->data, known->str);
          g_string_free(known, TRUE);
          return FALSE;
        }
      self->rules |= 1u << rule;
    }
  return TRUE;
}

FilterExprNode *
mailbox_suspicious_filter_new(void)
{
  MailboxSuspiciousFilter *self = g_new0(MailboxSuspiciousFilter, 1);

  filter_expr_node_init_instance(&self->super);
  self->super.type = "mailbox-suspicious";
  self->super.init = _init;
  self->super.eval = _eval;
  self->super.clone = _clone;
  self->super.free_fn = _free;
  self->prefix = g_strdup(".mbx.");
  return &self->super;
}
