/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Replays fuzz corpora and fixtures through the fuzz target it is linked
 * with (decoder, policy or state file) as a normal test: every file given (or
 * found in a directory given) is one input; with --lines first, each of its
 * lines is one more (the decoder's, as the daemon sees a file line by line).
 * Exit code 0 means every input went through without a crash or failed
 * assertion.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gsize replayed;
static gboolean lines;

static void
_replay_file(const gchar *path)
{
  gchar *data;
  gsize len;
  GError *error = NULL;

  if (!g_file_get_contents(path, &data, &len, &error))
    {
      g_printerr("fuzz-replay: %s\n", error->message);
      g_error_free(error);
      return;
    }
  LLVMFuzzerTestOneInput((const uint8_t *) data, len);
  if (lines)
    {
      gchar **split = g_strsplit(data, "\n", -1);
      for (gchar **l = split; *l; l++)
        LLVMFuzzerTestOneInput((const uint8_t *) *l, strlen(*l));
      g_strfreev(split);
    }
  g_free(data);
  replayed++;
}

static void
_replay(const gchar *path)
{
  if (!g_file_test(path, G_FILE_TEST_IS_DIR))
    {
      _replay_file(path);
      return;
    }
  GDir *dir = g_dir_open(path, 0, NULL);
  const gchar *name;
  while (dir && (name = g_dir_read_name(dir)))
    {
      gchar *child = g_build_filename(path, name, NULL);
      _replay(child);
      g_free(child);
    }
  if (dir)
    g_dir_close(dir);
}

int
main(int argc, char **argv)
{
  gint first = 1;
  if (argc > 1 && strcmp(argv[1], "--lines") == 0)
    {
      lines = TRUE;
      first = 2;
    }
  for (gint i = first; i < argc; i++)
    _replay(argv[i]);
  if (replayed == 0)
    {
      g_printerr("fuzz-replay: no input found\n");
      return 1;
    }
  printf("fuzz-replay: %" G_GSIZE_FORMAT " files replayed without a finding\n", replayed);
  return 0;
}
