/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Timestamp parsing for the forms audit records carry.
 */
#ifndef MBX_TIME_H_INCLUDED
#define MBX_TIME_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

/*
 * Parses @text (not NUL-terminated, @len bytes) into UTC microseconds since
 * the epoch.  Accepted: ISO 8601 with 'T' or ' ' between date and time, no
 * zone (UTC implied), 'Z' or a +hh:mm / -hhmm offset, 0-9 fractional digits
 * (digits past microseconds are dropped), surrounding blanks; and the US
 * locale form "M/D/YYYY h:mm:ss AM|PM" (also 24-hour without AM/PM).
 */
gboolean mbx_time_parse(const gchar *text, gsize len, gint64 *out_us);

/* Formats @us as "YYYY-MM-DDThh:mm:ss.ffffffZ" into @buf (at least 32 bytes). */
void mbx_time_format(gint64 us, gchar *buf, gsize buf_size);

G_END_DECLS

#endif
