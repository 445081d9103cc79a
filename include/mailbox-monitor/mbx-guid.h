/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * App ids as 16 bytes.  Every mail read is checked against the approved and
 * the first-party apps; comparing parsed ids costs a fraction of comparing
 * their 36-character texts without regard to case.
 */
#ifndef MBX_GUID_H_INCLUDED
#define MBX_GUID_H_INCLUDED

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

typedef struct
{
  guint8 b[16];
} MbxGuid;

/* Parses the 36 characters of a GUID ("8-4-4-4-12" hex digits, any case, nothing else). */
gboolean mbx_guid_parse(const gchar *text, MbxGuid *out);

static inline gboolean
mbx_guid_equal(const MbxGuid *a, const MbxGuid *b)
{
  return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

G_END_DECLS

#endif
