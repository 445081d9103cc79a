/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The detection state (see mbx-state.h): what one record changes and what
 * the rules read back.
 *
 * Invariants:
 *  - a record is counted once, in the bucket of its own event time, in
 *    every table it concerns; a late record (older than the tenant's
 *    watermark minus the lateness) changes nothing but the late counter;
 *  - at most one shard lock is held at any time, so tables never deadlock
 *    and threads only meet when their records hash to the same shard;
 *  - the layout of a payload depends only on the options (window count and
 *    bucket count), which the state file records and checks.
 */
#include "mbx-state.h"
#include "ascii.h"
#include "mbx-access-path.h"
#include "mbx-baseline.h"
#include "mbx-distinct.h"
#include "mbx-error.h"
#include "mbx-facts.h"
#include "mbx-hash.h"
#include "mbx-ip.h"
#include "state-private.h"

#include <arpa/inet.h>
#include <string.h>

#define MAILBOX_APPS 8
#define MAILBOX_IPS 8
#define MAILBOX_NETS 8
#define ACTOR_MAILBOXES 32

typedef struct
{
  guint32 heads[MBX_MAX_WINDOWS];
  MbxDistinctSlot apps[MAILBOX_APPS];
  MbxDistinctSlot ips[MAILBOX_IPS];
  MbxDistinctSlot nets[MAILBOX_NETS];
  guint32 path_last_seen[MBX_PATH_MAX]; /* minute + 1, 0 = never */
  MbxBaseline baseline;
  MbxDistinctSlot countries[4];
  gint64 blind_since;
  gint64 blind_until;   /* 0: no blind spot; G_MAXINT64: until auditing is back */
  guint32 blind_reason; /* MbxBlindSpot */
  MbxBucket buckets[];  /* n_windows * n_buckets */
} MailboxPayload;

typedef struct
{
  MbxDistinctSlot mailboxes[ACTOR_MAILBOXES];
  /* a user's latest located access, for impossible travel */
  gint64 loc_time;
  gfloat loc_lat, loc_lon;
  guint32 loc_accuracy_km;
  gchar loc_country[4];
  guint32 heads[MBX_MAX_WINDOWS];
  MbxBucket buckets[]; /* n_windows * n_buckets: the actor's records, items and searches */
} ActorPayload;

typedef struct
{
  guint32 records;
  guint32 items;
} PairPayload;

typedef struct
{
  gint64 watermark;
  gint64 signin_last;     /* event time of the latest sign-in record */
  gint64 audit_off_since; /* 0: the tenant's audit ingestion is on */
  guint32 heads[MBX_MAX_WINDOWS];
  MbxBucket buckets[];
} TenantPayload;

typedef struct
{
  gint64 time;
  gchar id[40];
  gchar operation[48];
  guint32 filter_hash; /* _grant_filter_hash() of the grantee: rebuilds the filter when loaded */
  guint32 pad;
} GrantPayload;

typedef struct
{
  gint64 time;
  gchar id[40];
  gchar ip[48];
  guint32 flags;
} SigninPayload;

static const gchar *blind_names[MBX_BLIND_MAX] = {
  [MBX_BLIND_NONE] = "none",
  [MBX_BLIND_THROTTLED] = "throttled",
  [MBX_BLIND_AUDIT_OFF] = "mailbox-audit-off",
  [MBX_BLIND_TENANT_OFF] = "tenant-audit-off",
};

const gchar *
mbx_blind_spot_name(MbxBlindSpot blind)
{
  /* a forged state file may hold any value */
  return blind < MBX_BLIND_MAX ? blind_names[blind] : "unknown";
}

static const gchar *join_names[] = {
  [MBX_SIGNIN_JOIN_NONE] = "none",
  [MBX_SIGNIN_JOIN_TOKEN] = "token",
  [MBX_SIGNIN_JOIN_SESSION] = "session",
  [MBX_SIGNIN_JOIN_USER] = "user",
  [MBX_SIGNIN_JOIN_UNMATCHED] = "unmatched",
};

const gchar *
mbx_signin_join_name(MbxSigninJoin join)
{
  return join <= MBX_SIGNIN_JOIN_UNMATCHED ? join_names[join] : NULL;
}

static const gchar *table_names[MBX_TABLE_MAX] = {
  [MBX_TABLE_MAILBOXES] = "mailboxes",
  [MBX_TABLE_ACTORS] = "actors",
  [MBX_TABLE_PAIRS] = "mailbox_apps",
  [MBX_TABLE_TENANTS] = "tenants",
  [MBX_TABLE_TENANT_APPS] = "tenant_apps",
  [MBX_TABLE_GRANTS] = "grants",
  [MBX_TABLE_SIGNINS] = "signins",
};

const gchar *
mbx_table_name(MbxTable table)
{
  return table < MBX_TABLE_MAX ? table_names[table] : NULL;
}

void
mbx_state_options_defaults(MbxStateOptions *options)
{
  memset(options, 0, sizeof(*options));
  options->n_windows = 3;
  options->window_us[0] = 10 * G_TIME_SPAN_MINUTE;
  options->window_us[1] = G_TIME_SPAN_HOUR;
  options->window_us[2] = 24 * G_TIME_SPAN_HOUR;
  options->n_buckets = 6;
  options->lateness_us = 2 * G_TIME_SPAN_HOUR;
  options->max_skew_us = 15 * G_TIME_SPAN_MINUTE;
  /* 0: follow max-mailboxes (see _cap), so raising one cap raises the tables that grow with it */
  options->max_entries[MBX_TABLE_MAILBOXES] = 100000;
  options->max_entries[MBX_TABLE_TENANTS] = 1000;
  options->n_shards = 64;
}

gboolean
mbx_state_options_validate(const MbxStateOptions *options, GError **error)
{
  if (options->n_windows < 1 || options->n_windows > MBX_MAX_WINDOWS)
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "between 1 and %d windows are supported",
                  MBX_MAX_WINDOWS);
      return FALSE;
    }
  for (guint w = 0; w < options->n_windows; w++)
    {
      MbxWindowSpec spec;
      if (!mbx_window_spec_init(&spec, options->window_us[w], options->n_buckets))
        {
          g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION,
                      "window %u (%" G_GINT64_FORMAT " s) cannot be cut into %u buckets of whole seconds", w + 1,
                      options->window_us[w] / G_USEC_PER_SEC, options->n_buckets);
          return FALSE;
        }
      if (w > 0 && options->window_us[w] <= options->window_us[w - 1])
        {
          g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "windows must be given in ascending order");
          return FALSE;
        }
    }
  if (options->lateness_us < 0 || options->lateness_us > options->window_us[options->n_windows - 1])
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "lateness must be between 0 and the longest window");
      return FALSE;
    }
  if (options->max_skew_us < 0)
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "the allowed clock skew cannot be negative");
      return FALSE;
    }
  if (options->max_entries[MBX_TABLE_MAILBOXES] < 1 || options->max_entries[MBX_TABLE_TENANTS] < 1)
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "the mailboxes and tenants tables need a cap of at least 1");
      return FALSE;
    }
  if (options->n_shards < 1 || options->n_shards > 4096 || (options->n_shards & (options->n_shards - 1)))
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "the shard count must be a power of two up to 4096");
      return FALSE;
    }
  return TRUE;
}

/*
 * A table's cap: as configured, or derived from the mailbox cap.  Every
 * mailbox brings a few sessions, addresses and apps; a pair table smaller
 * than mailboxes x apps per mailbox forgets pairs and reports known apps as
 * first seen.
 */
static guint
_cap(const MbxStateOptions *options, MbxTable table)
{
  static const guint per_mailbox[MBX_TABLE_MAX] = {
    [MBX_TABLE_ACTORS] = 2,
    [MBX_TABLE_PAIRS] = 4,
    [MBX_TABLE_TENANT_APPS] = 1,
    [MBX_TABLE_GRANTS] = 1,
    [MBX_TABLE_SIGNINS] = 3, /* each sign-in is kept by token, session and user */
  };
  if (options->max_entries[table])
    return options->max_entries[table];
  return (guint) MIN((guint64) options->max_entries[MBX_TABLE_MAILBOXES] * per_mailbox[table], G_MAXINT32);
}

/*
 * Shards: at least n_shards for concurrency, more for big tables so saving
 * copies at most ~1-2k entries per shard lock (a few milliseconds), fewer
 * for small ones so a full table still finds entries to evict in a shard.
 */
static guint
_shards(const MbxStateOptions *options, guint cap)
{
  guint want = MIN(MAX(options->n_shards, cap / 1024), MAX(1, cap / 64));
  guint pow2 = 1;
  while (pow2 * 2 <= want && pow2 < 4096)
    pow2 *= 2;
  return pow2;
}

static gsize
_ring_bytes(const MbxStateOptions *options)
{
  return options->n_windows * options->n_buckets * sizeof(MbxBucket);
}

MbxState *
mbx_state_new_with_key(const MbxStateOptions *options, const MbxHashKey *key, GError **error)
{
  if (!mbx_state_options_validate(options, error))
    return NULL;

  MbxState *self = g_new0(MbxState, 1);
  self->ref_cnt = 1;
  self->options = *options;
  self->key = *key;
  for (guint w = 0; w < options->n_windows; w++)
    mbx_window_spec_init(&self->specs[w], options->window_us[w], options->n_buckets);

  gsize payload[MBX_TABLE_MAX] = {
    [MBX_TABLE_MAILBOXES] = sizeof(MailboxPayload) + _ring_bytes(options),
    [MBX_TABLE_ACTORS] = sizeof(ActorPayload) + _ring_bytes(options),
    [MBX_TABLE_PAIRS] = sizeof(PairPayload),
    [MBX_TABLE_TENANTS] = sizeof(TenantPayload) + _ring_bytes(options),
    [MBX_TABLE_TENANT_APPS] = 0,
    [MBX_TABLE_GRANTS] = sizeof(GrantPayload),
    [MBX_TABLE_SIGNINS] = sizeof(SigninPayload),
  };
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    {
      guint cap = _cap(options, t);
      self->tables[t] = mbx_table_store_new(_shards(options, cap), cap, payload[t]);
    }
  return self;
}

MbxState *
mbx_state_new(const MbxStateOptions *options, GError **error)
{
  MbxHashKey key;
  /* not from the clock: GLib seeds its default generator from /dev/urandom */
  key.k0 = ((guint64) g_random_int() << 32) | g_random_int();
  key.k1 = ((guint64) g_random_int() << 32) | g_random_int();
  return mbx_state_new_with_key(options, &key, error);
}

MbxState *
mbx_state_ref(MbxState *self)
{
  g_atomic_int_inc(&self->ref_cnt);
  return self;
}

void
mbx_state_unref(MbxState *self)
{
  if (!self || !g_atomic_int_dec_and_test(&self->ref_cnt))
    return;
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    mbx_table_store_free(self->tables[t]);
  g_free(self);
}

const MbxStateOptions *
mbx_state_get_options(const MbxState *self)
{
  return &self->options;
}

/* ---- helpers --------------------------------------------------------- */

static guint64
_key(MbxState *self, const gchar *kind, const gchar *a, gsize a_len, const gchar *b, gsize b_len)
{
  const gchar *parts[3] = { kind, a, b };
  gsize lens[3] = { strlen(kind), a_len, b_len };
  return mbx_hash64_parts(&self->key, parts, lens, b ? 3 : 2);
}

static guint32
_hash32(MbxState *self, const gchar *s, gsize len)
{
  guint64 h = mbx_hash64(&self->key, s, len);
  return (guint32) (h ^ (h >> 32));
}

/* the /24 (IPv4) or /48 (IPv6) the client address @addr (its text @ip) belongs to */
static gboolean
_network_of(const gchar *ip, const MbxIpAddr *addr, gchar *out, gsize out_size)
{
  if (!addr)
    return FALSE;
  if (addr->kind == MBX_IP_V4)
    {
      /* a canonical dotted quad: the /24 is its text up to the last dot */
      const gchar *dot = strrchr(ip, '.');
      gsize n = dot - ip + 1;
      if (n + 5 > out_size)
        return FALSE;
      memcpy(out, ip, n);
      memcpy(out + n, "0/24", 5);
      return TRUE;
    }
  struct in6_addr a6;
  memcpy(&a6, addr->bytes, sizeof(a6));
  memset(&a6.s6_addr[6], 0, 10);
  inet_ntop(AF_INET6, &a6, out, out_size - 4);
  g_strlcat(out, "/48", out_size);
  return TRUE;
}

/* what one record adds to a bucket */
static void
_delta_of(const MbxRecord *record, MbxKind kind, MbxBucket *delta)
{
  memset(delta, 0, sizeof(*delta));
  delta->records = 1;
  if (kind == MBX_KIND_MAIL_SEARCH)
    delta->searches = 1;
  if (kind != MBX_KIND_MAIL_ACCESS)
    return;

  const gchar *type = mbx_record_get_string(record, MBX_F_MAIL_ACCESS_TYPE, NULL);
  if (type && g_ascii_strcasecmp(type, "Sync") == 0)
    {
      /* a Sync is a whole folder: count folders, not items (their number is unknown) */
      delta->syncs = (guint16) CLAMP(mbx_record_get_int(record, MBX_F_FOLDER_COUNT, 1), 1, G_MAXUINT16);
      return;
    }
  /* Bind: OperationCount counts the binds; distinct message ids count when they say more */
  gint64 ops = mbx_record_get_int(record, MBX_F_OPERATION_COUNT, 0);
  gint64 ids = mbx_record_get_int(record, MBX_F_ITEM_COUNT, 0);
  delta->items = (guint32) CLAMP(MAX(MAX(ops, ids), 1), 1, G_MAXUINT32);
}

/* @indexes: the record's bucket in each window (RecordKeys), one division each per record, not per table */
static void
_window_all(MbxState *self, const guint32 *indexes, guint32 *heads, MbxBucket *buckets, const MbxBucket *delta,
            MbxBucket *sums)
{
  guint n = self->options.n_buckets;
  for (guint w = 0; w < self->options.n_windows; w++)
    {
      guint32 index = indexes[w];
      MbxBucket *ring = buckets + w * n;
      mbx_window_add(&heads[w], ring, n, index, delta);
      mbx_window_sum(heads[w], ring, n, MAX(index, heads[w]), &sums[w]);
    }
}

static guint32
_minute(gint64 t)
{
  return (guint32) MAX(t / G_TIME_SPAN_MINUTE, 1);
}

static guint32
_window_start_minute(MbxState *self, guint w, gint64 t)
{
  gint64 start = t - self->options.window_us[w];
  return start > 0 ? _minute(start) : 0;
}

/* ---- the keys of one record ------------------------------------------ */

/*
 * Every entry a mailbox record will touch, keyed once, with the conditions
 * under which it is touched decided in one place, so that their cache
 * lines can be asked for before the first touch (_prefetch_keys).
 */
typedef struct
{
  guint64 tenant, mailbox, pair, tenant_app, delegate, location, token;
  guint64 session; /* the sign-in join's key after the token's */
  guint64 actors[MBX_ACTOR_REF_MAX];
  guint32 mailbox_hash;                  /* the mailbox in the actors' distinct counts; 0 for an owner's own */
  guint32 window_index[MBX_MAX_WINDOWS]; /* the record's bucket in each window */
  gboolean mailbox_record, has_pair, has_tenant_app, has_delegate, has_location, has_token, has_actors;
  gboolean has_session;
  gboolean has_actor[MBX_ACTOR_REF_MAX];
} RecordKeys;

static const struct
{
  MbxField field;
  const gchar *kind;
} actor_keys[MBX_ACTOR_REF_MAX] = {
  [MBX_ACTOR_REF_APP] = { MBX_F_APP_ID, "aa" },
  [MBX_ACTOR_REF_USER] = { MBX_F_ACTOR, "au" },
  [MBX_ACTOR_REF_IP] = { MBX_F_CLIENT_IP, "ai" },
  [MBX_ACTOR_REF_SESSION] = { MBX_F_SESSION_ID, "as" },
};

/*
 * Copies @a (and "|" @b when @b is set) into @out, ASCII-folded: the join
 * keys are case-insensitive.  Returns the length, or 0 when it does not fit.
 */
static gsize
_fold_key(gchar *out, gsize size, const gchar *a, const gchar *b)
{
  gsize n = 0;
  for (const gchar *p = a; *p; p++)
    {
      if (n + 1 >= size)
        return 0;
      out[n++] = mbx_ascii_fold(*p);
    }
  if (b)
    {
      if (n + 1 >= size)
        return 0;
      out[n++] = '|';
      gsize m = _fold_key(out + n, size - n, b, NULL);
      return m == 0 && *b ? 0 : n + m;
    }
  out[n] = '\0';
  return n;
}

static void
_plan_keys(MbxState *self, const MbxRecord *record, MbxKind kind, gint64 t, const MbxBucket *delta,
           const MbxObservation *out,
           RecordKeys *keys)
{
  gsize tenant_len, mailbox_len, app_len, actor_len, path_len, token_len;
  const gchar *tenant = mbx_record_get_string(record, MBX_F_TENANT, &tenant_len);
  const gchar *mailbox = mbx_record_get_string(record, MBX_F_MAILBOX, &mailbox_len);
  const gchar *app = mbx_record_get_string(record, MBX_F_APP_ID, &app_len);
  const gchar *actor = mbx_record_get_string(record, MBX_F_ACTOR, &actor_len);
  MbxActorKind actor_kind = mbx_record_get_actor_kind(record);

  memset(keys, 0, sizeof(*keys));
  for (guint w = 0; w < self->options.n_windows; w++)
    keys->window_index[w] = mbx_window_bucket_index(&self->specs[w], t);
  keys->tenant = _key(self, "t", tenant ? tenant : "", tenant ? tenant_len : 0, NULL, 0);
  keys->mailbox_record = mbx_kind_is_mailbox(kind) && mailbox;
  if (keys->mailbox_record)
    {
      keys->mailbox = _key(self, "m", mailbox, mailbox_len, NULL, 0);
      /* at once: the other keys are computed while its index slot loads (see _prefetch_keys) */
      mbx_table_prefetch(self->tables[MBX_TABLE_MAILBOXES], keys->mailbox);
      if (app)
        {
          keys->has_pair = TRUE;
          keys->pair = _key(self, "p", mailbox, mailbox_len, app, app_len);
          if (kind == MBX_KIND_MAIL_ACCESS)
            {
              keys->has_tenant_app = TRUE;
              keys->tenant_app = _key(self, "ta", tenant ? tenant : "", tenant ? tenant_len : 0, app, app_len);
            }
        }
      if (actor && (actor_kind == MBX_ACTOR_DELEGATE || actor_kind == MBX_ACTOR_ADMIN))
        {
          keys->has_delegate = TRUE;
          keys->delegate = _key(self, "pd", mailbox, mailbox_len, actor, actor_len);
        }
      const gchar *path = mbx_record_get_string(record, MBX_F_ACCESS_PATH, &path_len);
      if (actor && out->has_geo && out->geo.has_location)
        {
          keys->has_location = TRUE;
          keys->location = _key(self, "al", actor, actor_len, path ? path : "", path ? path_len : 0);
        }
      const gchar *token = mbx_record_get_string(record, MBX_F_TOKEN_ID, &token_len);
      if (token)
        {
          keys->has_token = TRUE;
          keys->token = _key(self, "st", token, token_len, NULL, 0);
        }
      /* the sign-in join's next key after the token's (see _join) */
      gsize session_len;
      const gchar *session = mbx_record_get_string(record, MBX_F_AAD_SESSION_ID, &session_len);
      if (!session)
        session = mbx_record_get_string(record, MBX_F_SESSION_ID, &session_len);
      if (session)
        {
          keys->has_session = TRUE;
          keys->session = _key(self, "ss", session, session_len, NULL, 0);
        }
    }
  /*
   * The record's actors: a mailbox's owner reading their own mail touches no
   * other mailbox, so owners are kept out of the distinct-mailbox counts
   * (many owners behind one office address would otherwise look like one
   * address reading them all); their searches still count.  Searches with
   * no mailbox (a tenant-wide /search/query) count for their actor too.
   */
  keys->mailbox_hash = mailbox && actor_kind != MBX_ACTOR_OWNER ? _hash32(self, mailbox, mailbox_len) : 0;
  keys->has_actors = (keys->mailbox_record && keys->mailbox_hash) || delta->searches;
  for (gsize i = 0; keys->has_actors && i < G_N_ELEMENTS(actor_keys); i++)
    {
      gsize len;
      const gchar *id = mbx_record_get_string(record, actor_keys[i].field, &len);
      if (id)
        {
          keys->has_actor[i] = TRUE;
          keys->actors[i] = _key(self, actor_keys[i].kind, id, len, NULL, 0);
        }
    }
}

/*
 * Starts the loads of every index slot the record will probe (the
 * mailbox's already, as soon as _plan_keys had its key: asking for it
 * before the other keys are hashed measured faster than after, and than
 * hashing it first), then of the mailbox's entry (the largest, over a dozen
 * cache lines), so that their misses overlap instead of each touch waiting
 * for its own.  With a state larger than the CPU's caches (100,000
 * mailboxes and more) each of them is a trip to memory.  Not the other
 * entries: finding one takes its shard's lock and waits for its slot, and
 * doing so for the (mailbox, app) pair measured slower.
 */
static void
_prefetch_keys(MbxState *self, const RecordKeys *keys)
{
  MbxTableStore **tables = self->tables;

  mbx_table_prefetch(tables[MBX_TABLE_TENANTS], keys->tenant);
  for (gsize i = 0; keys->has_actors && i < G_N_ELEMENTS(keys->actors); i++)
    {
      if (keys->has_actor[i])
        mbx_table_prefetch(tables[MBX_TABLE_ACTORS], keys->actors[i]);
    }
  if (!keys->mailbox_record)
    return;
  const struct
  {
    gboolean on;
    MbxTable table;
    guint64 key;
  } hints[] = {
    { keys->has_pair, MBX_TABLE_PAIRS, keys->pair },
    { keys->has_tenant_app, MBX_TABLE_TENANT_APPS, keys->tenant_app },
    { keys->has_delegate, MBX_TABLE_PAIRS, keys->delegate },
    { keys->has_location, MBX_TABLE_ACTORS, keys->location },
    { keys->has_token, MBX_TABLE_SIGNINS, keys->token },
    { keys->has_session, MBX_TABLE_SIGNINS, keys->session },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(hints); i++)
    {
      if (hints[i].on)
        mbx_table_prefetch(tables[hints[i].table], hints[i].key);
    }
  mbx_table_prefetch_entry(tables[MBX_TABLE_MAILBOXES], keys->mailbox);
}

/* ---- the tables, one record at a time -------------------------------- */

static gboolean
_observe_tenant(MbxState *self, const MbxRecord *record, const RecordKeys *keys, gint64 t, const MbxBucket *delta,
                const MbxTamperFact *tamper, MbxObservation *out)
{
  MbxShard *shard;
  gboolean created;

  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_TENANTS], keys->tenant, _minute(t), &created, &shard);
  TenantPayload *p = mbx_entry_payload(e);
  out->tenant_first_seen = (gint64) e->first_seen * G_TIME_SPAN_MINUTE;
  gboolean late = p->watermark && t < p->watermark - self->options.lateness_us;
  if (!late)
    {
      if (t > p->watermark)
        p->watermark = t;
      _window_all(self, keys->window_index, p->heads, p->buckets, delta, out->tenant);
      if (mbx_record_get_kind(record) == MBX_KIND_SIGNIN && t > p->signin_last)
        p->signin_last = t;
      if (tamper->kind == MBX_TAMPER_TENANT_OFF && !p->audit_off_since)
        p->audit_off_since = t;
      else if (tamper->kind == MBX_TAMPER_TENANT_ON)
        p->audit_off_since = 0;
    }
  /* sign-in logs that went quiet for a day of event time switch the sign-in join off */
  out->signins_flowing = p->signin_last && t - p->signin_last <= G_TIME_SPAN_DAY;
  /* records arrive minutes out of order: only sign-ins delivered past this record's time vouch for the gap */
  out->signins_caught_up = p->signin_last >= t + 15 * G_TIME_SPAN_MINUTE;
  if (p->audit_off_since && t >= p->audit_off_since)
    {
      out->blind_spot = MBX_BLIND_TENANT_OFF;
      out->blind_since = p->audit_off_since;
      out->blind_until = G_MAXINT64;
    }
  mbx_table_release(shard);
  return !late;
}

static void
_observe_mailbox(MbxState *self, const MbxRecord *record, const RecordKeys *keys, gint64 t, const MbxBucket *delta,
                 MbxObservation *out)
{
  gsize app_len, ip_len;
  const gchar *app = mbx_record_get_string(record, MBX_F_APP_ID, &app_len);
  const gchar *ip = mbx_record_get_string(record, MBX_F_CLIENT_IP, &ip_len);
  const gchar *path = mbx_record_get_string(record, MBX_F_ACCESS_PATH, NULL);
  guint32 minute = _minute(t);
  gchar net[MBX_IP_TEXT_MAX + 8];
  gboolean has_net = ip && _network_of(ip, mbx_record_get_client_addr(record), net, sizeof(net));
  MbxShard *shard;
  gboolean created;

  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_MAILBOXES], keys->mailbox, minute, &created, &shard);
  MailboxPayload *p = mbx_entry_payload(e);

  out->has_mailbox = TRUE;
  out->mailbox_new = created;
  out->mailbox_first_seen = (gint64) e->first_seen * G_TIME_SPAN_MINUTE;
  _window_all(self, keys->window_index, p->heads, p->buckets, delta, out->mailbox);

  if (app)
    mbx_distinct_add(p->apps, MAILBOX_APPS, _hash32(self, app, app_len), minute);
  if (ip)
    mbx_distinct_add(p->ips, MAILBOX_IPS, _hash32(self, ip, ip_len), minute);
  if (has_net)
    {
      guint32 h = _hash32(self, net, strlen(net));
      out->network_new = !mbx_distinct_contains(p->nets, MAILBOX_NETS, h);
      mbx_distinct_add(p->nets, MAILBOX_NETS, h, minute);
    }
  MbxAccessPath path_id = mbx_access_path_from_name(path);
  if (path_id < MBX_PATH_MAX)
    p->path_last_seen[path_id] = MAX(p->path_last_seen[path_id], minute + 1);
  for (guint w = 0; w < self->options.n_windows; w++)
    {
      guint32 since = _window_start_minute(self, w, t);
      out->mailbox_apps[w] = mbx_distinct_count_since(p->apps, MAILBOX_APPS, since);
      out->mailbox_ips[w] = mbx_distinct_count_since(p->ips, MAILBOX_IPS, since);
      for (gint i = 0; i < MBX_PATH_MAX; i++)
        out->mailbox_paths[w] += p->path_last_seen[i] > since;
    }

  if (out->has_geo && out->geo.country[0])
    {
      guint32 h = _hash32(self, out->geo.country, strlen(out->geo.country));
      out->country_new = !mbx_distinct_contains(p->countries, G_N_ELEMENTS(p->countries), h) &&
                         p->countries[0].hash != 0;
      mbx_distinct_add(p->countries, G_N_ELEMENTS(p->countries), h, minute);
    }

  /* IsThrottled: Microsoft says to assume the next 24 hours of access went unaudited */
  if (p->blind_until && p->blind_until != G_MAXINT64 && t >= p->blind_until)
    p->blind_until = p->blind_since = p->blind_reason = 0;
  if (mbx_record_get_int(record, MBX_F_THROTTLED, 0) == 1 && p->blind_reason != MBX_BLIND_AUDIT_OFF)
    {
      if (!p->blind_until)
        p->blind_since = t;
      p->blind_until = MAX(p->blind_until, t + G_TIME_SPAN_DAY);
      p->blind_reason = MBX_BLIND_THROTTLED;
    }
  if (p->blind_until && t >= p->blind_since && out->blind_spot == MBX_BLIND_NONE)
    {
      out->blind_spot = p->blind_reason;
      out->blind_since = p->blind_since;
      out->blind_until = p->blind_until;
    }

  mbx_baseline_observe(&p->baseline, (guint32) (t / G_TIME_SPAN_HOUR), delta->items);
  guint hour_of_day = (guint) ((t / G_TIME_SPAN_HOUR) % 24);
  mbx_baseline_expected(&p->baseline, hour_of_day, &out->baseline_mean, &out->baseline_stddev, &out->baseline_days);
  out->active_hours = mbx_baseline_active_hours(&p->baseline);
  mbx_table_release(shard);
}

static void
_observe_pair(MbxState *self, const RecordKeys *keys, gint64 t, const MbxBucket *delta, MbxObservation *out)
{
  MbxShard *shard;
  gboolean created;

  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_PAIRS], keys->pair, _minute(t), &created, &shard);
  PairPayload *p = mbx_entry_payload(e);
  p->records = MIN((guint64) p->records + 1, G_MAXUINT32);
  p->items = MIN((guint64) p->items + delta->items, G_MAXUINT32);
  out->has_app = TRUE;
  out->pair_new = created;
  out->pair_first_seen = (gint64) e->first_seen * G_TIME_SPAN_MINUTE;
  mbx_table_release(shard);

  if (!keys->has_tenant_app)
    return;
  e = mbx_table_touch(self->tables[MBX_TABLE_TENANT_APPS], keys->tenant_app, _minute(t), &created, &shard);
  out->app_new_in_tenant = created;
  mbx_table_release(shard);
}

/* a mailbox's own auditing switched off or trimmed: blind until a record shows it back */
static void
_mark_mailbox_audit(MbxState *self, const MbxTamperFact *tamper, gint64 t)
{
  MbxShard *shard;
  gboolean created;
  gsize len = strlen(tamper->target);

  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_MAILBOXES], _key(self, "m", tamper->target, len, NULL, 0),
                                _minute(t), &created, &shard);
  MailboxPayload *p = mbx_entry_payload(e);
  if (tamper->kind == MBX_TAMPER_MAILBOX_AUDIT_ON)
    {
      if (p->blind_reason == MBX_BLIND_AUDIT_OFF)
        p->blind_until = p->blind_since = p->blind_reason = 0;
    }
  else
    {
      p->blind_since = p->blind_reason == MBX_BLIND_AUDIT_OFF ? MIN(p->blind_since, t) : t;
      p->blind_until = G_MAXINT64;
      p->blind_reason = MBX_BLIND_AUDIT_OFF;
    }
  mbx_table_release(shard);
}

/*
 * Copies a string field of a payload: bounded by the field, since a payload
 * loaded from a state file may hold bytes without a terminating NUL.
 */
#define COPY_FIELD(dst, src) _copy_bounded((dst), sizeof(dst), (src), sizeof(src))

static void
_copy_bounded(gchar *dst, gsize dst_size, const gchar *src, gsize src_size)
{
  gsize n = MIN(strnlen(src, src_size), dst_size - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void
_copy_id(gchar *dst, gsize size, const MbxRecord *record, MbxField field)
{
  const gchar *v = mbx_record_get_string(record, field, NULL);
  g_strlcpy(dst, v ? v : "", size);
}

/* a grantee and a mailbox, with the '|' between them */
#define GRANT_KEY_MAX 600

/*
 * The grant filter: every mail read looks up a grant for its app and for its
 * (actor, mailbox), and grants are rare, so a Bloom filter over the grantees
 * answers "no grant" without building and hashing the table keys.  Its hash
 * is keyed (nobody can aim names at its bits) and folds ASCII case as the
 * join keys do; two bits per grantee; bits are never cleared, so an evicted
 * grant only costs a lookup.  A loaded state rebuilds it from the hashes the
 * grants keep.
 */
/* mixes the folded text of @str into @h a word at a time */
static guint64
_mix_folded(guint64 h, const gchar *str)
{
  const guint64 k = G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
  gsize len = strlen(str);
  for (; len >= 8; str += 8, len -= 8)
    {
      h = (h ^ mbx_ascii_fold8(mbx_load_le(str, 8))) * k;
      h ^= h >> 32;
    }
  h = (h ^ mbx_ascii_fold8(mbx_load_le(str, len)) ^ ((guint64) len << 59)) * k;
  return h ^ (h >> 32);
}

static guint32
_grant_filter_hash(MbxState *self, const gchar *a, const gchar *b)
{
  guint64 h = _mix_folded(self->key.k1, a);
  if (b)
    h = _mix_folded(h ^ '|', b);
  h ^= self->key.k0;
  h ^= h >> 31;
  h *= G_GUINT64_CONSTANT(0x7fb5d329728ea185);
  h ^= h >> 27;
  return (guint32) (h ^ (h >> 32));
}

static void
_grant_filter_add(MbxState *self, guint32 h)
{
  guint32 a = h % MBX_GRANT_FILTER_BITS, b = (h >> 16) % MBX_GRANT_FILTER_BITS;
  g_atomic_int_or(&self->grant_filter[a / 32], 1u << (a % 32));
  g_atomic_int_or(&self->grant_filter[b / 32], 1u << (b % 32));
}

static gboolean
_grant_filter_may_hold(MbxState *self, guint32 h)
{
  guint32 a = h % MBX_GRANT_FILTER_BITS, b = (h >> 16) % MBX_GRANT_FILTER_BITS;
  return (g_atomic_int_get(&self->grant_filter[a / 32]) & (1u << (a % 32))) &&
         (g_atomic_int_get(&self->grant_filter[b / 32]) & (1u << (b % 32)));
}

void
mbx_state_note_loaded_grant(MbxState *self, const MbxEntry *entry)
{
  _grant_filter_add(self, ((const GrantPayload *) mbx_entry_payload((MbxEntry *) entry))->filter_hash);
}

static void
_remember_grant(MbxState *self, const MbxRecord *record, const MbxGrantFact *grant, gint64 t)
{
  gsize tenant_len;
  const gchar *tenant = mbx_record_get_string(record, MBX_F_TENANT, &tenant_len);
  MbxShard *shard;
  gboolean created;

  /*
   * An app's grant covers every mailbox; a person's grant one mailbox, so it
   * is kept by (person, mailbox).  The key is built as _find_grant() builds it.
   */
  gchar who[GRANT_KEY_MAX];
  gsize who_len = _fold_key(who, sizeof(who), grant->grantee, grant->to_app ? NULL : grant->mailbox);
  if (who_len == 0)
    return;
  guint32 filter_hash = _grant_filter_hash(self, grant->grantee, grant->to_app ? NULL : grant->mailbox);
  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_GRANTS],
                                _key(self, "g", tenant ? tenant : "", tenant_len, who, who_len), _minute(t), &created,
                                &shard);
  GrantPayload *p = mbx_entry_payload(e);
  if (created || t >= p->time)
    {
      p->time = t;
      _copy_id(p->id, sizeof(p->id), record, MBX_F_ID);
      _copy_id(p->operation, sizeof(p->operation), record, MBX_F_OPERATION);
    }
  p->filter_hash = filter_hash;
  mbx_table_release(shard);
  /* from the local: once the shard is released, another thread may evict the entry */
  _grant_filter_add(self, filter_hash);
}

static guint32
_signin_flags(const MbxRecord *record, MbxObserveFlags observe)
{
  static const gchar *legacy[] = { "ropc", "exchange web services", "other clients", "exchange activesync",
                                   "imap", "pop", "authenticated smtp", "mapi over http" };
  guint32 flags = (observe & MBX_OBSERVE_SCRIPTED) ? MBX_SIGNIN_SCRIPTED : 0;
  const gchar *protocol = mbx_record_get_string(record, MBX_F_AUTH_PROTOCOL, NULL);
  if (protocol)
    {
      gchar *lower = g_ascii_strdown(protocol, -1);
      for (gsize i = 0; i < G_N_ELEMENTS(legacy); i++)
        {
          if (strstr(lower, legacy[i]))
            flags |= MBX_SIGNIN_LEGACY;
        }
      g_free(lower);
    }
  return flags;
}

/* a successful sign-in, kept by token id, session id and user, to join the mail access that follows */
static void
_remember_signin(MbxState *self, const MbxRecord *record, gint64 t, MbxObserveFlags observe)
{
  static const struct
  {
    MbxField field;
    const gchar *kind;
  } keys[] = { { MBX_F_TOKEN_ID, "st" }, { MBX_F_SESSION_ID, "ss" }, { MBX_F_MAILBOX, "su" } };
  const gchar *result = mbx_record_get_string(record, MBX_F_RESULT, NULL);
  const gchar *op = mbx_record_get_string(record, MBX_F_OPERATION, NULL);

  if ((result && g_ascii_strcasecmp(result, "Failure") == 0) || (op && g_ascii_strcasecmp(op, "UserLoginFailed") == 0))
    return;
  guint32 flags = _signin_flags(record, observe);
  for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
    {
      gsize len;
      const gchar *v = mbx_record_get_string(record, keys[i].field, &len);
      MbxShard *shard;
      gboolean created;
      if (!v)
        continue;
      MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_SIGNINS], _key(self, keys[i].kind, v, len, NULL, 0),
                                    _minute(t), &created, &shard);
      SigninPayload *p = mbx_entry_payload(e);
      if (created || t >= p->time)
        {
          p->time = t;
          p->flags = flags;
          _copy_id(p->id, sizeof(p->id), record, MBX_F_ID);
          _copy_id(p->ip, sizeof(p->ip), record, MBX_F_CLIENT_IP);
        }
      mbx_table_release(shard);
    }
}

static gboolean
_find_signin_key(MbxState *self, guint64 key, MbxObservation *out)
{
  MbxShard *shard;
  MbxEntry *e = mbx_table_find(self->tables[MBX_TABLE_SIGNINS], key, &shard);
  if (e)
    {
      SigninPayload *p = mbx_entry_payload(e);
      out->signin_time = p->time;
      out->signin_flags = p->flags;
      COPY_FIELD(out->signin_id, p->id);
      COPY_FIELD(out->signin_ip, p->ip);
    }
  mbx_table_release(shard);
  return e != NULL;
}

static gboolean
_find_grant(MbxState *self, const gchar *tenant, gsize tenant_len, const gchar *grantee, const gchar *mailbox,
            MbxObservation *out)
{
  MbxShard *shard;
  gchar lower[GRANT_KEY_MAX];
  gsize len = _fold_key(lower, sizeof(lower), grantee, mailbox);
  if (len == 0)
    return FALSE;
  MbxEntry *e =
    mbx_table_find(self->tables[MBX_TABLE_GRANTS], _key(self, "g", tenant ? tenant : "", tenant_len, lower, len), &shard);
  if (e)
    {
      GrantPayload *p = mbx_entry_payload(e);
      if (!out->has_grant || p->time > out->grant_time)
        {
          out->has_grant = TRUE;
          out->grant_time = p->time;
          COPY_FIELD(out->grant_id, p->id);
          COPY_FIELD(out->grant_operation, p->operation);
        }
    }
  mbx_table_release(shard);
  return e != NULL;
}

/* the grant and the sign-in behind a mailbox access */
static void
_join(MbxState *self, const MbxRecord *record, const RecordKeys *keys, MbxObservation *out)
{
  gsize tenant_len;
  const gchar *tenant = mbx_record_get_string(record, MBX_F_TENANT, &tenant_len);
  const gchar *app = mbx_record_get_string(record, MBX_F_APP_ID, NULL);
  const gchar *actor = mbx_record_get_string(record, MBX_F_ACTOR, NULL);

  const gchar *mailbox = mbx_record_get_string(record, MBX_F_MAILBOX, NULL);
  /* grants are rare: with none remembered, or none for these grantees, there is nothing to join */
  if (mbx_table_count(self->tables[MBX_TABLE_GRANTS]) > 0)
    {
      if (app && _grant_filter_may_hold(self, _grant_filter_hash(self, app, NULL)))
        _find_grant(self, tenant, tenant_len, app, NULL, out);
      if (actor && mailbox && _grant_filter_may_hold(self, _grant_filter_hash(self, actor, mailbox)))
        _find_grant(self, tenant, tenant_len, actor, mailbox, out);
    }

  if (keys->has_token && _find_signin_key(self, keys->token, out))
    {
      out->signin_join = MBX_SIGNIN_JOIN_TOKEN;
      return;
    }
  if (keys->has_session && _find_signin_key(self, keys->session, out))
    {
      out->signin_join = MBX_SIGNIN_JOIN_SESSION;
      return;
    }
  if (keys->has_token)
    {
      out->signin_join = MBX_SIGNIN_JOIN_UNMATCHED;
      return;
    }
  /* the last resort, keyed only when it is tried */
  MbxActorKind kind = mbx_record_get_actor_kind(record);
  if (actor && kind != MBX_ACTOR_APP_ONLY && kind != MBX_ACTOR_SYSTEM)
    {
      gchar lower[320];
      gsize lower_len = _fold_key(lower, sizeof(lower), actor, NULL);
      if (lower_len && _find_signin_key(self, _key(self, "su", lower, lower_len, NULL, 0), out))
        out->signin_join = MBX_SIGNIN_JOIN_USER;
    }
}

/*
 * A user's latest located access per access path (for impossible travel).
 * Per path, because a person's devices stay where they are: Outlook at home
 * keeps syncing while its owner reads mail on a phone abroad; one path
 * jumping continents is what a replayed session looks like.
 */
static void
_observe_location(MbxState *self, const RecordKeys *keys, gint64 t, MbxObservation *out)
{
  MbxShard *shard;
  gboolean created;

  if (!keys->has_location)
    return;
  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_ACTORS], keys->location, _minute(t), &created, &shard);
  ActorPayload *p = mbx_entry_payload(e);
  if (p->loc_time)
    {
      out->has_prev_location = TRUE;
      out->prev_location_time = p->loc_time;
      out->prev_location.has_location = TRUE;
      out->prev_location.latitude = p->loc_lat;
      out->prev_location.longitude = p->loc_lon;
      out->prev_location.accuracy_km = p->loc_accuracy_km;
      COPY_FIELD(out->prev_location.country, p->loc_country);
    }
  if (t >= p->loc_time)
    {
      p->loc_time = t;
      p->loc_lat = (gfloat) out->geo.latitude;
      p->loc_lon = (gfloat) out->geo.longitude;
      p->loc_accuracy_km = out->geo.accuracy_km;
      g_strlcpy(p->loc_country, out->geo.country, sizeof(p->loc_country));
    }
  mbx_table_release(shard);
}

/* a user reading someone else's mailbox: remember since when (in the pair table) */
static void
_observe_delegate(MbxState *self, const RecordKeys *keys, gint64 t, MbxObservation *out)
{
  MbxShard *shard;
  gboolean created;

  if (!keys->has_delegate)
    return;
  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_PAIRS], keys->delegate, _minute(t), &created, &shard);
  out->has_delegate = TRUE;
  out->delegate_first_seen = (gint64) e->first_seen * G_TIME_SPAN_MINUTE;
  mbx_table_release(shard);
}

static void
_observe_actor(MbxState *self, const RecordKeys *keys, MbxActorRef ref, gint64 t, const MbxBucket *delta,
               MbxObservation *out)
{
  MbxBucket sums[MBX_MAX_WINDOWS];
  guint32 minute = _minute(t);
  MbxShard *shard;
  gboolean created;

  MbxEntry *e = mbx_table_touch(self->tables[MBX_TABLE_ACTORS], keys->actors[ref], minute, &created, &shard);
  ActorPayload *p = mbx_entry_payload(e);
  if (keys->mailbox_hash)
    mbx_distinct_add(p->mailboxes, ACTOR_MAILBOXES, keys->mailbox_hash, minute);
  _window_all(self, keys->window_index, p->heads, p->buckets, delta, sums);
  for (guint w = 0; w < self->options.n_windows; w++)
    {
      guint n = mbx_distinct_count_since(p->mailboxes, ACTOR_MAILBOXES, _window_start_minute(self, w, t));
      out->actor_mailboxes_of[ref][w] = n;
      out->actor_searches_of[ref][w] = sums[w].searches;
      out->actor_mailboxes[w] = MAX(out->actor_mailboxes[w], n);
      out->actor_searches[w] = MAX(out->actor_searches[w], sums[w].searches);
    }
  mbx_table_release(shard);
}

/* the record's actors: its app, its user, its client address, its session (see _plan_keys) */
static void
_observe_actors(MbxState *self, const RecordKeys *keys, gint64 t, const MbxBucket *delta, MbxObservation *out)
{
  for (gsize i = 0; keys->has_actors && i < G_N_ELEMENTS(keys->actors); i++)
    {
      if (keys->has_actor[i])
        _observe_actor(self, keys, (MbxActorRef) i, t, delta, out);
    }
}

void
mbx_state_observe(MbxState *self, const MbxRecord *record, gint64 receive_time_us, MbxObservation *out)
{
  gsize len;
  const gchar *agent = mbx_record_get_string(record, MBX_F_CLIENT_INFO, &len);
  MbxObserveFlags flags = mbx_record_get_kind(record) == MBX_KIND_SIGNIN && mbx_user_agent_is_scripted(agent, len)
                            ? MBX_OBSERVE_SCRIPTED
                            : 0;
  mbx_state_observe_full(self, record, receive_time_us, flags, out);
  /* no flags given: whoever judges the record decides whether it is trusted */
  out->trust_known = FALSE;
}

void
mbx_state_observe_full(MbxState *self, const MbxRecord *record, gint64 receive_time_us, MbxObserveFlags flags,
                       MbxObservation *out)
{
  mbx_state_observe_geo(self, record, receive_time_us, flags, NULL, out);
}

void
mbx_state_observe_geo(MbxState *self, const MbxRecord *record, gint64 receive_time_us, MbxObserveFlags flags,
                      const MbxGeoInfo *geo, MbxObservation *out)
{
  MbxKind kind = mbx_record_get_kind(record);
  MbxBucket delta;
  gint64 t = mbx_record_get_int(record, MBX_F_EVENT_TIME, receive_time_us);

  memset(out, 0, sizeof(*out));
  out->trust_known = TRUE;
  out->trusted = (flags & MBX_OBSERVE_TRUSTED) != 0;
  if (geo && (geo->country[0] || geo->has_location || geo->asn))
    {
      out->has_geo = TRUE;
      out->geo = *geo;
    }
  g_atomic_pointer_add(&self->records, 1);
  if (t > receive_time_us + self->options.max_skew_us)
    {
      t = receive_time_us + self->options.max_skew_us;
      out->clamped = TRUE;
      g_atomic_pointer_add(&self->clamped, 1);
    }
  if (t < G_TIME_SPAN_HOUR)
    t = G_TIME_SPAN_HOUR; /* bucket 0 is the empty marker */
  out->event_time = t;

  MbxTamperFact tamper;
  mbx_facts_tamper(record, &tamper);
  _delta_of(record, kind, &delta);
  if (flags & MBX_OBSERVE_TRUSTED)
    {
      /* expected bulk (an approved backup): not part of the volume a person reads */
      delta.items = 0;
      delta.syncs = 0;
    }
  RecordKeys keys;
  _plan_keys(self, record, kind, t, &delta, out, &keys);
  _prefetch_keys(self, &keys);
  if (!_observe_tenant(self, record, &keys, t, &delta, &tamper, out))
    {
      out->late = TRUE;
      g_atomic_pointer_add(&self->late, 1);
      return;
    }

  if (kind == MBX_KIND_SIGNIN)
    _remember_signin(self, record, t, flags);
  MbxGrantFact grant;
  if (mbx_facts_grant(record, &grant) && grant.grantee[0])
    _remember_grant(self, record, &grant, t);
  if ((tamper.kind == MBX_TAMPER_MAILBOX_AUDIT_OFF || tamper.kind == MBX_TAMPER_AUDIT_TRIMMED ||
       tamper.kind == MBX_TAMPER_MAILBOX_AUDIT_ON) &&
      tamper.target[0])
    _mark_mailbox_audit(self, &tamper, t);

  if (!keys.mailbox_record)
    {
      /* searches with no mailbox (a tenant-wide /search/query) still count for their actor */
      _observe_actors(self, &keys, t, &delta, out);
      return;
    }
  _observe_mailbox(self, record, &keys, t, &delta, out);
  if (keys.has_pair)
    _observe_pair(self, &keys, t, &delta, out);
  _observe_delegate(self, &keys, t, out);
  _observe_actors(self, &keys, t, &delta, out);
  _observe_location(self, &keys, t, out);
  _join(self, record, &keys, out);
}

void
mbx_state_get_stats(MbxState *self, MbxStateStats *stats)
{
  memset(stats, 0, sizeof(*stats));
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    {
      stats->entries[t] = mbx_table_count(self->tables[t]);
      stats->evictions[t] = mbx_table_evictions(self->tables[t]);
    }
  stats->late = (guint64) g_atomic_pointer_get(&self->late);
  stats->clamped = (guint64) g_atomic_pointer_get(&self->clamped);
  stats->records = (guint64) g_atomic_pointer_get(&self->records);
}

gsize
mbx_state_memory_estimate(MbxState *self, MbxTable table)
{
  /* entry + allocator header + index slot (key, pointer: 16 bytes at 35-70% load) */
  gsize per_entry = mbx_table_entry_size(self->tables[table]) + 16 + 32;
  return mbx_table_count(self->tables[table]) * per_entry;
}
