/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Policy-free facts about a record (see mbx-facts.h).
 *
 * Invariants: cmdlet parameters are matched case-insensitively (PowerShell
 * takes "fullaccess" and "$False" as well as "FullAccess" and "False");
 * grantees and targets are lower-cased so joins by them are exact.
 */
#include "mbx-facts.h"

#include <string.h>

gboolean
mbx_facts_contains_ci(const gchar *hay, const gchar *needle)
{
  if (!hay)
    return FALSE;
  gsize n = strlen(needle);
  for (const gchar *p = hay; *p; p++)
    {
      if (g_ascii_strncasecmp(p, needle, n) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
mbx_facts_mail_scopes(const gchar *scopes)
{
  static const gchar *mail[] = { "mail.", "ews.", "full_access_as_app", "imap.accessasuser", "pop.accessasuser",
                                 "exchange.manageasapp", "mailboxsettings." };
  for (gsize i = 0; scopes && i < G_N_ELEMENTS(mail); i++)
    {
      if (mbx_facts_contains_ci(scopes, mail[i]))
        return TRUE;
    }
  return FALSE;
}

const gchar *
mbx_facts_param(const MbxRecord *record, const gchar *name, gchar *buf, gsize size)
{
  /* parameters are a JSON object of strings: "name":"value", names as the cmdlet recorded them */
  const gchar *params = mbx_record_get_string(record, MBX_F_PARAMETERS, NULL);
  gchar key[64];
  g_snprintf(key, sizeof(key), "\"%s\":\"", name);
  const gchar *p = params ? strstr(params, key) : NULL;
  if (!p)
    return NULL;
  p += strlen(key);
  /* the value ends at the first unescaped quote; \" and \\ are the decoder's escapes */
  gsize n = 0;
  for (; *p && *p != '"' && n + 1 < size; p++)
    {
      if (*p == '\\' && p[1])
        p++;
      buf[n++] = *p;
    }
  buf[n] = '\0';
  return buf;
}

static void
_lower_copy(gchar *dst, gsize size, const gchar *src)
{
  g_strlcpy(dst, src ? src : "", size);
  for (gchar *p = dst; *p; p++)
    *p = g_ascii_tolower(*p);
}

static void
_set_grantee(MbxGrantFact *fact, const gchar *who, gboolean to_app)
{
  fact->mail = TRUE;
  fact->to_app = to_app;
  _lower_copy(fact->grantee, sizeof(fact->grantee), who);
}

/* a person's grant is on one mailbox: "ceo@contoso.com:\Inbox" is the mailbox ceo@contoso.com */
static void
_set_mailbox(const MbxRecord *record, MbxGrantFact *fact)
{
  gchar identity[256];
  if (!mbx_facts_param(record, "Identity", identity, sizeof(identity)))
    return;
  gchar *colon = strchr(identity, ':');
  if (colon)
    *colon = '\0';
  _lower_copy(fact->mailbox, sizeof(fact->mailbox), identity);
}

static gboolean
_is(const gchar *op, const gchar *name)
{
  return op && g_ascii_strcasecmp(op, name) == 0;
}

/* "ceo@contoso.com:\\Inbox": rights on a calendar, contacts or tasks folder give no mail */
static gboolean
_mail_folder(const gchar *identity)
{
  static const gchar *not_mail[] = { "calendar", "contacts", "tasks", "notes", "kalender", "calendrier", "kontakte" };
  const gchar *folder = identity ? strchr(identity, ':') : NULL;
  for (gsize i = 0; folder && i < G_N_ELEMENTS(not_mail); i++)
    {
      if (mbx_facts_contains_ci(folder, not_mail[i]))
        return FALSE;
    }
  return TRUE;
}

gboolean
mbx_facts_grant(const MbxRecord *record, MbxGrantFact *fact)
{
  const gchar *op = mbx_record_get_string(record, MBX_F_OPERATION, NULL);
  gchar a[256], b[256];

  /* the fields, not the whole struct: clearing its 520 bytes cost more than the rest for a record that grants nothing */
  fact->mail = FALSE;
  fact->to_app = FALSE;
  fact->grantee[0] = '\0';
  fact->mailbox[0] = '\0';
  switch (mbx_record_get_kind(record))
    {
    case MBX_KIND_GRANT:
      {
        const gchar *target = mbx_record_get_string(record, MBX_F_TARGET_APP, NULL);
        if (mbx_facts_mail_scopes(mbx_record_get_string(record, MBX_F_SCOPES, NULL)) ||
            (op && g_str_has_prefix(op, "Add service principal credentials")))
          _set_grantee(fact, target, TRUE);
        break;
      }
    case MBX_KIND_ADMIN:
      if (_is(op, "Add-MailboxPermission") && mbx_facts_param(record, "AccessRights", a, sizeof(a)) &&
          mbx_facts_contains_ci(a, "FullAccess"))
        _set_grantee(fact, mbx_facts_param(record, "User", b, sizeof(b)), FALSE);
      else if ((_is(op, "Add-MailboxFolderPermission") || _is(op, "Set-MailboxFolderPermission")) &&
               _mail_folder(mbx_facts_param(record, "Identity", b, sizeof(b))) &&
               mbx_facts_param(record, "AccessRights", a, sizeof(a)) &&
               (mbx_facts_contains_ci(a, "Reviewer") || mbx_facts_contains_ci(a, "Editor") || mbx_facts_contains_ci(a, "Owner") || mbx_facts_contains_ci(a, "Author") ||
                mbx_facts_contains_ci(a, "ReadItems")))
        _set_grantee(fact, mbx_facts_param(record, "User", b, sizeof(b)), FALSE);
      else if (_is(op, "New-ManagementRoleAssignment") && mbx_facts_param(record, "Role", a, sizeof(a)))
        {
          /* RBAC for Applications (Application Mail.*, Mail Full Access, EWS.AccessAsApp, the role form of
             full_access_as_app) needs an app; impersonation goes to an app or a user */
          gboolean app = mbx_facts_param(record, "App", b, sizeof(b)) != NULL;
          if (app && (g_ascii_strncasecmp(a, "Application Mail", 16) == 0 ||
                      g_ascii_strncasecmp(a, "Application EWS.", 16) == 0 ||
                      mbx_facts_contains_ci(a, "ApplicationImpersonation")))
            _set_grantee(fact, b, TRUE);
          else if (!app && mbx_facts_contains_ci(a, "ApplicationImpersonation"))
            _set_grantee(fact, mbx_facts_param(record, "User", b, sizeof(b)), FALSE);
        }
      break;
    default:
      break;
    }
  if (fact->mail && !fact->to_app)
    _set_mailbox(record, fact);
  return fact->mail;
}

static const gchar *tamper_names[MBX_TAMPER_MAX] = {
  [MBX_TAMPER_NONE] = "none",
  [MBX_TAMPER_MAILBOX_AUDIT_OFF] = "mailbox-audit-off",
  [MBX_TAMPER_MAILBOX_AUDIT_ON] = "mailbox-audit-on",
  [MBX_TAMPER_AUDIT_TRIMMED] = "audit-trimmed",
  [MBX_TAMPER_BYPASS_ON] = "audit-bypass-on",
  [MBX_TAMPER_BYPASS_OFF] = "audit-bypass-off",
  [MBX_TAMPER_TENANT_OFF] = "tenant-audit-off",
  [MBX_TAMPER_TENANT_ON] = "tenant-audit-on",
};

const gchar *
mbx_tamper_name(MbxTamper tamper)
{
  return tamper < MBX_TAMPER_MAX ? tamper_names[tamper] : NULL;
}

static gboolean
_false(const gchar *v)
{
  return v && (mbx_facts_contains_ci(v, "false") || strcmp(v, "0") == 0);
}

static gboolean
_true(const gchar *v)
{
  return v && (mbx_facts_contains_ci(v, "true") || strcmp(v, "1") == 0);
}

MbxTamper
mbx_facts_tamper(const MbxRecord *record, MbxTamperFact *fact)
{
  const gchar *op = mbx_record_get_string(record, MBX_F_OPERATION, NULL);
  gchar v[256], who[256];

  /* the fields, not the whole struct (see mbx_facts_grant) */
  fact->kind = MBX_TAMPER_NONE;
  fact->target[0] = '\0';
  if (mbx_record_get_kind(record) != MBX_KIND_ADMIN || !op)
    return MBX_TAMPER_NONE;
  const gchar *identity = mbx_facts_param(record, "Identity", who, sizeof(who));

  if (_is(op, "Set-Mailbox"))
    {
      if (mbx_facts_param(record, "AuditEnabled", v, sizeof(v)))
        fact->kind = _false(v) ? MBX_TAMPER_MAILBOX_AUDIT_OFF : _true(v) ? MBX_TAMPER_MAILBOX_AUDIT_ON
                                                                         : MBX_TAMPER_NONE;
      static const gchar *sets[] = { "AuditOwner", "AuditDelegate", "AuditAdmin" };
      for (gsize i = 0; fact->kind == MBX_TAMPER_NONE && i < G_N_ELEMENTS(sets); i++)
        {
          if (mbx_facts_param(record, sets[i], v, sizeof(v)) && mbx_facts_contains_ci(v, "Remove") &&
              (mbx_facts_contains_ci(v, "MailItemsAccessed") || mbx_facts_contains_ci(v, "SearchQueryInitiated")))
            fact->kind = MBX_TAMPER_AUDIT_TRIMMED;
        }
    }
  else if (_is(op, "Set-MailboxAuditBypassAssociation") &&
           mbx_facts_param(record, "AuditBypassEnabled", v, sizeof(v)))
    fact->kind = _true(v) ? MBX_TAMPER_BYPASS_ON : _false(v) ? MBX_TAMPER_BYPASS_OFF
                                                             : MBX_TAMPER_NONE;
  else if (_is(op, "Set-AdminAuditLogConfig") &&
           mbx_facts_param(record, "UnifiedAuditLogIngestionEnabled", v, sizeof(v)))
    fact->kind = _false(v) ? MBX_TAMPER_TENANT_OFF : _true(v) ? MBX_TAMPER_TENANT_ON
                                                              : MBX_TAMPER_NONE;
  else if (_is(op, "Set-OrganizationConfig") && mbx_facts_param(record, "AuditDisabled", v, sizeof(v)))
    fact->kind = _true(v) ? MBX_TAMPER_TENANT_OFF : _false(v) ? MBX_TAMPER_TENANT_ON
                                                              : MBX_TAMPER_NONE;

  if (fact->kind != MBX_TAMPER_TENANT_OFF && fact->kind != MBX_TAMPER_TENANT_ON && identity)
    {
      g_strlcpy(fact->target, identity, sizeof(fact->target));
      for (gchar *p = fact->target; *p; p++)
        *p = g_ascii_tolower(*p);
    }
  return fact->kind;
}
