/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The capped, sharded table behind every state table.
 *
 * Invariants:
 *  - an entry lives in exactly one shard, the one its key's top bits name,
 *    and in exactly one segment list of that shard;
 *  - the table never holds more than its cap: inserting into a full table
 *    evicts one entry of the inserting shard first, a least recently used
 *    one of its probation segment, or of its protected segment when
 *    probation is empty (a bounded amount of work per call, never a sweep).
 *    Recency is kept the CLOCK way: a touch only sets the entry's referenced
 *    mark, and eviction gives a marked entry at the tail a second chance
 *    (unmarked, moved to the head), at most SECOND_CHANCES times per
 *    eviction (a tail of that many marked entries means nearly the whole
 *    shard is in use, and any of them is as good a victim).  Moving every touched entry to the head cost three foreign
 *    cache lines per touch (its neighbours and the old head), about a dozen
 *    touches per mail record, which made the table the state's costliest
 *    step in the daemon.  The cap is
 *    the table's, counted atomically, not an even share per shard: hashing
 *    spreads keys unevenly, and per-shard caps would evict from the fuller
 *    shards while the table is below its cap.  Only a full table whose
 *    inserting shard is empty goes past the cap, by one entry;
 *  - an entry moves to the protected segment once it has been touched in two
 *    different hours, so keys that appear once (a flood of random names)
 *    only ever evict each other;
 *  - the payload is only read or written with the shard's lock held; the
 *    one thing read without it is where a shard's index lives (its slots
 *    pointer and mask, stored atomically), by mbx_table_prefetch(), which
 *    only hands the address to the CPU as a hint;
 *  - each shard's index is an open-addressing table of (key, entry) with
 *    linear probing, at most 70% full, no tombstones (removal shifts the
 *    run back); keys are keyed SipHash values, so their low bits are already
 *    uniform and are used as they are.  GHashTable cost a call per hash and
 *    per compare and a cache miss per array; this is one miss per probe.
 */
#include "table.h"

#include <string.h>

typedef struct
{
  guint64 key;
  MbxEntry *entry; /* NULL: an empty slot */
} MbxSlot;

struct _MbxShard
{
  GMutex lock;
  MbxSlot *slots; /* the index: mask + 1 slots */
  guint mask;
  guint used;
  MbxEntry *head[MBX_SEGMENT_MAX];
  MbxEntry *tail[MBX_SEGMENT_MAX];
  guint64 evictions;
};

struct _MbxTableStore
{
  MbxShard *shards;
  guint n_shards;
  guint shard_bits;
  guint max_entries;
  gint count; /* atomic: entries in all shards */
  gsize payload_size;
};

static void
_unlink(MbxShard *shard, MbxEntry *e)
{
  if (e->prev)
    e->prev->next = e->next;
  else
    shard->head[e->segment] = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    shard->tail[e->segment] = e->prev;
  e->prev = e->next = NULL;
}

static void
_push_front(MbxShard *shard, MbxEntry *e)
{
  e->prev = NULL;
  e->next = shard->head[e->segment];
  if (e->next)
    e->next->prev = e;
  else
    shard->tail[e->segment] = e;
  shard->head[e->segment] = e;
}

#define INDEX_MIN_SLOTS 16
#define SECOND_CHANCES 256

static MbxEntry *
_index_find(MbxShard *shard, guint64 key)
{
  for (guint i = (guint) key & shard->mask;; i = (i + 1) & shard->mask)
    {
      MbxSlot *slot = &shard->slots[i];
      if (!slot->entry || slot->key == key)
        return slot->entry;
    }
}

static void
_index_put(MbxSlot *slots, guint mask, guint64 key, MbxEntry *entry)
{
  guint i = (guint) key & mask;
  while (slots[i].entry)
    i = (i + 1) & mask;
  slots[i].key = key;
  slots[i].entry = entry;
}

static void
_index_add(MbxShard *shard, MbxEntry *entry)
{
  if ((gsize) (shard->used + 1) * 10 > (gsize) (shard->mask + 1) * 7)
    {
      guint new_mask = shard->mask * 2 + 1;
      MbxSlot *slots = g_new0(MbxSlot, (gsize) new_mask + 1);
      for (guint i = 0; i <= shard->mask; i++)
        {
          if (shard->slots[i].entry)
            _index_put(slots, new_mask, shard->slots[i].key, shard->slots[i].entry);
        }
      g_free(shard->slots);
      /* atomic because mbx_table_prefetch() reads them without the lock */
      __atomic_store_n(&shard->slots, slots, __ATOMIC_RELAXED);
      __atomic_store_n(&shard->mask, new_mask, __ATOMIC_RELAXED);
    }
  _index_put(shard->slots, shard->mask, entry->key, entry);
  shard->used++;
}

/* removes @key, shifting the rest of its run back so that no probe stops short */
static void
_index_remove(MbxShard *shard, guint64 key)
{
  MbxSlot *slots = shard->slots;
  guint mask = shard->mask;
  guint i = (guint) key & mask;

  while (slots[i].entry && slots[i].key != key)
    i = (i + 1) & mask;
  if (!slots[i].entry)
    return;
  shard->used--;
  for (guint j = i;;)
    {
      slots[i].entry = NULL;
      for (;;)
        {
          j = (j + 1) & mask;
          if (!slots[j].entry)
            return;
          /* the entry at j stays when its home slot lies cyclically in (i, j] */
          guint home = (guint) slots[j].key & mask;
          if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
            continue;
          break;
        }
      slots[i] = slots[j];
      i = j;
    }
}

MbxTableStore *
mbx_table_store_new(guint n_shards, guint max_entries, gsize payload_size)
{
  MbxTableStore *self = g_new0(MbxTableStore, 1);

  g_assert(n_shards > 0 && (n_shards & (n_shards - 1)) == 0);
  self->n_shards = n_shards;
  while ((1u << self->shard_bits) < n_shards)
    self->shard_bits++;
  self->max_entries = MAX(1, max_entries);
  self->payload_size = (payload_size + 7) & ~(gsize) 7;
  self->shards = g_new0(MbxShard, n_shards);
  for (guint i = 0; i < n_shards; i++)
    {
      g_mutex_init(&self->shards[i].lock);
      self->shards[i].mask = INDEX_MIN_SLOTS - 1;
      self->shards[i].slots = g_new0(MbxSlot, INDEX_MIN_SLOTS);
    }
  return self;
}

void
mbx_table_store_free(MbxTableStore *self)
{
  if (!self)
    return;
  for (guint i = 0; i < self->n_shards; i++)
    {
      MbxShard *shard = &self->shards[i];
      for (gint s = 0; s < MBX_SEGMENT_MAX; s++)
        {
          for (MbxEntry *e = shard->head[s], *next; e; e = next)
            {
              next = e->next;
              g_free(e);
            }
        }
      g_free(shard->slots);
      g_mutex_clear(&shard->lock);
    }
  g_free(self->shards);
  g_free(self);
}

static inline MbxShard *
_shard_of(MbxTableStore *self, guint64 key)
{
  return &self->shards[self->shard_bits ? key >> (64 - self->shard_bits) : 0];
}

static gboolean
_evict_one(MbxShard *shard)
{
  MbxSegment segment = shard->tail[MBX_SEGMENT_PROBATION] ? MBX_SEGMENT_PROBATION : MBX_SEGMENT_PROTECTED;
  MbxEntry *victim = shard->tail[segment];
  if (!victim)
    return FALSE;
  for (gint chance = 0; victim->referenced && chance < SECOND_CHANCES; chance++)
    {
      /* touched since it was placed: it was used more recently than its place says */
      victim->referenced = FALSE;
      _unlink(shard, victim);
      _push_front(shard, victim);
      victim = shard->tail[segment];
    }
  _unlink(shard, victim);
  _index_remove(shard, victim->key);
  g_free(victim);
  shard->evictions++;
  return TRUE;
}

static MbxEntry *
_insert_new(MbxTableStore *self, MbxShard *shard, guint64 key)
{
  /* take a place in the table; when the table was full, free one in this shard */
  if ((guint) g_atomic_int_add(&self->count, 1) >= self->max_entries && _evict_one(shard))
    g_atomic_int_add(&self->count, -1);
  MbxEntry *e = g_malloc0(sizeof(MbxEntry) + self->payload_size);
  e->key = key;
  e->segment = MBX_SEGMENT_PROBATION;
  _index_add(shard, e);
  _push_front(shard, e);
  return e;
}

MbxEntry *
mbx_table_touch(MbxTableStore *self, guint64 key, guint32 minute, gboolean *created, MbxShard **shard_out)
{
  MbxShard *shard = _shard_of(self, key);
  guint32 hour = minute / 60;

  g_mutex_lock(&shard->lock);
  MbxEntry *e = _index_find(shard, key);
  *created = e == NULL;
  if (!e)
    {
      e = _insert_new(self, shard, key);
      e->first_seen = minute;
      e->last_hour = hour;
      e->hours_seen = 1;
    }
  else
    {
      if (minute < e->first_seen)
        e->first_seen = minute;
      if (hour != e->last_hour)
        {
          if (e->hours_seen < G_MAXUINT8)
            e->hours_seen++;
          if (hour > e->last_hour)
            e->last_hour = hour;
        }
      if (e->hours_seen >= 2 && e->segment != MBX_SEGMENT_PROTECTED)
        {
          /* once per entry: it has come back in another hour */
          _unlink(shard, e);
          e->segment = MBX_SEGMENT_PROTECTED;
          e->referenced = FALSE;
          _push_front(shard, e);
        }
      else if (!e->referenced)
        e->referenced = TRUE;
    }
  *shard_out = shard;
  return e;
}

MbxEntry *
mbx_table_find(MbxTableStore *self, guint64 key, MbxShard **shard_out)
{
  MbxShard *shard = _shard_of(self, key);
  g_mutex_lock(&shard->lock);
  *shard_out = shard;
  return _index_find(shard, key);
}

void
mbx_table_prefetch(MbxTableStore *self, guint64 key)
{
  MbxShard *shard = _shard_of(self, key);
  /* the slots and the mask may be of two generations mid-resize: the address is then only useless */
  guintptr slots = (guintptr) __atomic_load_n(&shard->slots, __ATOMIC_RELAXED);
  guint mask = __atomic_load_n(&shard->mask, __ATOMIC_RELAXED);
  __builtin_prefetch((gconstpointer) (slots + ((guint) key & mask) * sizeof(MbxSlot)));
}

void
mbx_table_prefetch_entry(MbxTableStore *self, guint64 key)
{
  MbxShard *shard = _shard_of(self, key);
  gsize size = mbx_table_entry_size(self);

  g_mutex_lock(&shard->lock);
  MbxEntry *e = _index_find(shard, key);
  for (gsize off = 0; e && off < size; off += 64)
    __builtin_prefetch((const gchar *) e + off, 1);
  g_mutex_unlock(&shard->lock);
}

void
mbx_table_release(MbxShard *shard)
{
  g_mutex_unlock(&shard->lock);
}

guint64
mbx_table_count(MbxTableStore *self)
{
  return (guint) g_atomic_int_get(&self->count);
}

guint64
mbx_table_evictions(MbxTableStore *self)
{
  guint64 n = 0;
  for (guint i = 0; i < self->n_shards; i++)
    {
      g_mutex_lock(&self->shards[i].lock);
      n += self->shards[i].evictions;
      g_mutex_unlock(&self->shards[i].lock);
    }
  return n;
}

gsize
mbx_table_entry_size(MbxTableStore *self)
{
  return sizeof(MbxEntry) + self->payload_size;
}

guint
mbx_table_n_shards(MbxTableStore *self)
{
  return self->n_shards;
}

guint
mbx_table_copy_shard(MbxTableStore *self, guint index, GByteArray *out)
{
  MbxShard *shard = &self->shards[index];
  gsize size = mbx_table_entry_size(self);
  guint n = 0;

  g_mutex_lock(&shard->lock);
  g_byte_array_set_size(out, 0);
  for (gint s = MBX_SEGMENT_PROTECTED; s >= MBX_SEGMENT_PROBATION; s--)
    {
      for (MbxEntry *e = shard->tail[s]; e; e = e->prev)
        {
          g_byte_array_append(out, (const guint8 *) e, size);
          n++;
        }
    }
  g_mutex_unlock(&shard->lock);
  return n;
}

void
mbx_table_insert_raw(MbxTableStore *self, const MbxEntry *raw)
{
  MbxShard *shard = _shard_of(self, raw->key);

  g_mutex_lock(&shard->lock);
  MbxEntry *e = _index_find(shard, raw->key);
  if (!e)
    e = _insert_new(self, shard, raw->key);
  _unlink(shard, e);
  memcpy(mbx_entry_payload(e), raw + 1, self->payload_size);
  e->first_seen = raw->first_seen;
  e->last_hour = raw->last_hour;
  e->hours_seen = raw->hours_seen;
  e->referenced = raw->referenced != 0;
  e->segment = raw->segment < MBX_SEGMENT_MAX ? raw->segment : MBX_SEGMENT_PROBATION;
  _push_front(shard, e);
  g_mutex_unlock(&shard->lock);
}
