/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * GUID parsing (mbx-guid.h): exactly the 8-4-4-4-12 hex form, any case.
 */
#include <criterion/criterion.h>
#include <string.h>
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

Test(guid, accepts_exactly_the_hex_digits_at_every_place_and_the_dashes_between)
{
  /* every byte value at every one of the 36 places, against g_ascii_isxdigit */
  const gchar *good = "0123abcd-4567-89ef-ABCD-EF0123456789";
  gchar text[37];
  MbxGuid g;
  for (gint place = 0; place < 36; place++)
    {
      gboolean dash = place == 8 || place == 13 || place == 18 || place == 23;
      for (gint c = 1; c < 256; c++)
        {
          memcpy(text, good, 37);
          text[place] = (gchar) c;
          gboolean expected = dash ? c == '-' : g_ascii_isxdigit(c);
          cr_assert_eq(mbx_guid_parse(text, &g), expected, "byte 0x%02x at place %d", c, place);
          if (expected && !dash)
            {
              gint value = g_ascii_xdigit_value((gchar) c);
              gint byte = place - (place > 8) - (place > 13) - (place > 18) - (place > 23);
              cr_assert_eq(byte % 2 ? g.b[byte / 2] & 0xf : g.b[byte / 2] >> 4, value, "value at place %d", place);
            }
        }
    }
}
