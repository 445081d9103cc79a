/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The audit record decoder, built on simdjson's DOM API behind the C
 * interface of mbx-decoder.h.  This is the only C++ file of the project:
 * simdjson decodes our records about twenty times faster than json-glib, and
 * the decode runs once per message on the daemon's hot path.
 *
 * Invariants:
 *  - no exception, RTTI or simdjson type crosses the C interface; errors are
 *    simdjson error codes turned into GError;
 *  - every object of interest is walked once: keys are lower-cased and looked
 *    up in one sorted table (record keys are matched case-insensitively
 *    because exports rename them: Panther lower-cases, Log Analytics uses
 *    PascalCase, Event Hub camelCase);
 *  - the input is copied into a padded buffer the decoder owns, so the
 *    caller's bytes need no padding and are never modified;
 *  - JSON inside strings (RequiredResourceAccess) is parsed with a second
 *    parser, because a DOM parser's document dies with its next parse.
 */
/* the headers carry their own G_BEGIN_DECLS */
#include "mbx-decoder.h"
#include "ascii.h"
#include "mbx-error.h"
#include "mbx-ip.h"
#include "mbx-time.h"
#include "mbx-access-path.h"

#include <simdjson.h>
#include <string.h>
#include <string_view>

using namespace simdjson;
using std::string_view;

namespace
{

/* ---- key index ------------------------------------------------------- */

enum Key
{
  K_ACTIVITYDATETIME,
  K_ACTIVITYDISPLAYNAME,
  K_ACTORINFOSTRING,
  K_ADDITIONALDETAILS,
  K_APPACCESSCONTEXT,
  K_APPID,
  K_APPLICATIONID,
  K_AUTHENTICATIONPROTOCOL,
  K_C_IDTYP,
  K_C_SID,
  K_CALLERIPADDRESS,
  K_CATEGORY,
  K_CLIENTAPPID,
  K_CLIENTAPPUSED,
  K_CLIENTINFOSTRING,
  K_CLIENTIP,
  K_CLIENTIPADDRESS,
  K_CORRELATIONID,
  K_CREATEDDATETIME,
  K_CREATIONTIME,
  K_DEVICEPROPERTIES,
  K_EXTENDEDPROPERTIES,
  K_EXTERNALACCESS,
  K_FOLDERS,
  K_ID,
  K_INITIATEDBY,
  K_IPADDRESS,
  K_LOCATION,
  K_LOGONTYPE,
  K_MAILBOXOWNERUPN,
  K_MODIFIEDPROPERTIES,
  K_OFFICE365,
  K_OPERATION,
  K_OPERATIONCOUNT,
  K_OPERATIONID,
  K_OPERATIONNAME,
  K_OPERATIONPROPERTIES,
  K_ORGANIZATIONID,
  K_PARAMETERS,
  K_PROPERTIES,
  K_QUERYTEXT,
  K_RECORDTYPE,
  K_REQUESTID,
  K_REQUESTMETHOD,
  K_REQUESTURI,
  K_RESULT,
  K_RESULTSIGNATURE,
  K_RESULTSTATUS,
  K_RESULTTYPE,
  K_SERVICEPRINCIPALID,
  K_SESSIONID,
  K_SIGNINACTIVITYID,
  K_STATUS,
  K_TARGETRESOURCES,
  K_TENANTID,
  K_TIME,
  K_UNIQUETOKENIDENTIFIER,
  K_USERAGENT,
  K_USERID,
  K_USERKEY,
  K_USERPRINCIPALNAME,
  K_USERTYPE,
  K_WORKLOAD,
  K_MAX
};

struct KeyDef
{
  const char *name;
  Key key;
};

/* every key the decoder reads, lower-case; lookup_key() folds the record's key */
const KeyDef key_table[] = {
  { "activitydatetime", K_ACTIVITYDATETIME },
  { "activitydisplayname", K_ACTIVITYDISPLAYNAME },
  { "actorinfostring", K_ACTORINFOSTRING },
  { "additionaldetails", K_ADDITIONALDETAILS },
  { "appaccesscontext", K_APPACCESSCONTEXT },
  { "appid", K_APPID },
  { "applicationid", K_APPLICATIONID },
  { "authenticationprotocol", K_AUTHENTICATIONPROTOCOL },
  { "c_idtyp", K_C_IDTYP },
  { "c_sid", K_C_SID },
  { "calleripaddress", K_CALLERIPADDRESS },
  { "category", K_CATEGORY },
  { "clientappid", K_CLIENTAPPID },
  { "clientappused", K_CLIENTAPPUSED },
  { "clientinfostring", K_CLIENTINFOSTRING },
  { "clientip", K_CLIENTIP },
  { "clientipaddress", K_CLIENTIPADDRESS },
  { "correlationid", K_CORRELATIONID },
  { "createddatetime", K_CREATEDDATETIME },
  { "creationtime", K_CREATIONTIME },
  { "deviceproperties", K_DEVICEPROPERTIES },
  { "extendedproperties", K_EXTENDEDPROPERTIES },
  { "externalaccess", K_EXTERNALACCESS },
  { "folders", K_FOLDERS },
  { "id", K_ID },
  { "initiatedby", K_INITIATEDBY },
  { "ipaddress", K_IPADDRESS },
  { "location", K_LOCATION },
  { "logontype", K_LOGONTYPE },
  { "mailboxownerupn", K_MAILBOXOWNERUPN },
  { "modifiedproperties", K_MODIFIEDPROPERTIES },
  { "office365", K_OFFICE365 },
  { "operation", K_OPERATION },
  { "operationcount", K_OPERATIONCOUNT },
  { "operationid", K_OPERATIONID },
  { "operationname", K_OPERATIONNAME },
  { "operationproperties", K_OPERATIONPROPERTIES },
  { "organizationid", K_ORGANIZATIONID },
  { "parameters", K_PARAMETERS },
  { "properties", K_PROPERTIES },
  { "querytext", K_QUERYTEXT },
  { "recordtype", K_RECORDTYPE },
  { "requestid", K_REQUESTID },
  { "requestmethod", K_REQUESTMETHOD },
  { "requesturi", K_REQUESTURI },
  { "result", K_RESULT },
  { "resultsignature", K_RESULTSIGNATURE },
  { "resultstatus", K_RESULTSTATUS },
  { "resulttype", K_RESULTTYPE },
  { "serviceprincipalid", K_SERVICEPRINCIPALID },
  { "sessionid", K_SESSIONID },
  { "signinactivityid", K_SIGNINACTIVITYID },
  { "status", K_STATUS },
  { "targetresources", K_TARGETRESOURCES },
  { "tenantid", K_TENANTID },
  { "time", K_TIME },
  { "uniquetokenidentifier", K_UNIQUETOKENIDENTIFIER },
  { "useragent", K_USERAGENT },
  { "userid", K_USERID },
  { "userkey", K_USERKEY },
  { "userprincipalname", K_USERPRINCIPALNAME },
  { "usertype", K_USERTYPE },
  { "workload", K_WORKLOAD },
};

static_assert(sizeof(key_table) / sizeof(key_table[0]) == K_MAX, "key table covers every key");

inline unsigned char
fold(unsigned char c)
{
  return mbx_ascii_fold(c);
}

/*
 * ASCII case-insensitive compare of @n bytes, inline and a folded word at a
 * time: g_ascii_strncasecmp's call and checks cost more, and a byte at a
 * time was a fifth of the decode's string compares.
 */
inline bool
ieq_n(const char *a, const char *b, size_t n)
{
  size_t off = 0;
  for (; off + 8 <= n; off += 8)
    {
      if (mbx_ascii_fold8(mbx_load_le(a + off, 8)) != mbx_ascii_fold8(mbx_load_le(b + off, 8)))
        return false;
    }
  return off == n || mbx_ascii_fold8(mbx_load_le(a + off, n - off)) == mbx_ascii_fold8(mbx_load_le(b + off, n - off));
}

/*
 * Key lookup: a small open-addressing table, built when the library loads,
 * hashed on the length and the first folded word, which is also the first
 * word compared (the rest a folded word at a time).  A binary search with
 * strcmp over a lower-cased copy cost a third of the decode; hashing three
 * separately folded bytes cost a fifth of the lookup.
 */
constexpr size_t KEY_SLOT_BITS = 8;
constexpr size_t KEY_SLOTS = 1 << KEY_SLOT_BITS;
constexpr size_t KEY_WORDS = 4; /* keys up to 32 bytes; the longest is 21 */

struct KeySlots
{
  /* 16 bytes a slot and the rest of the words apart: the whole table is 6 KB and stays in the cache */
  struct Slot
  {
    uint64_t first; /* the first word, folded */
    uint8_t len;    /* 0: empty */
    uint8_t key;
  } slot[KEY_SLOTS];
  uint64_t rest[K_MAX][KEY_WORDS - 1]; /* the key's words after the first */

  /* @first: the key's first (up to) 8 bytes, folded (first_word()) */
  static size_t
  hash(uint64_t first, size_t len)
  {
    return (size_t) (((first ^ len) * 0x9e3779b97f4a7c15ull) >> (64 - KEY_SLOT_BITS));
  }

  static uint64_t
  first_word(const char *p, size_t len)
  {
    return mbx_ascii_fold8(mbx_load_le(p, MIN(8, len)));
  }

  KeySlots()
  {
    memset(slot, 0, sizeof(slot));
    memset(rest, 0, sizeof(rest));
    for (const KeyDef &d : key_table)
      {
        size_t len = strlen(d.name);
        uint64_t first = first_word(d.name, len);
        size_t i = hash(first, len);
        while (slot[i].len)
          i = (i + 1) & (KEY_SLOTS - 1);
        slot[i].first = first;
        slot[i].len = (uint8_t) len;
        slot[i].key = (uint8_t) d.key;
        for (size_t off = 8; off < len; off += 8)
          rest[d.key][off / 8 - 1] = mbx_load_le(d.name + off, MIN(8, len - off));
      }
  }
};

static_assert(sizeof("uniquetokenidentifier") <= KEY_WORDS * 8, "the longest key fits the slot");
static_assert(K_MAX < 256, "a key fits a slot's byte");

/* built when the module loads, so the lookup needs no first-use guard */
const KeySlots key_slots;

inline __attribute__((always_inline)) Key
lookup_key(string_view raw)
{
  size_t len = raw.size();
  const char *p = raw.data();

  if (len == 0 || len > KEY_WORDS * 8)
    return K_MAX;
  uint64_t first = KeySlots::first_word(p, len);
  for (size_t i = KeySlots::hash(first, len);; i = (i + 1) & (KEY_SLOTS - 1))
    {
      const KeySlots::Slot &s = key_slots.slot[i];
      if (!s.len)
        return K_MAX;
      if (s.len != len || s.first != first)
        continue;
      const uint64_t *rest = key_slots.rest[s.key];
      size_t off = 8;
      while (off < len && mbx_ascii_fold8(mbx_load_le(p + off, MIN(8, len - off))) == rest[off / 8 - 1])
        off += 8;
      if (off >= len)
        return (Key) s.key;
    }
}

struct Index
{
  dom::element v[K_MAX];
  bool has[K_MAX];

  void
  build(dom::object obj)
  {
    memset(has, 0, sizeof(has));
    for (dom::key_value_pair field : obj)
      {
        Key k = lookup_key(field.key);
        if (k != K_MAX && !has[k])
          {
            v[k] = field.value;
            has[k] = true;
          }
      }
  }
};

/* ---- value helpers --------------------------------------------------- */

bool
get_str(const Index &ix, Key k, string_view &out)
{
  if (!ix.has[k])
    return false;
  if (ix.v[k].get_string().get(out) != SUCCESS)
    return false;
  return !out.empty();
}

bool
str_to_int(string_view s, int64_t &out)
{
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  if (s.empty() || s.size() > 18)
    return false;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-')
    {
      neg = true;
      i = 1;
      if (s.size() == 1)
        return false;
    }
  int64_t v = 0;
  for (; i < s.size(); i++)
    {
      if (!g_ascii_isdigit(s[i]))
        return false;
      v = v * 10 + (s[i] - '0');
    }
  out = neg ? -v : v;
  return true;
}

/* numbers, or numbers written as strings ("RecordType":"50") */
bool
elem_int(dom::element e, int64_t &out)
{
  int64_t i;
  uint64_t u;
  double d;
  string_view s;
  if (e.get_int64().get(i) == SUCCESS)
    {
      out = i;
      return true;
    }
  if (e.get_uint64().get(u) == SUCCESS)
    {
      out = (int64_t) MIN(u, (uint64_t) G_MAXINT64);
      return true;
    }
  if (e.get_double().get(d) == SUCCESS)
    {
      out = (int64_t) d;
      return true;
    }
  if (e.get_string().get(s) == SUCCESS)
    return str_to_int(s, out);
  return false;
}

bool
get_int(const Index &ix, Key k, int64_t &out)
{
  return ix.has[k] && elem_int(ix.v[k], out);
}

bool
str_to_bool(string_view s, bool &out)
{
  /* size first: a Name/Value pair without its Value gives an empty view whose data() is NULL */
  if (s.size() == 4 && ieq_n(s.data(), "true", 4))
    out = true;
  else if (s.size() == 5 && ieq_n(s.data(), "false", 5))
    out = false;
  else if (s == "1")
    out = true;
  else if (s == "0")
    out = false;
  else
    return false;
  return true;
}

bool
elem_bool(dom::element e, bool &out)
{
  string_view s;
  int64_t i;
  if (e.get_bool().get(out) == SUCCESS)
    return true;
  if (e.get_string().get(s) == SUCCESS)
    return str_to_bool(s, out);
  if (e.get_int64().get(i) == SUCCESS)
    {
      out = i != 0;
      return true;
    }
  return false;
}

inline __attribute__((always_inline)) bool
ieq(string_view a, const char *b)
{
  size_t n = strlen(b);
  return a.size() == n && ieq_n(a.data(), b, n);
}

bool
istarts(string_view a, const char *b)
{
  size_t n = strlen(b);
  return a.size() >= n && ieq_n(a.data(), b, n);
}

bool
icontains(string_view hay, const char *needle)
{
  size_t n = strlen(needle);
  if (n == 0 || hay.size() < n)
    return false;
  unsigned char first = fold((unsigned char) needle[0]);
  for (size_t i = 0; i + n <= hay.size(); i++)
    {
      if (fold((unsigned char) hay[i]) == first && ieq_n(hay.data() + i + 1, needle + 1, n - 1))
        return true;
    }
  return false;
}

/* "Consent to application." and "Consent to application" are the same operation */
string_view
strip_period(string_view op)
{
  if (!op.empty() && op.back() == '.')
    op.remove_suffix(1);
  return op;
}

void
set_sv(MbxRecord *rec, MbxField f, string_view v)
{
  mbx_record_set_string(rec, f, v.data(), v.size());
}

void
set_sv_lower(MbxRecord *rec, MbxField f, string_view v)
{
  mbx_record_set_string_lower(rec, f, v.data(), v.size());
}

void
set_time(MbxRecord *rec, string_view v)
{
  gint64 us;
  if (mbx_time_parse(v.data(), v.size(), &us))
    mbx_record_set_int(rec, MBX_F_EVENT_TIME, us);
}

void
set_ip(MbxRecord *rec, string_view v)
{
  gchar buf[MBX_IP_TEXT_MAX];
  if (mbx_ip_canonicalize(v.data(), v.size(), buf, sizeof(buf)) != MBX_IP_NONE)
    mbx_record_set_string(rec, MBX_F_CLIENT_IP, buf, strlen(buf));
}

/*
 * Name/Value lists: [{"Name":"X","Value":"Y"}, ...].
 * Looks up @n names of such a list in one pass over it: found[i] and
 * out[i] for names[i], the first item of that name winning, its value
 * empty when it has none that is a string.  An item's name and value keys
 * match case-insensitively, its first key of each counting.  Lists that
 * wrappers flattened into an object are read by key.
 */
void
name_value_scan(dom::element list, size_t n, const char *const names[], string_view out[], bool found[],
                const char *name_key = "Name", const char *value_key = "Value")
{
  dom::array arr;
  dom::object obj;
  size_t name_len = strlen(name_key), value_len = strlen(value_key), left = n;

  for (size_t i = 0; i < n; i++)
    {
      found[i] = false;
      out[i] = string_view();
    }
  if (list.get_array().get(arr) == SUCCESS)
    {
      for (dom::element item : arr)
        {
          dom::object o;
          if (item.get_object().get(o) != SUCCESS)
            continue;
          string_view name;
          dom::element value;
          bool seen_name = false, name_is_string = false, seen_value = false;
          for (dom::key_value_pair kv : o)
            {
              if (!seen_name && kv.key.size() == name_len && ieq_n(kv.key.data(), name_key, name_len))
                {
                  seen_name = true;
                  name_is_string = kv.value.get_string().get(name) == SUCCESS;
                }
              else if (!seen_value && kv.key.size() == value_len && ieq_n(kv.key.data(), value_key, value_len))
                {
                  seen_value = true;
                  value = kv.value;
                }
            }
          if (!name_is_string)
            continue;
          for (size_t i = 0; i < n; i++)
            {
              if (found[i] || !ieq(name, names[i]))
                continue;
              found[i] = true;
              if (!seen_value || value.get_string().get(out[i]) != SUCCESS)
                out[i] = string_view();
              if (--left == 0)
                return;
              break;
            }
        }
      return;
    }
  /* some wrappers flatten the list into an object */
  if (list.get_object().get(obj) == SUCCESS)
    {
      for (size_t i = 0; i < n; i++)
        {
          found[i] = obj.at_key_case_insensitive(names[i]).get_string().get(out[i]) == SUCCESS;
          if (!found[i])
            out[i] = string_view();
        }
    }
}

bool
name_value_lookup(dom::element list, const char *name, string_view &out, const char *name_key = "Name",
                  const char *value_key = "Value")
{
  bool found;
  name_value_scan(list, 1, &name, &out, &found, name_key, value_key);
  return found;
}

/* ---- distinct message ids -------------------------------------------- */

struct IdSet
{
  guint64 *slots = nullptr;
  size_t cap = 0;
  size_t count = 0;

  ~IdSet()
  {
    g_free(slots);
  }

  void
  clear()
  {
    if (count)
      memset(slots, 0, cap * sizeof(guint64));
    count = 0;
  }

  void
  grow()
  {
    size_t old_cap = cap;
    guint64 *old = slots;
    cap = cap ? cap * 2 : 256;
    slots = g_new0(guint64, cap);
    count = 0;
    for (size_t i = 0; i < old_cap; i++)
      {
        if (old[i])
          insert_hash(old[i]);
      }
    g_free(old);
  }

  void
  insert_hash(guint64 h)
  {
    size_t mask = cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask)
      {
        if (slots[i] == h)
          return;
        if (slots[i] == 0)
          {
            slots[i] = h;
            count++;
            return;
          }
      }
  }

  void
  insert(string_view s)
  {
    /* a word at a time (FNV-1a a byte at a time was a twentieth of a mail record's decode); 0 is the empty marker */
    const char *p = s.data();
    size_t len = s.size(), off = 0;
    guint64 h = 0x9e3779b97f4a7c15ull ^ len;
    for (; off + 8 <= len; off += 8)
      h = (h ^ mbx_load_le(p + off, 8)) * 0xff51afd7ed558ccdull, h ^= h >> 32;
    if (off < len)
      h = (h ^ mbx_load_le(p + off, len - off)) * 0xff51afd7ed558ccdull;
    /* MurmurHash3's finalizer: the table indexes by the low bits */
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    if (h == 0)
      h = 1;
    if ((count + 1) * 2 > cap)
      grow();
    insert_hash(h);
  }
};

/* ---- scope names ----------------------------------------------------- */

struct Entitlement
{
  const char *id;
  const char *name;
};

const Entitlement entitlements[] = {
  { "dc890d15-9560-4a4c-9b7f-a736ec74ec40", "full_access_as_app" },
  { "3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5", "EWS.AccessAsUser.All" },
  { "810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Mail.Read" },
  { "e2a3a72e-5f79-4c64-b1b1-878b674786c9", "Mail.ReadWrite" },
  { "693c5e45-0940-467d-9b8a-1022fb9d42ef", "Mail.ReadBasic.All" },
  { "b633e1c5-b582-4048-a93e-9f11b44c7e96", "Mail.Send" },
  { "570282fd-fa5c-430d-a7fd-fc8dc98a9dca", "Mail.Read" },
  { "024d486e-b451-40bb-833d-3e66d98c5c73", "Mail.ReadWrite" },
  { "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "offline_access" },
};

/* appends space-separated words of @text to @out, without duplicates */
void
scopes_add(GString *out, string_view text)
{
  size_t i = 0;
  while (i < text.size())
    {
      while (i < text.size() && (g_ascii_isspace(text[i]) || text[i] == ',' || text[i] == '"'))
        i++;
      size_t start = i;
      while (i < text.size() && !g_ascii_isspace(text[i]) && text[i] != ',' && text[i] != '"')
        i++;
      if (i == start)
        continue;
      string_view word = text.substr(start, i - start);
      /* skip words already present */
      bool dup = false;
      const char *p = out->str;
      const char *end = out->str + out->len;
      while (p < end)
        {
          const char *sp = (const char *) memchr(p, ' ', end - p);
          size_t wl = (sp ? sp : end) - p;
          if (wl == word.size() && memcmp(p, word.data(), wl) == 0)
            {
              dup = true;
              break;
            }
          p += wl + 1;
        }
      if (dup)
        continue;
      if (out->len)
        g_string_append_c(out, ' ');
      g_string_append_len(out, word.data(), word.size());
    }
}

void
scopes_add_entitlement(GString *out, string_view id)
{
  for (const Entitlement &e : entitlements)
    {
      if (ieq(id, e.id))
        {
          scopes_add(out, e.name);
          return;
        }
    }
  scopes_add(out, id);
}

/* Entra audit values are JSON-quoted ("\"Mail.Read\""): unquote one level */
void
unquote_into(GString *buf, string_view v)
{
  g_string_truncate(buf, 0);
  while (!v.empty() && g_ascii_isspace(v.front()))
    v.remove_prefix(1);
  while (!v.empty() && g_ascii_isspace(v.back()))
    v.remove_suffix(1);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    {
      v = v.substr(1, v.size() - 2);
      for (size_t i = 0; i < v.size(); i++)
        {
          if (v[i] == '\\' && i + 1 < v.size())
            i++;
          g_string_append_c(buf, v[i]);
        }
      return;
    }
  g_string_append_len(buf, v.data(), v.size());
}

/* ---- JSON text building for cmdlet parameters ------------------------ */

void
json_escape_append(GString *out, string_view s)
{
  g_string_append_c(out, '"');
  for (unsigned char c : s)
    {
      switch (c)
        {
        case '"':
          g_string_append(out, "\\\"");
          break;
        case '\\':
          g_string_append(out, "\\\\");
          break;
        case '\n':
          g_string_append(out, "\\n");
          break;
        case '\r':
          g_string_append(out, "\\r");
          break;
        case '\t':
          g_string_append(out, "\\t");
          break;
        default:
          if (c < 0x20)
            g_string_append_printf(out, "\\u%04x", c);
          else
            g_string_append_c(out, (char) c);
        }
    }
  g_string_append_c(out, '"');
}

/* percent-decoding for Graph query strings ('+' is a space) */
void
url_decode_into(GString *out, string_view s)
{
  g_string_truncate(out, 0);
  for (size_t i = 0; i < s.size(); i++)
    {
      if (s[i] == '%' && i + 2 < s.size() && g_ascii_isxdigit(s[i + 1]) && g_ascii_isxdigit(s[i + 2]))
        {
          g_string_append_c(out, (char) (g_ascii_xdigit_value(s[i + 1]) * 16 + g_ascii_xdigit_value(s[i + 2])));
          i += 2;
        }
      else if (s[i] == '+')
        g_string_append_c(out, ' ');
      else
        g_string_append_c(out, s[i]);
    }
}

/* value of query parameter @name (e.g. "$search") in @uri, raw */
bool
query_param(string_view uri, const char *name, string_view &out)
{
  size_t q = uri.find('?');
  if (q == string_view::npos)
    return false;
  string_view qs = uri.substr(q + 1);
  size_t n = strlen(name);
  size_t pos = 0;
  while (pos <= qs.size())
    {
      size_t amp = qs.find('&', pos);
      string_view part = qs.substr(pos, amp == string_view::npos ? string_view::npos : amp - pos);
      /* "%24search" is "$search" */
      string_view key = part.substr(0, part.find('='));
      bool match = ieq(key, name) || (key.size() == n + 2 && name[0] == '$' && istarts(key, "%24") &&
                                      ieq_n(key.data() + 3, name + 1, n - 1));
      if (match && part.find('=') != string_view::npos)
        {
          out = part.substr(part.find('=') + 1);
          return true;
        }
      if (amp == string_view::npos)
        break;
      pos = amp + 1;
    }
  return false;
}

} // namespace

/* ---- the decoder ----------------------------------------------------- */

struct _MbxDecoder
{
  dom::parser parser;
  dom::parser nested;
  char *buf;
  size_t buf_cap;
  IdSet ids;
  GString *scratch;
  GString *scopes;
  GString *params;
};

namespace
{

const char *
padded_copy(MbxDecoder *self, const char *input, size_t len)
{
  if (len + SIMDJSON_PADDING > self->buf_cap)
    {
      g_free(self->buf);
      self->buf_cap = MAX(len + SIMDJSON_PADDING, (size_t) 4096) * 2;
      self->buf = (char *) g_malloc(self->buf_cap);
    }
  memcpy(self->buf, input, len);
  memset(self->buf + len, 0, SIMDJSON_PADDING);
  return self->buf;
}

bool
set_error_from_simdjson(GError **error, error_code code)
{
  g_set_error(error, MBX_ERROR, MBX_ERROR_MALFORMED, "malformed JSON: %s", error_message(code));
  return false;
}

/* Microsoft's resource APIs: permissions are granted on them, never to them */
bool
is_microsoft_resource(string_view app)
{
  static const char *resources[] = {
    "00000003-0000-0000-c000-000000000000", /* Microsoft Graph */
    "00000002-0000-0ff1-ce00-000000000000", /* Office 365 Exchange Online */
    "00000002-0000-0000-c000-000000000000", /* Azure AD Graph */
    "00000003-0000-0ff1-ce00-000000000000", /* SharePoint Online */
  };
  for (const char *r : resources)
    {
      if (ieq(app, r))
        return true;
    }
  return false;
}

bool
is_grant_operation(string_view op)
{
  static const char *ops[] = {
    "consent to application",
    "add app role assignment to service principal",
    "add app role assignment grant to user",
    "add delegated permission grant",
    "add oauth2permissiongrant",
    "update application",
    "add service principal credentials",
    "update application – certificates and secrets management",
    "add service principal",
    "update service principal",
    "add owner to application",
    "add owner to service principal",
  };
  op = strip_period(op);
  for (const char *o : ops)
    {
      if (ieq(op, o))
        return true;
    }
  return false;
}

/* grants: ModifiedProperties (Management API) or targetResources[].modifiedProperties (Entra) */
void
decode_modified_properties(MbxDecoder *self, dom::element list, const char *name_key, const char *value_key,
                           GString *target_app, MbxRecord *rec)
{
  dom::array arr;
  if (list.get_array().get(arr) != SUCCESS)
    return;
  for (dom::element item : arr)
    {
      string_view name, raw;
      if (item.at_key_case_insensitive(name_key).get_string().get(name) != SUCCESS)
        continue;
      if (item.at_key_case_insensitive(value_key).get_string().get(raw) != SUCCESS)
        continue;
      unquote_into(self->scratch, raw);
      string_view value(self->scratch->str, self->scratch->len);

      if ((ieq(name, "ConsentContext.IsAdminConsent") || ieq(name, "ConsentContext.OnBehalfOfAll")) &&
          ieq(value, "True"))
        mbx_record_set_int(rec, MBX_F_TENANT_WIDE, 1);
      if (ieq(name, "ConsentAction.Permissions"))
        {
          if (icontains(value, "ConsentType: AllPrincipals"))
            mbx_record_set_int(rec, MBX_F_TENANT_WIDE, 1);
          /* "[[Id: ..., Scope:  openid Mail.Read offline_access, CreatedDateTime: ...]]" */
          size_t pos = 0;
          while ((pos = value.find("Scope:", pos)) != string_view::npos)
            {
              pos += 6;
              size_t end = value.find_first_of(",]", pos);
              scopes_add(self->scopes, value.substr(pos, end == string_view::npos ? string_view::npos : end - pos));
            }
        }
      else if (ieq(name, "DelegatedPermissionGrant.Scope") || ieq(name, "AppRole.Value"))
        scopes_add(self->scopes, value);
      else if (ieq(name, "RequiredResourceAccess"))
        {
          dom::element doc;
          dom::array res;
          if (self->nested.parse(value.data(), value.size(), true).get(doc) != SUCCESS ||
              doc.get_array().get(res) != SUCCESS)
            continue;
          for (dom::element r : res)
            {
              dom::array perms;
              if (r.at_key_case_insensitive("RequiredAppPermissions").get_array().get(perms) != SUCCESS)
                continue;
              for (dom::element p : perms)
                {
                  string_view id;
                  if (p.at_key_case_insensitive("EntitlementId").get_string().get(id) == SUCCESS)
                    scopes_add_entitlement(self->scopes, id);
                }
            }
        }
      else if ((ieq(name, "TargetId.ServicePrincipalNames") || ieq(name, "ServicePrincipal.AppId") ||
                ieq(name, "AppId")) &&
               target_app->len == 0)
        {
          /* "3333...;https://app.example" : the first entry is the app id */
          size_t semi = value.find(';');
          string_view first = value.substr(0, semi);
          /* the API a permission is on (Graph, Exchange) is not the app that received it */
          if (!is_microsoft_resource(first))
            g_string_append_len(target_app, first.data(), first.size());
        }
    }
}

void
decode_grant_targets(MbxDecoder *self, const Index &ix, MbxRecord *rec)
{
  GString *target_app = g_string_new(NULL);
  g_string_truncate(self->scopes, 0);

  if (ix.has[K_MODIFIEDPROPERTIES])
    decode_modified_properties(self, ix.v[K_MODIFIEDPROPERTIES], "Name", "NewValue", target_app, rec);
  if (ix.has[K_TARGETRESOURCES])
    {
      dom::array arr;
      if (ix.v[K_TARGETRESOURCES].get_array().get(arr) == SUCCESS)
        {
          for (dom::element t : arr)
            {
              dom::element mp;
              if (t.at_key_case_insensitive("modifiedProperties").get(mp) == SUCCESS)
                decode_modified_properties(self, mp, "displayName", "newValue", target_app, rec);
            }
        }
    }
  if (ix.has[K_ADDITIONALDETAILS] && target_app->len == 0)
    {
      string_view app;
      if (name_value_lookup(ix.v[K_ADDITIONALDETAILS], "AppId", app, "key", "value"))
        g_string_append_len(target_app, app.data(), app.size());
    }
  if (self->scopes->len)
    mbx_record_set_string(rec, MBX_F_SCOPES, self->scopes->str, self->scopes->len);
  if (target_app->len)
    {
      mbx_record_set_string_lower(rec, MBX_F_TARGET_APP, target_app->str, target_app->len);
      mbx_record_set_string_lower(rec, MBX_F_APP_ID, target_app->str, target_app->len);
    }
  g_string_free(target_app, TRUE);
}

void
decode_folders(MbxDecoder *self, dom::element folders, MbxRecord *rec)
{
  dom::array arr;
  if (folders.get_array().get(arr) != SUCCESS)
    return;
  int64_t n_folders = 0;
  self->ids.clear();
  for (dom::element f : arr)
    {
      n_folders++;
      dom::array items;
      if (f.at_key_case_insensitive("FolderItems").get_array().get(items) != SUCCESS)
        continue;
      for (dom::element it : items)
        {
          string_view mid;
          if (it.at_key_case_insensitive("InternetMessageId").get_string().get(mid) == SUCCESS && !mid.empty())
            self->ids.insert(mid);
        }
    }
  mbx_record_set_int(rec, MBX_F_FOLDER_COUNT, n_folders);
  mbx_record_set_int(rec, MBX_F_ITEM_COUNT, (gint64) self->ids.count);
}

void
decode_parameters(MbxDecoder *self, dom::element list, MbxRecord *rec)
{
  dom::array arr;
  if (list.get_array().get(arr) != SUCCESS)
    return;
  GString *out = self->params;
  g_string_assign(out, "{");
  bool first = true;
  for (dom::element item : arr)
    {
      string_view name, value;
      if (item.at_key_case_insensitive("Name").get_string().get(name) != SUCCESS)
        continue;
      if (item.at_key_case_insensitive("Value").get_string().get(value) != SUCCESS)
        value = string_view();
      if (!first)
        g_string_append_c(out, ',');
      first = false;
      json_escape_append(out, name);
      g_string_append_c(out, ':');
      json_escape_append(out, value);
      if (ieq(name, "Identity") && !value.empty() && !mbx_record_has(rec, MBX_F_MAILBOX))
        set_sv_lower(rec, MBX_F_MAILBOX, value);
    }
  g_string_append_c(out, '}');
  mbx_record_set_string(rec, MBX_F_PARAMETERS, out->str, out->len);
}

bool
is_mailbox_kind(MbxKind k)
{
  return k == MBX_KIND_MAIL_ACCESS || k == MBX_KIND_MAIL_SEARCH || k == MBX_KIND_MAIL_ITEM ||
         k == MBX_KIND_MAILBOX_LOGIN;
}

MbxKind
kind_of_management_record(string_view op, int64_t record_type, string_view workload, bool has_params)
{
  if (ieq(op, "MailItemsAccessed"))
    return MBX_KIND_MAIL_ACCESS;
  if (istarts(op, "SearchQueryInitiated"))
    return MBX_KIND_MAIL_SEARCH;
  if (ieq(op, "MailboxLogin"))
    return MBX_KIND_MAILBOX_LOGIN;
  if (ieq(op, "UserLoggedIn") || ieq(op, "UserLoginFailed"))
    return MBX_KIND_SIGNIN;
  if (is_grant_operation(op))
    return MBX_KIND_GRANT;
  if (record_type == 1 || (ieq(workload, "Exchange") && has_params && op.find('-') != string_view::npos))
    return MBX_KIND_ADMIN;
  if (record_type == 2 || record_type == 3 || record_type == 50)
    return MBX_KIND_MAIL_ITEM;
  return MBX_KIND_OTHER;
}

bool
decode_management(MbxDecoder *self, const Index &ix, MbxRecord *rec)
{
  string_view s, op, workload, mailbox, user_id, user_key;
  int64_t record_type = -1, user_type = -1, logon_type = -1, n;
  bool b;

  get_str(ix, K_OPERATION, op);
  get_str(ix, K_WORKLOAD, workload);
  get_int(ix, K_RECORDTYPE, record_type);
  if (op.empty() || (workload.empty() && record_type < 0))
    return false;

  mbx_record_set_string(rec, MBX_F_SOURCE, "management-api", 14);
  set_sv(rec, MBX_F_OPERATION, op);
  set_sv(rec, MBX_F_WORKLOAD, workload);
  if (record_type >= 0)
    mbx_record_set_int(rec, MBX_F_RECORD_TYPE, record_type);
  if (get_str(ix, K_CREATIONTIME, s))
    set_time(rec, s);
  if (get_str(ix, K_ID, s))
    set_sv(rec, MBX_F_ID, s);
  if (get_str(ix, K_ORGANIZATIONID, s))
    set_sv_lower(rec, MBX_F_TENANT, s);
  if (get_str(ix, K_RESULTSTATUS, s))
    set_sv(rec, MBX_F_RESULT, s);
  if (get_int(ix, K_USERTYPE, user_type))
    mbx_record_set_int(rec, MBX_F_USER_TYPE, user_type);
  if (get_int(ix, K_LOGONTYPE, logon_type))
    mbx_record_set_int(rec, MBX_F_LOGON_TYPE, logon_type);
  if (ix.has[K_EXTERNALACCESS] && elem_bool(ix.v[K_EXTERNALACCESS], b))
    mbx_record_set_int(rec, MBX_F_EXTERNAL_ACCESS, b);
  if (get_str(ix, K_SESSIONID, s))
    set_sv(rec, MBX_F_SESSION_ID, s);
  if (get_str(ix, K_MAILBOXOWNERUPN, mailbox))
    set_sv_lower(rec, MBX_F_MAILBOX, mailbox);
  get_str(ix, K_USERID, user_id);
  get_str(ix, K_USERKEY, user_key);

  string_view resource_app, client_app, ctx_client_app;
  if (get_str(ix, K_APPID, resource_app))
    set_sv_lower(rec, MBX_F_RESOURCE_APP_ID, resource_app);
  if (get_str(ix, K_CLIENTAPPID, client_app))
    set_sv_lower(rec, MBX_F_CLIENT_APP_ID, client_app);
  if (get_str(ix, K_APPLICATIONID, s) && resource_app.empty())
    resource_app = s;

  dom::object ctx;
  if (ix.has[K_APPACCESSCONTEXT] && ix.v[K_APPACCESSCONTEXT].get_object().get(ctx) == SUCCESS)
    {
      if (ctx.at_key_case_insensitive("UniqueTokenId").get_string().get(s) == SUCCESS)
        set_sv(rec, MBX_F_TOKEN_ID, s);
      if (ctx.at_key_case_insensitive("AADSessionId").get_string().get(s) == SUCCESS)
        set_sv(rec, MBX_F_AAD_SESSION_ID, s);
      if (ctx.at_key_case_insensitive("ClientAppId").get_string().get(ctx_client_app) != SUCCESS)
        ctx_client_app = string_view();
    }

  /* the client address: ClientIPAddress is the mail client's, ClientIP may be a front end */
  if (get_str(ix, K_CLIENTIPADDRESS, s) || get_str(ix, K_CLIENTIP, s) || get_str(ix, K_IPADDRESS, s))
    set_ip(rec, s);

  string_view client_info, actor_info;
  get_str(ix, K_CLIENTINFOSTRING, client_info);
  get_str(ix, K_ACTORINFOSTRING, actor_info);
  if (!client_info.empty())
    set_sv(rec, MBX_F_CLIENT_INFO, client_info);
  if (ix.has[K_EXTENDEDPROPERTIES])
    {
      static const char *const names[] = { "UserAgent", "RequestType" };
      string_view v[2];
      bool found[2];
      name_value_scan(ix.v[K_EXTENDEDPROPERTIES], 2, names, v, found);
      if (found[0] && client_info.empty() && !v[0].empty())
        set_sv(rec, MBX_F_CLIENT_INFO, v[0]);
      if (found[1] && !v[1].empty())
        set_sv(rec, MBX_F_AUTH_PROTOCOL, v[1]);
    }
  if (ix.has[K_DEVICEPROPERTIES] && !mbx_record_has(rec, MBX_F_SESSION_ID) &&
      name_value_lookup(ix.v[K_DEVICEPROPERTIES], "SessionId", s) && !s.empty())
    set_sv(rec, MBX_F_SESSION_ID, s);

  if (ix.has[K_OPERATIONPROPERTIES])
    {
      static const char *const names[] = { "MailAccessType", "IsThrottled" };
      string_view v[2];
      bool found[2];
      name_value_scan(ix.v[K_OPERATIONPROPERTIES], 2, names, v, found);
      if (found[0] && !v[0].empty())
        set_sv(rec, MBX_F_MAIL_ACCESS_TYPE, v[0]);
      if (found[1] && str_to_bool(v[1], b))
        mbx_record_set_int(rec, MBX_F_THROTTLED, b);
    }
  if (get_int(ix, K_OPERATIONCOUNT, n))
    mbx_record_set_int(rec, MBX_F_OPERATION_COUNT, n);
  if (ix.has[K_FOLDERS])
    decode_folders(self, ix.v[K_FOLDERS], rec);
  if (get_str(ix, K_QUERYTEXT, s))
    set_sv(rec, MBX_F_SEARCH_TEXT, s);
  if (ix.has[K_PARAMETERS])
    decode_parameters(self, ix.v[K_PARAMETERS], rec);

  MbxKind kind = kind_of_management_record(op, record_type, workload, ix.has[K_PARAMETERS]);
  mbx_record_set_kind(rec, kind);

  bool app_only = user_type == 5 || user_type == 6 || icontains(actor_info, "[NoUserAgent][AppId=");

  /* the app the rules judge: the real caller, not the API it went through */
  string_view app;
  if (!client_app.empty())
    app = client_app;
  else if (!ctx_client_app.empty())
    app = ctx_client_app;
  else if (user_type == 5 && !user_key.empty())
    app = user_key;
  else
    app = resource_app;

  if (kind == MBX_KIND_GRANT)
    decode_grant_targets(self, ix, rec);
  else if (!app.empty())
    set_sv_lower(rec, MBX_F_APP_ID, app);

  if (is_mailbox_kind(kind))
    {
      MbxAccessPath path = mbx_access_path_from_client_info(client_info.data(), client_info.size(),
                                                            resource_app.data(), resource_app.size());
      if (path == MBX_PATH_UNKNOWN)
        path = mbx_access_path_from_client_info(actor_info.data(), actor_info.size(), resource_app.data(),
                                                resource_app.size());
      const char *pname = mbx_access_path_name(path);
      mbx_record_set_string(rec, MBX_F_ACCESS_PATH, pname, strlen(pname));
    }

  if (kind == MBX_KIND_SIGNIN && !user_id.empty())
    set_sv_lower(rec, MBX_F_MAILBOX, user_id);

  /* actor and its kind */
  MbxActorKind actor_kind;
  if (app_only)
    {
      actor_kind = MBX_ACTOR_APP_ONLY;
      string_view actor = !app.empty() ? app : user_key;
      if (!actor.empty())
        set_sv_lower(rec, MBX_F_ACTOR, actor);
    }
  else
    {
      if (!user_id.empty())
        set_sv(rec, MBX_F_ACTOR, user_id);
      bool system = user_type == 4 || istarts(user_id, "S-1-5-18") || istarts(user_id, "NT AUTHORITY");
      if (is_mailbox_kind(kind))
        {
          if (system || logon_type == 3 || logon_type == 4)
            actor_kind = MBX_ACTOR_SYSTEM;
          else if (logon_type == 1 || logon_type == 6)
            actor_kind = MBX_ACTOR_ADMIN;
          else if (logon_type == 2 || (!mailbox.empty() && !user_id.empty() &&
                                       !(mailbox.size() == user_id.size() &&
                                         ieq_n(mailbox.data(), user_id.data(), mailbox.size()))))
            actor_kind = MBX_ACTOR_DELEGATE;
          else if (!user_id.empty() || !mailbox.empty())
            actor_kind = MBX_ACTOR_OWNER;
          else
            actor_kind = MBX_ACTOR_UNKNOWN;
        }
      else if (system)
        actor_kind = MBX_ACTOR_SYSTEM;
      else
        actor_kind = user_id.empty() ? MBX_ACTOR_UNKNOWN : MBX_ACTOR_USER;
    }
  mbx_record_set_actor_kind(rec, actor_kind);
  return true;
}

/* the mailbox a Graph request is about: /users/{id or upn}/... or /me/... */
void
graph_mailbox(MbxDecoder *self, string_view uri, string_view user_id, MbxRecord *rec)
{
  string_view path = uri.substr(0, uri.find('?'));
  size_t pos = string_view::npos;
  for (size_t i = 0; i + 7 <= path.size(); i++)
    {
      if (ieq_n(path.data() + i, "/users/", 7))
        {
          pos = i + 7;
          break;
        }
    }
  if (pos != string_view::npos)
    {
      size_t end = path.find('/', pos);
      string_view who = path.substr(pos, end == string_view::npos ? string_view::npos : end - pos);
      /* /users('x') form */
      url_decode_into(self->scratch, who);
      if (self->scratch->len)
        mbx_record_set_string_lower(rec, MBX_F_MAILBOX, self->scratch->str, self->scratch->len);
      return;
    }
  if (icontains(path, "/me/") || (path.size() >= 3 && ieq(path.substr(path.size() - 3), "/me")))
    {
      if (!user_id.empty())
        set_sv_lower(rec, MBX_F_MAILBOX, user_id);
    }
}

void
decode_graph(MbxDecoder *self, const Index &env, const Index &ix, MbxRecord *rec)
{
  string_view s, uri, method, user_id, sp_id, idtyp;

  mbx_record_set_string(rec, MBX_F_SOURCE, "graph-activity", 14);
  mbx_record_set_string(rec, MBX_F_WORKLOAD, "MicrosoftGraph", 14);
  if (get_str(env, K_TIME, s) || get_str(ix, K_TIME, s) || get_str(ix, K_ACTIVITYDATETIME, s))
    set_time(rec, s);
  /* Graph activity records have no Id: the request id identifies one */
  if (get_str(ix, K_ID, s) || get_str(ix, K_REQUESTID, s) || get_str(ix, K_OPERATIONID, s) ||
      get_str(env, K_ID, s) || get_str(env, K_CORRELATIONID, s))
    set_sv(rec, MBX_F_ID, s);
  if (get_str(env, K_TENANTID, s) || get_str(ix, K_TENANTID, s))
    set_sv_lower(rec, MBX_F_TENANT, s);
  get_str(ix, K_REQUESTURI, uri);
  get_str(ix, K_REQUESTMETHOD, method);
  get_str(ix, K_USERID, user_id);
  get_str(ix, K_SERVICEPRINCIPALID, sp_id);
  get_str(ix, K_C_IDTYP, idtyp);

  GString *op = g_string_new(NULL);
  g_string_printf(op, "%.*s %.*s", (int) method.size(), method.data(), (int) MIN(uri.size(), (size_t) 200),
                  uri.data());
  mbx_record_set_string(rec, MBX_F_OPERATION, op->str, op->len);
  g_string_free(op, TRUE);
  set_sv(rec, MBX_F_REQUEST_URI, uri);

  if (get_str(ix, K_APPID, s))
    {
      set_sv_lower(rec, MBX_F_APP_ID, s);
      set_sv_lower(rec, MBX_F_CLIENT_APP_ID, s);
    }
  mbx_record_set_string(rec, MBX_F_RESOURCE_APP_ID, "00000003-0000-0000-c000-000000000000", 36);
  if (get_str(ix, K_IPADDRESS, s) || get_str(env, K_CALLERIPADDRESS, s))
    set_ip(rec, s);
  if (get_str(ix, K_USERAGENT, s))
    set_sv(rec, MBX_F_CLIENT_INFO, s);
  if (get_str(ix, K_SIGNINACTIVITYID, s))
    set_sv(rec, MBX_F_TOKEN_ID, s);
  if (get_str(ix, K_C_SID, s) || get_str(ix, K_SESSIONID, s))
    set_sv(rec, MBX_F_SESSION_ID, s);
  if (get_str(env, K_RESULTSIGNATURE, s))
    set_sv(rec, MBX_F_RESULT, s);

  string_view search;
  bool is_search = icontains(uri, "/search/query");
  if (query_param(uri, "$search", search))
    is_search = true;
  else if (!query_param(uri, "$filter", search))
    search = string_view();
  if (!search.empty())
    {
      url_decode_into(self->scratch, search);
      mbx_record_set_string(rec, MBX_F_SEARCH_TEXT, self->scratch->str, self->scratch->len);
    }

  MbxKind kind = MBX_KIND_OTHER;
  string_view path = uri.substr(0, uri.find('?'));
  if (is_search)
    kind = MBX_KIND_MAIL_SEARCH;
  else if ((method.empty() || ieq(method, "GET")) && (icontains(path, "/messages") || icontains(path, "/mailfolders")))
    kind = MBX_KIND_MAIL_ACCESS;
  mbx_record_set_kind(rec, kind);
  mbx_record_set_string(rec, MBX_F_ACCESS_PATH, "graph", 5);
  graph_mailbox(self, uri, user_id, rec);

  bool app_only = ieq(idtyp, "app") || (user_id.empty() && !sp_id.empty());
  if (app_only)
    {
      if (!sp_id.empty())
        set_sv_lower(rec, MBX_F_ACTOR, sp_id);
      mbx_record_set_actor_kind(rec, MBX_ACTOR_APP_ONLY);
    }
  else
    {
      if (!user_id.empty())
        set_sv_lower(rec, MBX_F_ACTOR, user_id);
      bool own = icontains(path, "/me/") || (mbx_record_has(rec, MBX_F_MAILBOX) && !user_id.empty() &&
                                             g_ascii_strcasecmp(mbx_record_get_string(rec, MBX_F_MAILBOX, NULL),
                                                                std::string(user_id).c_str()) == 0);
      mbx_record_set_actor_kind(rec, own ? MBX_ACTOR_OWNER : MBX_ACTOR_USER);
    }
}

void
decode_signin(string_view category, const Index &env, const Index &ix, MbxRecord *rec)
{
  string_view s, upn;

  mbx_record_set_string(rec, MBX_F_SOURCE, "signin", 6);
  mbx_record_set_string(rec, MBX_F_WORKLOAD, "AzureActiveDirectory", 20);
  mbx_record_set_kind(rec, MBX_KIND_SIGNIN);
  set_sv(rec, MBX_F_OPERATION, category.empty() ? string_view("SignInLogs") : category);
  if (get_str(env, K_TIME, s) || get_str(ix, K_CREATEDDATETIME, s) || get_str(ix, K_TIME, s))
    set_time(rec, s);
  if (get_str(ix, K_ID, s) || get_str(env, K_ID, s))
    set_sv(rec, MBX_F_ID, s);
  if (get_str(env, K_TENANTID, s) || get_str(ix, K_TENANTID, s))
    set_sv_lower(rec, MBX_F_TENANT, s);
  if (get_str(ix, K_APPID, s))
    set_sv_lower(rec, MBX_F_APP_ID, s);
  if (get_str(ix, K_IPADDRESS, s) || get_str(env, K_CALLERIPADDRESS, s))
    set_ip(rec, s);
  if (get_str(ix, K_USERAGENT, s))
    set_sv(rec, MBX_F_CLIENT_INFO, s);
  if (get_str(ix, K_UNIQUETOKENIDENTIFIER, s))
    set_sv(rec, MBX_F_TOKEN_ID, s);
  if (get_str(ix, K_SESSIONID, s))
    set_sv(rec, MBX_F_SESSION_ID, s);
  if (get_str(ix, K_AUTHENTICATIONPROTOCOL, s) || get_str(ix, K_CLIENTAPPUSED, s))
    set_sv(rec, MBX_F_AUTH_PROTOCOL, s);

  dom::object obj;
  if (ix.has[K_LOCATION] && ix.v[K_LOCATION].get_object().get(obj) == SUCCESS &&
      obj.at_key_case_insensitive("countryOrRegion").get_string().get(s) == SUCCESS)
    set_sv(rec, MBX_F_COUNTRY, s);

  int64_t code = -1;
  dom::element code_el;
  if (ix.has[K_STATUS] && ix.v[K_STATUS].get_object().get(obj) == SUCCESS &&
      obj.at_key_case_insensitive("errorCode").get(code_el) == SUCCESS && elem_int(code_el, code))
    ;
  else if (!get_int(ix, K_RESULTTYPE, code) && !get_int(env, K_RESULTTYPE, code))
    code = -1;
  if (code >= 0)
    mbx_record_set_string(rec, MBX_F_RESULT, code == 0 ? "Success" : "Failure", 7);

  bool sp = icontains(category, "ServicePrincipal") || (!get_str(ix, K_USERPRINCIPALNAME, upn) &&
                                                        get_str(ix, K_SERVICEPRINCIPALID, s));
  if (sp)
    {
      if (mbx_record_has(rec, MBX_F_APP_ID))
        {
          gsize len;
          const gchar *app = mbx_record_get_string(rec, MBX_F_APP_ID, &len);
          mbx_record_set_string(rec, MBX_F_ACTOR, app, len);
        }
      mbx_record_set_actor_kind(rec, MBX_ACTOR_APP_ONLY);
    }
  else if (!upn.empty())
    {
      set_sv(rec, MBX_F_ACTOR, upn);
      set_sv_lower(rec, MBX_F_MAILBOX, upn);
      mbx_record_set_actor_kind(rec, MBX_ACTOR_USER);
    }
}

void
decode_entra_audit(MbxDecoder *self, const Index &env, const Index &ix, MbxRecord *rec)
{
  string_view s, op;

  mbx_record_set_string(rec, MBX_F_SOURCE, "entra-audit", 11);
  mbx_record_set_string(rec, MBX_F_WORKLOAD, "AzureActiveDirectory", 20);
  if (!get_str(ix, K_ACTIVITYDISPLAYNAME, op) && !get_str(env, K_OPERATIONNAME, op))
    get_str(ix, K_OPERATIONNAME, op);
  set_sv(rec, MBX_F_OPERATION, op);
  if (get_str(env, K_TIME, s) || get_str(ix, K_ACTIVITYDATETIME, s))
    set_time(rec, s);
  if (get_str(ix, K_ID, s) || get_str(env, K_ID, s))
    set_sv(rec, MBX_F_ID, s);
  if (get_str(env, K_TENANTID, s) || get_str(ix, K_TENANTID, s))
    set_sv_lower(rec, MBX_F_TENANT, s);
  if (get_str(ix, K_RESULT, s) || get_str(env, K_RESULT, s))
    set_sv(rec, MBX_F_RESULT, s);

  dom::object by, user, app;
  if (ix.has[K_INITIATEDBY] && ix.v[K_INITIATEDBY].get_object().get(by) == SUCCESS)
    {
      if (by.at_key_case_insensitive("user").get_object().get(user) == SUCCESS &&
          user.at_key_case_insensitive("userPrincipalName").get_string().get(s) == SUCCESS && !s.empty())
        {
          set_sv(rec, MBX_F_ACTOR, s);
          mbx_record_set_actor_kind(rec, MBX_ACTOR_USER);
          if (user.at_key_case_insensitive("ipAddress").get_string().get(s) == SUCCESS)
            set_ip(rec, s);
        }
      else if (by.at_key_case_insensitive("app").get_object().get(app) == SUCCESS &&
               app.at_key_case_insensitive("servicePrincipalId").get_string().get(s) == SUCCESS && !s.empty())
        {
          set_sv_lower(rec, MBX_F_ACTOR, s);
          mbx_record_set_actor_kind(rec, MBX_ACTOR_APP_ONLY);
        }
    }
  MbxKind kind = is_grant_operation(op) ? MBX_KIND_GRANT : MBX_KIND_OTHER;
  mbx_record_set_kind(rec, kind);
  if (kind == MBX_KIND_GRANT)
    decode_grant_targets(self, ix, rec);
}

bool
decode_object(MbxDecoder *self, dom::object root, MbxRecord *rec, GError **error)
{
  Index env;
  env.build(root);

  /* wrappers: Wazuh {"office365":{...}} */
  dom::object inner;
  if (env.has[K_OFFICE365] && env.v[K_OFFICE365].get_object().get(inner) == SUCCESS)
    return decode_object(self, inner, rec, error);

  string_view category;
  get_str(env, K_CATEGORY, category);

  if (env.has[K_PROPERTIES] && env.v[K_PROPERTIES].get_object().get(inner) == SUCCESS && !category.empty())
    {
      Index props;
      props.build(inner);
      if (ieq(category, "MicrosoftGraphActivityLogs"))
        {
          decode_graph(self, env, props, rec);
          return true;
        }
      if (icontains(category, "SignInLogs"))
        {
          decode_signin(category, env, props, rec);
          return true;
        }
      if (ieq(category, "AuditLogs"))
        {
          decode_entra_audit(self, env, props, rec);
          return true;
        }
    }

  if (decode_management(self, env, rec))
    return true;

  /* flat shapes (Log Analytics tables, Graph API pulls) */
  if (env.has[K_REQUESTURI])
    {
      decode_graph(self, env, env, rec);
      return true;
    }
  if (env.has[K_USERPRINCIPALNAME] && (env.has[K_UNIQUETOKENIDENTIFIER] || env.has[K_IPADDRESS]))
    {
      decode_signin(category, env, env, rec);
      return true;
    }
  if (env.has[K_INITIATEDBY] && (env.has[K_ACTIVITYDISPLAYNAME] || env.has[K_OPERATIONNAME]))
    {
      decode_entra_audit(self, env, env, rec);
      return true;
    }

  g_set_error(error, MBX_ERROR, MBX_ERROR_NOT_AUDIT, "JSON object is not a known audit record shape");
  return false;
}

bool
parse_root(MbxDecoder *self, const gchar *input, gsize len, dom::element &root, GError **error)
{
  gsize offset = 0;
  if (mbx_input_locate(input, len, &offset) == MBX_INPUT_NONE)
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_NOT_JSON, "no JSON value in the message");
      return false;
    }
  if (len - offset > MBX_DECODER_MAX_INPUT)
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_TOO_LARGE, "input of %" G_GSIZE_FORMAT " bytes exceeds %d",
                  len - offset, MBX_DECODER_MAX_INPUT);
      return false;
    }
  const char *padded = padded_copy(self, input + offset, len - offset);
  error_code code = self->parser.parse(padded, len - offset, false).get(root);
  if (code != SUCCESS)
    return set_error_from_simdjson(error, code);
  return true;
}

} // namespace

extern "C"
{

  MbxInputShape
  mbx_input_locate(const gchar *input, gsize len, gsize *json_offset)
  {
    /* a syslog header, if any, is short: look for the JSON start in the first bytes */
    const gsize window = MIN(len, (gsize) 2048);
    gsize i = 0;

    if (len >= 3 && (guchar) input[0] == 0xEF && (guchar) input[1] == 0xBB && (guchar) input[2] == 0xBF)
      i = 3;
    for (; i < window; i++)
      {
        gchar c = input[i];
        if (c != '{' && c != '[')
          continue;
        gsize j = i + 1;
        while (j < len && g_ascii_isspace(input[j]))
          j++;
        gchar next = j < len ? input[j] : '\0';
        if (c == '{' && (next == '"' || next == '}'))
          {
            *json_offset = i;
            /* {"records":[ ... ]} is an Event Hub batch */
            if (len - j >= 10 && memcmp(input + j, "\"records\"", 9) == 0)
              {
                gsize k = j + 9;
                while (k < len && (g_ascii_isspace(input[k]) || input[k] == ':'))
                  k++;
                if (k < len && input[k] == '[')
                  return MBX_INPUT_BATCH;
              }
            return MBX_INPUT_RECORD;
          }
        if (c == '[' && (next == '{' || next == ']' || next == '['))
          {
            *json_offset = i;
            return MBX_INPUT_ARRAY;
          }
      }
    *json_offset = 0;
    return MBX_INPUT_NONE;
  }

  MbxDecoder *
  mbx_decoder_new(void)
  {
    MbxDecoder *self = new MbxDecoder();
    self->buf = NULL;
    self->buf_cap = 0;
    self->scratch = g_string_sized_new(256);
    self->scopes = g_string_sized_new(128);
    self->params = g_string_sized_new(256);
    return self;
  }

  void
  mbx_decoder_free(MbxDecoder *self)
  {
    if (!self)
      return;
    g_free(self->buf);
    g_string_free(self->scratch, TRUE);
    g_string_free(self->scopes, TRUE);
    g_string_free(self->params, TRUE);
    delete self;
  }

  gboolean
  mbx_decoder_decode(MbxDecoder *self, const gchar *input, gsize len, MbxRecord *record, GError **error)
  {
    dom::element root;
    dom::object obj;

    mbx_record_reset(record);
    if (!parse_root(self, input, len, root, error))
      return FALSE;
    if (root.get_object().get(obj) != SUCCESS)
      {
        g_set_error(error, MBX_ERROR, MBX_ERROR_NOT_AUDIT, "JSON value is not an object");
        return FALSE;
      }
    if (!decode_object(self, obj, record, error))
      {
        mbx_record_reset(record);
        return FALSE;
      }
    return TRUE;
  }

  gboolean
  mbx_decoder_split(MbxDecoder *self, const gchar *input, gsize len, MbxBatchElementFunc func, gpointer user_data,
                    gsize *n_elements, GError **error)
  {
    dom::element root;
    dom::array arr;
    gsize n = 0;

    if (n_elements)
      *n_elements = 0;
    if (!parse_root(self, input, len, root, error))
      return FALSE;
    if (root.get_array().get(arr) != SUCCESS &&
        root.at_key("records").get_array().get(arr) != SUCCESS)
      {
        g_set_error(error, MBX_ERROR, MBX_ERROR_NOT_AUDIT, "JSON value is neither an array nor a records batch");
        return FALSE;
      }
    for (dom::element el : arr)
      {
        std::string text = simdjson::minify(el);
        n++;
        if (!func(text.data(), text.size(), user_data))
          break;
      }
    if (n_elements)
      *n_elements = n;
    return TRUE;
  }

} // extern "C"
