/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Access paths: which protocol or client a mailbox access came through,
 * derived from ClientInfoString, the app ids and the record shape.
 */
#ifndef MBX_ACCESS_PATH_H_INCLUDED
#define MBX_ACCESS_PATH_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  MBX_PATH_UNKNOWN,
  MBX_PATH_OUTLOOK_DESKTOP, /* MAPI / MSExchangeRPC */
  MBX_PATH_OWA,
  MBX_PATH_OUTLOOK_MOBILE, /* OutlookService */
  MBX_PATH_REST,
  MBX_PATH_GRAPH,
  MBX_PATH_EWS,
  MBX_PATH_ACTIVESYNC,
  MBX_PATH_IMAP_POP,
  MBX_PATH_POWERSHELL,
  MBX_PATH_MAX
} MbxAccessPath;

const gchar *mbx_access_path_name(MbxAccessPath path);

/* The path a name of mbx_access_path_name() stands for; MBX_PATH_MAX for any other string or NULL */
MbxAccessPath mbx_access_path_from_name(const gchar *name);

/*
 * Classifies an Exchange ClientInfoString (and the recorded AppId for the
 * Graph case, where ClientInfoString reads like REST).  @app_id may be NULL.
 */
MbxAccessPath mbx_access_path_from_client_info(const gchar *client_info, gsize len,
                                               const gchar *app_id, gsize app_id_len);

/* the built-in markers (lower-case substrings) of scripted user agents */
const gchar *const *mbx_scripted_agent_markers(gsize *n);

/* TRUE for user agents of scripts and libraries rather than mail clients */
gboolean mbx_user_agent_is_scripted(const gchar *agent, gsize len);

G_END_DECLS

#endif
