/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Decoder tests: every record shape and quirk in tests/fixtures, decoded into
 * normalized fields.
 *
 * Sources: test-decoder.c fixture.c; links the core library; needs -DFIXTURE_DIR.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-decoder.h"
#include "mailbox-monitor/mbx-error.h"
#include "mailbox-monitor/mbx-record.h"
#include "fixture.h"

#define TENANT "4d3c2b1a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"
#define MAIL_SYNC_TOOL "6f0a8c1e-2d4b-4e59-a7c3-9b1d5e8f2a64"
#define MAIL_SYNC_TOOL_SP "e7c5a3b1-9d8f-4e6a-b2c4-0d1e3f5a7b9c"
#define EXCHANGE_ONLINE "00000002-0000-0ff1-ce00-000000000000"
#define MICROSOFT_GRAPH "00000003-0000-0000-c000-000000000000"
#define ALICE_OID "2b7e9c4d-81f3-4a6e-b0d2-5c9f1e8a3d74"

static MbxDecoder *decoder;
static MbxRecord *record;

static void
setup(void)
{
  decoder = mbx_decoder_new();
  record = mbx_record_new();
  cr_assert_not_null(decoder);
  cr_assert_not_null(record);
}

static void
teardown(void)
{
  mbx_record_free(record);
  mbx_decoder_free(decoder);
}

TestSuite(decoder, .init = setup, .fini = teardown);
TestSuite(exchange, .init = setup, .fini = teardown);
TestSuite(aad, .init = setup, .fini = teardown);
TestSuite(admin, .init = setup, .fini = teardown);
TestSuite(eventhub, .init = setup, .fini = teardown);
TestSuite(quirks, .init = setup, .fini = teardown);
TestSuite(batch, .init = setup, .fini = teardown);

static void
decode(const gchar *name)
{
  fixture_decode(decoder, name, record);
}

static void
assert_decode_fails_with(const gchar *input, gsize len, MbxErrorCode code)
{
  GError *error = NULL;

  cr_assert_not(mbx_decoder_decode(decoder, input, len, record, &error), "decoding unexpectedly succeeded");
  cr_assert_not_null(error, "a failed decode must set a GError");
  cr_assert_eq(error->domain, MBX_ERROR);
  cr_assert_eq(error->code, (gint) code, "expected error code %d, got %d (%s)", code, error->code, error->message);
  g_error_free(error);
}

static void
assert_fixture_fails_with(const gchar *name, MbxErrorCode code)
{
  gsize len;
  gchar *input = fixture_load(name, &len);

  assert_decode_fails_with(input, len, code);
  g_free(input);
}

/* ---------------------------------------------------------------- input handling */

Test(decoder, locates_a_plain_record_at_offset_zero)
{
  gsize len, offset = 99;
  gchar *input = fixture_load("mgmt-send.json", &len);

  cr_assert_eq(mbx_input_locate(input, len, &offset), MBX_INPUT_RECORD);
  cr_assert_eq(offset, 0);
  g_free(input);
}

Test(decoder, locates_a_content_blob_as_an_array)
{
  gsize len, offset = 99;
  gchar *input = fixture_load("mgmt-content-blob-4.json", &len);

  cr_assert_eq(mbx_input_locate(input, len, &offset), MBX_INPUT_ARRAY);
  cr_assert_eq(offset, 0);
  g_free(input);
}

Test(decoder, locates_an_event_hub_records_object_as_a_batch)
{
  gsize len, offset = 99;
  gchar *input = fixture_load("eventhub-batch-3.json", &len);

  cr_assert_eq(mbx_input_locate(input, len, &offset), MBX_INPUT_BATCH);
  cr_assert_eq(offset, 0);
  g_free(input);
}

Test(decoder, locates_the_json_after_an_rfc5424_header)
{
  gsize len, offset = 0;
  gchar *input = fixture_load("syslog-rfc5424.txt", &len);

  cr_assert_eq(mbx_input_locate(input, len, &offset), MBX_INPUT_RECORD);
  cr_assert_eq(offset, (gsize) (strchr(input, '{') - input));
  g_free(input);
}

Test(decoder, does_not_mistake_structured_data_for_a_json_array)
{
  gsize len, offset = 0;
  gchar *input = fixture_load("syslog-rfc5424-structured-data.txt", &len);

  cr_assert_eq(mbx_input_locate(input, len, &offset), MBX_INPUT_RECORD);
  cr_assert_eq(offset, (gsize) (strchr(input, '{') - input));
  g_free(input);
}

Test(decoder, locates_the_json_after_a_bom_and_blanks)
{
  const gchar input[] = "\xEF\xBB\xBF  \r\n{\"CreationTime\":\"2026-11-02T08:00:00\"}";
  gsize offset = 0;

  cr_assert_eq(mbx_input_locate(input, sizeof(input) - 1, &offset), MBX_INPUT_RECORD);
  cr_assert_eq(offset, 7);
}

Test(decoder, locates_nothing_in_a_plain_text_line)
{
  gsize len, offset = 0;
  gchar *input = fixture_load("malformed-not-json.txt", &len);

  cr_assert_eq(mbx_input_locate(input, len, &offset), MBX_INPUT_NONE);
  g_free(input);
}

Test(decoder, skips_an_rfc5424_header_before_the_record)
{
  decode("syslog-rfc5424.txt");
  assert_field_str(record, MBX_F_OPERATION, "MailItemsAccessed");
  assert_field_str(record, MBX_F_MAILBOX, "alice@contoso.com");
  assert_field_str(record, MBX_F_ACCESS_PATH, "owa");
  assert_field_int(record, MBX_F_ITEM_COUNT, 1);
}

Test(decoder, skips_rfc5424_structured_data_before_the_record)
{
  decode("syslog-rfc5424-structured-data.txt");
  assert_field_str(record, MBX_F_OPERATION, "MailItemsAccessed");
  assert_field_str(record, MBX_F_ID, "8d3e1a57-9c2f-4b60-a7d4-5e0b6f8c1a93");
  assert_field_int(record, MBX_F_EVENT_TIME, 1793606820000000); /* 2026-11-02T08:07:00Z */
}

Test(decoder, skips_an_rfc3164_header_before_the_record)
{
  decode("syslog-rfc3164.txt");
  assert_field_str(record, MBX_F_OPERATION, "MailItemsAccessed");
  assert_field_str(record, MBX_F_SOURCE, "management-api");
}

Test(decoder, rejects_an_empty_object_as_not_an_audit_record)
{
  assert_fixture_fails_with("malformed-empty-object.json", MBX_ERROR_NOT_AUDIT);
}

Test(decoder, rejects_an_unrelated_object_as_not_an_audit_record)
{
  assert_fixture_fails_with("malformed-not-audit-object.json", MBX_ERROR_NOT_AUDIT);
}

Test(decoder, rejects_truncated_json_as_malformed)
{
  assert_fixture_fails_with("malformed-truncated.txt", MBX_ERROR_MALFORMED);
}

Test(decoder, rejects_a_plain_text_line_as_not_json)
{
  assert_fixture_fails_with("malformed-not-json.txt", MBX_ERROR_NOT_JSON);
}

Test(decoder, rejects_empty_input_as_not_json)
{
  assert_decode_fails_with("", 0, MBX_ERROR_NOT_JSON);
}

Test(decoder, rejects_a_bare_json_string)
{
  gsize len;
  gchar *input = fixture_load("malformed-json-string.json", &len);
  GError *error = NULL;

  cr_assert_not(mbx_decoder_decode(decoder, input, len, record, &error));
  cr_assert_not_null(error);
  cr_assert_eq(error->domain, MBX_ERROR);
  /* a string is JSON but no object: either "no JSON value found" or "not an audit record" */
  cr_assert(error->code == MBX_ERROR_NOT_JSON || error->code == MBX_ERROR_NOT_AUDIT,
            "unexpected error code %d (%s)", error->code, error->message);
  g_error_free(error);
  g_free(input);
}

Test(decoder, rejects_input_larger_than_the_limit)
{
  const gchar head[] = "{\"CreationTime\":\"2026-11-02T08:00:00\",\"Workload\":\"Exchange\",\"Padding\":\"";
  gsize len = MBX_DECODER_MAX_INPUT + 64;
  gchar *input = g_malloc(len);

  /* a record whose one string value pushes it past the limit */
  memset(input, 'a', len);
  memcpy(input, head, strlen(head));
  memcpy(input + len - 2, "\"}", 2);
  assert_decode_fails_with(input, len, MBX_ERROR_TOO_LARGE);
  g_free(input);
}

Test(decoder, resets_the_record_between_decodes)
{
  decode("mgmt-mail-items-accessed-bind.json");
  assert_field_int(record, MBX_F_THROTTLED, 0);

  decode("mgmt-consent-to-application.json");
  assert_field_unset(record, MBX_F_THROTTLED);
  assert_field_unset(record, MBX_F_MAIL_ACCESS_TYPE);
  assert_field_unset(record, MBX_F_ITEM_COUNT);
  assert_field_str(record, MBX_F_OPERATION, "Consent to application.");
}

Test(decoder, accepts_input_that_is_not_nul_terminated)
{
  gsize len;
  gchar *input = fixture_load("mgmt-send.json", &len);
  gchar *copy = g_malloc(len + 16);

  memcpy(copy, input, len);
  memset(copy + len, 'x', 16);
  cr_assert(mbx_decoder_decode(decoder, copy, len, record, NULL));
  assert_field_str(record, MBX_F_OPERATION, "Send");
  g_free(copy);
  g_free(input);
}

/* ---------------------------------------------------------------- Exchange mailbox records */

Test(exchange, decodes_a_mail_items_accessed_bind_record)
{
  decode("mgmt-mail-items-accessed-bind.json");
  assert_field_str(record, MBX_F_SOURCE, "management-api");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
  assert_field_str(record, MBX_F_ID, "5f1c9a62-3b7e-4d21-9c84-0e6a2f4d8b13");
  assert_field_str(record, MBX_F_TENANT, TENANT);
  assert_field_str(record, MBX_F_WORKLOAD, "Exchange");
  assert_field_str(record, MBX_F_OPERATION, "MailItemsAccessed");
  assert_field_str(record, MBX_F_RESULT, "Succeeded");
  assert_field_int(record, MBX_F_RECORD_TYPE, 50);
  assert_field_int(record, MBX_F_EVENT_TIME, 1793606400000000); /* 2026-11-02T08:00:00Z */
  assert_field_str(record, MBX_F_MAIL_ACCESS_TYPE, "Bind");
  assert_field_str(record, MBX_F_ACTOR, "alice@contoso.com");
  assert_field_int(record, MBX_F_USER_TYPE, 0);
  assert_field_int(record, MBX_F_LOGON_TYPE, 0);
  assert_field_int(record, MBX_F_EXTERNAL_ACCESS, 0);
  assert_field_str(record, MBX_F_SESSION_ID, "dcdad6b2-f279-48c6-9ed8-3df0ffde4ece");
  assert_field_str(record, MBX_F_CLIENT_IP, "203.0.113.10");
  assert_field_str(record, MBX_F_CLIENT_INFO, "Client=MSExchangeRPC");
  assert_field_str(record, MBX_F_ACCESS_PATH, "outlook-desktop");
}

Test(exchange, counts_distinct_internet_message_ids_not_folder_items)
{
  decode("mgmt-mail-items-accessed-bind.json");
  /* five FolderItems in two folders, three distinct InternetMessageIds */
  assert_field_int(record, MBX_F_ITEM_COUNT, 3);
  assert_field_int(record, MBX_F_FOLDER_COUNT, 2);
  assert_field_int(record, MBX_F_OPERATION_COUNT, 5);
}

Test(exchange, counts_distinct_message_ids_of_every_length)
{
  /* ids of 1 to 40 bytes, each twice, and pairs that differ only in their last byte or in case */
  GString *items = g_string_new(NULL);
  gint distinct = 0;
  for (gint len = 1; len <= 40; len++)
    {
      gchar *id = g_strnfill(len, 'a' + len % 26);
      gchar *twin = g_strdup(id);
      twin[len - 1] = '0';
      for (gint copy = 0; copy < 2; copy++)
        g_string_append_printf(items, "%s{\"InternetMessageId\":\"%s\"},{\"InternetMessageId\":\"%s\"}",
                               items->len ? "," : "", id, twin);
      distinct += 2;
      g_free(id);
      g_free(twin);
    }
  g_string_append(items, ",{\"InternetMessageId\":\"<Case@x>\"},{\"InternetMessageId\":\"<case@x>\"}");
  distinct += 2;
  gchar *input = g_strdup_printf(
    "{\"CreationTime\":\"2026-11-02T00:04:43\",\"Id\":\"ad3ae6c6-8796-4863-9abe-72ef207b0e56\","
    "\"Operation\":\"MailItemsAccessed\",\"RecordType\":50,\"Workload\":\"Exchange\","
    "\"UserId\":\"a@contoso.example\",\"MailboxOwnerUPN\":\"a@contoso.example\","
    "\"OperationProperties\":[{\"Name\":\"MailAccessType\",\"Value\":\"Bind\"}],"
    "\"Folders\":[{\"Path\":\"\\\\Inbox\",\"FolderItems\":[%s]}]}",
    items->str);
  cr_assert(mbx_decoder_decode(decoder, input, strlen(input), record, NULL), "%s", input);
  assert_field_int(record, MBX_F_ITEM_COUNT, distinct);
  g_free(input);
  g_string_free(items, TRUE);
}

Test(exchange, lower_cases_the_mailbox_owner_upn)
{
  decode("mgmt-mail-items-accessed-bind.json");
  assert_field_str(record, MBX_F_MAILBOX, "alice@contoso.com");
}

Test(exchange, owner_matches_mailbox_ignoring_case)
{
  decode("mgmt-mail-items-accessed-bind.json");
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_OWNER);
}

Test(exchange, reads_is_throttled_false_as_zero)
{
  decode("mgmt-mail-items-accessed-bind.json");
  assert_field_int(record, MBX_F_THROTTLED, 0);
}

Test(exchange, leaves_app_fields_unset_when_the_record_has_no_app_ids)
{
  decode("mgmt-mail-items-accessed-bind.json");
  assert_field_unset(record, MBX_F_APP_ID);
  assert_field_unset(record, MBX_F_CLIENT_APP_ID);
  assert_field_unset(record, MBX_F_RESOURCE_APP_ID);
}

Test(exchange, sync_access_counts_one_folder_and_no_items)
{
  decode("mgmt-mail-items-accessed-sync.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
  assert_field_str(record, MBX_F_MAIL_ACCESS_TYPE, "Sync");
  assert_field_int(record, MBX_F_FOLDER_COUNT, 1);
  assert_field_int(record, MBX_F_ITEM_COUNT, 0);
  assert_field_int(record, MBX_F_OPERATION_COUNT, 1);
  assert_field_str(record, MBX_F_ACCESS_PATH, "outlook-desktop");
}

Test(exchange, reads_is_throttled_true_as_one)
{
  decode("mgmt-mail-items-accessed-throttled.json");
  assert_field_int(record, MBX_F_THROTTLED, 1);
  assert_field_str(record, MBX_F_MAIL_ACCESS_TYPE, "Bind");
}

Test(exchange, leaves_throttled_unset_when_is_throttled_is_absent)
{
  decode("mgmt-mail-items-accessed-no-throttle-flag.json");
  assert_field_unset(record, MBX_F_THROTTLED);
  assert_field_int(record, MBX_F_ITEM_COUNT, 2);
}

Test(exchange, reads_new_outlook_over_rest_as_the_app)
{
  decode("mgmt-mail-items-accessed-no-throttle-flag.json");
  assert_field_str(record, MBX_F_APP_ID, "13937bba-652e-4c46-b222-3003f4d1ff97");
  assert_field_str(record, MBX_F_RESOURCE_APP_ID, "13937bba-652e-4c46-b222-3003f4d1ff97");
  assert_field_unset(record, MBX_F_CLIENT_APP_ID);
  assert_field_str(record, MBX_F_ACCESS_PATH, "rest");
}

Test(exchange, app_only_read_takes_the_app_from_user_key_and_not_the_user_id)
{
  decode("mgmt-mail-items-accessed-app-only.json");
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_APP_ONLY);
  assert_field_int(record, MBX_F_USER_TYPE, 5);
  assert_field_str(record, MBX_F_APP_ID, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_ACTOR, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_MAILBOX, "ceo@contoso.com");
  assert_field_str(record, MBX_F_RESOURCE_APP_ID, MAIL_SYNC_TOOL);
  assert_field_unset(record, MBX_F_CLIENT_APP_ID); /* recorded as "" */
}

Test(exchange, app_only_read_over_rest_is_the_rest_path)
{
  decode("mgmt-mail-items-accessed-app-only.json");
  assert_field_str(record, MBX_F_CLIENT_INFO, "Client=REST;Client=RESTSystem;;");
  assert_field_str(record, MBX_F_ACCESS_PATH, "rest");
  assert_field_int(record, MBX_F_ITEM_COUNT, 3);
}

Test(exchange, graph_backed_read_judges_the_client_app_not_graph)
{
  decode("mgmt-mail-items-accessed-graph.json");
  assert_field_str(record, MBX_F_ACCESS_PATH, "graph");
  assert_field_str(record, MBX_F_APP_ID, "9e1f2a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b"); /* lower-cased */
  assert_field_str_nocase(record, MBX_F_CLIENT_APP_ID, "9e1f2a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b");
  assert_field_str(record, MBX_F_RESOURCE_APP_ID, MICROSOFT_GRAPH);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_OWNER);
}

Test(exchange, reads_session_and_token_ids_from_app_access_context)
{
  decode("mgmt-mail-items-accessed-graph.json");
  assert_field_str(record, MBX_F_AAD_SESSION_ID, "00a1b2c3-d4e5-4f67-8899-aabbccddeeff");
  assert_field_str(record, MBX_F_TOKEN_ID, "pQ3xW9kLZ0uF7mN2bV8cAA");
  assert_field_str(record, MBX_F_SESSION_ID, "3e9b7c15-6a2d-4f84-b1e0-8c5d2a7f4b39");
}

Test(exchange, prefers_client_ip_address_over_client_ip)
{
  decode("mgmt-mail-items-accessed-graph.json");
  assert_field_str(record, MBX_F_CLIENT_IP, "198.51.100.24");
}

Test(exchange, logon_type_two_on_another_mailbox_is_a_delegate)
{
  decode("mgmt-mail-items-accessed-delegate.json");
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_DELEGATE);
  assert_field_int(record, MBX_F_LOGON_TYPE, 2);
  assert_field_str(record, MBX_F_ACTOR, "bob@contoso.com");
  assert_field_str(record, MBX_F_MAILBOX, "ceo@contoso.com");
}

Test(exchange, owa_read_falls_back_to_the_recorded_app_id)
{
  decode("mgmt-mail-items-accessed-owa.json");
  assert_field_str(record, MBX_F_ACCESS_PATH, "owa");
  assert_field_str(record, MBX_F_APP_ID, EXCHANGE_ONLINE);
  assert_field_str(record, MBX_F_RESOURCE_APP_ID, EXCHANGE_ONLINE);
  assert_field_unset(record, MBX_F_CLIENT_APP_ID);
  assert_field_str(record, MBX_F_CLIENT_INFO, "Client=OWA;Action=ViaProxy");
}

Test(exchange, outlook_mobile_read_prefers_client_app_id_over_app_id)
{
  decode("mgmt-mail-items-accessed-outlook-mobile.json");
  assert_field_str(record, MBX_F_ACCESS_PATH, "outlook-mobile");
  assert_field_str(record, MBX_F_APP_ID, "27922004-5251-4030-b22d-91ecd9a37ea4");
  assert_field_str(record, MBX_F_CLIENT_APP_ID, "27922004-5251-4030-b22d-91ecd9a37ea4");
  assert_field_str(record, MBX_F_RESOURCE_APP_ID, EXCHANGE_ONLINE);
  assert_field_str(record, MBX_F_CLIENT_IP, "2001:db8:4f2a::17");
}

Test(exchange, ews_read_takes_the_app_from_app_access_context)
{
  decode("mgmt-mail-items-accessed-ews.json");
  assert_field_str(record, MBX_F_ACCESS_PATH, "ews");
  assert_field_str(record, MBX_F_CLIENT_INFO, "Client=WebServices;EWSEditor (ExchangeServicesClient/0.0.0.0);");
  assert_field_str(record, MBX_F_APP_ID, "c3a9e2f1-5b7d-4a86-9e0c-1f2d3b4a5c6d");
  assert_field_str(record, MBX_F_AAD_SESSION_ID, "5b8e2f41-7c3a-4d96-a0b5-e1f4c7d2a839");
  assert_field_str(record, MBX_F_TOKEN_ID, "Xq3b8mMZfUKLcPr2eSgOAA");
  assert_field_int(record, MBX_F_OPERATION_COUNT, 12);
}

Test(exchange, imap_read_is_the_imap_pop_path_without_an_app)
{
  decode("mgmt-mail-items-accessed-imap.json");
  assert_field_str(record, MBX_F_ACCESS_PATH, "imap-pop");
  assert_field_unset(record, MBX_F_APP_ID);
  assert_field_str(record, MBX_F_CLIENT_IP, "198.51.100.150");
}

Test(exchange, activesync_read_is_the_activesync_path)
{
  decode("mgmt-mail-items-accessed-activesync.json");
  assert_field_str(record, MBX_F_ACCESS_PATH, "activesync");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
}

Test(exchange, search_query_initiated_is_a_mail_search_with_its_query_text)
{
  decode("mgmt-search-query-initiated.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_SEARCH);
  assert_field_int(record, MBX_F_RECORD_TYPE, 101);
  assert_field_str(record, MBX_F_SEARCH_TEXT, "wire transfer");
  assert_field_str(record, MBX_F_MAILBOX, "alice@contoso.com");
  assert_field_str(record, MBX_F_ACCESS_PATH, "owa");
}

Test(exchange, mailbox_login_over_powershell_is_a_mailbox_login)
{
  decode("mgmt-mailbox-login.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAILBOX_LOGIN);
  assert_field_int(record, MBX_F_RECORD_TYPE, 2);
  assert_field_str(record, MBX_F_ACCESS_PATH, "powershell");
  assert_field_str(record, MBX_F_MAILBOX, "admin@contoso.com");
}

Test(exchange, send_is_a_mail_item_operation)
{
  decode("mgmt-send.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ITEM);
  assert_field_str(record, MBX_F_OPERATION, "Send");
  assert_field_int(record, MBX_F_RECORD_TYPE, 2);
  assert_field_str(record, MBX_F_MAILBOX, "alice@contoso.com");
  assert_field_unset(record, MBX_F_MAIL_ACCESS_TYPE);
}

/* ---------------------------------------------------------------- Azure AD records (Management API) */

Test(aad, consent_to_application_reads_scopes_from_the_permissions_text)
{
  decode("mgmt-consent-to-application.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT);
  assert_field_str(record, MBX_F_SOURCE, "management-api");
  assert_field_str(record, MBX_F_WORKLOAD, "AzureActiveDirectory");
  assert_field_str(record, MBX_F_OPERATION, "Consent to application.");
  assert_field_int(record, MBX_F_RECORD_TYPE, 8);
  /* "Scope:  Mail.Read offline_access, CreatedDateTime: ..." (two spaces after the colon) */
  assert_field_str(record, MBX_F_SCOPES, "Mail.Read offline_access");
}

Test(aad, consent_to_application_targets_the_consented_app)
{
  decode("mgmt-consent-to-application.json");
  assert_field_str(record, MBX_F_TARGET_APP, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_APP_ID, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_ACTOR, "alice@contoso.com");
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_USER);
}

Test(aad, app_role_assignment_reads_the_role_and_the_receiving_app)
{
  decode("mgmt-add-app-role-assignment.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT);
  assert_field_str(record, MBX_F_SCOPES, "full_access_as_app");
  assert_field_str(record, MBX_F_TARGET_APP, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_APP_ID, MAIL_SYNC_TOOL);
}

Test(aad, delegated_permission_grant_trims_the_leading_space_of_its_scope)
{
  decode("mgmt-add-delegated-permission-grant.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT);
  assert_field_str(record, MBX_F_SCOPES, "Mail.Read Mail.Send");
}

Test(aad, update_application_maps_entitlement_ids_to_permission_names)
{
  decode("mgmt-update-application.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT);
  assert_field_str(record, MBX_F_OPERATION, "Update application.");
  /* EXO dc890d15 -> full_access_as_app, Graph 810c84a8 -> Mail.Read, an unmapped id is kept */
  assert_field_str(record, MBX_F_SCOPES, "full_access_as_app Mail.Read e1fe6dd8-ba31-4d61-89e7-88639da4683d");
}

Test(aad, service_principal_credentials_are_a_grant_for_the_target_app)
{
  decode("mgmt-add-service-principal-credentials.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT);
  assert_field_str(record, MBX_F_TARGET_APP, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_APP_ID, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_ACTOR, "admin@contoso.com");
}

Test(aad, user_logged_in_is_a_sign_in)
{
  decode("mgmt-user-logged-in.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_SIGNIN);
  assert_field_int(record, MBX_F_RECORD_TYPE, 15);
  assert_field_str(record, MBX_F_MAILBOX, "alice@contoso.com");
  assert_field_str_nocase(record, MBX_F_ACTOR, "alice@contoso.com");
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_USER);
}

Test(aad, user_logged_in_drops_the_port_from_client_ip)
{
  decode("mgmt-user-logged-in.json");
  assert_field_str(record, MBX_F_CLIENT_IP, "203.0.113.45");
}

Test(aad, user_logged_in_reads_app_and_agent_from_its_properties)
{
  decode("mgmt-user-logged-in.json");
  assert_field_str(record, MBX_F_APP_ID, "d3590ed6-52b3-4102-aeff-aad2292ab01c"); /* ApplicationId, lower-cased */
  assert_field_str(record, MBX_F_CLIENT_INFO,
                   "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0");
  assert_field_str(record, MBX_F_AUTH_PROTOCOL, "OAuth2:Authorize");
}

Test(aad, user_login_failed_is_a_sign_in_with_its_agent)
{
  decode("mgmt-user-login-failed.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_SIGNIN);
  assert_field_str(record, MBX_F_OPERATION, "UserLoginFailed");
  assert_field_str(record, MBX_F_CLIENT_IP, "198.51.100.99");
  assert_field_str(record, MBX_F_CLIENT_INFO, "python-requests/2.32.5");
}

/* ---------------------------------------------------------------- Exchange admin cmdlets */

Test(admin, set_mailbox_keeps_parameters_as_a_json_object)
{
  decode("mgmt-set-mailbox-audit-disabled.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_ADMIN);
  assert_field_int(record, MBX_F_RECORD_TYPE, 1);
  assert_field_str(record, MBX_F_OPERATION, "Set-Mailbox");
  assert_field_str(record, MBX_F_PARAMETERS, "{\"Identity\":\"ceo@contoso.com\",\"AuditEnabled\":\"False\"}");
  assert_field_str(record, MBX_F_ACTOR, "admin@contoso.com");
  assert_field_str(record, MBX_F_CLIENT_IP, "203.0.113.50");
}

Test(admin, set_mailbox_takes_the_mailbox_from_identity)
{
  decode("mgmt-set-mailbox-audit-disabled.json");
  assert_field_str(record, MBX_F_MAILBOX, "ceo@contoso.com");
}

Test(admin, audit_bypass_association_lower_cases_the_identity)
{
  decode("mgmt-set-mailbox-audit-bypass.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_ADMIN);
  assert_field_str(record, MBX_F_OPERATION, "Set-MailboxAuditBypassAssociation");
  assert_field_str(record, MBX_F_PARAMETERS,
                   "{\"Identity\":\"SvcBackup@Contoso.com\",\"AuditBypassEnabled\":\"True\"}");
  assert_field_str(record, MBX_F_MAILBOX, "svcbackup@contoso.com");
}

Test(admin, admin_audit_log_config_has_no_mailbox)
{
  decode("mgmt-set-admin-audit-log-config.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_ADMIN);
  assert_field_str(record, MBX_F_PARAMETERS, "{\"UnifiedAuditLogIngestionEnabled\":\"False\"}");
  assert_field_unset(record, MBX_F_MAILBOX);
}

Test(admin, add_mailbox_permission_keeps_every_parameter_in_order)
{
  decode("mgmt-add-mailbox-permission.json");
  assert_field_str(record, MBX_F_PARAMETERS,
                   "{\"Identity\":\"ceo@contoso.com\",\"User\":\"bob@contoso.com\",\"AccessRights\":\"FullAccess\","
                   "\"InheritanceType\":\"All\",\"AutoMapping\":\"False\"}");
  assert_field_str(record, MBX_F_MAILBOX, "ceo@contoso.com");
}

Test(admin, add_mailbox_folder_permission_escapes_the_folder_backslash)
{
  decode("mgmt-add-mailbox-folder-permission.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_ADMIN);
  assert_field_str(record, MBX_F_PARAMETERS,
                   "{\"Identity\":\"ceo@contoso.com:\\\\Inbox\",\"User\":\"bob@contoso.com\","
                   "\"AccessRights\":\"Reviewer\"}");
}

Test(admin, management_role_assignment_for_an_app_keeps_app_and_role)
{
  decode("mgmt-new-management-role-assignment-app.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_ADMIN);
  assert_field_str(record, MBX_F_PARAMETERS,
                   "{\"App\":\"" MAIL_SYNC_TOOL_SP "\",\"Role\":\"Application Mail.Read\","
                   "\"CustomResourceScope\":\"Executives\"}");
  assert_field_unset(record, MBX_F_MAILBOX);
}

Test(admin, new_inbox_rule_is_an_admin_cmdlet_by_the_user)
{
  decode("mgmt-new-inbox-rule.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_ADMIN);
  assert_field_str(record, MBX_F_OPERATION, "New-InboxRule");
  assert_field_str(record, MBX_F_ACTOR, "alice@contoso.com");
  assert_field_str(record, MBX_F_PARAMETERS,
                   "{\"AlwaysDeleteOutlookRulesBlob\":\"False\",\"Force\":\"False\","
                   "\"MoveToFolder\":\"RSS Subscriptions\",\"Name\":\".\","
                   "\"SubjectOrBodyContainsWords\":\"invoice;payment;wire\",\"MarkAsRead\":\"True\","
                   "\"StopProcessingRules\":\"True\"}");
}

Test(admin, service_host_housekeeping_is_a_system_actor)
{
  decode("mgmt-cmdlet-system-housekeeping.json");
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_SYSTEM);
  assert_field_str(record, MBX_F_ACTOR, "NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)");
  assert_field_int(record, MBX_F_USER_TYPE, 3);
  assert_field_int(record, MBX_F_EXTERNAL_ACCESS, 1);
}

/* ---------------------------------------------------------------- Event Hub shapes */

Test(eventhub, graph_search_request_is_a_mail_search)
{
  decode("eventhub-graph-activity-search.json");
  assert_field_str(record, MBX_F_SOURCE, "graph-activity");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_SEARCH);
  assert_field_str(record, MBX_F_ACCESS_PATH, "graph");
  assert_field_int(record, MBX_F_EVENT_TIME, 1793607330123456); /* 2026-11-02T08:15:30.1234567Z */
  assert_field_str(record, MBX_F_REQUEST_URI,
                   "https://graph.microsoft.com/v1.0/users/Victim%40Contoso.com/messages"
                   "?$search=%22wire%20transfer%22&$top=50");
}

Test(eventhub, graph_search_text_is_url_decoded_with_its_quotes)
{
  decode("eventhub-graph-activity-search.json");
  assert_field_str(record, MBX_F_SEARCH_TEXT, "\"wire transfer\"");
}

Test(eventhub, graph_mailbox_is_the_url_decoded_users_segment)
{
  decode("eventhub-graph-activity-search.json");
  assert_field_str(record, MBX_F_MAILBOX, "victim@contoso.com");
}

Test(eventhub, graph_request_reads_caller_app_agent_address_and_ids)
{
  decode("eventhub-graph-activity-search.json");
  assert_field_str(record, MBX_F_APP_ID, "9e1f2a3b-4c5d-4e6f-8a7b-0c1d2e3f4a5b");
  assert_field_str(record, MBX_F_ACTOR, ALICE_OID);
  assert_field_str(record, MBX_F_CLIENT_INFO, "python-requests/2.32.5");
  assert_field_str(record, MBX_F_CLIENT_IP, "198.51.100.77");
  assert_field_str(record, MBX_F_SESSION_ID, "00a1b2c3-d4e5-4f67-8899-aabbccddeeff"); /* C_Sid */
  assert_field_str(record, MBX_F_TOKEN_ID, "pQ3xW9kLZ0uF7mN2bV8cAA");                 /* signInActivityId */
}

Test(eventhub, graph_search_query_post_is_a_mail_search)
{
  decode("eventhub-graph-activity-search-query.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_SEARCH);
  assert_field_str(record, MBX_F_REQUEST_URI, "https://graph.microsoft.com/v1.0/search/query");
  assert_field_str(record, MBX_F_SESSION_ID, "11b2c3d4-e5f6-4a78-99aa-bbccddeeff00"); /* c_Sid */
  assert_field_str(record, MBX_F_APP_ID, "de8bc8b5-d9f9-48b1-a8ad-b748da725064");
}

Test(eventhub, graph_me_request_takes_the_mailbox_from_user_id)
{
  decode("eventhub-graph-activity-me-messages.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
  assert_field_str(record, MBX_F_MAILBOX, ALICE_OID); /* userId recorded in upper case */
  assert_field_str_nocase(record, MBX_F_ACTOR, ALICE_OID);
  assert_field_str(record, MBX_F_SESSION_ID, "22c3d4e5-f6a7-4b89-8abb-ccddeeff0011"); /* sessionId */
  assert_field_unset(record, MBX_F_SEARCH_TEXT);
}

Test(eventhub, graph_app_only_read_is_acted_by_the_service_principal)
{
  decode("eventhub-graph-activity-app-only.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
  assert_field_str(record, MBX_F_ACTOR, MAIL_SYNC_TOOL_SP);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_APP_ONLY);
  assert_field_str(record, MBX_F_APP_ID, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_MAILBOX, "ceo@contoso.com");
  assert_field_str(record, MBX_F_CLIENT_INFO, "okhttp/4.8.1");
  assert_field_str(record, MBX_F_TOKEN_ID, "Zk9sQ2VxR1h0d0VhUjNzQA");
}

Test(eventhub, graph_filter_is_the_search_text_when_there_is_no_search)
{
  decode("eventhub-graph-activity-app-only.json");
  assert_field_str(record, MBX_F_SEARCH_TEXT, "receivedDateTime ge 2026-11-01T00:00:00Z");
}

Test(eventhub, interactive_sign_in_reads_user_app_and_location)
{
  decode("eventhub-signin-interactive.json");
  assert_field_str(record, MBX_F_SOURCE, "signin");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_SIGNIN);
  assert_field_int(record, MBX_F_EVENT_TIME, 1793606112345678); /* 2026-11-02T07:55:12.3456789Z */
  assert_field_str(record, MBX_F_MAILBOX, "alice@contoso.com");
  assert_field_str_nocase(record, MBX_F_ACTOR, "alice@contoso.com");
  assert_field_str(record, MBX_F_APP_ID, EXCHANGE_ONLINE);
  assert_field_str(record, MBX_F_CLIENT_IP, "203.0.113.10");
  assert_field_str(record, MBX_F_COUNTRY, "FR");
  assert_field_str(record, MBX_F_TENANT, TENANT);
}

Test(eventhub, sign_in_reads_session_and_unique_token_ids)
{
  decode("eventhub-signin-interactive.json");
  assert_field_str(record, MBX_F_SESSION_ID, "44e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70");
  assert_field_str(record, MBX_F_TOKEN_ID, "Qm9vbVRva2VuSWQxMjM0NQ");
  assert_field_str(record, MBX_F_AUTH_PROTOCOL, "none");
}

Test(eventhub, non_interactive_ropc_sign_in_keeps_protocol_and_agent)
{
  decode("eventhub-signin-noninteractive.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_SIGNIN);
  assert_field_str(record, MBX_F_AUTH_PROTOCOL, "ropc");
  assert_field_str(record, MBX_F_APP_ID, "d3590ed6-52b3-4102-aeff-aad2292ab01c");
  assert_field_str(record, MBX_F_CLIENT_INFO,
                   "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.14326; Pro)");
  assert_field_str(record, MBX_F_CLIENT_IP, "2001:db8::8:800:200c:417a");
  assert_field_str(record, MBX_F_COUNTRY, "US");
}

Test(eventhub, service_principal_sign_in_has_an_app_but_no_mailbox)
{
  decode("eventhub-signin-service-principal.json");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_SIGNIN);
  assert_field_str(record, MBX_F_APP_ID, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_CLIENT_INFO, "okhttp/4.8.1");
  assert_field_str(record, MBX_F_CLIENT_IP, "192.0.2.44");
  assert_field_str(record, MBX_F_TOKEN_ID, "U2VydmljZVByaW5jaXBhbDE");
  assert_field_unset(record, MBX_F_MAILBOX);
}

Test(eventhub, entra_consent_unquotes_its_json_quoted_new_values)
{
  decode("eventhub-audit-consent.json");
  assert_field_str(record, MBX_F_SOURCE, "entra-audit");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT);
  assert_field_str(record, MBX_F_OPERATION, "Consent to application");
  assert_field_int(record, MBX_F_EVENT_TIME, 1793610600250000); /* 2026-11-02T09:10:00.25Z */
  assert_field_str(record, MBX_F_SCOPES, "Mail.Read Mail.Send offline_access");
  assert_field_str(record, MBX_F_TARGET_APP, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_APP_ID, MAIL_SYNC_TOOL);
  assert_field_str(record, MBX_F_ACTOR, "admin@contoso.com");
}

/* ---------------------------------------------------------------- batches */

typedef struct
{
  GPtrArray *texts;
  guint stop_after;
} Collected;

static gboolean
collect_element(const gchar *json, gsize len, gpointer user_data)
{
  Collected *collected = user_data;

  g_ptr_array_add(collected->texts, g_strndup(json, len));
  return collected->stop_after == 0 || collected->texts->len < collected->stop_after;
}

static Collected
split_fixture(const gchar *name, gsize *n_elements, GError **error, gboolean *ok)
{
  gsize len;
  gchar *input = fixture_load(name, &len);
  Collected collected = { g_ptr_array_new_with_free_func(g_free), 0 };

  *ok = mbx_decoder_split(decoder, input, len, collect_element, &collected, n_elements, error);
  g_free(input);
  return collected;
}

static void
decode_element(MbxDecoder *second, const gchar *text, MbxRecord *out)
{
  GError *error = NULL;

  cr_assert(mbx_decoder_decode(second, text, strlen(text), out, &error), "element did not decode: %s\n%s",
            error ? error->message : "?", text);
}

Test(batch, splits_a_content_blob_into_its_four_elements_in_order)
{
  gsize n = 0;
  GError *error = NULL;
  gboolean ok;
  Collected c = split_fixture("mgmt-content-blob-4.json", &n, &error, &ok);

  cr_assert(ok, "split failed: %s", error ? error->message : "?");
  cr_assert_eq(n, 4);
  cr_assert_eq(c.texts->len, 4);
  cr_assert_str_eq(g_ptr_array_index(c.texts, 2), "42");
  for (guint i = 0; i < c.texts->len; i++)
    cr_assert_null(strchr(g_ptr_array_index(c.texts, i), '\n'), "element %u is not compact JSON", i);
  g_ptr_array_unref(c.texts);
}

Test(batch, each_content_blob_object_decodes_on_its_own)
{
  gsize n = 0;
  gboolean ok;
  Collected c = split_fixture("mgmt-content-blob-4.json", &n, NULL, &ok);
  MbxDecoder *second = mbx_decoder_new();

  cr_assert(ok);
  decode_element(second, g_ptr_array_index(c.texts, 0), record);
  assert_field_str(record, MBX_F_OPERATION, "MailItemsAccessed");
  decode_element(second, g_ptr_array_index(c.texts, 1), record);
  assert_field_str(record, MBX_F_OPERATION, "UserLoggedIn");
  decode_element(second, g_ptr_array_index(c.texts, 3), record);
  assert_field_str(record, MBX_F_OPERATION, "New-InboxRule");

  mbx_decoder_free(second);
  g_ptr_array_unref(c.texts);
}

Test(batch, a_number_in_a_content_blob_does_not_decode_as_a_record)
{
  gsize n = 0;
  gboolean ok;
  Collected c = split_fixture("mgmt-content-blob-4.json", &n, NULL, &ok);
  MbxDecoder *second = mbx_decoder_new();
  GError *error = NULL;

  cr_assert(ok);
  cr_assert_not(mbx_decoder_decode(second, "42", 2, record, &error));
  cr_assert_not_null(error);
  cr_assert_eq(error->domain, MBX_ERROR);
  g_error_free(error);
  mbx_decoder_free(second);
  g_ptr_array_unref(c.texts);
}

Test(batch, splits_an_event_hub_batch_into_three_records_of_each_shape)
{
  gsize n = 0;
  gboolean ok;
  Collected c = split_fixture("eventhub-batch-3.json", &n, NULL, &ok);
  MbxDecoder *second = mbx_decoder_new();

  cr_assert(ok);
  cr_assert_eq(n, 3);
  cr_assert_eq(c.texts->len, 3);
  decode_element(second, g_ptr_array_index(c.texts, 0), record);
  assert_field_str(record, MBX_F_SOURCE, "signin");
  assert_field_str(record, MBX_F_MAILBOX, "bob@contoso.com");
  decode_element(second, g_ptr_array_index(c.texts, 1), record);
  assert_field_str(record, MBX_F_SOURCE, "graph-activity");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
  assert_field_str(record, MBX_F_MAILBOX, "bob@contoso.com");
  decode_element(second, g_ptr_array_index(c.texts, 2), record);
  assert_field_str(record, MBX_F_SOURCE, "entra-audit");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_GRANT);

  mbx_decoder_free(second);
  g_ptr_array_unref(c.texts);
}

Test(batch, entra_grant_initiated_by_an_app_is_acted_by_its_service_principal)
{
  gsize n = 0;
  gboolean ok;
  Collected c = split_fixture("eventhub-batch-3.json", &n, NULL, &ok);
  MbxDecoder *second = mbx_decoder_new();

  cr_assert(ok);
  decode_element(second, g_ptr_array_index(c.texts, 2), record);
  assert_field_str(record, MBX_F_OPERATION, "Add app role assignment to service principal");
  assert_field_str(record, MBX_F_ACTOR, "5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e7f8a");
  assert_field_str(record, MBX_F_SCOPES, "Mail.Read");
  assert_field_str(record, MBX_F_TARGET_APP, MAIL_SYNC_TOOL);

  mbx_decoder_free(second);
  g_ptr_array_unref(c.texts);
}

Test(batch, refuses_a_truncated_blob_without_calling_back)
{
  gsize n = 0;
  GError *error = NULL;
  gboolean ok;
  Collected c = split_fixture("malformed-truncated-blob.txt", &n, &error, &ok);

  cr_assert_not(ok);
  cr_assert_eq(c.texts->len, 0, "the callback ran %u times on a cut blob", c.texts->len);
  cr_assert_not_null(error);
  cr_assert_eq(error->domain, MBX_ERROR);
  cr_assert_eq(error->code, MBX_ERROR_MALFORMED);
  g_error_free(error);
  g_ptr_array_unref(c.texts);
}

Test(batch, stops_when_the_callback_returns_false)
{
  gsize len, n = 0;
  gchar *input = fixture_load("mgmt-content-blob-4.json", &len);
  Collected c = { g_ptr_array_new_with_free_func(g_free), 1 };

  mbx_decoder_split(decoder, input, len, collect_element, &c, &n, NULL);
  cr_assert_eq(c.texts->len, 1);
  g_ptr_array_unref(c.texts);
  g_free(input);
}

/* ---------------------------------------------------------------- quirks (audit-records.md 2.11) */

Test(quirks, reads_numbers_and_booleans_written_as_strings)
{
  decode("quirk-string-numbers.json");
  assert_field_int(record, MBX_F_RECORD_TYPE, 50);
  assert_field_int(record, MBX_F_LOGON_TYPE, 2);
  assert_field_int(record, MBX_F_OPERATION_COUNT, 7);
  assert_field_int(record, MBX_F_USER_TYPE, 0);
  assert_field_int(record, MBX_F_EXTERNAL_ACCESS, 0);
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ACCESS);
  cr_assert_eq(mbx_record_get_actor_kind(record), MBX_ACTOR_DELEGATE);
}

Test(quirks, writes_a_parameter_without_value_as_an_empty_string)
{
  decode("quirk-missing-value.json");
  assert_field_str(record, MBX_F_PARAMETERS,
                   "{\"Identity\":\"CFO@Contoso.com\",\"ForwardingSmtpAddress\":\"smtp:exfil@evil.example\","
                   "\"DeliverToMailboxAndForward\":\"True\",\"Force\":\"\"}");
  assert_field_str(record, MBX_F_MAILBOX, "cfo@contoso.com");
}

Test(quirks, reads_a_creation_time_without_zone_as_utc)
{
  decode("quirk-time-no-zone.json");
  assert_field_int(record, MBX_F_EVENT_TIME, 1694801813000000); /* 2023-09-15T18:16:53Z */
}

Test(quirks, reads_a_creation_time_with_seven_fractional_digits)
{
  decode("quirk-time-seven-digits.json");
  assert_field_int(record, MBX_F_EVENT_TIME, 1769237664000000); /* 2026-01-24T06:54:24Z */
}

Test(quirks, reads_a_us_locale_envelope_time)
{
  decode("quirk-time-us-locale.json");
  assert_field_str(record, MBX_F_SOURCE, "graph-activity");
  assert_field_int(record, MBX_F_EVENT_TIME, 1168335660000000); /* 2007-01-09T09:41:00Z */
}

Test(quirks, converts_an_offset_envelope_time_to_utc)
{
  decode("quirk-time-offset.json");
  assert_field_int(record, MBX_F_EVENT_TIME, 1793606400500000); /* 09:00:00.5+01:00 = 08:00:00.5Z */
}

Test(quirks, strips_brackets_and_port_from_client_ip)
{
  decode("quirk-ip-bracket-port.json");
  assert_field_str(record, MBX_F_CLIENT_IP, "10.11.12.13");
}

Test(quirks, writes_an_ipv4_mapped_client_ip_as_ipv4)
{
  decode("quirk-ip-ipv4-mapped.json");
  assert_field_str(record, MBX_F_CLIENT_IP, "10.11.12.13");
}

Test(quirks, keeps_localhost_as_a_host_name)
{
  decode("quirk-ip-localhost.json");
  assert_field_str(record, MBX_F_CLIENT_IP, "localhost");
}

Test(quirks, writes_an_uppercase_ipv6_address_in_canonical_form)
{
  decode("quirk-ip-uppercase-ipv6.json");
  assert_field_str(record, MBX_F_CLIENT_IP, "2603:10b6:806:3c::5");
}

Test(quirks, counts_items_in_localized_folders)
{
  decode("quirk-localized-folder.json");
  assert_field_int(record, MBX_F_FOLDER_COUNT, 2);
  assert_field_int(record, MBX_F_ITEM_COUNT, 3);
  assert_field_str(record, MBX_F_MAILBOX, "alice@contoso.com");
}

Test(quirks, accepts_crlf_at_the_end_of_originating_server)
{
  decode("quirk-crlf-originating-server.json");
  assert_field_str(record, MBX_F_OPERATION, "Send");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_MAIL_ITEM);
}

Test(quirks, ignores_unknown_extra_fields)
{
  decode("quirk-unknown-fields.json");
  assert_field_str(record, MBX_F_OPERATION, "MailItemsAccessed");
  assert_field_str(record, MBX_F_ACCESS_PATH, "owa");
  assert_field_int(record, MBX_F_ITEM_COUNT, 1);
}

Test(quirks, an_empty_app_access_context_leaves_its_fields_unset)
{
  decode("quirk-empty-app-access-context.json");
  assert_field_unset(record, MBX_F_AAD_SESSION_ID);
  assert_field_unset(record, MBX_F_TOKEN_ID);
  assert_field_unset(record, MBX_F_CLIENT_APP_ID);
  assert_field_str(record, MBX_F_APP_ID, "27922004-5251-4030-b22d-91ecd9a37ea4");
}

Test(quirks, matches_lower_cased_keys_of_a_collector)
{
  decode("quirk-lowercase-keys.json");
  assert_field_str(record, MBX_F_SOURCE, "management-api");
  cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_ADMIN);
  assert_field_str(record, MBX_F_OPERATION, "Set-Mailbox");
  assert_field_int(record, MBX_F_EVENT_TIME, 1670883540000000); /* "2022-12-12 22:19:00" */
  assert_field_str(record, MBX_F_MAILBOX, "finance@contoso.com");
}

Test(eventhub, graph_request_id_identifies_a_graph_record)
{
  /* Graph activity logs carry no Id: labels and SIEM dedup key on requestId */
  decode("eventhub-graph-activity-me-messages.json");
  assert_field_str(record, MBX_F_ID, "b3c1d7e5-2f4a-4b68-9c0e-8d6f1a3b5c72");
}

/* a MailItemsAccessed around @properties (OperationProperties), decoded */
static void
decode_with_properties(const gchar *properties)
{
  gchar *input = g_strdup_printf("{\"CreationTime\":\"2026-11-02T00:04:43\",\"Id\":\"ad3ae6c6-8796-4863-9abe-72ef207b0e56\","
                                 "\"Operation\":\"MailItemsAccessed\",\"RecordType\":50,\"Workload\":\"Exchange\","
                                 "\"UserId\":\"a@contoso.example\",\"MailboxOwnerUPN\":\"a@contoso.example\","
                                 "\"OperationProperties\":%s}",
                                 properties);
  cr_assert(mbx_decoder_decode(decoder, input, strlen(input), record, NULL), "%s", input);
  g_free(input);
}

Test(quirks, name_value_lists_are_read_whatever_their_shape)
{
  /* lower-case keys, the first item of a name winning, items that are not objects or have no string name skipped */
  decode_with_properties("[7,{\"Name\":3,\"Value\":\"Sync\"},{\"name\":\"isthrottled\",\"value\":\"True\"},"
                         "{\"NAME\":\"MailAccessType\",\"VALUE\":\"Bind\"},{\"Name\":\"MailAccessType\",\"Value\":\"Sync\"}]");
  cr_assert_str_eq(mbx_record_get_string(record, MBX_F_MAIL_ACCESS_TYPE, NULL), "Bind");
  cr_assert_eq(mbx_record_get_int(record, MBX_F_THROTTLED, -1), 1);

  /* an item's first name key counts, even when a later one would match; a value that is no string is empty */
  decode_with_properties("[{\"Name\":\"Other\",\"name\":\"MailAccessType\",\"Value\":\"Sync\"},"
                         "{\"Name\":\"IsThrottled\",\"Value\":true},{\"Name\":\"IsThrottled\",\"Value\":\"True\"}]");
  cr_assert_not(mbx_record_has(record, MBX_F_MAIL_ACCESS_TYPE));
  cr_assert_eq(mbx_record_get_int(record, MBX_F_THROTTLED, -1), -1, "the first IsThrottled item has no string value");

  /* flattened into an object by a wrapper */
  decode_with_properties("{\"mailaccesstype\":\"Sync\",\"IsThrottled\":\"False\"}");
  cr_assert_str_eq(mbx_record_get_string(record, MBX_F_MAIL_ACCESS_TYPE, NULL), "Sync");
  cr_assert_eq(mbx_record_get_int(record, MBX_F_THROTTLED, -1), 0);
}
