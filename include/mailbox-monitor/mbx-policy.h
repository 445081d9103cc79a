/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The policy: what the tenant approves and trusts, and how each rule is
 * tuned.  Read from one GLib key-file (INI) named by the parser's policy()
 * option; every value has a built-in default, so an empty file (or none) is
 * a complete policy.  Loading is strict: an unknown section or key, or a
 * value that does not parse, is an error naming the file, section and key,
 * because a typo silently ignored is a rule silently off.
 *
 * A policy is immutable once loaded and shared by reference between the
 * detector and whoever reads it; all matching functions are thread-safe.
 */
#ifndef MBX_POLICY_H_INCLUDED
#define MBX_POLICY_H_INCLUDED

#include <glib.h>

#include "mbx-guid.h"
#include "mbx-ip.h"
#include "mbx-detector.h"
#include "mbx-geo.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean enabled;
  gint weight; /* added to the 0-100 score when the rule fires */
} MbxRuleSettings;

/* rule thresholds; windows are durations that must be among the state's windows() */
typedef struct
{
  gint64 learning_us; /* [policy] learning-period */
  gint alert_score;   /* [policy] alert-score */

  gint first_seen_tenant_bonus; /* app-first-seen: added when the tenant never saw the app read mail */
  gint64 volume_window_us;      /* volume-spike */
  gint volume_min_items;
  gdouble volume_multiple;
  gint64 fanout_short_window_us; /* fanout */
  gint fanout_short_mailboxes;
  gint64 fanout_long_window_us;
  gint fanout_long_mailboxes;
  gint64 search_window_us; /* search-burst */
  gint search_max;
  gint nonowner_folders;       /* nonowner-access: more folders than this weigh full */
  gint nonowner_mailboxes;     /* nonowner-access: more mailboxes than this weigh full */
  gint grant_tenantwide_bonus; /* grant-mail-access: AllPrincipals or admin consent */
  gint64 grant_window_us;      /* grant-then-access: how long a grant is remembered */
  gint grant_first_read_bonus; /* grant-then-access: the first read of a mailbox by the grantee */
  gint64 signin_window_us;     /* signin-then-access: how long a sign-in is joined */
  gint blind_spot_bonus;       /* added to a record that fires rules inside a blind-spot window */
  gdouble max_travel_kmh;      /* [geo] impossible travel: faster than this between two places */
} MbxPolicyThresholds;


/* the built-in policy */
MbxPolicy *mbx_policy_new(void);
/* the built-in policy with @path's settings on top */
MbxPolicy *mbx_policy_load(const gchar *path, GError **error);
MbxPolicy *mbx_policy_ref(MbxPolicy *self);
void mbx_policy_unref(MbxPolicy *self);

/* building, before the policy is shared */
gboolean mbx_policy_add_approved_app(MbxPolicy *self, const gchar *app_id, const gchar *name, GError **error);

const MbxRuleSettings *mbx_policy_rule(const MbxPolicy *self, MbxRule rule);
const MbxPolicyThresholds *mbx_policy_thresholds(const MbxPolicy *self);

gboolean mbx_policy_is_approved_app(const MbxPolicy *self, const gchar *app_id);
/* the same for an id already parsed (mbx_record_get_app_guid); FALSE for NULL */
gboolean mbx_policy_is_approved_app_guid(const MbxPolicy *self, const MbxGuid *app_id);
/* the approved app's name, NULL when not approved */
const gchar *mbx_policy_app_name(const MbxPolicy *self, const gchar *app_id);
gboolean mbx_policy_is_approved_account(const MbxPolicy *self, const gchar *upn);
/* TRUE when trusted networks are configured and @ip (canonical text) is in one */
gboolean mbx_policy_is_trusted_ip(const MbxPolicy *self, const gchar *ip);
/* the same for an address already parsed (mbx_record_get_client_addr()); FALSE for NULL */
gboolean mbx_policy_is_trusted_addr(const MbxPolicy *self, const MbxIpAddr *addr);
gboolean mbx_policy_has_trusted_networks(const MbxPolicy *self);
/* a scripted agent not approved by the policy; the pattern matched goes to @pattern */
gboolean mbx_policy_is_scripted_agent(const MbxPolicy *self, const gchar *agent, const gchar **pattern);
/* the geography databases ([geo] city-database, asn-database), NULL when none is configured */
const MbxGeo *mbx_policy_geo(const MbxPolicy *self);
/* TRUE when [geo] allowed-countries is set and @country (ISO code) is not in it */
gboolean mbx_policy_country_disallowed(const MbxPolicy *self, const gchar *country);

/* a sensitive term in @text, compared case- and accent-insensitively; the term goes to @term */
gboolean mbx_policy_find_sensitive_term(const MbxPolicy *self, const gchar *text, const gchar **term);

G_END_DECLS

#endif
