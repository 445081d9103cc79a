/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The normalized record.
 *
 * Invariants: string values live in an arena of chunks that are never moved
 * or freed before mbx_record_free(), so a value read from a record stays
 * valid until the next reset, whatever is set after it; a reset only rewinds
 * the chunks, so a record reused for millions of decodes stops allocating
 * after the first few.  Integer fields keep their decimal text in the arena
 * too, so the adapter can set every field as text without formatting per
 * message.
 */
#include "mbx-record.h"
#include "ascii.h"

#include <string.h>

typedef struct
{
  const gchar *value; /* NULL in a set int field: its text is written when first asked for */
  gsize len;
  gint64 num;
  gboolean set;
} MbxSlot;

#define CHUNK_SIZE 4096

typedef struct
{
  gchar *data;
  gsize used;
  gsize cap;
} MbxChunk;

struct _MbxRecord
{
  MbxSlot slots[MBX_F_MAX];
  /* kind and actor kind as enums, kept with their text: the rules ask for them several times per record */
  MbxKind kind;
  MbxActorKind actor_kind;
  /*
   * The app id as 16 bytes, parsed on first use and forgotten whenever the
   * field changes: the approved-app and first-party checks ask for it two
   * or three times per mail record.  A cache behind a const getter: a
   * record belongs to one thread at a time.
   */
  MbxGuid app_guid;
  guint8 app_guid_state; /* PARSED_* */
  /* the client address as bytes, the same way: the state and the rules each read it */
  guint8 client_addr_state; /* PARSED_* */
  MbxIpAddr client_addr;
  GArray *chunks; /* of MbxChunk */
  guint current;
};

enum
{
  PARSED_UNKNOWN, /* not parsed since the field last changed */
  PARSED_VALID,
  PARSED_NONE,
};

typedef struct
{
  const gchar *name;
  MbxFieldType type;
} MbxFieldInfo;

static const MbxFieldInfo field_info[MBX_F_MAX] = {
  [MBX_F_EVENT_TIME] = { "event_time", MBX_TYPE_INT },
  [MBX_F_ID] = { "id", MBX_TYPE_STRING },
  [MBX_F_TENANT] = { "tenant", MBX_TYPE_STRING },
  [MBX_F_SOURCE] = { "source", MBX_TYPE_STRING },
  [MBX_F_KIND] = { "kind", MBX_TYPE_STRING },
  [MBX_F_WORKLOAD] = { "workload", MBX_TYPE_STRING },
  [MBX_F_OPERATION] = { "operation", MBX_TYPE_STRING },
  [MBX_F_RECORD_TYPE] = { "record_type", MBX_TYPE_INT },
  [MBX_F_RESULT] = { "result", MBX_TYPE_STRING },
  [MBX_F_ACTOR] = { "actor", MBX_TYPE_STRING },
  [MBX_F_ACTOR_KIND] = { "actor_kind", MBX_TYPE_STRING },
  [MBX_F_USER_TYPE] = { "user_type", MBX_TYPE_INT },
  [MBX_F_MAILBOX] = { "mailbox", MBX_TYPE_STRING },
  [MBX_F_APP_ID] = { "app_id", MBX_TYPE_STRING },
  [MBX_F_CLIENT_APP_ID] = { "client_app_id", MBX_TYPE_STRING },
  [MBX_F_RESOURCE_APP_ID] = { "resource_app_id", MBX_TYPE_STRING },
  [MBX_F_CLIENT_IP] = { "client_ip", MBX_TYPE_STRING },
  [MBX_F_CLIENT_INFO] = { "client_info", MBX_TYPE_STRING },
  [MBX_F_ACCESS_PATH] = { "access_path", MBX_TYPE_STRING },
  [MBX_F_MAIL_ACCESS_TYPE] = { "mail_access_type", MBX_TYPE_STRING },
  [MBX_F_THROTTLED] = { "throttled", MBX_TYPE_BOOL },
  [MBX_F_OPERATION_COUNT] = { "operation_count", MBX_TYPE_INT },
  [MBX_F_ITEM_COUNT] = { "item_count", MBX_TYPE_INT },
  [MBX_F_FOLDER_COUNT] = { "folder_count", MBX_TYPE_INT },
  [MBX_F_LOGON_TYPE] = { "logon_type", MBX_TYPE_INT },
  [MBX_F_EXTERNAL_ACCESS] = { "external_access", MBX_TYPE_BOOL },
  [MBX_F_SESSION_ID] = { "session_id", MBX_TYPE_STRING },
  [MBX_F_AAD_SESSION_ID] = { "aad_session_id", MBX_TYPE_STRING },
  [MBX_F_TOKEN_ID] = { "token_id", MBX_TYPE_STRING },
  [MBX_F_SEARCH_TEXT] = { "search_text", MBX_TYPE_STRING },
  [MBX_F_REQUEST_URI] = { "request_uri", MBX_TYPE_STRING },
  [MBX_F_SCOPES] = { "scopes", MBX_TYPE_STRING },
  [MBX_F_TARGET_APP] = { "target_app", MBX_TYPE_STRING },
  [MBX_F_TENANT_WIDE] = { "tenant_wide", MBX_TYPE_BOOL },
  [MBX_F_PARAMETERS] = { "parameters", MBX_TYPE_STRING },
  [MBX_F_AUTH_PROTOCOL] = { "auth_protocol", MBX_TYPE_STRING },
  [MBX_F_COUNTRY] = { "country", MBX_TYPE_STRING },
};

static const gchar *kind_names[MBX_KIND_MAX] = {
  [MBX_KIND_OTHER] = "other",
  [MBX_KIND_MAIL_ACCESS] = "mail-access",
  [MBX_KIND_MAIL_SEARCH] = "mail-search",
  [MBX_KIND_MAIL_ITEM] = "mail-item",
  [MBX_KIND_MAILBOX_LOGIN] = "mailbox-login",
  [MBX_KIND_GRANT] = "grant",
  [MBX_KIND_SIGNIN] = "signin",
  [MBX_KIND_ADMIN] = "admin",
};

static const gchar *actor_kind_names[MBX_ACTOR_MAX] = {
  [MBX_ACTOR_UNKNOWN] = "unknown",
  [MBX_ACTOR_OWNER] = "owner",
  [MBX_ACTOR_DELEGATE] = "delegate",
  [MBX_ACTOR_ADMIN] = "admin",
  [MBX_ACTOR_APP_ONLY] = "app-only",
  [MBX_ACTOR_SYSTEM] = "system",
  [MBX_ACTOR_USER] = "user",
};

const gchar *
mbx_field_name(MbxField field)
{
  g_return_val_if_fail(field < MBX_F_MAX, NULL);
  return field_info[field].name;
}

MbxFieldType
mbx_field_type(MbxField field)
{
  g_return_val_if_fail(field < MBX_F_MAX, MBX_TYPE_STRING);
  return field_info[field].type;
}

MbxField
mbx_field_by_name(const gchar *name)
{
  for (gint i = 0; i < MBX_F_MAX; i++)
    {
      if (strcmp(field_info[i].name, name) == 0)
        return (MbxField) i;
    }
  return MBX_F_MAX;
}

const gchar *
mbx_kind_name(MbxKind kind)
{
  return kind < MBX_KIND_MAX ? kind_names[kind] : kind_names[MBX_KIND_OTHER];
}

const gchar *
mbx_actor_kind_name(MbxActorKind kind)
{
  return kind < MBX_ACTOR_MAX ? actor_kind_names[kind] : actor_kind_names[MBX_ACTOR_UNKNOWN];
}

MbxRecord *
mbx_record_new(void)
{
  MbxRecord *self = g_new0(MbxRecord, 1);
  self->chunks = g_array_new(FALSE, TRUE, sizeof(MbxChunk));
  return self;
}

void
mbx_record_free(MbxRecord *self)
{
  if (!self)
    return;
  for (guint i = 0; i < self->chunks->len; i++)
    g_free(g_array_index(self->chunks, MbxChunk, i).data);
  g_array_free(self->chunks, TRUE);
  g_free(self);
}

void
mbx_record_reset(MbxRecord *self)
{
  memset(self->slots, 0, sizeof(self->slots));
  self->kind = MBX_KIND_OTHER;
  self->actor_kind = MBX_ACTOR_UNKNOWN;
  self->app_guid_state = PARSED_UNKNOWN;
  self->client_addr_state = PARSED_UNKNOWN;
  for (guint i = 0; i < self->chunks->len; i++)
    g_array_index(self->chunks, MbxChunk, i).used = 0;
  self->current = 0;
}

gboolean
mbx_record_has(const MbxRecord *self, MbxField field)
{
  g_return_val_if_fail(field < MBX_F_MAX, FALSE);
  return self->slots[field].set;
}

static void _write_int_text(MbxRecord *self, MbxField field);

const gchar *
mbx_record_get_string(const MbxRecord *self, MbxField field, gsize *len)
{
  g_return_val_if_fail(field < MBX_F_MAX, NULL);
  const MbxSlot *slot = &self->slots[field];
  if (!slot->set)
    {
      if (len)
        *len = 0;
      return NULL;
    }
  if (G_UNLIKELY(!slot->value))
    _write_int_text((MbxRecord *) self, field);
  if (len)
    *len = slot->len;
  return slot->value;
}

gint64
mbx_record_get_int(const MbxRecord *self, MbxField field, gint64 default_value)
{
  g_return_val_if_fail(field < MBX_F_MAX, default_value);
  const MbxSlot *slot = &self->slots[field];
  if (!slot->set || field_info[field].type == MBX_TYPE_STRING)
    return default_value;
  return slot->num;
}

static gint
_name_index(const gchar *const *names, gint n, const gchar *value, gsize len)
{
  for (gint i = 0; i < n; i++)
    {
      if (strlen(names[i]) == len && memcmp(names[i], value, len) == 0)
        return i;
    }
  return 0;
}

MbxKind
mbx_record_get_kind(const MbxRecord *self)
{
  return self->slots[MBX_F_KIND].set ? self->kind : MBX_KIND_OTHER;
}

MbxActorKind
mbx_record_get_actor_kind(const MbxRecord *self)
{
  return self->slots[MBX_F_ACTOR_KIND].set ? self->actor_kind : MBX_ACTOR_UNKNOWN;
}

/* room for @size bytes that will not move until the record is freed */
static gchar *
_alloc(MbxRecord *self, gsize size)
{
  while (self->current < self->chunks->len)
    {
      MbxChunk *chunk = &g_array_index(self->chunks, MbxChunk, self->current);
      if (chunk->cap - chunk->used >= size)
        {
          gchar *p = chunk->data + chunk->used;
          chunk->used += size;
          return p;
        }
      self->current++;
    }
  MbxChunk chunk = { NULL, size, MAX(CHUNK_SIZE, size) };
  chunk.data = g_malloc(chunk.cap);
  g_array_append_val(self->chunks, chunk);
  self->current = self->chunks->len - 1;
  return chunk.data;
}

static void
_store(MbxRecord *self, MbxField field, const gchar *value, gsize len, gboolean lower)
{
  MbxSlot *slot = &self->slots[field];
  gchar *p = _alloc(self, len + 1);

  if (lower)
    {
      /* folded eight bytes at a time (a byte at a time was a tenth of the decode of a mail record) */
      gsize i = 0;
      for (; i + 8 <= len; i += 8)
        {
          guint64 w;
          memcpy(&w, value + i, 8);
          w = mbx_ascii_fold8(w);
          memcpy(p + i, &w, 8);
        }
      for (; i < len; i++)
        p[i] = mbx_ascii_fold(value[i]);
    }
  else
    memcpy(p, value, len);
  /* NUL-terminate every value so callers may use it as a C string */
  p[len] = '\0';
  slot->value = p;
  slot->len = len;
  slot->set = TRUE;
}

const MbxGuid *
mbx_record_get_app_guid(const MbxRecord *self)
{
  if (self->app_guid_state == PARSED_UNKNOWN)
    {
      MbxRecord *cache = (MbxRecord *) self;
      const gchar *app = mbx_record_get_string(self, MBX_F_APP_ID, NULL);
      cache->app_guid_state = app && mbx_guid_parse(app, &cache->app_guid) ? PARSED_VALID : PARSED_NONE;
    }
  return self->app_guid_state == PARSED_VALID ? &self->app_guid : NULL;
}

const MbxIpAddr *
mbx_record_get_client_addr(const MbxRecord *self)
{
  if (self->client_addr_state == PARSED_UNKNOWN)
    {
      MbxRecord *cache = (MbxRecord *) self;
      gsize len;
      const gchar *ip = mbx_record_get_string(self, MBX_F_CLIENT_IP, &len);
      cache->client_addr_state = ip && mbx_ip_parse(ip, len, &cache->client_addr) ? PARSED_VALID : PARSED_NONE;
    }
  return self->client_addr_state == PARSED_VALID ? &self->client_addr : NULL;
}

static inline void
_changing(MbxRecord *self, MbxField field)
{
  if (field == MBX_F_APP_ID)
    self->app_guid_state = PARSED_UNKNOWN;
  else if (field == MBX_F_CLIENT_IP)
    self->client_addr_state = PARSED_UNKNOWN;
}

/* a kind set as text (set_string) gets its enum from the text */
static void
_note_kinds(MbxRecord *self, MbxField field)
{
  const MbxSlot *slot = &self->slots[field];
  if (field == MBX_F_KIND)
    self->kind = (MbxKind) _name_index(kind_names, MBX_KIND_MAX, slot->value, slot->len);
  else if (field == MBX_F_ACTOR_KIND)
    self->actor_kind = (MbxActorKind) _name_index(actor_kind_names, MBX_ACTOR_MAX, slot->value, slot->len);
}

void
mbx_record_set_string(MbxRecord *self, MbxField field, const gchar *value, gsize len)
{
  g_return_if_fail(field < MBX_F_MAX);
  _changing(self, field);
  if (!value || len == 0)
    {
      self->slots[field].set = FALSE;
      return;
    }
  _store(self, field, value, len, FALSE);
  if (G_UNLIKELY(field == MBX_F_KIND || field == MBX_F_ACTOR_KIND))
    _note_kinds(self, field);
}

void
mbx_record_set_string_lower(MbxRecord *self, MbxField field, const gchar *value, gsize len)
{
  g_return_if_fail(field < MBX_F_MAX);
  _changing(self, field);
  if (!value || len == 0)
    {
      self->slots[field].set = FALSE;
      return;
    }
  _store(self, field, value, len, TRUE);
  if (G_UNLIKELY(field == MBX_F_KIND || field == MBX_F_ACTOR_KIND))
    _note_kinds(self, field);
}

/* decimal text of @value at the end of @buf (24 bytes); returns where it starts.  printf cost 700 instructions */
static gchar *
_format_int(gchar *end, gint64 value)
{
  guint64 u = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  gchar *p = end;
  do
    {
      *--p = (gchar) ('0' + u % 10);
      u /= 10;
    }
  while (u);
  if (value < 0)
    *--p = '-';
  return p;
}

void
mbx_record_set_int(MbxRecord *self, MbxField field, gint64 value)
{
  g_return_if_fail(field < MBX_F_MAX);
  _changing(self, field);

  if (field_info[field].type == MBX_TYPE_BOOL)
    value = value ? 1 : 0;
  /*
   * The text waits until someone asks for it (mbx_record_get_string, from
   * the one thread that owns the record): of the half dozen numbers a
   * record carries, the rules and the state read them as numbers, and
   * writing each as text cost a thousand instructions per record.
   */
  MbxSlot *slot = &self->slots[field];
  slot->value = NULL;
  slot->len = 0;
  slot->num = value;
  slot->set = TRUE;
}

static void
_write_int_text(MbxRecord *self, MbxField field)
{
  gchar buf[24];
  gchar *start = _format_int(buf + sizeof(buf), self->slots[field].num);
  _store(self, field, start, buf + sizeof(buf) - start, FALSE);
}

void
mbx_record_set_kind(MbxRecord *self, MbxKind kind)
{
  const gchar *name = mbx_kind_name(kind);
  _store(self, MBX_F_KIND, name, strlen(name), FALSE);
  self->kind = kind < MBX_KIND_MAX ? kind : MBX_KIND_OTHER;
}

void
mbx_record_set_actor_kind(MbxRecord *self, MbxActorKind kind)
{
  const gchar *name = mbx_actor_kind_name(kind);
  _store(self, MBX_F_ACTOR_KIND, name, strlen(name), FALSE);
  self->actor_kind = kind < MBX_ACTOR_MAX ? kind : MBX_ACTOR_UNKNOWN;
}

void
mbx_record_unset(MbxRecord *self, MbxField field)
{
  g_return_if_fail(field < MBX_F_MAX);
  _changing(self, field);
  self->slots[field].set = FALSE;
}
