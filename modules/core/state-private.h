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
};

MbxState *mbx_state_new_with_key(const MbxStateOptions *options, const MbxHashKey *key, GError **error);

#endif
