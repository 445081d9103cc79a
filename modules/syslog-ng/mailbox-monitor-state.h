/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef MAILBOX_MONITOR_STATE_H_INCLUDED
#define MAILBOX_MONITOR_STATE_H_INCLUDED

#include "cfg.h"
#include "mbx-state.h"

typedef struct _MbxStateHolder MbxStateHolder;

MbxStateHolder *mbx_state_holder_new(void);
MbxStateHolder *mbx_state_holder_ref(MbxStateHolder *self);
void mbx_state_holder_unref(MbxStateHolder *self);

/* configuration, before init */
MbxStateOptions *mbx_state_holder_options(MbxStateHolder *self);
void mbx_state_holder_set_file(MbxStateHolder *self, const gchar *path);
void mbx_state_holder_set_save_interval(MbxStateHolder *self, gint seconds);

gboolean mbx_state_holder_init(MbxStateHolder *self, GlobalConfig *cfg, const gchar *persist_name,
                               const gchar *stats_id, GError **error);
void mbx_state_holder_deinit(MbxStateHolder *self, GlobalConfig *cfg, const gchar *persist_name);

/* the state, between init and deinit */
MbxState *mbx_state_holder_get(MbxStateHolder *self);

#endif
