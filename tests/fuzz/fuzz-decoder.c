/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Fuzz target for the decoder: any bytes go through input location, record
 * decoding and batch splitting, then the detector.  Built with libFuzzer
 * (clang, -Dfuzzing=true) for fuzzing runs, and with fuzz-replay.c as a
 * plain test that replays the corpus and the regression fixtures.
 */
#include "mbx-decoder.h"
#include "mbx-detector.h"
#include "mbx-error.h"

#include <stdint.h>
#include <string.h>

static MbxDecoder *batch_decoder;
static MbxDecoder *decoder;
static MbxRecord *record;
static MbxDetector *detector;

static gboolean
_element(const gchar *json, gsize len, gpointer user_data)
{
  MbxVerdict verdict;
  if (mbx_decoder_decode(decoder, json, len, record, NULL))
    mbx_detector_evaluate(detector, record, &verdict);
  (*(gsize *) user_data)++;
  return TRUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  MbxVerdict verdict;
  GError *error = NULL;
  gsize offset, seen = 0, n = 0;

  if (!decoder)
    {
      batch_decoder = mbx_decoder_new();
      decoder = mbx_decoder_new();
      record = mbx_record_new();
      detector = mbx_detector_new();
    }

  MbxInputShape shape = mbx_input_locate((const gchar *) data, size, &offset);
  g_assert(shape == MBX_INPUT_NONE || offset < size);

  if (mbx_decoder_decode(decoder, (const gchar *) data, size, record, &error))
    {
      mbx_detector_evaluate(detector, record, &verdict);
      g_assert(verdict.score >= 0 && verdict.score <= 100);
      /* every set string field reads back NUL-terminated at its length */
      for (gint f = 0; f < MBX_F_MAX; f++)
        {
          gsize len;
          const gchar *v = mbx_record_get_string(record, f, &len);
          g_assert(!v || v[len] == '\0');
        }
    }
  else
    {
      g_assert(error != NULL && error->domain == MBX_ERROR);
      g_clear_error(&error);
    }

  if (mbx_decoder_split(batch_decoder, (const gchar *) data, size, _element, &seen, &n, &error))
    g_assert(seen == n);
  else
    {
      g_assert(seen == 0);
      g_clear_error(&error);
    }
  return 0;
}
