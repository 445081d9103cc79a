/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Facts about a record that need no policy: whether it grants mail access
 * and to whom, and whether it tampers with auditing and what it blinds.
 * Both the state (which remembers grants and blind spots) and the rules
 * (which judge them) read them, so they are decided in one place.
 */
#ifndef MBX_FACTS_H_INCLUDED
#define MBX_FACTS_H_INCLUDED

#include <glib.h>
#include "mbx-record.h"

G_BEGIN_DECLS

/* TRUE when @hay contains @needle, ASCII case ignored (cmdlet values are as typed) */
gboolean mbx_facts_contains_ci(const gchar *hay, const gchar *needle);

/* TRUE when @scopes (space separated) include a mail scope or role */
gboolean mbx_facts_mail_scopes(const gchar *scopes);

/* the value of cmdlet parameter @name (MBX_F_PARAMETERS), copied into @buf; NULL when absent */
const gchar *mbx_facts_param(const MbxRecord *record, const gchar *name, gchar *buf, gsize size);

typedef struct
{
  gboolean mail;      /* the record grants mail access */
  gboolean to_app;    /* to an app (else to a user) */
  gchar grantee[256]; /* app id or user, lower-cased */
  gchar mailbox[256]; /* for a user: the mailbox the grant is on (Identity), lower-cased; "" for apps */
} MbxGrantFact;

/* TRUE when @record grants mail access: app grants with mail scopes, new app credentials,
 * FullAccess and folder read rights, Exchange application roles */
gboolean mbx_facts_grant(const MbxRecord *record, MbxGrantFact *fact);

typedef enum
{
  MBX_TAMPER_NONE,
  MBX_TAMPER_MAILBOX_AUDIT_OFF, /* Set-Mailbox -AuditEnabled $false */
  MBX_TAMPER_MAILBOX_AUDIT_ON,
  MBX_TAMPER_AUDIT_TRIMMED, /* MailItemsAccessed or SearchQueryInitiated removed from an audit set */
  MBX_TAMPER_BYPASS_ON,     /* Set-MailboxAuditBypassAssociation -AuditBypassEnabled $true */
  MBX_TAMPER_BYPASS_OFF,
  MBX_TAMPER_TENANT_OFF, /* unified audit ingestion off, or the organization's auditing disabled */
  MBX_TAMPER_TENANT_ON,
  MBX_TAMPER_MAX
} MbxTamper;

const gchar *mbx_tamper_name(MbxTamper tamper);

typedef struct
{
  MbxTamper kind;
  gchar target[256]; /* the mailbox or account it affects, lower-cased; "" for the tenant */
} MbxTamperFact;

/* the audit change @record makes, MBX_TAMPER_NONE for none */
MbxTamper mbx_facts_tamper(const MbxRecord *record, MbxTamperFact *fact);

G_END_DECLS

#endif
