/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Bounded distinct counters (mbx-distinct.h): counting since a minute,
 * saturation with the least recently seen value replaced, hash 0, contains.
 *
 * Sources: test-distinct.c; links the core library.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-distinct.h"

#define N 8
#define M0 29893440u /* 2026-11-02T08:00Z in minutes since the epoch */

static MbxDistinctSlot slots[N];

static void
setup(void)
{
  memset(slots, 0, sizeof(slots));
}

TestSuite(distinct, .init = setup);

Test(distinct, an_empty_set_counts_nothing_and_contains_nothing)
{
  cr_assert_eq(mbx_distinct_count_since(slots, N, 0), 0);
  cr_assert_not(mbx_distinct_contains(slots, N, 42));
}

Test(distinct, adding_a_value_twice_counts_it_once)
{
  cr_assert(mbx_distinct_add(slots, N, 42, M0), "a new value");
  cr_assert_not(mbx_distinct_add(slots, N, 42, M0 + 1), "the same value again");
  cr_assert(mbx_distinct_add(slots, N, 43, M0 + 1));
  cr_assert_eq(mbx_distinct_count_since(slots, N, 0), 2);
  cr_assert(mbx_distinct_contains(slots, N, 42));
  cr_assert(mbx_distinct_contains(slots, N, 43));
  cr_assert_not(mbx_distinct_contains(slots, N, 44));
}

Test(distinct, counts_the_values_seen_at_or_after_a_minute)
{
  for (guint32 i = 0; i < 5; i++)
    mbx_distinct_add(slots, N, 100 + i, M0 + 10 * i); /* minutes 0, 10, 20, 30, 40 */

  cr_assert_eq(mbx_distinct_count_since(slots, N, M0), 5);
  cr_assert_eq(mbx_distinct_count_since(slots, N, M0 + 1), 4);
  cr_assert_eq(mbx_distinct_count_since(slots, N, M0 + 20), 3, "a value seen exactly at the start minute counts");
  cr_assert_eq(mbx_distinct_count_since(slots, N, M0 + 21), 2);
  cr_assert_eq(mbx_distinct_count_since(slots, N, M0 + 41), 0);
}

Test(distinct, seeing_a_value_again_moves_its_last_seen_forward_only)
{
  mbx_distinct_add(slots, N, 7, M0);
  mbx_distinct_add(slots, N, 7, M0 + 30);
  cr_assert_eq(mbx_distinct_count_since(slots, N, M0 + 30), 1, "the later sighting counts");
  mbx_distinct_add(slots, N, 7, M0 + 5); /* a late record for an earlier minute */
  cr_assert_eq(mbx_distinct_count_since(slots, N, M0 + 30), 1, "a late sighting moved last seen back");
}

Test(distinct, saturates_at_the_array_size_and_replaces_the_least_recently_seen)
{
  for (guint32 i = 0; i < N; i++)
    cr_assert(mbx_distinct_add(slots, N, 1000 + i, M0 + i));
  cr_assert_eq(mbx_distinct_count_since(slots, N, 0), N);

  /* value 1000 is refreshed, so 1001 is now the least recently seen */
  mbx_distinct_add(slots, N, 1000, M0 + 100);
  cr_assert(mbx_distinct_add(slots, N, 2000, M0 + 101), "a new value in a full set");
  cr_assert_eq(mbx_distinct_count_since(slots, N, 0), N, "the count went past the array size");
  cr_assert(mbx_distinct_contains(slots, N, 2000));
  cr_assert(mbx_distinct_contains(slots, N, 1000), "the refreshed value was replaced");
  cr_assert_not(mbx_distinct_contains(slots, N, 1001), "the least recently seen value was kept");
  for (guint32 i = 2; i < N; i++)
    cr_assert(mbx_distinct_contains(slots, N, 1000 + i), "value %u was replaced", 1000 + i);

  /* many more values: the count reads "at least N" */
  for (guint32 i = 0; i < 100; i++)
    mbx_distinct_add(slots, N, 5000 + i, M0 + 200 + i);
  cr_assert_eq(mbx_distinct_count_since(slots, N, 0), N);
  cr_assert_eq(mbx_distinct_count_since(slots, N, M0 + 200 + 100 - N), N, "the newest N values are the ones kept");
  cr_assert(mbx_distinct_contains(slots, N, 5099));
  cr_assert_not(mbx_distinct_contains(slots, N, 5000 + 100 - N - 1));
}

Test(distinct, hash_zero_is_a_value_not_an_empty_slot)
{
  cr_assert(mbx_distinct_add(slots, N, 0, M0));
  cr_assert(mbx_distinct_contains(slots, N, 0));
  cr_assert_eq(mbx_distinct_count_since(slots, N, 0), 1, "hash 0 was not counted");
  cr_assert_not(mbx_distinct_add(slots, N, 0, M0 + 1), "hash 0 was counted twice");
  cr_assert(mbx_distinct_add(slots, N, 2, M0 + 1));
  cr_assert_eq(mbx_distinct_count_since(slots, N, 0), 2);
}

Test(distinct, an_array_of_one_slot_keeps_the_latest_value)
{
  MbxDistinctSlot one[1] = { { 0, 0 } };
  cr_assert(mbx_distinct_add(one, 1, 5, M0));
  cr_assert(mbx_distinct_add(one, 1, 6, M0 + 1));
  cr_assert(mbx_distinct_contains(one, 1, 6));
  cr_assert_not(mbx_distinct_contains(one, 1, 5));
  cr_assert_eq(mbx_distinct_count_since(one, 1, 0), 1);
}
