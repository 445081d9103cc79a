/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The table's own index (modules/core/table.c): open addressing with
 * back-shifting removal.  Keys are chosen so that many share their low bits
 * (the index's slot), which long runs and wrap-arounds exercise; after every
 * insertion and eviction the index must find exactly the live keys.
 */
#include "table.h"

#include <criterion/criterion.h>

typedef struct
{
  guint64 value;
} Payload;

static guint64
key_of(guint i)
{
  /* the top bits (the shard) vary; the low bits repeat every 8 keys: heavy collisions */
  return ((guint64) (i * 2654435761u) << 32) | (i % 8) * 3 | ((guint64) i << 12);
}

static MbxEntry *
find(MbxTableStore *t, guint64 key)
{
  MbxShard *shard;
  MbxEntry *e = mbx_table_find(t, key, &shard);
  mbx_table_release(shard);
  return e;
}

/* of keys @from..@to-1, exactly those in @lo..@hi-1 are gone (@why), the others still there */
static void
assert_evicted_exactly(MbxTableStore *t, guint from, guint to, guint lo, guint hi, const gchar *why)
{
  for (guint k = from; k < to; k++)
    {
      if (k >= lo && k < hi)
        cr_assert_null(find(t, key_of(k)), "key %u should be evicted: %s", k, why);
      else
        cr_assert_not_null(find(t, key_of(k)), "key %u lost (%s)", k, why);
    }
}

static void
touch(MbxTableStore *t, guint i, guint32 minute)
{
  gboolean created;
  MbxShard *shard;
  MbxEntry *e = mbx_table_touch(t, key_of(i), minute, &created, &shard);
  Payload *p = mbx_entry_payload(e);
  if (created)
    p->value = i;
  cr_assert_eq(p->value, i, "key %u found the payload of key %" G_GUINT64_FORMAT, i, p->value);
  mbx_table_release(shard);
}

Test(table, finds_every_key_through_long_colliding_runs)
{
  MbxTableStore *t = mbx_table_store_new(1, 100000, sizeof(Payload));
  for (guint i = 0; i < 20000; i++)
    touch(t, i, 1);
  cr_assert_eq(mbx_table_count(t), 20000);
  for (guint i = 0; i < 20000; i++)
    {
      MbxEntry *e = find(t, key_of(i));
      cr_assert_not_null(e, "key %u lost", i);
      cr_assert_eq(((Payload *) mbx_entry_payload(e))->value, i);
    }
  for (guint i = 20000; i < 21000; i++)
    cr_assert_null(find(t, key_of(i)), "key %u was never inserted", i);
  mbx_table_store_free(t);
}

Test(table, evictions_remove_exactly_the_evicted_keys)
{
  /* one shard, cap 500: inserting key i evicts key i - 500, the least recently used */
  const guint cap = 500;
  MbxTableStore *t = mbx_table_store_new(1, cap, sizeof(Payload));
  for (guint i = 0; i < 6000; i++)
    {
      touch(t, i, 1);
      if (i % 97 == 0 || i > 5900)
        {
          guint first_live = i + 1 > cap ? i + 1 - cap : 0;
          assert_evicted_exactly(t, i >= 2 * cap ? i - 2 * cap : 0, i + 1, 0, first_live, "least recently used");
        }
    }
  cr_assert_eq(mbx_table_count(t), cap);
  cr_assert_eq(mbx_table_evictions(t), 6000 - cap);
  mbx_table_store_free(t);
}

Test(table, reinserting_a_raw_entry_replaces_it_in_place)
{
  MbxTableStore *t = mbx_table_store_new(4, 100, sizeof(Payload));
  touch(t, 1, 1);
  struct
  {
    MbxEntry e;
    Payload p;
  } raw = { .e = { .key = key_of(1), .first_seen = 7, .segment = MBX_SEGMENT_PROTECTED }, .p = { 1 } };
  mbx_table_insert_raw(t, &raw.e);
  cr_assert_eq(mbx_table_count(t), 1);
  cr_assert_eq(find(t, key_of(1))->first_seen, 7);
  mbx_table_store_free(t);
}

Test(table, an_entry_touched_again_outlives_the_ones_left_alone)
{
  /* one shard, cap 100: keys 0..99, then 0..49 touched again; 50 new keys evict exactly 50..99 */
  MbxTableStore *t = mbx_table_store_new(1, 100, sizeof(Payload));
  for (guint i = 0; i < 100; i++)
    touch(t, i, 1);
  for (guint i = 0; i < 50; i++)
    touch(t, i, 1);
  for (guint i = 100; i < 150; i++)
    touch(t, i, 1);
  assert_evicted_exactly(t, 0, 150, 50, 100, "left alone");
  cr_assert_eq(mbx_table_evictions(t), 50);
  mbx_table_store_free(t);
}

Test(table, an_entry_back_in_another_hour_outlives_a_flood_of_new_keys)
{
  /* the protected segment: a flood of one-off keys only evicts other one-off keys */
  MbxTableStore *t = mbx_table_store_new(1, 100, sizeof(Payload));
  for (guint i = 0; i < 10; i++)
    {
      touch(t, i, 1);
      touch(t, i, 61);
    }
  for (guint i = 10; i < 5000; i++)
    touch(t, i, 120);
  for (guint i = 0; i < 10; i++)
    cr_assert_not_null(find(t, key_of(i)), "established key %u lost to the flood", i);
  cr_assert_eq(mbx_table_count(t), 100);
  cr_assert_eq(mbx_table_evictions(t), 4900);
  mbx_table_store_free(t);
}

Test(table, eviction_gives_a_bounded_number_of_second_chances)
{
  /*
   * 1000 entries, every one touched again: the next insertion gives the 256
   * oldest a second chance and then evicts the 257th although it is marked,
   * instead of walking the whole shard.
   */
  MbxTableStore *t = mbx_table_store_new(1, 1000, sizeof(Payload));
  for (guint i = 0; i < 1000; i++)
    touch(t, i, 1);
  for (guint i = 0; i < 1000; i++)
    touch(t, i, 1);
  touch(t, 1000, 1);
  assert_evicted_exactly(t, 0, 1001, 256, 257, "past the second chances");
  cr_assert_eq(mbx_table_count(t), 1000);
  cr_assert_eq(mbx_table_evictions(t), 1);
  mbx_table_store_free(t);
}

Test(table, prefetching_creates_nothing_and_counts_as_no_use)
{
  /* one shard, cap 100, keys 0..99; hints for 0..49 and for 200 absent keys (some while the index grows) */
  MbxTableStore *t = mbx_table_store_new(1, 100, sizeof(Payload));
  for (guint i = 0; i < 100; i++)
    {
      mbx_table_prefetch(t, key_of(1000 + i));
      touch(t, i, 1);
      mbx_table_prefetch_entry(t, key_of(2000 + i));
    }
  for (guint i = 0; i < 50; i++)
    {
      mbx_table_prefetch(t, key_of(i));
      mbx_table_prefetch_entry(t, key_of(i));
    }
  cr_assert_eq(mbx_table_count(t), 100);
  cr_assert_null(find(t, key_of(1000)));
  cr_assert_null(find(t, key_of(2000)));
  /* a hint is not a use: 50 new keys evict 0..49, the oldest, hinted or not */
  for (guint i = 100; i < 150; i++)
    touch(t, i, 1);
  assert_evicted_exactly(t, 0, 150, 0, 50, "only hinted at");
  mbx_table_store_free(t);
}
