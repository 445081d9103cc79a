/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Sources: fixture.c (this file); needs FIXTURE_DIR, glib, criterion and the core library.
 */
#include "fixture.h"
#include "mailbox-monitor/mbx-error.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must be defined by the build, e.g. -DFIXTURE_DIR=\"/path/to/tests/fixtures\""
#endif

gchar *
fixture_load(const gchar *name, gsize *len)
{
  gchar *path = g_build_filename(FIXTURE_DIR, name, NULL);
  gchar *contents = NULL;
  gsize length = 0;
  GError *error = NULL;

  if (!g_file_get_contents(path, &contents, &length, &error))
    cr_assert_fail("cannot load fixture %s: %s", path, error->message);

  g_free(path);
  if (len)
    *len = length;
  return contents;
}

void
fixture_decode(MbxDecoder *decoder, const gchar *name, MbxRecord *record)
{
  gsize len;
  gchar *input = fixture_load(name, &len);
  GError *error = NULL;

  gboolean ok = mbx_decoder_decode(decoder, input, len, record, &error);
  cr_assert(ok, "decoding %s failed: %s", name, error ? error->message : "(no error set)");
  cr_assert_null(error, "decoding %s succeeded but set an error", name);
  g_free(input);
}

const gchar *
record_str(const MbxRecord *record, MbxField field)
{
  gsize len = 0;

  return mbx_record_get_string(record, field, &len);
}
