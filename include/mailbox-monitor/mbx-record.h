/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The normalized audit record: what the decoder produces from any of the
 * Microsoft 365 record shapes and what the rules read.
 *
 * A record is a fixed set of fields (MbxField).  Each field is either unset,
 * a string or an integer; string values are owned by the record and stay
 * valid until the next mbx_record_reset().  A record is reused across
 * decodes to avoid allocations on the hot path; it is not shared between
 * threads.
 */
#ifndef MBX_RECORD_H_INCLUDED
#define MBX_RECORD_H_INCLUDED

#include <glib.h>

#include "mbx-guid.h"
#include "mbx-ip.h"

G_BEGIN_DECLS

typedef enum
{
  MBX_F_EVENT_TIME, /* int: event time, UTC microseconds since the epoch */
  MBX_F_ID,         /* record Id */
  MBX_F_TENANT,     /* OrganizationId / tenantId */
  MBX_F_SOURCE,     /* record shape: management-api, graph-activity, signin, entra-audit */
  MBX_F_KIND,       /* MbxKind name */
  MBX_F_WORKLOAD,
  MBX_F_OPERATION,
  MBX_F_RECORD_TYPE,      /* int */
  MBX_F_RESULT,           /* result status */
  MBX_F_ACTOR,            /* user UPN, app id or service principal that acted */
  MBX_F_ACTOR_KIND,       /* MbxActorKind name */
  MBX_F_USER_TYPE,        /* int, the UserType enum of the Management API */
  MBX_F_MAILBOX,          /* mailbox owner UPN, lower-cased */
  MBX_F_APP_ID,           /* the app that did the access, as the rules judge it */
  MBX_F_CLIENT_APP_ID,    /* ClientAppId as recorded */
  MBX_F_RESOURCE_APP_ID,  /* AppId as recorded (for Graph reads: Graph itself) */
  MBX_F_CLIENT_IP,        /* canonical text of the client address */
  MBX_F_CLIENT_INFO,      /* ClientInfoString or user agent */
  MBX_F_ACCESS_PATH,      /* MbxAccessPath name */
  MBX_F_MAIL_ACCESS_TYPE, /* Bind or Sync */
  MBX_F_THROTTLED,        /* bool */
  MBX_F_OPERATION_COUNT,  /* int: OperationCount */
  MBX_F_ITEM_COUNT,       /* int: distinct InternetMessageIds */
  MBX_F_FOLDER_COUNT,     /* int */
  MBX_F_LOGON_TYPE,       /* int */
  MBX_F_EXTERNAL_ACCESS,  /* bool */
  MBX_F_SESSION_ID,       /* SessionId / sign-in session / Graph sid */
  MBX_F_AAD_SESSION_ID,   /* AppAccessContext.AADSessionId */
  MBX_F_TOKEN_ID,         /* UniqueTokenId / UniqueTokenIdentifier / SignInActivityId */
  MBX_F_SEARCH_TEXT,      /* QueryText, Graph $search / $filter, search/query body hint */
  MBX_F_REQUEST_URI,      /* Graph request URI */
  MBX_F_SCOPES,           /* granted scopes and app roles, space separated */
  MBX_F_TARGET_APP,       /* app id a grant is for */
  MBX_F_TENANT_WIDE,      /* bool: a grant for every user (AllPrincipals, admin consent) */
  MBX_F_PARAMETERS,       /* cmdlet parameters as a JSON object of strings */
  MBX_F_AUTH_PROTOCOL,    /* sign-in authentication protocol / request type */
  MBX_F_COUNTRY,          /* sign-in country, when the record carries one */
  MBX_F_MAX
} MbxField;

typedef enum
{
  MBX_TYPE_STRING,
  MBX_TYPE_INT,
  MBX_TYPE_BOOL
} MbxFieldType;

typedef enum
{
  MBX_KIND_OTHER,
  MBX_KIND_MAIL_ACCESS,   /* mail items read: MailItemsAccessed, Graph message reads */
  MBX_KIND_MAIL_SEARCH,   /* SearchQueryInitiatedExchange, Graph $search, /search/query */
  MBX_KIND_MAIL_ITEM,     /* other mailbox item operations (Send, Move, ...) */
  MBX_KIND_MAILBOX_LOGIN, /* MailboxLogin */
  MBX_KIND_GRANT,         /* consent, app role, delegated grant, app update, credentials */
  MBX_KIND_SIGNIN,        /* UserLoggedIn, SignInLogs and friends */
  MBX_KIND_ADMIN,         /* Exchange admin cmdlets */
  MBX_KIND_MAX
} MbxKind;

typedef enum
{
  MBX_ACTOR_UNKNOWN,
  MBX_ACTOR_OWNER,
  MBX_ACTOR_DELEGATE,
  MBX_ACTOR_ADMIN,
  MBX_ACTOR_APP_ONLY,
  MBX_ACTOR_SYSTEM,
  MBX_ACTOR_USER, /* a user acting outside a mailbox (sign-in, grant, cmdlet) */
  MBX_ACTOR_MAX
} MbxActorKind;

typedef struct _MbxRecord MbxRecord;

MbxRecord *mbx_record_new(void);
void mbx_record_free(MbxRecord *self);
void mbx_record_reset(MbxRecord *self);

const gchar *mbx_field_name(MbxField field);
MbxFieldType mbx_field_type(MbxField field);
/* the field whose name is @name, or MBX_F_MAX */
MbxField mbx_field_by_name(const gchar *name);

const gchar *mbx_kind_name(MbxKind kind);

/* the kinds that touch one mailbox: reads, searches, item operations, logins */
static inline gboolean
mbx_kind_is_mailbox(MbxKind kind)
{
  return kind == MBX_KIND_MAIL_ACCESS || kind == MBX_KIND_MAIL_SEARCH || kind == MBX_KIND_MAIL_ITEM ||
         kind == MBX_KIND_MAILBOX_LOGIN;
}
const gchar *mbx_actor_kind_name(MbxActorKind kind);

gboolean mbx_record_has(const MbxRecord *self, MbxField field);
/* the app id (MBX_F_APP_ID) as a GUID; NULL when unset or not a GUID */
const MbxGuid *mbx_record_get_app_guid(const MbxRecord *self);

/*
 * The client address (MBX_F_CLIENT_IP) as bytes, parsed on first use and
 * kept until the field changes (the state and the rules each read it); NULL
 * when the field is unset or not an IPv4 or IPv6 address.
 */
const MbxIpAddr *mbx_record_get_client_addr(const MbxRecord *self);
/* NULL when unset; for int and bool fields the decimal text is returned */
const gchar *mbx_record_get_string(const MbxRecord *self, MbxField field, gsize *len);
/* @default_value when unset */
gint64 mbx_record_get_int(const MbxRecord *self, MbxField field, gint64 default_value);
MbxKind mbx_record_get_kind(const MbxRecord *self);
MbxActorKind mbx_record_get_actor_kind(const MbxRecord *self);

/* copies @value; a zero-length value leaves the field unset */
void mbx_record_set_string(MbxRecord *self, MbxField field, const gchar *value, gsize len);
/* as set_string, lower-casing ASCII letters */
void mbx_record_set_string_lower(MbxRecord *self, MbxField field, const gchar *value, gsize len);
void mbx_record_set_int(MbxRecord *self, MbxField field, gint64 value);
void mbx_record_set_kind(MbxRecord *self, MbxKind kind);
void mbx_record_set_actor_kind(MbxRecord *self, MbxActorKind kind);
void mbx_record_unset(MbxRecord *self, MbxField field);

G_END_DECLS

#endif
