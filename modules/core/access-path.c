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
#include "ascii.h"

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

MbxAccessPath
mbx_access_path_from_name(const gchar *name)
{
  if (!name)
    return MBX_PATH_MAX;
  /* the names differ in their first byte but for the two Outlooks and owa: one strcmp, rarely three */
  for (gint i = 0; i < MBX_PATH_MAX; i++)
    {
      if (name[0] == path_names[i][0] && strcmp(name, path_names[i]) == 0)
        return (MbxAccessPath) i;
    }
  return MBX_PATH_MAX;
}

/* inline and with the prefix's length known: most candidates differ in the first byte (a call each cost more) */
static inline gboolean
_starts_with_n(const gchar *s, gsize len, const gchar *prefix, gsize n)
{
  if (len < n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    {
      if (mbx_ascii_fold((guchar) s[i]) != mbx_ascii_fold((guchar) prefix[i]))
        return FALSE;
    }
  return TRUE;
}

#define PREFIX(text) text, sizeof(text) - 1

MbxAccessPath
mbx_access_path_from_client_info(const gchar *client_info, gsize len, const gchar *app_id, gsize app_id_len)
{
  static const struct
  {
    const gchar *prefix;
    gsize len;
    MbxAccessPath path;
  } table[] = {
    { PREFIX("MSExchangeRPC"), MBX_PATH_OUTLOOK_DESKTOP },
    { PREFIX("OWA"), MBX_PATH_OWA },
    { PREFIX("OutlookService"), MBX_PATH_OUTLOOK_MOBILE },
    { PREFIX("REST"), MBX_PATH_REST },
    { PREFIX("WebServices"), MBX_PATH_EWS },
    { PREFIX("ActiveSync"), MBX_PATH_ACTIVESYNC },
    { PREFIX("AirSync"), MBX_PATH_ACTIVESYNC },
    { PREFIX("POP3"), MBX_PATH_IMAP_POP },
    { PREFIX("IMAP4"), MBX_PATH_IMAP_POP },
    { PREFIX("Microsoft.Exchange.Powershell"), MBX_PATH_POWERSHELL },
  };

  if (!client_info)
    return MBX_PATH_UNKNOWN;
  while (len > 0 && *client_info == ' ')
    {
      client_info++;
      len--;
    }
  if (!_starts_with_n(client_info, len, PREFIX("Client=")))
    return MBX_PATH_UNKNOWN;
  client_info += 7;
  len -= 7;

  for (gsize i = 0; i < G_N_ELEMENTS(table); i++)
    {
      if (!_starts_with_n(client_info, len, table[i].prefix, table[i].len))
        continue;
      if (table[i].path == MBX_PATH_REST && app_id && _starts_with_n(app_id, app_id_len, PREFIX(GRAPH_APP_ID)) &&
          app_id_len == sizeof(GRAPH_APP_ID) - 1)
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
