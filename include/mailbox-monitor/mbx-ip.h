/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Canonical client addresses.  Audit records write the same address in many
 * ways ("1.2.3.4:8085", "[10.1.2.3]:123", "::ffff:10.1.2.3", "FE80::"); the
 * rules and the state key on one canonical text per address.
 */
#ifndef MBX_IP_H_INCLUDED
#define MBX_IP_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MBX_IP_NONE, /* empty, or nothing usable */
  MBX_IP_V4,
  MBX_IP_V6,
  MBX_IP_HOST /* a host name such as "localhost", kept lower-cased */
} MbxIpKind;

#define MBX_IP_TEXT_MAX 64

/*
 * Writes the canonical text of @text into @out (@out_size >= MBX_IP_TEXT_MAX):
 * ports and brackets removed, IPv4-mapped IPv6 written as IPv4, IPv6 in
 * RFC 5952 form, host names lower-cased.
 */
MbxIpKind mbx_ip_canonicalize(const gchar *text, gsize len, gchar *out, gsize out_size);

/*
 * Parses @len bytes of @text as a dotted-quad IPv4 address into @out (network
 * order).  Accepts exactly what inet_pton(AF_INET) accepts (four decimal
 * octets up to 255, no leading zeros, nothing else), at a fraction of its
 * cost: every record's address is read several times.
 */
gboolean mbx_ip_parse_v4(const gchar *text, gsize len, guint8 out[4]);

/* An address as bytes: kind MBX_IP_V4 (4 bytes used) or MBX_IP_V6 (16) */
typedef struct
{
  MbxIpKind kind;
  guint8 bytes[16]; /* network order */
} MbxIpAddr;

/*
 * Parses @len bytes of @text as an IPv4 (as mbx_ip_parse_v4()) or IPv6
 * (as inet_pton(AF_INET6)) address; FALSE for anything else, host names
 * included.
 */
gboolean mbx_ip_parse(const gchar *text, gsize len, MbxIpAddr *out);

G_END_DECLS

#endif
