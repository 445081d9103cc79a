/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the core: what every rule check gets, and how it fires.
 */
#ifndef MBX_RULES_H_INCLUDED
#define MBX_RULES_H_INCLUDED

#include "mbx-detector.h"
#include "mbx-policy.h"
#include "mbx-state.h"

/* the policy's rule windows, resolved to indexes of the state's windows */
typedef struct
{
  guint volume;
  guint fanout_short;
  guint fanout_long;
  guint search;
  gboolean bound;
} MbxRuleWindows;

typedef struct
{
  const MbxPolicy *policy;
  const MbxRuleWindows *windows;
  const MbxRecord *record;
  const MbxObservation *obs; /* NULL: only the rules that need no state run */
  MbxKind kind;
  gboolean learned; /* the learning period is over (event time) */
  gboolean trusted; /* an approved app or account */
} MbxRuleContext;

/* adds @rule's weight to the verdict with a one-line reason (printf-style) */
void mbx_rule_fire(const MbxRuleContext *ctx, MbxVerdict *verdict, MbxRule rule, gint extra_weight,
                   const gchar *format, ...) G_GNUC_PRINTF(5, 6);

void mbx_rules_check_all(const MbxRuleContext *ctx, MbxVerdict *verdict);

gboolean mbx_rules_is_first_party_mail_guid(const MbxGuid *app_id);

#endif
