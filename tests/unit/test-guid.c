/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GUID parsing (mbx-guid.h): exactly the 8-4-4-4-12 hex form, any case.
 */
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-guid.h"

Test(guid, parses_the_hex_digits_into_sixteen_bytes)
{
  MbxGuid g;
  cr_assert(mbx_guid_parse("00112233-4455-6677-8899-aabbccddeeff", &g));
  for (gint i = 0; i < 16; i++)
    cr_assert_eq(g.b[i], (guint8) (i * 0x11), "byte %d is 0x%02x", i, g.b[i]);
}

Test(guid, ignores_case)
{
  MbxGuid a, b;
  cr_assert(mbx_guid_parse("d3590ed6-52b3-4102-aeff-aad2292ab01c", &a));
  cr_assert(mbx_guid_parse("D3590ED6-52B3-4102-AEFF-AAD2292AB01C", &b));
  cr_assert(mbx_guid_equal(&a, &b));
}

Test(guid, refuses_anything_else)
{
  const gchar *bad[] = { "",
                         "d3590ed6",
                         "d3590ed6-52b3-4102-aeff-aad2292ab01",
                         "d3590ed6-52b3-4102-aeff-aad2292ab01cc",
                         "{d3590ed6-52b3-4102-aeff-aad2292ab01c}",
                         "d3590ed652b3-4102-aeff-aad2292ab01c-",
                         "d3590ed6-52b3-4102-aeff-aad2292ab0g1",
                         "d3590ed6 52b3-4102-aeff-aad2292ab01c",
                         "d3590ed6-52b3-4102-aeff-aad2292ab01\xc3\xa9" };
  MbxGuid g;
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
    cr_assert_not(mbx_guid_parse(bad[i], &g), "\"%s\"", bad[i]);
  cr_assert_not(mbx_guid_parse(NULL, &g));
}
