/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers for the rule catalogue's unit tests: a harness that wires a
 * policy, a detector and a state exactly as the syslog-ng adapter does
 * (observe with the trusted flag, then evaluate the observation), record
 * builders for the common shapes (an owner's read, an app-only read, a
 * delegate's read, a search), replays of days of activity by event time,
 * policies written to a temporary key file, and verdict assertions that
 * print the reason when they fail.
 *
 * Sources: rules-helpers.c (link it, with fixture.c, into every test that
 * includes this header).
 */
#ifndef MBX_TEST_RULES_HELPERS_H_INCLUDED
#define MBX_TEST_RULES_HELPERS_H_INCLUDED

#include <glib.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-detector.h"
#include "mailbox-monitor/mbx-policy.h"
#include "mailbox-monitor/mbx-record.h"
#include "mailbox-monitor/mbx-state.h"

/* 2026-11-02T00:00:00Z, a Monday at midnight UTC: day d, hour h is DAY0 + d * DAY + h * HOUR */
#define DAY0 G_GINT64_CONSTANT(1793577600000000)
#define SEC G_GINT64_CONSTANT(1000000)
#define MINUTE G_TIME_SPAN_MINUTE
#define HOUR G_TIME_SPAN_HOUR
#define DAY G_TIME_SPAN_DAY
#define AT(day, hour, minute) (DAY0 + (gint64) (day) *DAY + (gint64) (hour) *HOUR + (gint64) (minute) *MINUTE)

#define TENANT "4d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"    /* the fixtures' tenant */
#define ROGUE_APP "6f0a8c1e-2d4b-4e59-a7c3-9b1d5e8f2a64" /* the fixtures' unknown app */
#define BACKUP_APP "d0bbc075-60b6-4143-8809-78bb5d9f9a29"
#define CRM_APP "7136c419-3ccc-429f-9bd7-f9220cb9b884"
#define OUTLOOK_APP "d3590ed6-52b3-4102-aeff-aad2292ab01c" /* Microsoft Office: Outlook desktop, GraphRunner's default */
#define OWA_APP "00000002-0000-0ff1-ce00-000000000000"
#define OFFICE_IP "203.0.113.10"
#define HOTEL_IP "198.51.100.23"
#define VPS_IP "192.0.2.44"

typedef struct
{
  MbxPolicy *policy;
  MbxDetector *detector;
  MbxStateOptions options;
  MbxState *state;
  MbxRecord *record;
  MbxObservation obs;
  MbxVerdict verdict;
} RulesHarness;

/* a harness on @policy (a reference is taken), or on the built-in policy when NULL; fails the test on error */
RulesHarness *rh_new(MbxPolicy *policy);
void rh_free(RulesHarness *h);

/* writes @text to a key file in a fresh temporary directory; returns its path (policy_remove() it) */
gchar *policy_write(const gchar *text);
/* removes the file policy_write() wrote and its directory, and frees @path */
void policy_remove(gchar *path);
/* the policy loaded from @text; fails the running test with the loader's message when it does not load */
MbxPolicy *policy_from_text(const gchar *text);
/* the built-in policy with every rule but those in the -1-terminated @rules disabled */
MbxPolicy *policy_only(const MbxRule *rules);

/* ---- record builders: each starts a fresh record in TENANT at event time @t -------------------------- */

void rh_begin(RulesHarness *h, MbxKind kind, gint64 t);
/* sets a string field, or unsets it when @value is NULL */
void rh_str(RulesHarness *h, MbxField field, const gchar *value);
void rh_int(RulesHarness *h, MbxField field, gint64 value);

/* the owner reading @items of their own mail with Outlook desktop (MAPI, no app id) from @ip */
void rh_owner_read(RulesHarness *h, gint64 t, const gchar *mailbox, const gchar *ip, gint64 items);
/* @app reading @items of @mailbox app-only over @path ("graph", "ews", "rest") with @agent (may be NULL) from @ip */
void rh_app_read(RulesHarness *h, gint64 t, const gchar *mailbox, const gchar *app, const gchar *path,
                 const gchar *agent, const gchar *ip, gint64 items);
/* @delegate reading @folders folders of @mailbox with Outlook desktop (LogonType 2) from @ip */
void rh_delegate_read(RulesHarness *h, gint64 t, const gchar *delegate, const gchar *mailbox, const gchar *ip,
                      gint64 folders);
/* the owner of @mailbox searching it in OWA for @text (SearchQueryInitiatedExchange) from @ip */
void rh_owner_search(RulesHarness *h, gint64 t, const gchar *mailbox, const gchar *ip, const gchar *text);
/* decodes the fixture @name into the harness's record */
void rh_decode(RulesHarness *h, const gchar *name);

/* ---- evaluation ------------------------------------------------------------------------------------- */

/* observes the record (received at its event time) and evaluates it, as the adapter does; returns the verdict */
const MbxVerdict *rh_eval(RulesHarness *h);
/* rh_eval at an explicit receive time */
const MbxVerdict *rh_eval_received(RulesHarness *h, gint64 receive_time);

/*
 * Replays @days days (from day 0) of the owner of each of the NULL-terminated @mailboxes reading @items items
 * every hour from @first_hour to @last_hour (inclusive) from @ip, evaluating each record; fails the test if any
 * of them is suspicious.  Returns the number of records replayed.
 */
guint rh_learn_owners(RulesHarness *h, const gchar *const *mailboxes, gint days, gint first_hour, gint last_hour,
                      const gchar *ip, gint64 items);

/* "user7@contoso.com" and the like, from a static pool of 64 names */
const gchar *mailbox_n(guint n);

/* ---- assertions ------------------------------------------------------------------------------------- */

#define assert_fired(v, rule) \
  cr_assert(mbx_verdict_fired((v), (rule)), "%s did not fire (rules 0x%x, score %d: %s)", mbx_rule_id(rule), \
            (v)->rules, (v)->score, (v)->reason)

#define assert_not_fired(v, rule) \
  cr_assert_not(mbx_verdict_fired((v), (rule)), "%s fired (score %d: %s)", mbx_rule_id(rule), (v)->score, \
                (v)->reason)

#define assert_suspicious(v) \
  cr_assert(mbx_verdict_is_suspicious(v), "not suspicious (rules 0x%x, score %d: %s)", (v)->rules, (v)->score, \
            (v)->reason)

#define assert_not_suspicious(v) \
  cr_assert_not(mbx_verdict_is_suspicious(v), "suspicious (score %d: %s)", (v)->score, (v)->reason)

#define assert_quiet(v) \
  cr_assert_eq((v)->rules, 0u, "rules 0x%x fired (score %d: %s)", (v)->rules, (v)->score, (v)->reason)

#define assert_only(v, rule) \
  cr_assert_eq((v)->rules, 1u << (rule), "expected only %s, got 0x%x (score %d: %s)", mbx_rule_id(rule), \
               (v)->rules, (v)->score, (v)->reason)

#define assert_score(v, expected) \
  cr_assert_eq((v)->score, (expected), "score %d, expected %d (%s)", (v)->score, (expected), (v)->reason)

#define assert_reason_has(v, text) \
  cr_assert_not_null(strstr((v)->reason, (text)), "reason \"%s\" lacks \"%s\"", (v)->reason, (text))

#endif
