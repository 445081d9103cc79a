/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The state file: learned baselines take days, so a restart must not lose
 * them.
 *
 * Layout (host byte order, checked by a marker):
 *   header:  "MBXSTATE", version, byte-order marker, hash key, window layout,
 *            entry size of every table
 *   body:    for each table: its id and shard count, then for each shard the
 *            number of entries and the entries, oldest place in their lists first
 *   trailer: SHA-256 of everything before it
 *
 * Invariants: a file is written to a temporary name, flushed to disk and
 * renamed over the old one, so a crash leaves the old or the new file, never
 * half of one; it is loaded only after its checksum verified in a first
 * pass, so a corrupt file changes nothing; a file whose layout differs from
 * the configured one (windows, buckets, entry sizes) is refused rather than
 * misread.
 */
#include "mbx-error.h"
#include "state-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define STATE_MAGIC "MBXSTATE"
#define STATE_VERSION 3 /* 2: keys are SipHash-1-3 (1 used SipHash-2-4); 3: grants keep their filter hash */
#define BYTE_ORDER_MARK 0x01020304u
#define DIGEST_LEN 32

typedef struct
{
  gchar magic[8];
  guint32 version;
  guint32 byte_order;
  guint64 k0, k1;
  guint32 n_windows;
  guint32 n_buckets;
  gint64 window_us[MBX_MAX_WINDOWS];
  guint32 n_tables;
  guint32 entry_size[MBX_TABLE_MAX];
} StateHeader;

typedef struct
{
  FILE *f;
  GChecksum *sum;
  gboolean failed;
} Writer;

static void
_write(Writer *w, const void *data, gsize len)
{
  if (w->failed || len == 0)
    return;
  if (fwrite(data, 1, len, w->f) != len)
    w->failed = TRUE;
  g_checksum_update(w->sum, data, len);
}

static void
_header_of(MbxState *self, StateHeader *h)
{
  memset(h, 0, sizeof(*h));
  memcpy(h->magic, STATE_MAGIC, 8);
  h->version = STATE_VERSION;
  h->byte_order = BYTE_ORDER_MARK;
  h->k0 = self->key.k0;
  h->k1 = self->key.k1;
  h->n_windows = self->options.n_windows;
  h->n_buckets = self->options.n_buckets;
  /* only the configured windows: what lies past n_windows is not part of the layout */
  memcpy(h->window_us, self->options.window_us, self->options.n_windows * sizeof(h->window_us[0]));
  h->n_tables = MBX_TABLE_MAX;
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    h->entry_size[t] = mbx_table_entry_size(self->tables[t]);
}

static gboolean
_fail_errno(GError **error, const gchar *what, const gchar *path)
{
  gint e = errno;
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s %s: %s", what, path, g_strerror(e));
  return FALSE;
}

gboolean
mbx_state_save(MbxState *self, const gchar *path, MbxClockFunc clock, gint64 *longest_stall_us, GError **error)
{
  gchar *tmp = g_strconcat(path, ".tmp.XXXXXX", NULL);
  gint fd = g_mkstemp(tmp);
  Writer w = { NULL, NULL, FALSE };
  StateHeader header;
  GByteArray *buf = g_byte_array_new();
  gint64 longest = 0;
  gboolean ok = FALSE;

  if (fd < 0)
    {
      _fail_errno(error, "cannot create", tmp);
      goto out;
    }
  w.f = fdopen(fd, "wb");
  if (!w.f)
    {
      _fail_errno(error, "cannot open", tmp);
      close(fd);
      goto out;
    }
  w.sum = g_checksum_new(G_CHECKSUM_SHA256);

  _header_of(self, &header);
  _write(&w, &header, sizeof(header));
  for (guint32 t = 0; t < MBX_TABLE_MAX; t++)
    {
      MbxTableStore *table = self->tables[t];
      guint32 n_shards = mbx_table_n_shards(table);
      gsize size = mbx_table_entry_size(table);
      _write(&w, &t, sizeof(t));
      _write(&w, &n_shards, sizeof(n_shards));
      for (guint s = 0; s < n_shards; s++)
        {
          /* the only time message processing waits: one shard's copy */
          gint64 start = clock ? clock() : 0;
          guint32 n = mbx_table_copy_shard(table, s, buf);
          if (clock)
            {
              gint64 stall = clock() - start; /* MAX() would read the clock twice */
              longest = MAX(longest, stall);
            }
          /* list links are addresses of this process: meaningless in a file */
          for (guint32 i = 0; i < n; i++)
            {
              MbxEntry *e = (MbxEntry *) (buf->data + i * size);
              e->prev = e->next = NULL;
            }
          _write(&w, &n, sizeof(n));
          _write(&w, buf->data, buf->len);
        }
    }

  guint8 digest[DIGEST_LEN];
  gsize digest_len = sizeof(digest);
  g_checksum_get_digest(w.sum, digest, &digest_len);
  if (!w.failed && fwrite(digest, 1, digest_len, w.f) != digest_len)
    w.failed = TRUE;
  if (w.failed || fflush(w.f) != 0 || fsync(fileno(w.f)) != 0)
    {
      _fail_errno(error, "cannot write", tmp);
      goto out;
    }
  if (fclose(w.f) != 0)
    {
      w.f = NULL;
      _fail_errno(error, "cannot close", tmp);
      goto out;
    }
  w.f = NULL;
  if (g_rename(tmp, path) != 0)
    {
      _fail_errno(error, "cannot rename to", path);
      goto out;
    }
  ok = TRUE;

out:
  if (w.f)
    fclose(w.f);
  if (!ok && fd >= 0)
    g_unlink(tmp);
  if (w.sum)
    g_checksum_free(w.sum);
  g_byte_array_free(buf, TRUE);
  g_free(tmp);
  if (longest_stall_us)
    *longest_stall_us = longest;
  return ok;
}

/* ---- loading ---------------------------------------------------------- */

static gboolean
_corrupt(GError **error, const gchar *path, const gchar *why)
{
  g_set_error(error, MBX_ERROR, MBX_ERROR_MALFORMED, "state file %s is unusable: %s", path, why);
  return FALSE;
}

/* first pass: the trailer must be the SHA-256 of everything before it */
static gboolean
_verify(FILE *f, const gchar *path, gint64 *body_len, GError **error)
{
  if (fseeko(f, 0, SEEK_END) != 0)
    return _fail_errno(error, "cannot read", path);
  gint64 size = ftello(f);
  if (size < (gint64) (sizeof(StateHeader) + DIGEST_LEN))
    return _corrupt(error, path, "truncated");
  *body_len = size - DIGEST_LEN;
  rewind(f);

  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  guint8 chunk[65536];
  gint64 left = *body_len;
  while (left > 0)
    {
      gsize n = fread(chunk, 1, MIN((gint64) sizeof(chunk), left), f);
      if (n == 0)
        break;
      g_checksum_update(sum, chunk, n);
      left -= n;
    }
  guint8 want[DIGEST_LEN], got[DIGEST_LEN];
  gsize got_len = sizeof(got);
  g_checksum_get_digest(sum, got, &got_len);
  g_checksum_free(sum);
  if (left > 0 || fread(want, 1, DIGEST_LEN, f) != DIGEST_LEN || memcmp(want, got, DIGEST_LEN) != 0)
    return _corrupt(error, path, "checksum mismatch");
  rewind(f);
  return TRUE;
}

static gboolean
_read_exact(FILE *f, void *data, gsize len, gint64 *left)
{
  if ((gint64) len > *left || fread(data, 1, len, f) != len)
    return FALSE;
  *left -= len;
  return TRUE;
}

static gboolean
_check_header(const StateHeader *h, MbxState *probe, const gchar *path, GError **error)
{
  StateHeader want;
  _header_of(probe, &want);
  if (memcmp(h->magic, STATE_MAGIC, 8) != 0)
    return _corrupt(error, path, "not a mailbox-monitor state file");
  if (h->byte_order != BYTE_ORDER_MARK)
    return _corrupt(error, path, "written on a machine of another byte order");
  if (h->version != STATE_VERSION)
    return _corrupt(error, path, "written by another version of the state format");
  if (h->n_windows != want.n_windows || h->n_buckets != want.n_buckets ||
      memcmp(h->window_us, want.window_us, sizeof(want.window_us)) != 0)
    return _corrupt(error, path, "its windows differ from the configured ones");
  if (h->n_tables != want.n_tables || memcmp(h->entry_size, want.entry_size, sizeof(want.entry_size)) != 0)
    return _corrupt(error, path, "its table layout differs from this build's");
  return TRUE;
}

MbxState *
mbx_state_load(const MbxStateOptions *options, const gchar *path, gboolean *found, GError **error)
{
  MbxState *self = NULL;
  StateHeader header;
  gint64 left;
  FILE *f = fopen(path, "rb");

  *found = f != NULL;
  if (!f)
    {
      if (errno == ENOENT)
        return mbx_state_new(options, error);
      _fail_errno(error, "cannot open", path);
      return NULL;
    }
  if (!_verify(f, path, &left, error))
    goto fail;
  if (!_read_exact(f, &header, sizeof(header), &left))
    {
      _corrupt(error, path, "truncated header");
      goto fail;
    }
  MbxHashKey key = { header.k0, header.k1 };
  self = mbx_state_new_with_key(options, &key, error);
  if (!self || !_check_header(&header, self, path, error))
    goto fail;

  GByteArray *buf = g_byte_array_new();
  for (guint32 t = 0; t < MBX_TABLE_MAX; t++)
    {
      guint32 id, n_shards;
      gsize size = header.entry_size[t];
      if (!_read_exact(f, &id, sizeof(id), &left) || id != t || !_read_exact(f, &n_shards, sizeof(n_shards), &left))
        {
          g_byte_array_free(buf, TRUE);
          _corrupt(error, path, "bad table section");
          goto fail;
        }
      for (guint32 s = 0; s < n_shards; s++)
        {
          guint32 n;
          if (!_read_exact(f, &n, sizeof(n), &left) || (gint64) (n * size) > left)
            {
              g_byte_array_free(buf, TRUE);
              _corrupt(error, path, "bad shard section");
              goto fail;
            }
          g_byte_array_set_size(buf, n * size);
          if (!_read_exact(f, buf->data, buf->len, &left))
            {
              g_byte_array_free(buf, TRUE);
              _corrupt(error, path, "truncated shard");
              goto fail;
            }
          for (guint32 i = 0; i < n; i++)
            {
              const MbxEntry *entry = (const MbxEntry *) (buf->data + i * size);
              mbx_table_insert_raw(self->tables[t], entry);
              if (t == MBX_TABLE_GRANTS)
                mbx_state_note_loaded_grant(self, entry);
            }
        }
    }
  g_byte_array_free(buf, TRUE);
  if (left != 0)
    {
      _corrupt(error, path, "trailing bytes");
      goto fail;
    }
  fclose(f);
  return self;

fail:
  fclose(f);
  if (self)
    mbx_state_unref(self);
  return NULL;
}
