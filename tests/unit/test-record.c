/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The normalized record: field storage, types, names, kinds and reset.
 *
 * Sources: test-record.c; links the core library.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-record.h"

static MbxRecord *record;

static void
setup(void)
{
  record = mbx_record_new();
  cr_assert_not_null(record);
}

static void
teardown(void)
{
  mbx_record_free(record);
}

TestSuite(record, .init = setup, .fini = teardown);

static void
set_str(MbxField field, const gchar *value)
{
  mbx_record_set_string(record, field, value, strlen(value));
}

static const gchar *
get_str(MbxField field)
{
  gsize len = 0;

  return mbx_record_get_string(record, field, &len);
}

Test(record, starts_with_every_field_unset)
{
  for (gint f = 0; f < MBX_F_MAX; f++)
    cr_assert_not(mbx_record_has(record, (MbxField) f), "%s is set on a new record", mbx_field_name((MbxField) f));
}

Test(record, unset_kind_reads_as_other_and_unset_actor_as_unknown)
{
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_OTHER);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_UNKNOWN);
}

Test(record, stores_a_copy_of_a_string)
{
  gchar value[] = "alice@contoso.com";

  mbx_record_set_string(record, MBX_F_MAILBOX, value, strlen(value));
  value[0] = 'X';
  cr_assert(mbx_record_has(record, MBX_F_MAILBOX));
  cr_assert_str_eq(get_str(MBX_F_MAILBOX), "alice@contoso.com");
}

Test(record, copies_only_the_given_length_and_reports_it)
{
  gsize len = 0;

  mbx_record_set_string(record, MBX_F_ACTOR, "bob@contoso.com;trailing", strlen("bob@contoso.com"));
  cr_assert_str_eq(mbx_record_get_string(record, MBX_F_ACTOR, &len), "bob@contoso.com");
  cr_assert_eq(len, strlen("bob@contoso.com"));
}

Test(record, a_zero_length_string_leaves_the_field_unset)
{
  mbx_record_set_string(record, MBX_F_CLIENT_APP_ID, "", 0);
  cr_assert_not(mbx_record_has(record, MBX_F_CLIENT_APP_ID));
  cr_assert_null(get_str(MBX_F_CLIENT_APP_ID));
}

Test(record, a_later_string_replaces_the_earlier_one)
{
  set_str(MBX_F_OPERATION, "MailItemsAccessed");
  set_str(MBX_F_OPERATION, "Send");
  cr_assert_str_eq(get_str(MBX_F_OPERATION), "Send");
}

Test(record, strings_of_other_fields_stay_valid_after_more_sets)
{
  set_str(MBX_F_MAILBOX, "ceo@contoso.com");
  const gchar *mailbox = get_str(MBX_F_MAILBOX);

  GPtrArray *blockers = g_ptr_array_new_with_free_func(g_free);

  /* mbx-record.h: string values stay valid until the next mbx_record_reset().
   * The small allocations held meanwhile keep the allocator from growing any
   * storage in place, so storage that moves is caught without a sanitizer. */
  for (gint i = 0; i < 256; i++)
    {
      set_str(MBX_F_CLIENT_INFO, "Client=REST;Client=RESTSystem;; a longer value that may force a reallocation");
      g_ptr_array_add(blockers, g_malloc(48));
    }
  cr_assert_eq(get_str(MBX_F_MAILBOX), mailbox, "the MAILBOX value moved after other fields were set");
  cr_assert_str_eq(mailbox, "ceo@contoso.com");
  g_ptr_array_unref(blockers);
}

Test(record, set_string_lower_lower_cases_ascii_letters_only)
{
  mbx_record_set_string_lower(record, MBX_F_MAILBOX, "CFO@Contoso.COM", strlen("CFO@Contoso.COM"));
  cr_assert_str_eq(get_str(MBX_F_MAILBOX), "cfo@contoso.com");

  mbx_record_set_string_lower(record, MBX_F_ACTOR, "\xC3\x89LODIE@Contoso.com", strlen("\xC3\x89LODIE@Contoso.com"));
  cr_assert_str_eq(get_str(MBX_F_ACTOR), "\xC3\x89lodie@contoso.com");
}

Test(record, an_int_field_reads_back_as_int_and_decimal_text)
{
  mbx_record_set_int(record, MBX_F_OPERATION_COUNT, 7);
  cr_assert(mbx_record_has(record, MBX_F_OPERATION_COUNT));
  cr_assert_eq(mbx_record_get_int(record, MBX_F_OPERATION_COUNT, -1), 7);
  cr_assert_str_eq(get_str(MBX_F_OPERATION_COUNT), "7");
}

Test(record, a_large_event_time_keeps_every_digit)
{
  mbx_record_set_int(record, MBX_F_EVENT_TIME, G_GINT64_CONSTANT(1793606400123456));
  cr_assert_eq(mbx_record_get_int(record, MBX_F_EVENT_TIME, 0), G_GINT64_CONSTANT(1793606400123456));
  cr_assert_str_eq(get_str(MBX_F_EVENT_TIME), "1793606400123456");
}

Test(record, negative_and_extreme_ints_have_the_same_text_as_printf)
{
  const gint64 values[] = { -1, -42, G_MININT64, G_MAXINT64, 10, 99, 100, G_GINT64_CONSTANT(-1000000000000) };
  for (gsize i = 0; i < G_N_ELEMENTS(values); i++)
    {
      gchar expected[32];
      g_snprintf(expected, sizeof(expected), "%" G_GINT64_FORMAT, values[i]);
      mbx_record_set_int(record, MBX_F_OPERATION_COUNT, values[i]);
      cr_assert_str_eq(get_str(MBX_F_OPERATION_COUNT), expected);
      cr_assert_eq(mbx_record_get_int(record, MBX_F_OPERATION_COUNT, 0), values[i]);
    }
}

Test(record, a_lowered_string_folds_ascii_only)
{
  mbx_record_set_string_lower(record, MBX_F_ACTOR, "AZaz@[`{\xC3\x89", 10);
  cr_assert_str_eq(get_str(MBX_F_ACTOR), "azaz@[`{\xC3\x89");
}

Test(record, a_lowered_string_of_any_length_and_bytes_folds_like_g_ascii_tolower)
{
  /* word-wise folding: every length across word boundaries, every byte value */
  GRand *rand = g_rand_new_with_seed(7);
  gchar in[70], expected[70];
  for (gint round = 0; round < 4000; round++)
    {
      gsize len = 1 + (gsize) g_rand_int_range(rand, 0, 64);
      for (gsize i = 0; i < len; i++)
        {
          in[i] = (gchar) (round < 256 ? (round + (gint) i) % 256 : g_rand_int_range(rand, 1, 256));
          if (in[i] == 0)
            in[i] = 'Q';
          expected[i] = g_ascii_tolower(in[i]);
        }
      in[len] = expected[len] = '\0';
      mbx_record_set_string_lower(record, MBX_F_ACTOR, in, len);
      cr_assert_str_eq(get_str(MBX_F_ACTOR), expected, "length %zu", len);
    }
  g_rand_free(rand);
}

Test(record, the_app_id_as_a_guid_follows_every_change_of_the_field)
{
  const gchar *a = "d3590ed6-52b3-4102-aeff-aad2292ab01c", *b = "00000002-0000-0ff1-ce00-000000000000";
  MbxGuid ga, gb;
  cr_assert(mbx_guid_parse(a, &ga) && mbx_guid_parse(b, &gb));

  cr_assert_null(mbx_record_get_app_guid(record), "no app id yet");
  mbx_record_set_string(record, MBX_F_APP_ID, a, strlen(a));
  cr_assert(mbx_guid_equal(mbx_record_get_app_guid(record), &ga));
  mbx_record_set_string_lower(record, MBX_F_APP_ID, b, strlen(b));
  cr_assert(mbx_guid_equal(mbx_record_get_app_guid(record), &gb), "the cached id followed the new value");
  mbx_record_set_string(record, MBX_F_APP_ID, "Outlook", 7);
  cr_assert_null(mbx_record_get_app_guid(record), "not a GUID");
  mbx_record_set_string(record, MBX_F_APP_ID, a, strlen(a));
  cr_assert_not_null(mbx_record_get_app_guid(record));
  mbx_record_unset(record, MBX_F_APP_ID);
  cr_assert_null(mbx_record_get_app_guid(record), "unset");
  mbx_record_set_string(record, MBX_F_APP_ID, a, strlen(a));
  cr_assert_not_null(mbx_record_get_app_guid(record));
  mbx_record_reset(record);
  cr_assert_null(mbx_record_get_app_guid(record), "reset");
}

Test(record, the_client_address_as_bytes_follows_every_change_of_the_field)
{
  const guint8 v4[4] = { 203, 0, 113, 9 };
  cr_assert_null(mbx_record_get_client_addr(record), "no address yet");
  mbx_record_set_string(record, MBX_F_CLIENT_IP, "203.0.113.9", 11);
  const MbxIpAddr *a = mbx_record_get_client_addr(record);
  cr_assert(a && a->kind == MBX_IP_V4 && memcmp(a->bytes, v4, 4) == 0);
  mbx_record_set_string(record, MBX_F_CLIENT_IP, "2001:db8::1", 11);
  a = mbx_record_get_client_addr(record);
  cr_assert(a && a->kind == MBX_IP_V6 && a->bytes[0] == 0x20 && a->bytes[1] == 0x01 && a->bytes[15] == 1,
            "the cached address followed the new value");
  mbx_record_set_string(record, MBX_F_CLIENT_IP, "localhost", 9);
  cr_assert_null(mbx_record_get_client_addr(record), "a host name is no address");
  mbx_record_set_string(record, MBX_F_CLIENT_IP, "203.0.113.9", 11);
  cr_assert_not_null(mbx_record_get_client_addr(record));
  mbx_record_unset(record, MBX_F_CLIENT_IP);
  cr_assert_null(mbx_record_get_client_addr(record), "unset");
  mbx_record_set_string(record, MBX_F_CLIENT_IP, "203.0.113.9", 11);
  cr_assert_not_null(mbx_record_get_client_addr(record));
  mbx_record_reset(record);
  cr_assert_null(mbx_record_get_client_addr(record), "reset");
}

Test(record, the_kind_reads_back_however_it_was_set)
{
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_OTHER, "a fresh record is of kind other");
  mbx_record_set_kind(record, MBX_KIND_MAIL_SEARCH);
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_SEARCH);
  cr_assert_str_eq(get_str(MBX_F_KIND), "mail-search");
  mbx_record_set_string(record, MBX_F_KIND, "grant", 5);
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT, "set as text, read as the enum");
  mbx_record_set_string(record, MBX_F_KIND, "no-such-kind", 12);
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_OTHER);
  mbx_record_set_actor_kind(record, MBX_ACTOR_DELEGATE);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_DELEGATE);
  mbx_record_unset(record, MBX_F_ACTOR_KIND);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_UNKNOWN);
  mbx_record_set_kind(record, MBX_KIND_SIGNIN);
  mbx_record_reset(record);
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_OTHER, "a reset forgets the kind");
}

Test(record, an_int_text_written_when_asked_leaves_other_values_intact)
{
  /* the text of an int is written on first read, into the same arena as the strings */
  gchar big[3000];
  memset(big, 'x', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  mbx_record_set_string(record, MBX_F_MAILBOX, "cfo@contoso.com", 15);
  for (gint i = 0; i < 4; i++)
    mbx_record_set_string(record, MBX_F_PARAMETERS, big, sizeof(big) - 1);
  mbx_record_set_int(record, MBX_F_ITEM_COUNT, 4096);
  const gchar *mailbox = get_str(MBX_F_MAILBOX);
  cr_assert_eq(mbx_record_get_int(record, MBX_F_ITEM_COUNT, -1), 4096);
  cr_assert_str_eq(get_str(MBX_F_ITEM_COUNT), "4096");
  cr_assert_str_eq(get_str(MBX_F_ITEM_COUNT), "4096", "written once, read again");
  cr_assert_str_eq(mailbox, "cfo@contoso.com");
  mbx_record_set_int(record, MBX_F_ITEM_COUNT, -7);
  cr_assert_str_eq(get_str(MBX_F_ITEM_COUNT), "-7", "a new value, a new text");
}

Test(record, a_zero_int_is_set_not_unset)
{
  mbx_record_set_int(record, MBX_F_ITEM_COUNT, 0);
  cr_assert(mbx_record_has(record, MBX_F_ITEM_COUNT));
  cr_assert_eq(mbx_record_get_int(record, MBX_F_ITEM_COUNT, -1), 0);
  cr_assert_str_eq(get_str(MBX_F_ITEM_COUNT), "0");
}

Test(record, bool_fields_read_as_one_and_zero)
{
  mbx_record_set_int(record, MBX_F_THROTTLED, 1);
  mbx_record_set_int(record, MBX_F_EXTERNAL_ACCESS, 0);
  cr_assert_eq(mbx_record_get_int(record, MBX_F_THROTTLED, -1), 1);
  cr_assert_str_eq(get_str(MBX_F_THROTTLED), "1");
  cr_assert_eq(mbx_record_get_int(record, MBX_F_EXTERNAL_ACCESS, -1), 0);
  cr_assert_str_eq(get_str(MBX_F_EXTERNAL_ACCESS), "0");
}

Test(record, get_int_returns_the_default_when_unset)
{
  cr_assert_eq(mbx_record_get_int(record, MBX_F_LOGON_TYPE, -42), -42);
}

Test(record, unset_clears_one_field)
{
  set_str(MBX_F_MAILBOX, "ceo@contoso.com");
  set_str(MBX_F_ACTOR, "bob@contoso.com");
  mbx_record_unset(record, MBX_F_MAILBOX);
  cr_assert_not(mbx_record_has(record, MBX_F_MAILBOX));
  cr_assert_str_eq(get_str(MBX_F_ACTOR), "bob@contoso.com");
}

Test(record, set_kind_stores_the_kind_and_its_name)
{
  mbx_record_set_kind(record, MBX_KIND_MAIL_ACCESS);
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
  cr_assert(mbx_record_has(record, MBX_F_KIND));
  cr_assert_str_eq(get_str(MBX_F_KIND), mbx_kind_name(MBX_KIND_MAIL_ACCESS));
}

Test(record, set_actor_kind_stores_the_kind_and_its_name)
{
  mbx_record_set_actor_kind(record, MBX_ACTOR_APP_ONLY);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_APP_ONLY);
  cr_assert(mbx_record_has(record, MBX_F_ACTOR_KIND));
  cr_assert_str_eq(get_str(MBX_F_ACTOR_KIND), mbx_actor_kind_name(MBX_ACTOR_APP_ONLY));
}

Test(record, reset_clears_every_field_and_both_kinds)
{
  set_str(MBX_F_MAILBOX, "ceo@contoso.com");
  mbx_record_set_int(record, MBX_F_THROTTLED, 1);
  mbx_record_set_kind(record, MBX_KIND_GRANT);
  mbx_record_set_actor_kind(record, MBX_ACTOR_DELEGATE);

  mbx_record_reset(record);
  for (gint f = 0; f < MBX_F_MAX; f++)
    cr_assert_not(mbx_record_has(record, (MbxField) f), "%s survived a reset", mbx_field_name((MbxField) f));
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_OTHER);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_UNKNOWN);
}

Test(record, is_reusable_after_reset)
{
  set_str(MBX_F_OPERATION, "Send");
  mbx_record_reset(record);
  set_str(MBX_F_OPERATION, "MailboxLogin");
  cr_assert_str_eq(get_str(MBX_F_OPERATION), "MailboxLogin");
}

Test(record, every_field_name_maps_back_to_its_field)
{
  for (gint f = 0; f < MBX_F_MAX; f++)
    {
      const gchar *name = mbx_field_name((MbxField) f);

      cr_assert_not_null(name, "field %d has no name", f);
      cr_assert_neq(name[0], '\0', "field %d has an empty name", f);
      cr_assert_eq(mbx_field_by_name(name), (MbxField) f, "\"%s\" does not map back to field %d", name, f);
    }
}

Test(record, field_names_are_unique)
{
  for (gint a = 0; a < MBX_F_MAX; a++)
    for (gint b = a + 1; b < MBX_F_MAX; b++)
      cr_assert_str_neq(mbx_field_name((MbxField) a), mbx_field_name((MbxField) b));
}

Test(record, an_unknown_field_name_is_max)
{
  cr_assert_eq(mbx_field_by_name("no-such-field"), MBX_F_MAX);
  cr_assert_eq(mbx_field_by_name(""), MBX_F_MAX);
}

Test(record, field_types_match_the_header)
{
  cr_assert_eq(mbx_field_type(MBX_F_EVENT_TIME), MBX_TYPE_INT);
  cr_assert_eq(mbx_field_type(MBX_F_RECORD_TYPE), MBX_TYPE_INT);
  cr_assert_eq(mbx_field_type(MBX_F_USER_TYPE), MBX_TYPE_INT);
  cr_assert_eq(mbx_field_type(MBX_F_OPERATION_COUNT), MBX_TYPE_INT);
  cr_assert_eq(mbx_field_type(MBX_F_ITEM_COUNT), MBX_TYPE_INT);
  cr_assert_eq(mbx_field_type(MBX_F_FOLDER_COUNT), MBX_TYPE_INT);
  cr_assert_eq(mbx_field_type(MBX_F_LOGON_TYPE), MBX_TYPE_INT);
  cr_assert_eq(mbx_field_type(MBX_F_THROTTLED), MBX_TYPE_BOOL);
  cr_assert_eq(mbx_field_type(MBX_F_EXTERNAL_ACCESS), MBX_TYPE_BOOL);
  cr_assert_eq(mbx_field_type(MBX_F_MAILBOX), MBX_TYPE_STRING);
  cr_assert_eq(mbx_field_type(MBX_F_APP_ID), MBX_TYPE_STRING);
  cr_assert_eq(mbx_field_type(MBX_F_ACCESS_PATH), MBX_TYPE_STRING);
  cr_assert_eq(mbx_field_type(MBX_F_PARAMETERS), MBX_TYPE_STRING);
}

Test(record, kind_names_are_distinct_and_non_empty)
{
  for (gint a = 0; a < MBX_KIND_MAX; a++)
    {
      const gchar *name = mbx_kind_name((MbxKind) a);

      cr_assert_not_null(name);
      cr_assert_neq(name[0], '\0');
      for (gint b = a + 1; b < MBX_KIND_MAX; b++)
        cr_assert_str_neq(name, mbx_kind_name((MbxKind) b));
    }
}

Test(record, actor_kind_names_are_distinct_and_non_empty)
{
  for (gint a = 0; a < MBX_ACTOR_MAX; a++)
    {
      const gchar *name = mbx_actor_kind_name((MbxActorKind) a);

      cr_assert_not_null(name);
      cr_assert_neq(name[0], '\0');
      for (gint b = a + 1; b < MBX_ACTOR_MAX; b++)
        cr_assert_str_neq(name, mbx_actor_kind_name((MbxActorKind) b));
    }
}
