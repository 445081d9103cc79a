/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Access-path classification of ClientInfoString values, path names, and
 * the scripted user-agent check.
 *
 * Sources: test-access-path.c; links the core library.
 */
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-access-path.h"

#define MICROSOFT_GRAPH "00000003-0000-0000-c000-000000000000"
#define EXCHANGE_ONLINE "00000002-0000-0ff1-ce00-000000000000"

static MbxAccessPath
classify(const gchar *client_info, const gchar *app_id)
{
  return mbx_access_path_from_client_info(client_info, strlen(client_info), app_id, app_id ? strlen(app_id) : 0);
}

static void
assert_path(const gchar *client_info, const gchar *app_id, MbxAccessPath expected)
{
  MbxAccessPath got = classify(client_info, app_id);

  cr_assert_eq(got, expected, "\"%s\" (app %s) classified as %s, expected %s", client_info,
               app_id ? app_id : "none", mbx_access_path_name(got), mbx_access_path_name(expected));
}

static gboolean
scripted(const gchar *agent)
{
  return mbx_user_agent_is_scripted(agent, strlen(agent));
}

Test(access_path, names_every_path)
{
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_UNKNOWN), "unknown");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_OUTLOOK_DESKTOP), "outlook-desktop");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_OWA), "owa");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_OUTLOOK_MOBILE), "outlook-mobile");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_REST), "rest");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_GRAPH), "graph");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_EWS), "ews");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_ACTIVESYNC), "activesync");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_IMAP_POP), "imap-pop");
  cr_assert_str_eq(mbx_access_path_name(MBX_PATH_POWERSHELL), "powershell");
}

Test(access_path, every_name_reads_back_as_its_path_and_nothing_else_does)
{
  for (gint i = 0; i < MBX_PATH_MAX; i++)
    cr_assert_eq(mbx_access_path_from_name(mbx_access_path_name(i)), i, "%s", mbx_access_path_name(i));
  const gchar *others[] = { "", "o", "ow", "owa ", "OWA", "outlook", "outlook-desktop-", "rest2", "imap", NULL };
  for (gint i = 0; others[i]; i++)
    cr_assert_eq(mbx_access_path_from_name(others[i]), MBX_PATH_MAX, "\"%s\"", others[i]);
  cr_assert_eq(mbx_access_path_from_name(NULL), MBX_PATH_MAX);
}

Test(access_path, mapi_is_outlook_desktop)
{
  assert_path("Client=MSExchangeRPC", NULL, MBX_PATH_OUTLOOK_DESKTOP);
}

Test(access_path, owa_via_proxy_is_owa)
{
  assert_path("Client=OWA;Action=ViaProxy", EXCHANGE_ONLINE, MBX_PATH_OWA);
}

Test(access_path, owa_with_a_browser_agent_is_owa)
{
  assert_path("Client=OWA;Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36;",
              NULL, MBX_PATH_OWA);
}

Test(access_path, outlook_service_is_outlook_mobile)
{
  assert_path("Client=OutlookService;Outlook-iOS/2.0;", NULL, MBX_PATH_OUTLOOK_MOBILE);
  assert_path("Client=OutlookService;Outlook-Android/2.0", NULL, MBX_PATH_OUTLOOK_MOBILE);
}

Test(access_path, rest_without_an_app_is_rest)
{
  assert_path("Client=REST;Client=RESTSystem;;", NULL, MBX_PATH_REST);
}

Test(access_path, rest_with_a_non_graph_app_is_rest)
{
  assert_path("Client=REST;Client=RESTSystem;;", "13937bba-652e-4c46-b222-3003f4d1ff97", MBX_PATH_REST);
  assert_path("Client=REST;Client=RESTSystem;;", EXCHANGE_ONLINE, MBX_PATH_REST);
}

Test(access_path, rest_with_the_graph_app_id_is_graph)
{
  assert_path("Client=REST;Client=RESTSystem;;", MICROSOFT_GRAPH, MBX_PATH_GRAPH);
}

Test(access_path, graph_app_id_matches_in_any_case)
{
  assert_path("Client=REST;Client=RESTSystem;;", "00000003-0000-0000-C000-000000000000", MBX_PATH_GRAPH);
}

Test(access_path, web_services_is_ews)
{
  assert_path("Client=WebServices;EWSEditor (ExchangeServicesClient/0.0.0.0);", NULL, MBX_PATH_EWS);
  assert_path("Client=WebServices;Action=ConfigureGroupMailbox", NULL, MBX_PATH_EWS);
}

Test(access_path, activesync_and_airsync_are_activesync)
{
  assert_path("Client=ActiveSync", NULL, MBX_PATH_ACTIVESYNC);
  assert_path("Client=AirSync;Apple-iPhone15C2/2103.100", NULL, MBX_PATH_ACTIVESYNC);
}

Test(access_path, pop3_imap4_is_imap_pop)
{
  assert_path("Client=POP3/IMAP4;Protocol=IMAP4", NULL, MBX_PATH_IMAP_POP);
  assert_path("Client=POP3/IMAP4;Protocol=POP3", NULL, MBX_PATH_IMAP_POP);
}

Test(access_path, exchange_powershell_is_powershell)
{
  assert_path("Client=Microsoft.Exchange.Powershell; Microsoft WinRM Client", NULL, MBX_PATH_POWERSHELL);
}

Test(access_path, empty_or_unrecognized_client_info_is_unknown)
{
  assert_path("", NULL, MBX_PATH_UNKNOWN);
  assert_path("Client=SomethingNew;Version=1", NULL, MBX_PATH_UNKNOWN);
}

Test(access_path, reads_only_the_given_length)
{
  const gchar text[] = "Client=OWA;Action=ViaProxy";

  /* "Client=OW" is not OWA */
  cr_assert_neq(mbx_access_path_from_client_info(text, strlen("Client=OW"), NULL, 0), MBX_PATH_OWA);
}

Test(user_agent, python_requests_is_scripted)
{
  cr_assert(scripted("python-requests/2.32.5"));
}

Test(user_agent, curl_is_scripted)
{
  cr_assert(scripted("curl/8.4.0"));
}

Test(user_agent, powershell_is_scripted_despite_its_mozilla_prefix)
{
  cr_assert(scripted("Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; en-US) PowerShell/7.4.0"));
  cr_assert(scripted("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506"));
}

Test(user_agent, go_http_client_is_scripted)
{
  cr_assert(scripted("Go-http-client/1.1"));
}

Test(user_agent, okhttp_is_scripted)
{
  cr_assert(scripted("okhttp/4.8.1"));
}

Test(user_agent, axios_and_node_fetch_are_scripted)
{
  cr_assert(scripted("axios/1.6.0"));
  cr_assert(scripted("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)"));
}

Test(user_agent, outlook_desktop_is_not_scripted)
{
  cr_assert_not(scripted("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.14326; Pro)"));
}

Test(user_agent, browsers_are_not_scripted)
{
  cr_assert_not(scripted("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"));
  cr_assert_not(scripted("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:120.0) Gecko/20100101 Firefox/120.0"));
}

Test(user_agent, outlook_mobile_is_not_scripted)
{
  cr_assert_not(scripted("Outlook-iOS/2.0"));
}

Test(user_agent, empty_agent_is_not_scripted)
{
  cr_assert_not(mbx_user_agent_is_scripted("", 0));
}
