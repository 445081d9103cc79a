/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Client address canonicalization.  Every form Exchange and Entra write is
 * reduced to one text: "[a.b.c.d]:port", "a.b.c.d:port" and
 * "::ffff:a.b.c.d" become "a.b.c.d"; IPv6 goes through inet_pton/inet_ntop
 * so case and zero compression are canonical (RFC 5952); anything that is
 * not an address but looks like a host name is kept, lower-cased.
 */
#include "mbx-ip.h"

#include <arpa/inet.h>
#include <string.h>

static gboolean
_is_host_name(const gchar *s, gsize len)
{
  if (len == 0 || len > 253)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!(g_ascii_isalnum(s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '_'))
        return FALSE;
    }
  return TRUE;
}

gboolean
mbx_ip_parse_v4(const gchar *text, gsize len, guint8 out[4])
{
  gsize i = 0;
  for (gint octet = 0; octet < 4; octet++)
    {
      if (octet > 0)
        {
          if (i >= len || text[i] != '.')
            return FALSE;
          i++;
        }
      gsize start = i;
      guint value = 0;
      while (i < len && g_ascii_isdigit(text[i]) && i - start < 3)
        value = value * 10 + (text[i++] - '0');
      gsize digits = i - start;
      if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0') || (i < len && g_ascii_isdigit(text[i])))
        return FALSE;
      out[octet] = (guint8) value;
    }
  return i == len;
}

gboolean
mbx_ip_parse(const gchar *text, gsize len, MbxIpAddr *out)
{
  gchar buf[MBX_IP_TEXT_MAX];

  memset(out, 0, sizeof(*out));
  if (!text)
    return FALSE;
  if (mbx_ip_parse_v4(text, len, out->bytes))
    {
      out->kind = MBX_IP_V4;
      return TRUE;
    }
  /* inet_pton wants a C string: the longest IPv6 text (with an IPv4 tail) is 45 bytes */
  if (len >= sizeof(buf) || memchr(text, '\0', len))
    return FALSE;
  memcpy(buf, text, len);
  buf[len] = '\0';
  if (inet_pton(AF_INET6, buf, out->bytes) != 1)
    {
      memset(out->bytes, 0, sizeof(out->bytes));
      return FALSE;
    }
  out->kind = MBX_IP_V6;
  return TRUE;
}

MbxIpKind
mbx_ip_canonicalize(const gchar *text, gsize len, gchar *out, gsize out_size)
{
  gchar buf[MBX_IP_TEXT_MAX];
  const gchar *s = text;

  g_assert(out_size >= MBX_IP_TEXT_MAX);
  out[0] = '\0';
  if (!text)
    return MBX_IP_NONE;

  while (len > 0 && g_ascii_isspace(*s))
    {
      s++;
      len--;
    }
  while (len > 0 && g_ascii_isspace(s[len - 1]))
    len--;
  if (len == 0 || len >= sizeof(buf))
    return MBX_IP_NONE;

  if (s[0] == '[')
    {
      /* [addr] or [addr]:port */
      const gchar *close = memchr(s, ']', len);
      if (!close)
        return MBX_IP_NONE;
      len = close - s - 1;
      s++;
    }
  else
    {
      const gchar *first_colon = memchr(s, ':', len);
      if (first_colon && !memchr(first_colon + 1, ':', len - (first_colon + 1 - s)))
        len = first_colon - s; /* exactly one colon: host or IPv4 with port */
    }

  memcpy(buf, s, len);
  buf[len] = '\0';

  struct in_addr a4;
  struct in6_addr a6;
  if (mbx_ip_parse_v4(buf, len, (guint8 *) &a4))
    {
      /* the parse takes only the canonical dotted quad (no leading zeros, no
       * short forms), so the text is its own canonical form: inet_ntop would
       * cost ten times the copy */
      memcpy(out, buf, len + 1);
      return MBX_IP_V4;
    }
  /* drop an IPv6 zone id ("fe80::1%eth0") */
  gchar *pct = strchr(buf, '%');
  if (pct)
    *pct = '\0';
  if (inet_pton(AF_INET6, buf, &a6) == 1)
    {
      if (IN6_IS_ADDR_V4MAPPED(&a6))
        {
          memcpy(&a4, &a6.s6_addr[12], 4);
          inet_ntop(AF_INET, &a4, out, out_size);
          return MBX_IP_V4;
        }
      inet_ntop(AF_INET6, &a6, out, out_size);
      return MBX_IP_V6;
    }
  if (_is_host_name(buf, strlen(buf)))
    {
      for (gsize i = 0; buf[i]; i++)
        out[i] = g_ascii_tolower(buf[i]);
      out[strlen(buf)] = '\0';
      return MBX_IP_HOST;
    }
  return MBX_IP_NONE;
}
