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

/*
 * Parses a duration such as "90s", "10m", "1h", "2d" or a plain number of
 * seconds into microseconds; FALSE for anything else or a non-positive value.
 */
gboolean mbx_duration_parse(const gchar *text, gint64 *out_us);

/* Writes @us as the first exact of "Nd" (two days or more), "Nh", "Nm" or "Ns". */
void mbx_duration_format(gint64 us, gchar *buf, gsize buf_size);

/* Formats @us as "YYYY-MM-DDThh:mm:ss.ffffffZ" into @buf (at least 32 bytes). */
void mbx_time_format(gint64 us, gchar *buf, gsize buf_size);

G_END_DECLS

#endif
