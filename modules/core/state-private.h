/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Private to the core: the state's layout, shared by state.c (counting) and
 * state-file.c (saving and loading).
 */
#ifndef MBX_STATE_PRIVATE_H_INCLUDED
#define MBX_STATE_PRIVATE_H_INCLUDED

#include "mbx-hash.h"
#include "mbx-state.h"
#include "table.h"

/* bits of the grant filter (see state.c, _grant_filter_hash) */
#define MBX_GRANT_FILTER_BITS 65536

struct _MbxState
{
  gint ref_cnt;
  MbxStateOptions options;
  MbxWindowSpec specs[MBX_MAX_WINDOWS];
  MbxHashKey key;
  MbxTableStore *tables[MBX_TABLE_MAX];
  gsize records;
  gsize late;
  gsize clamped;
  /* a Bloom filter over the grantees of the grants table: most records need no grant lookup */
  guint32 grant_filter[MBX_GRANT_FILTER_BITS / 32];
};

/* sets the grant filter's bits of a grants-table entry read from a state file */
void mbx_state_note_loaded_grant(MbxState *self, const MbxEntry *entry);

MbxState *mbx_state_new_with_key(const MbxStateOptions *options, const MbxHashKey *key, GError **error);

#endif
