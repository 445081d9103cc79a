/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * mbx_ip_canonicalize on the address forms audit records carry.
 *
 * Sources: test-ip.c; links the core library.
 */
#include <arpa/inet.h>
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-ip.h"

static void
assert_canonical(const gchar *text, MbxIpKind kind, const gchar *expected)
{
  gchar out[MBX_IP_TEXT_MAX];
  MbxIpKind got = mbx_ip_canonicalize(text, strlen(text), out, sizeof(out));

  cr_assert_eq(got, kind, "\"%s\": kind %d, expected %d", text, got, kind);
  cr_assert_str_eq(out, expected, "\"%s\" became \"%s\", expected \"%s\"", text, out, expected);
}

Test(ip, keeps_a_plain_ipv4_address)
{
  assert_canonical("203.0.113.10", MBX_IP_V4, "203.0.113.10");
}

Test(ip, drops_the_port_of_an_ipv4_address)
{
  assert_canonical("1.2.3.4:8085", MBX_IP_V4, "1.2.3.4");
}

Test(ip, drops_brackets_and_port_around_an_ipv4_address)
{
  assert_canonical("[10.11.12.13]:12345", MBX_IP_V4, "10.11.12.13");
}

Test(ip, writes_an_ipv4_mapped_ipv6_address_as_ipv4)
{
  assert_canonical("::ffff:10.11.12.13", MBX_IP_V4, "10.11.12.13");
  assert_canonical("::FFFF:10.11.12.13", MBX_IP_V4, "10.11.12.13");
}

Test(ip, keeps_the_ipv6_loopback)
{
  assert_canonical("::1", MBX_IP_V6, "::1");
}

Test(ip, lower_cases_ipv6)
{
  assert_canonical("FE80::", MBX_IP_V6, "fe80::");
}

Test(ip, strips_leading_zeros_and_compresses_the_zero_run)
{
  assert_canonical("2603:10B6:0806:003C:0000:0000:0000:0005", MBX_IP_V6, "2603:10b6:806:3c::5");
}

Test(ip, compresses_the_longest_zero_run)
{
  assert_canonical("2001:db8:0:0:0:1:0:0", MBX_IP_V6, "2001:db8::1:0:0");
}

Test(ip, compresses_the_first_of_two_equal_zero_runs)
{
  assert_canonical("2001:db8:0:0:1:0:0:1", MBX_IP_V6, "2001:db8::1:0:0:1");
}

Test(ip, does_not_compress_a_single_zero_group)
{
  assert_canonical("2001:db8:0:1:1:1:1:1", MBX_IP_V6, "2001:db8:0:1:1:1:1:1");
}

Test(ip, re_expands_an_over_compressed_address)
{
  assert_canonical("2001:DB8:0:0:8:800:200C:417A", MBX_IP_V6, "2001:db8::8:800:200c:417a");
}

Test(ip, drops_brackets_and_port_around_an_ipv6_address)
{
  assert_canonical("[2603:10B6:806:3C::5]:51234", MBX_IP_V6, "2603:10b6:806:3c::5");
  assert_canonical("[2001:db8::1]", MBX_IP_V6, "2001:db8::1");
}

Test(ip, keeps_localhost_as_a_host)
{
  assert_canonical("localhost", MBX_IP_HOST, "localhost");
}

Test(ip, lower_cases_host_names)
{
  assert_canonical("LocalHost", MBX_IP_HOST, "localhost");
}

Test(ip, reports_empty_text_as_none)
{
  gchar out[MBX_IP_TEXT_MAX];

  cr_assert_eq(mbx_ip_canonicalize("", 0, out, sizeof(out)), MBX_IP_NONE);
}

Test(ip, reads_only_the_given_length)
{
  const gchar text[] = "10.1.2.3,10.9.9.9";
  gchar out[MBX_IP_TEXT_MAX];

  cr_assert_eq(mbx_ip_canonicalize(text, strlen("10.1.2.3"), out, sizeof(out)), MBX_IP_V4);
  cr_assert_str_eq(out, "10.1.2.3");
}

Test(ip, gives_one_text_for_every_spelling_of_an_address)
{
  const gchar *spellings[] = { "10.11.12.13", "10.11.12.13:443", "[10.11.12.13]:12345", "::ffff:10.11.12.13",
                               "[::ffff:10.11.12.13]:80" };

  for (gsize i = 0; i < G_N_ELEMENTS(spellings); i++)
    assert_canonical(spellings[i], MBX_IP_V4, "10.11.12.13");
}

/* the fast IPv4 parse accepts exactly what inet_pton(AF_INET) accepts, with the same bytes */
Test(ip, the_ipv4_parse_agrees_with_inet_pton)
{
  const gchar *cases[] = { "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04",
                           "1.2.3.0", "10.0.0.1", " 1.2.3.4", "1.2.3.4 ", "1..3.4", ".1.2.3", "1.2.3.", "1.2.3.4a",
                           "1234.1.1.1", "1.2.3.-4", "", "a.b.c.d", "192.168.100.200", "1.2.3.4\n", "999.0.0.0" };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      guint8 fast[4] = { 0 }, ref[4] = { 0 };
      gboolean want = inet_pton(AF_INET, cases[i], ref) == 1;
      cr_assert_eq(mbx_ip_parse_v4(cases[i], strlen(cases[i]), fast), want, "\"%s\"", cases[i]);
      if (want)
        cr_assert_eq(memcmp(fast, ref, 4), 0, "\"%s\"", cases[i]);
    }
  /* and random strings of digits and dots */
  GRand *rand = g_rand_new_with_seed(5);
  const gchar alphabet[] = "0123456789..";
  for (gint n = 0; n < 200000; n++)
    {
      gchar text[20];
      gint len = g_rand_int_range(rand, 1, 18);
      for (gint i = 0; i < len; i++)
        text[i] = alphabet[g_rand_int_range(rand, 0, sizeof(alphabet) - 1)];
      text[len] = '\0';
      guint8 fast[4] = { 0 }, ref[4] = { 0 };
      gboolean want = inet_pton(AF_INET, text, ref) == 1;
      cr_assert_eq(mbx_ip_parse_v4(text, len, fast), want, "\"%s\"", text);
      if (want)
        cr_assert_eq(memcmp(fast, ref, 4), 0, "\"%s\"", text);
    }
  g_rand_free(rand);
}

Test(ip, parses_what_inet_pton_parses_and_nothing_else)
{
  const gchar *texts[] = { "192.0.2.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5",
                           "::", "::1", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A", "::ffff:192.0.2.1",
                           "fe80::1%eth0", "2001:db8::1:", ":::", "host.example", "", " 1.2.3.4",
                           "1.2.3.4 ", "[2001:db8::1]", "2001:db8:0:0:0:0:0:0:1", NULL };
  for (gint i = 0; texts[i]; i++)
    {
      MbxIpAddr addr;
      guint8 expect[16] = { 0 };
      gboolean v4 = inet_pton(AF_INET, texts[i], expect) == 1;
      gboolean v6 = !v4 && inet_pton(AF_INET6, texts[i], expect) == 1;
      gboolean ok = mbx_ip_parse(texts[i], strlen(texts[i]), &addr);
      cr_assert_eq(ok, v4 || v6, "\"%s\"", texts[i]);
      if (!ok)
        continue;
      cr_assert_eq(addr.kind, v4 ? MBX_IP_V4 : MBX_IP_V6, "\"%s\"", texts[i]);
      cr_assert(memcmp(addr.bytes, expect, v4 ? 4 : 16) == 0, "\"%s\"", texts[i]);
    }
  MbxIpAddr addr;
  cr_assert_not(mbx_ip_parse("1.2.3.4", 5, &addr), "only the given length is read: \"1.2.3\"");
  cr_assert(mbx_ip_parse("10.0.0.1 trailing", 8, &addr) && addr.kind == MBX_IP_V4 && addr.bytes[3] == 1);
  cr_assert_not(mbx_ip_parse(NULL, 0, &addr));
}
