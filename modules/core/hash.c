/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * SipHash-1-3 (Aumasson and Bernstein, with one compression and three
 * finalization rounds), written from the paper's description: 128-bit key,
 * 64-bit output, little-endian message words.  1-3 is the variant made for
 * hash tables (Rust's, Python's and the Linux kernel's table hashes): keyed,
 * so nobody without the key can make names collide, at about half the
 * rounds of 2-4, which cost a tenth of the state's time per record.
 */
#include "mbx-hash.h"
#include "ascii.h"

#include <string.h>

#define ROTL(x, b) (guint64)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND \
  do \
    { \
      v0 += v1; \
      v1 = ROTL(v1, 13); \
      v1 ^= v0; \
      v0 = ROTL(v0, 32); \
      v2 += v3; \
      v3 = ROTL(v3, 16); \
      v3 ^= v2; \
      v0 += v3; \
      v3 = ROTL(v3, 21); \
      v3 ^= v0; \
      v2 += v1; \
      v1 = ROTL(v1, 17); \
      v1 ^= v2; \
      v2 = ROTL(v2, 32); \
    } \
  while (0)

/*
 * The running state.  Message bytes that do not yet fill a word wait in
 * @carry (little-endian, @carry_len bytes), so parts are absorbed a word at
 * a time whatever their lengths; everything is inlined into the two entry
 * points so that v0..v3 stay in registers (a call and a store of the state
 * per word cost more than the rounds).
 */
typedef struct
{
  guint64 v0, v1, v2, v3;
  guint64 carry;
  guint carry_len;
  gsize total;
} SipState;

static inline __attribute__((always_inline)) void
_init(SipState *s, const MbxHashKey *key)
{
  s->v0 = 0x736f6d6570736575ULL ^ key->k0;
  s->v1 = 0x646f72616e646f6dULL ^ key->k1;
  s->v2 = 0x6c7967656e657261ULL ^ key->k0;
  s->v3 = 0x7465646279746573ULL ^ key->k1;
  s->carry = 0;
  s->carry_len = 0;
  s->total = 0;
}

static inline __attribute__((always_inline)) void
_compress(SipState *s, guint64 m)
{
  guint64 v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;
  v3 ^= m;
  SIPROUND;
  v0 ^= m;
  s->v0 = v0;
  s->v1 = v1;
  s->v2 = v2;
  s->v3 = v3;
}

static inline __attribute__((always_inline)) void
_update(SipState *s, const guint8 *data, gsize len)
{
  s->total += len;
  if (s->carry_len)
    {
      gsize need = 8 - s->carry_len;
      if (len < need)
        {
          s->carry |= mbx_load_le(data, len) << (8 * s->carry_len);
          s->carry_len += (guint) len;
          return;
        }
      _compress(s, s->carry | mbx_load_le(data, need) << (8 * s->carry_len));
      data += need;
      len -= need;
      s->carry = 0;
      s->carry_len = 0;
    }
  for (; len >= 8; data += 8, len -= 8)
    _compress(s, mbx_load_le(data, 8));
  s->carry = mbx_load_le(data, len);
  s->carry_len = (guint) len;
}

static inline __attribute__((always_inline)) guint64
_final(SipState *s)
{
  _compress(s, (guint64) (s->total & 0xff) << 56 | s->carry);

  guint64 v0 = s->v0, v1 = s->v1, v2 = s->v2 ^ 0xff, v3 = s->v3;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

guint64
mbx_hash64(const MbxHashKey *key, const void *data, gsize len)
{
  SipState s;
  _init(&s, key);
  _update(&s, data, len);
  return _final(&s);
}

guint64
mbx_hash64_parts(const MbxHashKey *key, const gchar *const *parts, const gsize *lens, guint n_parts)
{
  static const guint8 sep = 0x1f;
  SipState s;
  _init(&s, key);
  for (guint i = 0; i < n_parts; i++)
    {
      if (i)
        _update(&s, &sep, 1);
      _update(&s, (const guint8 *) parts[i], lens[i]);
    }
  return _final(&s);
}
