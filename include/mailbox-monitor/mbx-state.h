/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The in-memory detection state: sliding-window counters and learned
 * baselines per mailbox, distinct-mailbox counters per actor, first-seen
 * memory per (mailbox, app) pair, totals and a watermark per tenant.
 *
 * Time is always an argument: the record's event time decides the bucket,
 * and the receive time (from the caller) only bounds how far ahead an event
 * time may be.  The state never reads the clock.
 *
 * Every table is sharded (a mutex per shard, the shard chosen by the key's
 * hash) and capped as a whole; an insert into a full table evicts one entry
 * of the inserting shard: from the probation segment (keys seen in one hour
 * only) if it has any, else from the protected one (keys with history),
 * least recently used first, so a flood of new keys evicts other new keys
 * and cannot push out established ones.
 * Keys are 64-bit keyed hashes (SipHash with a per-state random key kept in
 * the state file), so a key costs 8 bytes whatever its length.
 *
 * A state is shared by reference: one parser instance, its clones, and the
 * next configuration after a reload all hold the same state.
 */
#ifndef MBX_STATE_H_INCLUDED
#define MBX_STATE_H_INCLUDED

#include <glib.h>
#include "mbx-record.h"
#include "mbx-window.h"
#include "mbx-geo.h"

G_BEGIN_DECLS

typedef enum
{
  MBX_TABLE_MAILBOXES,
  MBX_TABLE_ACTORS,
  MBX_TABLE_PAIRS, /* (mailbox, app) */
  MBX_TABLE_TENANTS,
  MBX_TABLE_TENANT_APPS, /* (tenant, app) that read mail */
  MBX_TABLE_GRANTS,      /* (tenant, grantee) of mail grants */
  MBX_TABLE_SIGNINS,     /* sign-ins by token id, session id and user */
  MBX_TABLE_MAX
} MbxTable;

const gchar *mbx_table_name(MbxTable table);

typedef struct
{
  guint n_windows;
  gint64 window_us[MBX_MAX_WINDOWS]; /* ascending */
  guint n_buckets;                   /* per window */
  gint64 lateness_us;                /* how far behind the tenant's watermark a record is still windowed */
  gint64 max_skew_us;                /* how far ahead of the receive time an event time may be */
  guint max_entries[MBX_TABLE_MAX];  /* 0: derived from the mailboxes cap */
  guint n_shards;                    /* power of two */
} MbxStateOptions;

/* 10 min, 1 h and 24 h windows of 6 buckets, 2 h lateness, 15 min skew, 100k mailboxes */
void mbx_state_options_defaults(MbxStateOptions *options);
gboolean mbx_state_options_validate(const MbxStateOptions *options, GError **error);

typedef enum
{
  MBX_SIGNIN_JOIN_NONE,     /* not a joinable access, or nothing to join by */
  MBX_SIGNIN_JOIN_TOKEN,    /* by token id (UniqueTokenId / SignInActivityId) */
  MBX_SIGNIN_JOIN_SESSION,  /* by session id (AADSessionId / SessionId) */
  MBX_SIGNIN_JOIN_USER,     /* only by user: the latest sign-in of the actor */
  MBX_SIGNIN_JOIN_UNMATCHED /* the access carries a token id that matches no sign-in */
} MbxSigninJoin;

typedef enum
{
  MBX_SIGNIN_SCRIPTED = 1 << 0, /* a scripting tool's user agent */
  MBX_SIGNIN_LEGACY = 1 << 1,   /* ROPC, or EWS / other legacy clients */
  MBX_SIGNIN_FAILED = 1 << 2,
} MbxSigninFlags;

typedef enum
{
  MBX_BLIND_NONE,
  MBX_BLIND_THROTTLED,  /* 24 hours after IsThrottled=True */
  MBX_BLIND_AUDIT_OFF,  /* the mailbox's auditing disabled or trimmed */
  MBX_BLIND_TENANT_OFF, /* the tenant's audit ingestion off */
  MBX_BLIND_MAX
} MbxBlindSpot;

const gchar *mbx_blind_spot_name(MbxBlindSpot blind);
const gchar *mbx_signin_join_name(MbxSigninJoin join);

/* the actors a record is counted for */
typedef enum
{
  MBX_ACTOR_REF_APP,
  MBX_ACTOR_REF_USER,
  MBX_ACTOR_REF_IP,
  MBX_ACTOR_REF_SESSION,
  MBX_ACTOR_REF_MAX
} MbxActorRef;

/* what the rules read after a record was counted */
typedef struct _MbxObservation
{
  /* the MBX_OBSERVE_TRUSTED flag the caller passed (trust_known: it passed flags), so judging need not ask again */
  gboolean trust_known;
  gboolean trusted;

  gint64 event_time; /* as counted: clamped when it was too far ahead */
  gboolean late;     /* too far behind the watermark: not windowed */
  gboolean clamped;

  /* mailbox */
  gboolean has_mailbox;
  gboolean mailbox_new; /* first record of this mailbox the state has */
  gint64 mailbox_first_seen;
  MbxBucket mailbox[MBX_MAX_WINDOWS];
  guint mailbox_apps[MBX_MAX_WINDOWS];  /* distinct apps in the window (bounded) */
  guint mailbox_ips[MBX_MAX_WINDOWS];   /* distinct client IPs in the window (bounded) */
  guint mailbox_paths[MBX_MAX_WINDOWS]; /* distinct access paths in the window */
  gboolean network_new;                 /* the client's /24 or /48 was not among the mailbox's networks */
  gdouble baseline_mean;                /* items per hour expected at this hour of day */
  gdouble baseline_stddev;
  guint baseline_days;  /* observations behind the expectation */
  guint32 active_hours; /* hours of the day the mailbox usually reads mail */

  /* (mailbox, app) */
  gboolean has_app;
  gboolean pair_new; /* first read of this mailbox by this app */
  gint64 pair_first_seen;
  gboolean app_new_in_tenant; /* the tenant never saw this app read mail */

  /* (mailbox, user) when the user is not the owner: when that delegation was first seen */
  gboolean has_delegate;
  gint64 delegate_first_seen;

  /* the record's actors: app, user, client IP, session (owners reading their own mail are left out) */
  guint actor_mailboxes[MBX_MAX_WINDOWS];                       /* most distinct mailboxes any of them touched (bounded) */
  guint actor_searches[MBX_MAX_WINDOWS];                        /* most searches any of them made */
  guint actor_mailboxes_of[MBX_ACTOR_REF_MAX][MBX_MAX_WINDOWS]; /* the same, per actor */
  guint actor_searches_of[MBX_ACTOR_REF_MAX][MBX_MAX_WINDOWS];

  /* correlation: the latest mail grant to the record's app or user */
  gboolean has_grant;
  gint64 grant_time;
  gchar grant_id[40]; /* the grant record's Id */
  gchar grant_operation[48];

  /* correlation: the sign-in behind this access */
  MbxSigninJoin signin_join;
  gint64 signin_time;
  gchar signin_id[40];
  gchar signin_ip[48];
  guint8 signin_flags;        /* MbxSigninFlags */
  gboolean signins_flowing;   /* the tenant's sign-in logs arrived in the last day of event time */
  gboolean signins_caught_up; /* and already reach past this record's time: a sign-in before it would be here */

  /* coverage: a blind-spot window over the record's mailbox (or the whole tenant) */
  MbxBlindSpot blind_spot;
  gint64 blind_since;
  gint64 blind_until; /* G_MAXINT64: until a record shows auditing back */

  /* geography of the client address (when a database is configured) */
  gboolean has_geo;
  MbxGeoInfo geo;
  gboolean country_new;       /* a country never seen for the mailbox */
  gboolean has_prev_location; /* the user's previous located access */
  gint64 prev_location_time;
  MbxGeoInfo prev_location;

  /* tenant */
  gint64 tenant_first_seen; /* the tenant's earliest record: the learning period starts there */
  MbxBucket tenant[MBX_MAX_WINDOWS];
} MbxObservation;

typedef struct
{
  guint64 entries[MBX_TABLE_MAX];
  guint64 evictions[MBX_TABLE_MAX];
  guint64 late;
  guint64 clamped;
  guint64 records;
} MbxStateStats;

typedef struct _MbxState MbxState;

MbxState *mbx_state_new(const MbxStateOptions *options, GError **error);
MbxState *mbx_state_ref(MbxState *self);
void mbx_state_unref(MbxState *self);
const MbxStateOptions *mbx_state_get_options(const MbxState *self);

typedef enum
{
  /* an approved app or account: its reads are expected bulk and stay out of the item counts and baselines */
  MBX_OBSERVE_TRUSTED = 1 << 0,
  /* a sign-in from an agent the policy calls scripted: the mail reads it joins inherit it */
  MBX_OBSERVE_SCRIPTED = 1 << 1,
} MbxObserveFlags;

/*
 * Counts @record (received at @receive_time_us) and reports what the rules read. Thread-safe.
 * Without flags, the built-in policy's view: nothing trusted, the built-in scripted-agent markers.
 */
void mbx_state_observe(MbxState *self, const MbxRecord *record, gint64 receive_time_us, MbxObservation *out);
void mbx_state_observe_full(MbxState *self, const MbxRecord *record, gint64 receive_time_us, MbxObserveFlags flags,
                            MbxObservation *out);
/* the same, with the client address's geography (@geo may be NULL: no database) */
void mbx_state_observe_geo(MbxState *self, const MbxRecord *record, gint64 receive_time_us, MbxObserveFlags flags,
                           const MbxGeoInfo *geo, MbxObservation *out);

void mbx_state_get_stats(MbxState *self, MbxStateStats *stats);

/* Bytes of memory held by entries and tables (an estimate from sizes, not from the allocator). */
gsize mbx_state_memory_estimate(MbxState *self, MbxTable table);

/* a monotonic clock in microseconds, supplied by the caller (the core reads none) */
typedef gint64 (*MbxClockFunc)(void);

/*
 * The state file: versioned, checksummed, written atomically (temporary
 * file, fsync, rename).  Saving takes each shard's lock only while that
 * shard is copied; with a @clock, @longest_stall_us receives the longest.
 */
gboolean mbx_state_save(MbxState *self, const gchar *path, MbxClockFunc clock, gint64 *longest_stall_us,
                        GError **error);

/*
 * Loads a state file saved with the same window layout.  A missing file is
 * not an error (returns a fresh state and sets *@found FALSE); a truncated,
 * corrupt, other-version or other-layout file is an error and the caller
 * starts fresh.
 */
MbxState *mbx_state_load(const MbxStateOptions *options, const gchar *path, gboolean *found, GError **error);

G_END_DECLS

#endif
