/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the core: the capped, sharded table behind every state table.
 * See table.c for the invariants.
 */
#ifndef MBX_TABLE_H_INCLUDED
#define MBX_TABLE_H_INCLUDED

#include <glib.h>

typedef enum
{
  MBX_SEGMENT_PROBATION,
  MBX_SEGMENT_PROTECTED,
  MBX_SEGMENT_MAX
} MbxSegment;

typedef struct _MbxEntry MbxEntry;
struct _MbxEntry
{
  MbxEntry *prev, *next; /* the entry's segment list, newest first (see table.c) */
  guint64 key;
  guint32 first_seen; /* minutes since the epoch */
  guint32 last_hour;  /* hours since the epoch of the latest touch */
  guint8 segment;
  guint8 hours_seen; /* distinct hours touched, saturating */
  guint8 referenced; /* touched since it was last placed at the head of its list */
  guint8 pad[5];
  /* payload follows, 8-byte aligned */
};

typedef struct _MbxShard MbxShard;
typedef struct _MbxTableStore MbxTableStore;

MbxTableStore *mbx_table_store_new(guint n_shards, guint max_entries, gsize payload_size);
void mbx_table_store_free(MbxTableStore *self);

static inline gpointer
mbx_entry_payload(MbxEntry *entry)
{
  return entry + 1;
}

/*
 * Finds or creates the entry of @key, marks it used at @minute, and returns
 * it with its shard locked: the caller updates the payload and then calls
 * mbx_table_release().  A new entry has a zeroed payload; creating one in a
 * full shard evicts exactly one other entry first.
 */
MbxEntry *mbx_table_touch(MbxTableStore *self, guint64 key, guint32 minute, gboolean *created, MbxShard **shard);
void mbx_table_release(MbxShard *shard);

/* Finds the entry of @key without creating it or marking it used; the shard is locked either way. */
MbxEntry *mbx_table_find(MbxTableStore *self, guint64 key, MbxShard **shard);

/*
 * Cache hints for a record that will touch several tables: they start the
 * loads of its keys' index slots and entries so that the misses overlap
 * instead of each touch waiting for its own.  mbx_table_prefetch() takes no
 * lock: it reads where the index lives, never what it holds (a stale address
 * only wastes the hint).  mbx_table_prefetch_entry() locks the shard to find
 * the entry, and does nothing when there is none.
 */
void mbx_table_prefetch(MbxTableStore *self, guint64 key);
void mbx_table_prefetch_entry(MbxTableStore *self, guint64 key);

guint64 mbx_table_count(MbxTableStore *self);
guint64 mbx_table_evictions(MbxTableStore *self);
gsize mbx_table_entry_size(MbxTableStore *self);
guint mbx_table_n_shards(MbxTableStore *self);

/*
 * Copies shard @index (entries as raw bytes, oldest first, the probation
 * segment after the protected one) into @out while holding its
 * lock; returns the number of entries copied.
 */
guint mbx_table_copy_shard(MbxTableStore *self, guint index, GByteArray *out);

/* Inserts a raw entry as copied by mbx_table_copy_shard() (loading a state file). */
void mbx_table_insert_raw(MbxTableStore *self, const MbxEntry *raw);

#endif
