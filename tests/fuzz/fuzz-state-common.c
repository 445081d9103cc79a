/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What the state-file fuzz target and its seed generator share (see
 * fuzz-state.h): the options, the fixture records and the checksum.
 */
#include "fuzz-state.h"
#include "mbx-decoder.h"

#include <string.h>

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must be defined by the build"
#endif

/* one of each kind of record every state table holds: reads, searches, grants, sign-ins, audit changes */
static const gchar *fixtures[] = {
  "mgmt-mail-items-accessed-graph.json",
  "mgmt-mail-items-accessed-delegate.json",
  "mgmt-mail-items-accessed-throttled.json",
  "mgmt-mail-items-accessed-sync.json",
  "mgmt-mail-items-accessed-bind.json",
  "mgmt-search-query-initiated.json",
  "mgmt-add-mailbox-permission.json",
  "mgmt-consent-to-application.json",
  "mgmt-set-mailbox-audit-disabled.json",
  "mgmt-set-admin-audit-log-config.json",
  "eventhub-signin-interactive.json",
  "eventhub-signin-noninteractive.json",
  "eventhub-graph-activity-me-messages.json",
  "eventhub-graph-activity-app-only.json",
  "eventhub-graph-activity-search-query.json",
};

void
fuzz_state_options(MbxStateOptions *options, guint max_mailboxes)
{
  mbx_state_options_defaults(options);
  options->max_entries[MBX_TABLE_MAILBOXES] = max_mailboxes;
  options->max_entries[MBX_TABLE_TENANTS] = MAX(1, max_mailboxes / 4);
  options->n_shards = 1;
}

GPtrArray *
fuzz_state_records(void)
{
  GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify) mbx_record_free);
  MbxDecoder *decoder = mbx_decoder_new();

  for (gsize i = 0; i < G_N_ELEMENTS(fixtures); i++)
    {
      gchar *path = g_build_filename(FIXTURE_DIR, fixtures[i], NULL);
      gchar *text;
      gsize len;
      GError *error = NULL;
      MbxRecord *record = mbx_record_new();

      if (!g_file_get_contents(path, &text, &len, &error) ||
          !mbx_decoder_decode(decoder, text, len, record, &error))
        g_error("fuzz-state: fixture %s: %s", path, error->message);
      g_ptr_array_add(records, record);
      g_free(text);
      g_free(path);
    }
  mbx_decoder_free(decoder);
  return records;
}

void
fuzz_state_observe_all(MbxState *state, GPtrArray *records, gint64 time, gboolean geo)
{
  MbxGeoInfo where = { .country = "FR", .asn = 3215, .has_location = TRUE, .latitude = 48.8566, .longitude = 2.3522 };
  MbxObservation out;

  for (guint i = 0; i < records->len; i++)
    {
      MbxRecord *record = records->pdata[i];
      gint64 t = time + i * G_USEC_PER_SEC;
      mbx_record_set_int(record, MBX_F_EVENT_TIME, t);
      mbx_state_observe_geo(state, record, t, i % 4 == 3 ? MBX_OBSERVE_TRUSTED : 0, geo && i % 2 == 0 ? &where : NULL,
                            &out);
    }
}

void
fuzz_state_digest(const guint8 *data, gsize len, guint8 digest[FUZZ_STATE_DIGEST_LEN])
{
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  gsize digest_len = FUZZ_STATE_DIGEST_LEN;
  g_checksum_update(sum, data, len);
  g_checksum_get_digest(sum, digest, &digest_len);
  g_checksum_free(sum);
}
