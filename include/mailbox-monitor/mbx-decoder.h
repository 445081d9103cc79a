/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The audit record decoder: raw message text in, normalized MbxRecord out.
 *
 * A decoder owns the JSON parser's buffers and is reused across messages; it
 * is not thread-safe, so callers keep one per thread.  Decoding never logs:
 * failures come back as GError (MBX_ERROR domain).
 */
#ifndef MBX_DECODER_H_INCLUDED
#define MBX_DECODER_H_INCLUDED

#include <glib.h>
#include "mbx-record.h"

G_BEGIN_DECLS

/* the largest single input (record or batch) the decoder accepts */
#define MBX_DECODER_MAX_INPUT (64 * 1024 * 1024)

typedef enum
{
  MBX_INPUT_NONE,   /* no JSON value found */
  MBX_INPUT_RECORD, /* one JSON object: a record */
  MBX_INPUT_ARRAY,  /* a JSON array: a Management API content blob */
  MBX_INPUT_BATCH   /* an object with a "records" array: an Event Hub batch */
} MbxInputShape;

/*
 * Finds where the JSON in @input starts (past a syslog header, a BOM or
 * blanks) and what shape it has, looking only at the first bytes.  The shape
 * is a guess from the opening bytes: decoding confirms it.
 */
MbxInputShape mbx_input_locate(const gchar *input, gsize len, gsize *json_offset);

typedef struct _MbxDecoder MbxDecoder;

MbxDecoder *mbx_decoder_new(void);
void mbx_decoder_free(MbxDecoder *self);

/*
 * Decodes one record (a syslog header before the JSON is skipped).  On
 * success @record holds the normalized fields (it is reset first).
 */
gboolean mbx_decoder_decode(MbxDecoder *self, const gchar *input, gsize len, MbxRecord *record, GError **error);

/*
 * Called once per element of a batch, in order.  @json is the element's
 * JSON text (valid only during the call).  Return FALSE to stop.
 */
typedef gboolean (*MbxBatchElementFunc)(const gchar *json, gsize len, gpointer user_data);

/*
 * Walks a content blob (JSON array) or an Event Hub batch ({"records":[...]})
 * and calls @func with each element's text.  Elements that are not objects
 * are passed too (the caller decodes each, and a non-record becomes its own
 * unparsed message).  Fails, calling @func for nothing, when the batch itself
 * does not parse (for example a blob cut short): a cut blob is never
 * half-processed.  The element texts point into the decoder's buffer, so
 * @func must not use this decoder; decode elements with a second one.
 */
gboolean mbx_decoder_split(MbxDecoder *self, const gchar *input, gsize len, MbxBatchElementFunc func,
                           gpointer user_data, gsize *n_elements, GError **error);

G_END_DECLS

#endif
