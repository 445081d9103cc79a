/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Shared by the state-file fuzz target (fuzz-state.c) and the generator of
 * its seed corpus (fuzz-state-seeds.c): the state options, the records
 * counted (fixtures, decoded once, their event times set by the caller) and
 * the file checksum.  Sharing them is what makes the seeds useful: the
 * target counts the same records the seeds were saved with, under the same
 * window layout, so it reads back the very entries the fuzzer mutates.
 *
 * Sources: fuzz-state-common.c; needs FIXTURE_DIR and the core library.
 */
#ifndef FUZZ_STATE_H_INCLUDED
#define FUZZ_STATE_H_INCLUDED

#include "mbx-state.h"

#include <glib.h>

/* a state file ends with the SHA-256 of everything before it */
#define FUZZ_STATE_DIGEST_LEN 32

/* 2026-01-01T00:00:00Z: the seeds count records in the three days from here */
#define FUZZ_STATE_T0 (G_GINT64_CONSTANT(1767225600) * G_USEC_PER_SEC)
/* the target counts them again an hour after the seeds' last day: not late, inside the day window */
#define FUZZ_STATE_TARGET_TIME (FUZZ_STATE_T0 + 3 * G_TIME_SPAN_DAY + G_TIME_SPAN_HOUR)

/* the default windows (what a state file must match) with small caps: loading bigger files evicts */
void fuzz_state_options(MbxStateOptions *options, guint max_mailboxes);

/* the fixture records, decoded (an array of MbxRecord, freed with it); aborts when a fixture is missing */
GPtrArray *fuzz_state_records(void);

/* counts each record at @time plus one second per record, every fourth as trusted; with @geo every other one located */
void fuzz_state_observe_all(MbxState *state, GPtrArray *records, gint64 time, gboolean geo);

/* the SHA-256 of @data, as the state file's trailer */
void fuzz_state_digest(const guint8 *data, gsize len, guint8 digest[FUZZ_STATE_DIGEST_LEN]);

#endif
