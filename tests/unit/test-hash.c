/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Keyed hashing (mbx-hash.h): SipHash-1-3 against published vectors, and
 * the hashing of several parts.
 *
 * The vectors: key 00 01 .. 0f, message 00 01 .. (n-1).  The low 32 bits
 * are the Linux kernel's hsiphash self-test vectors (lib/siphash_kunit.c;
 * on 64-bit platforms hsiphash is SipHash-1-3 cut to 32 bits); the high 32
 * bits come from a separate model of the paper's algorithm, which also
 * reproduces the paper's SipHash-2-4 vectors with 2 and 4 rounds.
 *
 * Sources: test-hash.c; links the core library.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-hash.h"

/* key bytes 00 01 .. 0f, read as two little-endian words */
static const MbxHashKey ref_key = { G_GUINT64_CONSTANT(0x0706050403020100), G_GUINT64_CONSTANT(0x0f0e0d0c0b0a0908) };

static const struct
{
  gsize len;
  guint64 hash;
} vectors[] = {
  { 0, G_GUINT64_CONSTANT(0xabac0158050fc4dc) },
  { 1, G_GUINT64_CONSTANT(0xc9f49bf37d57ca93) },
  { 7, G_GUINT64_CONSTANT(0xd3927d989bb11140) },
  { 8, G_GUINT64_CONSTANT(0x369095118d299a8e) },
  { 15, G_GUINT64_CONSTANT(0xd320d86d2a519956) },
  { 16, G_GUINT64_CONSTANT(0xcc4fdd1a7d908b66) },
  { 63, G_GUINT64_CONSTANT(0x9d199062b7bbb3a8) },
};

static guint8 message[64];

static void
setup(void)
{
  for (guint i = 0; i < sizeof(message); i++)
    message[i] = i;
}

TestSuite(hash, .init = setup);

Test(hash, matches_the_kernel_vector_for_fifteen_bytes_in_its_low_half)
{
  cr_assert_eq((guint32) mbx_hash64(&ref_key, message, 15), 0x2a519956u);
}

Test(hash, matches_the_kernel_vector_for_the_empty_message_in_its_low_half)
{
  cr_assert_eq((guint32) mbx_hash64(&ref_key, "", 0), 0x050fc4dcu);
}

Test(hash, matches_the_reference_vectors_around_word_boundaries)
{
  for (gsize i = 0; i < G_N_ELEMENTS(vectors); i++)
    {
      guint64 h = mbx_hash64(&ref_key, message, vectors[i].len);
      cr_assert_eq(h, vectors[i].hash, "%zu bytes: 0x%016" G_GINT64_MODIFIER "x, expected 0x%016" G_GINT64_MODIFIER "x",
                   vectors[i].len, h, vectors[i].hash);
    }
}

Test(hash, one_part_hashes_like_the_plain_bytes)
{
  const gchar *parts[] = { (const gchar *) message };
  gsize lens[] = { 15 };
  cr_assert_eq(mbx_hash64_parts(&ref_key, parts, lens, 1), G_GUINT64_CONSTANT(0xd320d86d2a519956));
}

Test(hash, parts_are_hashed_as_joined_with_a_separator_not_concatenated)
{
  MbxHashKey key = { 1, 2 };
  const gchar *ab_c[] = { "ab", "c" };
  const gchar *a_bc[] = { "a", "bc" };
  gsize lens_21[] = { 2, 1 }, lens_12[] = { 1, 2 };

  guint64 h_ab_c = mbx_hash64_parts(&key, ab_c, lens_21, 2);
  guint64 h_a_bc = mbx_hash64_parts(&key, a_bc, lens_12, 2);
  cr_assert_neq(h_ab_c, mbx_hash64(&key, "abc", 3), "parts hash as plain concatenation");
  cr_assert_neq(h_ab_c, h_a_bc, "moving the boundary between parts does not change the hash");
  cr_assert_eq(h_ab_c, mbx_hash64(&key, "ab\x1f"
                                        "c",
                                  4),
               "not joined with 0x1f as documented");
}

Test(hash, empty_parts_still_count_as_parts)
{
  MbxHashKey key = { 1, 2 };
  const gchar *one[] = { "m" };
  const gchar *two[] = { "m", "" };
  gsize lens1[] = { 1 }, lens2[] = { 1, 0 };
  cr_assert_neq(mbx_hash64_parts(&key, one, lens1, 1), mbx_hash64_parts(&key, two, lens2, 2));
}

Test(hash, the_key_changes_the_hash)
{
  MbxHashKey a = { 1, 2 }, b = { 1, 3 }, c = { 2, 2 };
  guint64 ha = mbx_hash64(&a, "alice@contoso.com", 17);
  cr_assert_neq(ha, mbx_hash64(&b, "alice@contoso.com", 17));
  cr_assert_neq(ha, mbx_hash64(&c, "alice@contoso.com", 17));
  cr_assert_eq(ha, mbx_hash64(&a, "alice@contoso.com", 17), "the hash is not deterministic");
}

Test(hash, parts_split_at_any_byte_hash_like_the_joined_message)
{
  /* the streaming update must not depend on where the 8-byte words are cut */
  MbxHashKey key = { 0x1234, 0x5678 };
  for (gsize cut = 0; cut <= 40; cut++)
    {
      const gchar *parts[] = { (const gchar *) message, (const gchar *) message + cut };
      gsize lens[] = { cut, 40 - cut };
      guint8 joined[41];
      memcpy(joined, message, cut);
      joined[cut] = 0x1f;
      memcpy(joined + cut + 1, message + cut, 40 - cut);
      cr_assert_eq(mbx_hash64_parts(&key, parts, lens, 2), mbx_hash64(&key, joined, 41), "cut at %zu", cut);
    }
}
