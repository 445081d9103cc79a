/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Fuzz target for the state-file loader: any bytes are written to an
 * anonymous file (memfd, reopened through /proc/self/fd) and loaded with
 * mbx_state_load(), as the parser loads its state() file at startup.  A
 * refused file must come with an error; a loaded state then counts the
 * fixture records of fuzz-state-common.c (the seeds were saved with the same
 * records, so they meet the entries the fuzzer changed) and is released.
 *
 * The file ends with a SHA-256 of the rest, which random changes never
 * match, so only the checksum check would be fuzzed.  Every input is
 * therefore loaded as it is, and again with its last 32 bytes replaced by
 * the right checksum ("resealed") when they were not: the header checks, the
 * table sections and, above all, the raw entries the loader trusts are what
 * get fuzzed.  Built with libFuzzer (clang, -Dfuzzing=true) and with
 * fuzz-replay.c as a plain test over tests/fuzz/corpus-state.
 *
 * Strings in loaded entries may have no NUL: state.c copies them bounded
 * by their field.  The regression test for that is a unit test
 * (test-correlation.c, a forged state file without string ends), run under
 * valgrind by scripts/test.sh, since a read past an entry inside an
 * uninstrumented library is invisible to ASan.
 */
#include "fuzz-state.h"
#include "mbx-error.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static gint fd = -1;
static gchar *path;
static MbxStateOptions options;
static GPtrArray *records;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
_init(void)
{
  fd = memfd_create("fuzz-state", MFD_CLOEXEC);
  if (fd < 0)
    {
      gchar *name = NULL;
      fd = g_file_open_tmp("fuzz-state-XXXXXX", &name, NULL);
      g_assert(fd >= 0);
      g_unlink(name);
      g_free(name);
    }
  path = g_strdup_printf("/proc/self/fd/%d", fd);
  /* 4 mailboxes (8 actors): fewer than the bigger seeds hold, so loading them evicts */
  fuzz_state_options(&options, 4);
  records = fuzz_state_records();
}

static void
_write_at(const void *data, gsize size, gsize offset)
{
  for (gsize done = 0; done < size;)
    {
      gssize n = pwrite(fd, (const guint8 *) data + done, size - done, offset + done);
      g_assert(n > 0);
      done += n;
    }
}

static void
_load(void)
{
  GError *error = NULL;
  gboolean found = FALSE;

  MbxState *state = mbx_state_load(&options, path, &found, &error);
  g_assert(found);
  if (!state)
    {
      g_assert(error != NULL);
      g_clear_error(&error);
      return;
    }
  g_assert(error == NULL);

  MbxStateStats stats;
  fuzz_state_observe_all(state, records, FUZZ_STATE_TARGET_TIME, TRUE);
  mbx_state_get_stats(state, &stats);
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    mbx_state_memory_estimate(state, t);
  mbx_state_unref(state);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (fd < 0)
    _init();

  g_assert(ftruncate(fd, 0) == 0);
  _write_at(data, size, 0);
  _load();

  /* resealed: the same body with the checksum it needs, when it had another */
  if (size < FUZZ_STATE_DIGEST_LEN)
    return 0;
  guint8 digest[FUZZ_STATE_DIGEST_LEN];
  gsize body = size - FUZZ_STATE_DIGEST_LEN;
  fuzz_state_digest(data, body, digest);
  if (memcmp(digest, data + body, FUZZ_STATE_DIGEST_LEN) == 0)
    return 0;
  _write_at(digest, FUZZ_STATE_DIGEST_LEN, body);
  _load();
  return 0;
}
