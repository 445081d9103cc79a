/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Ring arithmetic of the sliding windows (mbx-window.h): bucket edges, sums,
 * a ring moving forward, refusing old buckets, saturation, bad specs.
 *
 * Sources: test-window.c; links the core library.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-window.h"

#define T0 G_GINT64_CONSTANT(1793606400000000) /* 2026-11-02T08:00:00Z, a multiple of 4 h */
#define NB 6

static MbxBucket ring[NB];
static guint32 head;

static void
setup(void)
{
  memset(ring, 0, sizeof(ring));
  head = 0;
}

TestSuite(window, .init = setup);
TestSuite(window_spec);

static MbxBucket
records(guint32 n)
{
  MbxBucket b = { .records = n };
  return b;
}

static guint32
sum_records(guint32 now)
{
  MbxBucket sum;
  mbx_window_sum(head, ring, NB, now, &sum);
  return sum.records;
}

/* adds @n records to bucket @index, asserting it was accepted */
static void
add_ok(guint32 index, guint32 n)
{
  MbxBucket d = records(n);
  cr_assert(mbx_window_add(&head, ring, NB, index, &d), "bucket %u was refused with head %u", index, head);
}

Test(window_spec, cuts_a_window_into_buckets_of_equal_length)
{
  MbxWindowSpec spec;

  cr_assert(mbx_window_spec_init(&spec, 10 * G_TIME_SPAN_MINUTE, 6));
  cr_assert_eq(spec.length_us, 10 * G_TIME_SPAN_MINUTE);
  cr_assert_eq(spec.n_buckets, 6);
  cr_assert_eq(spec.granularity_us, 100 * G_USEC_PER_SEC);
}

Test(window_spec, rejects_specs_that_do_not_fit)
{
  MbxWindowSpec spec = { 0 };

  cr_assert_not(mbx_window_spec_init(&spec, G_TIME_SPAN_HOUR, 0), "zero buckets");
  cr_assert_not(mbx_window_spec_init(&spec, G_TIME_SPAN_HOUR * 1025, 1025), "more than 1024 buckets");
  cr_assert_not(mbx_window_spec_init(&spec, 0, 6), "zero length");
  cr_assert_not(mbx_window_spec_init(&spec, -G_TIME_SPAN_HOUR, 6), "negative length");
  cr_assert_not(mbx_window_spec_init(&spec, G_TIME_SPAN_HOUR + 1, 6), "length not divisible by the bucket count");
  cr_assert_not(mbx_window_spec_init(&spec, 6 * G_USEC_PER_SEC - 6, 6), "buckets shorter than a second");
  cr_assert_eq(spec.n_buckets, 0, "a refused spec was filled in");
  cr_assert(mbx_window_spec_init(&spec, 6 * G_USEC_PER_SEC, 6), "buckets of exactly one second are fine");
  cr_assert(mbx_window_spec_init(&spec, 1024 * G_USEC_PER_SEC, 1024), "1024 buckets are fine");
}

Test(window, a_time_exactly_at_a_bucket_boundary_starts_the_next_bucket)
{
  MbxWindowSpec spec;
  cr_assert(mbx_window_spec_init(&spec, 10 * G_TIME_SPAN_MINUTE, NB));

  guint32 first = mbx_window_bucket_index(&spec, T0);
  cr_assert_eq(first, (guint32) (T0 / (100 * G_USEC_PER_SEC)));
  cr_assert_eq(mbx_window_bucket_index(&spec, T0 - 1), first - 1, "one microsecond before the edge");
  cr_assert_eq(mbx_window_bucket_index(&spec, T0 + 100 * G_USEC_PER_SEC - 1), first, "last microsecond of a bucket");
  cr_assert_eq(mbx_window_bucket_index(&spec, T0 + 100 * G_USEC_PER_SEC), first + 1, "exactly one bucket later");
}

Test(window, counts_land_in_their_own_bucket)
{
  guint32 base = 1000;

  add_ok(base, 1);
  add_ok(base + 1, 10);
  add_ok(base + 1, 10);
  add_ok(base + 3, 100);
  cr_assert_eq(head, base + 3);
  cr_assert_eq(ring[base % NB].records, 1);
  cr_assert_eq(ring[(base + 1) % NB].records, 20);
  cr_assert_eq(ring[(base + 2) % NB].records, 0);
  cr_assert_eq(ring[(base + 3) % NB].records, 100);
}

Test(window, sums_the_windows_ending_at_each_bucket)
{
  guint32 base = 1000;

  /* bucket base+i holds 2^i records, so every sum names its buckets */
  for (guint i = 0; i < NB; i++)
    add_ok(base + i, 1u << i);
  cr_assert_eq(sum_records(base + 5), 0x3f, "the full window");
  cr_assert_eq(sum_records(base + 6), 0x3e, "one bucket later the oldest bucket left the window");
  cr_assert_eq(sum_records(base + 10), 0x20, "only the newest bucket is left");
  cr_assert_eq(sum_records(base + 11), 0, "nothing is left a full window later");
  cr_assert_eq(sum_records(base + 2), 0x07, "a window ending before the head leaves out newer buckets");
  cr_assert_eq(sum_records(base), 0x01);
  cr_assert_eq(sum_records(base - 1), 0, "a window ending before everything");
  cr_assert_eq(sum_records(base + 100000), 0);
}

Test(window, an_empty_ring_sums_to_zero)
{
  MbxBucket sum = { 7, 7, 7, 7 };
  mbx_window_sum(0, ring, NB, 5000, &sum);
  cr_assert_eq(sum.records + sum.items + sum.searches + sum.syncs, 0);
}

Test(window, moving_forward_by_less_than_the_length_zeroes_only_the_buckets_passed)
{
  guint32 base = 1000;
  for (guint i = 0; i < NB; i++)
    add_ok(base + i, 1u << i);

  add_ok(base + 8, 0); /* moves the head three buckets: base, base+1, base+2 leave */
  cr_assert_eq(head, base + 8);
  cr_assert_eq(ring[(base + 6) % NB].records, 0, "passed bucket base+6 reuses the slot of base");
  cr_assert_eq(ring[(base + 7) % NB].records, 0, "passed bucket base+7 reuses the slot of base+1");
  cr_assert_eq(ring[(base + 8) % NB].records, 0, "the new head reuses the slot of base+2");
  cr_assert_eq(sum_records(base + 8), 0x38, "base+3 .. base+5 are still there");
}

Test(window, moving_forward_by_exactly_the_length_zeroes_everything)
{
  guint32 base = 1000;
  for (guint i = 0; i < NB; i++)
    add_ok(base + i, 1u << i);

  add_ok(base + 5 + NB, 1000);
  cr_assert_eq(head, base + 5 + NB);
  cr_assert_eq(sum_records(head), 1000);
  for (guint i = 0; i < NB; i++)
    {
      if (i != (base + 5 + NB) % NB)
        cr_assert_eq(ring[i].records, 0, "slot %u kept %u stale records", i, ring[i].records);
    }
}

Test(window, moving_forward_by_more_than_the_length_zeroes_everything)
{
  guint32 base = 1000;
  for (guint i = 0; i < NB; i++)
    add_ok(base + i, 1u << i);

  add_ok(base + 5 + 3 * NB + 2, 1000);
  cr_assert_eq(sum_records(head), 1000);
  guint32 total = 0;
  for (guint i = 0; i < NB; i++)
    total += ring[i].records;
  cr_assert_eq(total, 1000, "stale records are left in the ring");
}

Test(window, an_index_within_the_ring_but_older_than_the_head_is_added_in_place)
{
  guint32 base = 1000;
  add_ok(base + 5, 1);
  add_ok(base, 2); /* the oldest bucket the ring holds */
  cr_assert_eq(head, base + 5, "adding to an older bucket moved the head");
  cr_assert_eq(ring[base % NB].records, 2);
  cr_assert_eq(sum_records(base + 5), 3);
}

Test(window, an_index_older_than_the_ring_is_refused_and_changes_nothing)
{
  guint32 base = 1000;
  for (guint i = 0; i < NB; i++)
    add_ok(base + i, 1u << i);

  MbxBucket before[NB];
  memcpy(before, ring, sizeof(ring));
  MbxBucket d = records(500);
  cr_assert_not(mbx_window_add(&head, ring, NB, base - 1, &d), "one bucket older than the ring holds");
  cr_assert_not(mbx_window_add(&head, ring, NB, 1, &d), "much older");
  cr_assert_eq(head, base + 5);
  cr_assert(memcmp(before, ring, sizeof(ring)) == 0, "a refused count changed the ring");
}

Test(window, the_first_count_sets_the_head_of_an_empty_ring)
{
  ring[3].records = 99; /* stale content of a fresh ring is ignored */
  add_ok(5000, 1);      /* slot 5000 % 6 = 2 */
  cr_assert_eq(head, 5000);
  cr_assert_eq(sum_records(5000), 1);
  cr_assert_eq(ring[2].records, 1);
  cr_assert_eq(ring[3].records, 0, "an empty ring was not cleared");
}

Test(window, counters_saturate_instead_of_wrapping)
{
  MbxBucket big = { .records = G_MAXUINT32, .items = G_MAXUINT32 - 1, .searches = G_MAXUINT16, .syncs = G_MAXUINT16 - 1 };
  MbxBucket two = { .records = 2, .items = 2, .searches = 2, .syncs = 2 };

  cr_assert(mbx_window_add(&head, ring, NB, 100, &big));
  cr_assert(mbx_window_add(&head, ring, NB, 100, &two));
  MbxBucket *b = &ring[100 % NB];
  cr_assert_eq(b->records, G_MAXUINT32);
  cr_assert_eq(b->items, G_MAXUINT32);
  cr_assert_eq(b->searches, G_MAXUINT16);
  cr_assert_eq(b->syncs, G_MAXUINT16);

  /* and so do sums over several full buckets */
  cr_assert(mbx_window_add(&head, ring, NB, 101, &big));
  MbxBucket sum;
  mbx_window_sum(head, ring, NB, 101, &sum);
  cr_assert_eq(sum.records, G_MAXUINT32);
  cr_assert_eq(sum.items, G_MAXUINT32);
  cr_assert_eq(sum.searches, G_MAXUINT16);
  cr_assert_eq(sum.syncs, G_MAXUINT16);
}

Test(window, sums_every_counter_of_a_bucket)
{
  MbxBucket d = { .records = 1, .items = 7, .searches = 2, .syncs = 3 };
  cr_assert(mbx_window_add(&head, ring, NB, 100, &d));
  cr_assert(mbx_window_add(&head, ring, NB, 102, &d));
  MbxBucket sum;
  mbx_window_sum(head, ring, NB, 102, &sum);
  cr_assert_eq(sum.records, 2);
  cr_assert_eq(sum.items, 14);
  cr_assert_eq(sum.searches, 4);
  cr_assert_eq(sum.syncs, 6);
}

/* a replay against a model that keeps every count: sums agree at every step */
Test(window, agrees_with_a_model_that_keeps_every_count_over_a_long_replay)
{
  GRand *rand = g_rand_new_with_seed(4);
  guint32 *model = g_new0(guint32, 20000);
  guint32 index = 100, newest = 0;

  for (gint step = 0; step < 20000; step++)
    {
      /* mostly forward by 0..3 buckets, sometimes a jump, sometimes back into the ring */
      gint r = g_rand_int_range(rand, 0, 100);
      if (r < 80)
        index += g_rand_int_range(rand, 0, 4);
      else if (r < 83)
        index += g_rand_int_range(rand, NB - 1, 2 * NB + 1);
      else if (newest >= NB)
        index = newest - g_rand_int_range(rand, 0, NB + 2);
      if (index >= 19990)
        break;
      guint32 n = g_rand_int_range(rand, 1, 5);
      MbxBucket d = records(n);
      gboolean accepted = mbx_window_add(&head, ring, NB, index, &d);
      cr_assert_eq(accepted, newest == 0 || index + NB > newest, "step %d: index %u, newest %u", step, index, newest);
      if (accepted)
        {
          model[index] += n;
          newest = MAX(newest, index);
        }
      for (guint32 now = newest; now < newest + NB + 1; now += 3)
        {
          guint32 want = 0;
          for (guint32 i = now >= NB - 1 ? now - NB + 1 : 0; i <= now; i++)
            want += i <= newest ? model[i] : 0;
          cr_assert_eq(sum_records(now), want, "step %d: window ending at %u (head %u)", step, now, head);
        }
    }
  g_free(model);
  g_rand_free(rand);
}
