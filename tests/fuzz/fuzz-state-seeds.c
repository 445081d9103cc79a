/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Writes the seed corpus of the state-file fuzz target into the directory
 * given: real state files saved by mbx_state_save() after counting the
 * fixture records of fuzz-state-common.c (empty, one day, three days, a
 * capped state that evicted), and broken variants of them (cut, a flipped
 * byte, another version, other windows, bad sections, trailing bytes), the
 * ones past the checksum check resealed with a correct checksum.
 *
 * tests/fuzz/corpus-state holds its output; scripts/fuzz.sh runs it again
 * before fuzzing, so a change of the entry layout (which makes the committed
 * seeds stop at the header check) still fuzzes from files of this build.
 * The hash key comes from a fixed seed, so a run writes the same bytes.
 *
 *   fuzz-state-seeds OUTDIR
 */
#include "fuzz-state.h"

#include <glib/gstdio.h>
#include <string.h>

/* field offsets of the header (StateHeader in state-file.c): magic, version, byte order, key, windows */
#define OFFSET_VERSION 8
#define OFFSET_N_BUCKETS 36

static const gchar *outdir;

static GByteArray *
_save(MbxState *state, const gchar *name)
{
  gchar *file = g_build_filename(outdir, name, NULL);
  GError *error = NULL;
  gchar *data;
  gsize len;

  if (!mbx_state_save(state, file, NULL, NULL, &error) || !g_file_get_contents(file, &data, &len, &error))
    g_error("fuzz-state-seeds: %s: %s", file, error->message);
  g_free(file);
  return g_byte_array_new_take((guint8 *) data, len);
}

static MbxState *
_state(guint max_mailboxes)
{
  MbxStateOptions options;
  GError *error = NULL;

  fuzz_state_options(&options, max_mailboxes);
  MbxState *state = mbx_state_new(&options, &error);
  if (!state)
    g_error("fuzz-state-seeds: %s", error->message);
  return state;
}

/* writes @len bytes of @data as @name, resealed (checksum of what precedes it) when @reseal */
static void
_write_variant(const gchar *name, const guint8 *data, gsize len, gboolean reseal)
{
  gchar *file = g_build_filename(outdir, name, NULL);
  GByteArray *out = g_byte_array_sized_new(len);
  GError *error = NULL;

  g_byte_array_append(out, data, len);
  if (reseal)
    {
      g_assert(len >= FUZZ_STATE_DIGEST_LEN);
      fuzz_state_digest(out->data, len - FUZZ_STATE_DIGEST_LEN, out->data + len - FUZZ_STATE_DIGEST_LEN);
    }
  if (!g_file_set_contents(file, (const gchar *) out->data, out->len, &error))
    g_error("fuzz-state-seeds: %s: %s", file, error->message);
  g_byte_array_free(out, TRUE);
  g_free(file);
}

static void
_put_u32(GByteArray *file, gsize offset, guint32 value)
{
  g_assert(offset + sizeof(value) <= file->len);
  memcpy(file->data + offset, &value, sizeof(value));
}

int
main(int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr("usage: %s OUTDIR\n", argv[0]);
      return 2;
    }
  outdir = argv[1];
  if (g_mkdir_with_parents(outdir, 0755) != 0)
    g_error("fuzz-state-seeds: cannot create %s", outdir);
  g_random_set_seed(20260101);

  GPtrArray *records = fuzz_state_records();

  /* an empty state: the header and one empty shard per table, which gives the header's length */
  MbxState *state = _state(64);
  GByteArray *empty = _save(state, "empty.state");
  mbx_state_unref(state);
  gsize sections = MBX_TABLE_MAX * (2 * sizeof(guint32) + sizeof(guint32));
  g_assert(empty->len > sections + FUZZ_STATE_DIGEST_LEN);
  gsize header_len = empty->len - sections - FUZZ_STATE_DIGEST_LEN;

  /* every record once */
  state = _state(64);
  fuzz_state_observe_all(state, records, FUZZ_STATE_T0 + 9 * G_TIME_SPAN_HOUR, TRUE);
  GByteArray *one_day = _save(state, "one-day.state");
  mbx_state_unref(state);

  /* three days, twice a day: protected entries, baselines, moved windows */
  state = _state(64);
  for (gint day = 0; day < 3; day++)
    {
      fuzz_state_observe_all(state, records, FUZZ_STATE_T0 + day * G_TIME_SPAN_DAY + 9 * G_TIME_SPAN_HOUR, TRUE);
      fuzz_state_observe_all(state, records, FUZZ_STATE_T0 + day * G_TIME_SPAN_DAY + 14 * G_TIME_SPAN_HOUR, FALSE);
    }
  GByteArray *three_days = _save(state, "three-days.state");
  mbx_state_unref(state);

  /* caps of 2 mailboxes: full tables that evicted */
  state = _state(2);
  for (gint day = 0; day < 2; day++)
    fuzz_state_observe_all(state, records, FUZZ_STATE_T0 + day * G_TIME_SPAN_DAY, day == 0);
  g_byte_array_free(_save(state, "evicted.state"), TRUE);
  mbx_state_unref(state);

  /* broken: cut, or a flipped byte, with the checksum they have */
  _write_variant("zero-length.state", empty->data, 0, FALSE);
  _write_variant("truncated-header.state", one_day->data, header_len / 2, FALSE);
  _write_variant("truncated-half.state", three_days->data, three_days->len / 2, FALSE);
  GByteArray *copy = g_byte_array_new();
  g_byte_array_append(copy, one_day->data, one_day->len);
  copy->data[header_len + 40] ^= 0x5a;
  _write_variant("flipped-byte.state", copy->data, copy->len, FALSE);

  /* broken past the checksum: resealed */
  g_byte_array_set_size(copy, 0);
  g_byte_array_append(copy, one_day->data, one_day->len);
  guint32 version;
  memcpy(&version, copy->data + OFFSET_VERSION, sizeof(version));
  _put_u32(copy, OFFSET_VERSION, version + 1);
  _write_variant("other-version.state", copy->data, copy->len, TRUE);

  g_byte_array_set_size(copy, 0);
  g_byte_array_append(copy, one_day->data, one_day->len);
  _put_u32(copy, OFFSET_N_BUCKETS, 12);
  _write_variant("other-windows.state", copy->data, copy->len, TRUE);

  /* the first table's id wrong; its first shard claiming 2^32-1 entries */
  g_byte_array_set_size(copy, 0);
  g_byte_array_append(copy, one_day->data, one_day->len);
  _put_u32(copy, header_len, 5);
  _write_variant("bad-table-id.state", copy->data, copy->len, TRUE);
  _put_u32(copy, header_len, 0);
  _put_u32(copy, header_len + 2 * sizeof(guint32), G_MAXUINT32);
  _write_variant("huge-shard.state", copy->data, copy->len, TRUE);

  /* eight bytes between the last shard and the checksum */
  g_byte_array_set_size(copy, 0);
  g_byte_array_append(copy, one_day->data, one_day->len - FUZZ_STATE_DIGEST_LEN);
  g_byte_array_append(copy, (const guint8 *) "trailing", 8);
  g_byte_array_set_size(copy, copy->len + FUZZ_STATE_DIGEST_LEN);
  _write_variant("trailing-bytes.state", copy->data, copy->len, TRUE);

  g_byte_array_free(copy, TRUE);
  g_byte_array_free(empty, TRUE);
  g_byte_array_free(one_day, TRUE);
  g_byte_array_free(three_days, TRUE);
  g_ptr_array_free(records, TRUE);
  return 0;
}
