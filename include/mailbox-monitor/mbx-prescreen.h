/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pre-screen: recognizes, from the raw text alone, a record that no rule
 * reads, so it can pass on without being decoded.  SharePoint, OneDrive and
 * Teams records dominate unified-audit-log volume and say nothing about
 * mailboxes.
 *
 * It is conservative: it answers SKIP only when it positively reads a
 * top-level Workload that no rule uses, and DECODE whenever it is unsure.
 */
#ifndef MBX_PRESCREEN_H_INCLUDED
#define MBX_PRESCREEN_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MBX_PRESCREEN_DECODE, /* decode it: a record the rules may read, or not sure */
  MBX_PRESCREEN_SKIP    /* one Management API record of a workload no rule reads */
} MbxPrescreen;

/*
 * Looks at @input (a syslog header before the JSON is allowed, as for the
 * decoder).  SKIP needs all of: one JSON object that ends with its closing
 * brace, exactly one "Workload" key, its value a plain string (no escapes)
 * naming a workload in mbx_prescreen_workloads().  Costs one or two memmem
 * passes over the text; never allocates.
 */
MbxPrescreen mbx_prescreen(const gchar *input, gsize len);

/* the workloads skipped, NULL-terminated (as the Management API spells them) */
const gchar *const *mbx_prescreen_workloads(void);

G_END_DECLS

#endif
