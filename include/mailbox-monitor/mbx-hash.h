/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Keyed 64-bit hashing (SipHash-1-3) of state keys.  Keys come from the
 * input, so the hash is keyed: without the key nobody can craft names that
 * collide into one state entry.
 */
#ifndef MBX_HASH_H_INCLUDED
#define MBX_HASH_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 k0, k1;
} MbxHashKey;

guint64 mbx_hash64(const MbxHashKey *key, const void *data, gsize len);

/* hash of several byte strings, as if joined with a 0x1f separator */
guint64 mbx_hash64_parts(const MbxHashKey *key, const gchar *const *parts, const gsize *lens, guint n_parts);

G_END_DECLS

#endif
