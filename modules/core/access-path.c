/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Access path classification.  Exchange writes the client protocol into
 * ClientInfoString as "Client=<name>;...": the first Client= token decides.
 * REST is split in two: Graph reads are recorded with Graph's own app id
 * (00000003-...) as AppId, everything else on REST is Outlook's REST API.
 * Matching is by prefix and case-insensitive, on bytes only.
 */
#include "mbx-access-path.h"

#include <string.h>

#define GRAPH_APP_ID "00000003-0000-0000-c000-000000000000"

static const gchar *path_names[MBX_PATH_MAX] = {
  [MBX_PATH_UNKNOWN] = "unknown",
  [MBX_PATH_OUTLOOK_DESKTOP] = "outlook-desktop",
  [MBX_PATH_OWA] = "owa",
  [MBX_PATH_OUTLOOK_MOBILE] = "outlook-mobile",
  [MBX_PATH_REST] = "rest",
  [MBX_PATH_GRAPH] = "graph",
  [MBX_PATH_EWS] = "ews",
  [MBX_PATH_ACTIVESYNC] = "activesync",
  [MBX_PATH_IMAP_POP] = "imap-pop",
  [MBX_PATH_POWERSHELL] = "powershell",
};

const gchar *
mbx_access_path_name(MbxAccessPath path)
{
  return path < MBX_PATH_MAX ? path_names[path] : path_names[MBX_PATH_UNKNOWN];
}

static gboolean
_starts_with(const gchar *s, gsize len, const gchar *prefix)
{
  gsize n = strlen(prefix);
  return len >= n && g_ascii_strncasecmp(s, prefix, n) == 0;
}

MbxAccessPath
mbx_access_path_from_client_info(const gchar *client_info, gsize len, const gchar *app_id, gsize app_id_len)
{
  static const struct
  {
    const gchar *prefix;
    MbxAccessPath path;
  } table[] = {
    { "MSExchangeRPC", MBX_PATH_OUTLOOK_DESKTOP },
    { "OWA", MBX_PATH_OWA },
    { "OutlookService", MBX_PATH_OUTLOOK_MOBILE },
    { "REST", MBX_PATH_REST },
    { "WebServices", MBX_PATH_EWS },
    { "ActiveSync", MBX_PATH_ACTIVESYNC },
    { "AirSync", MBX_PATH_ACTIVESYNC },
    { "POP3", MBX_PATH_IMAP_POP },
    { "IMAP4", MBX_PATH_IMAP_POP },
    { "Microsoft.Exchange.Powershell", MBX_PATH_POWERSHELL },
  };

  if (!client_info)
    return MBX_PATH_UNKNOWN;
  while (len > 0 && *client_info == ' ')
    {
      client_info++;
      len--;
    }
  if (!_starts_with(client_info, len, "Client="))
    return MBX_PATH_UNKNOWN;
  client_info += 7;
  len -= 7;

  for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
    {
      if (!_starts_with(client_info, len, table[i].prefix))
        continue;
      if (table[i].path == MBX_PATH_REST && app_id && app_id_len == strlen(GRAPH_APP_ID) &&
          g_ascii_strncasecmp(app_id, GRAPH_APP_ID, app_id_len) == 0)
        return MBX_PATH_GRAPH;
      return table[i].path;
    }
  return MBX_PATH_UNKNOWN;
}

/* scripting tools and libraries, and the tools that read mail for attackers */
static const gchar *scripted_markers[] = {
  "python",
  "curl/",
  "wget/",
  "powershell",
  "go-http-client",
  "okhttp",
  "axios",
  "node-fetch",
  "undici",
  "java/",
  "apache-httpclient",
  "libwww-perl",
  "ruby",
  "postmanruntime",
  "insomnia",
  "httpie",
  "aiohttp",
  "graphrunner",
  "roadtools",
  "tokentactics",
  "aadinternals",
  "msal.py",
  "ewseditor",
  "exchangeservicesclient",
};

const gchar *const *
mbx_scripted_agent_markers(gsize *n)
{
  *n = G_N_ELEMENTS(scripted_markers);
  return scripted_markers;
}

gboolean
mbx_user_agent_is_scripted(const gchar *agent, gsize len)
{

  gchar lower[256];

  if (!agent || len == 0)
    return FALSE;
  len = MIN(len, sizeof(lower) - 1);
  for (gsize i = 0; i < len; i++)
    lower[i] = g_ascii_tolower(agent[i]);
  lower[len] = '\0';
  for (gsize i = 0; i < G_N_ELEMENTS(scripted_markers); i++)
    {
      if (strstr(lower, scripted_markers[i]))
        return TRUE;
    }
  return FALSE;
}
