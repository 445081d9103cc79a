/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Geography over libmaxminddb (see mbx-geo.h).
 *
 * Invariants: the MMDB_s handles are opened in MMDB_MODE_MMAP and never
 * written after mbx_geo_open returns, which is what makes libmaxminddb's
 * lookups thread-safe; the hosting list is kept sorted and deduplicated and
 * is only replaced before the geo is shared.  Addresses are parsed with
 * inet_pton and looked up by sockaddr (no getaddrinfo on the hot path), an
 * IPv4-mapped IPv6 address as its IPv4 address, because databases built
 * without the ::ffff:0:0/96 alias (DB-IP's, ours) have nothing there.
 *
 * Without libmaxminddb (MBX_HAVE_MAXMINDDB undefined) only the list, the
 * distance and the travel functions are compiled; open always fails.
 */
#include "mbx-geo.h"
#include "mbx-error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef MBX_HAVE_MAXMINDDB
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <maxminddb.h>
#endif

struct _MbxGeo
{
  gint ref_cnt;
#ifdef MBX_HAVE_MAXMINDDB
  MMDB_s main;
  MMDB_s asn;
  gboolean has_asn_db;
#endif
  gboolean has_coordinates;
  gchar *database_type;
  guint32 *hosting; /* sorted, unique */
  gsize n_hosting;
};

/*
 * Hosting and VPS networks (sorted).  Traffic to a mailbox from these is a
 * server, not a person.  Left out on purpose: Microsoft (8075 and its other
 * ASNs: Graph, EWS and REST calls from Microsoft's own services and from
 * tenants' Azure workloads come from there), Zscaler and other security
 * proxies (their egress is people), SaaS vendors such as Salesforce.
 */
static const guint32 default_hosting_asns[] = {
  8100,   /* QuadraNet */
  9009,   /* M247 (many commercial VPN exits) */
  12876,  /* Scaleway (Online SAS) */
  14061,  /* DigitalOcean */
  14618,  /* Amazon AWS (us-east-1) */
  15169,  /* Google (Cloud, Apps Script) */
  16265,  /* Leaseweb Netherlands (legacy) */
  16276,  /* OVH */
  16509,  /* Amazon AWS */
  20473,  /* Vultr (The Constant Company / Choopa) */
  24940,  /* Hetzner Online */
  28753,  /* Leaseweb Germany */
  30633,  /* Leaseweb USA */
  31898,  /* Oracle Cloud */
  36352,  /* ColoCrossing */
  37963,  /* Alibaba Cloud (China) */
  45090,  /* Tencent Cloud (China) */
  45102,  /* Alibaba Cloud */
  51167,  /* Contabo */
  53667,  /* FranTech / BuyVM */
  59253,  /* Leaseweb Asia Pacific */
  60729,  /* Stiftung Erneuerbare Freiheit (Tor exit relays) */
  60781,  /* Leaseweb Netherlands */
  62240,  /* Clouvider */
  63949,  /* Akamai Connected Cloud (Linode) */
  132203, /* Tencent Cloud */
  212238, /* Datacamp (CDN77, VPN exits) */
  213230, /* Hetzner Online (cloud) */
  396982, /* Google Cloud */
};

gboolean
mbx_geo_available(void)
{
#ifdef MBX_HAVE_MAXMINDDB
  return TRUE;
#else
  return FALSE;
#endif
}

const guint32 *
mbx_geo_default_hosting_asns(gsize *n)
{
  if (n)
    *n = G_N_ELEMENTS(default_hosting_asns);
  return default_hosting_asns;
}

static gint
_cmp_asn(const void *a, const void *b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return (x > y) - (x < y);
}

void
mbx_geo_set_hosting_asns(MbxGeo *self, const guint32 *asns, gsize n)
{
  guint32 *list = NULL;
  gsize kept = 0;

  if (n)
    {
      list = g_new(guint32, n);
      memcpy(list, asns, n * sizeof(guint32));
      qsort(list, n, sizeof(guint32), _cmp_asn);
      for (gsize i = 0; i < n; i++)
        if (list[i] != 0 && (kept == 0 || list[kept - 1] != list[i]))
          list[kept++] = list[i];
    }
  g_free(self->hosting);
  self->hosting = list;
  self->n_hosting = kept;
}

gboolean
mbx_geo_is_hosting_asn(const MbxGeo *self, guint32 asn)
{
  if (!self || asn == 0 || self->n_hosting == 0)
    return FALSE;
  return bsearch(&asn, self->hosting, self->n_hosting, sizeof(guint32), _cmp_asn) != NULL;
}

MbxGeo *
mbx_geo_ref(MbxGeo *self)
{
  g_atomic_int_inc(&self->ref_cnt);
  return self;
}

void
mbx_geo_unref(MbxGeo *self)
{
  if (!self || !g_atomic_int_dec_and_test(&self->ref_cnt))
    return;
#ifdef MBX_HAVE_MAXMINDDB
  MMDB_close(&self->main);
  if (self->has_asn_db)
    MMDB_close(&self->asn);
#endif
  g_free(self->database_type);
  g_free(self->hosting);
  g_free(self);
}

gboolean
mbx_geo_has_coordinates(const MbxGeo *self)
{
  return self && self->has_coordinates;
}

const gchar *
mbx_geo_database_type(const MbxGeo *self)
{
  return self ? self->database_type : NULL;
}

/* ---- distance and travel ---------------------------------------------- */

#define EARTH_MEAN_RADIUS_KM 6371.0088

gdouble
mbx_geo_distance_km(gdouble lat1, gdouble lon1, gdouble lat2, gdouble lon2)
{
  const gdouble rad = G_PI / 180.0;
  gdouble dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
  gdouble s1 = sin(dlat / 2), s2 = sin(dlon / 2);
  gdouble a = s1 * s1 + cos(lat1 * rad) * cos(lat2 * rad) * s2 * s2;

  a = CLAMP(a, 0.0, 1.0);
  return 2 * EARTH_MEAN_RADIUS_KM * atan2(sqrt(a), sqrt(1 - a));
}

gdouble
mbx_geo_info_distance_km(const MbxGeoInfo *a, const MbxGeoInfo *b)
{
  if (!a->has_location || !b->has_location)
    return -1;
  gdouble km = mbx_geo_distance_km(a->latitude, a->longitude, b->latitude, b->longitude);
  km -= (gdouble) a->accuracy_km + (gdouble) b->accuracy_km;
  return km > 0 ? km : 0;
}

gboolean
mbx_geo_travel_impossible(gdouble km, gint64 seconds, gdouble max_kmh)
{
  if (!isfinite(km) || km < MBX_GEO_TRAVEL_TOLERANCE_KM)
    return FALSE;
  if (!isfinite(max_kmh) || max_kmh <= 0)
    max_kmh = MBX_GEO_DEFAULT_MAX_KMH;
  /* |seconds| without overflow at G_MININT64; as a double: km * 3600 > max_kmh * s */
  gdouble s = seconds < 0 ? -(gdouble) seconds : (gdouble) seconds;
  return km * 3600.0 > max_kmh * s;
}

/* ---- databases -------------------------------------------------------- */

#ifdef MBX_HAVE_MAXMINDDB

static gboolean
_open_one(MMDB_s *mmdb, const gchar *path, GError **error)
{
  errno = 0;
  gint status = MMDB_open(path, MMDB_MODE_MMAP, mmdb);
  if (status == MMDB_SUCCESS)
    return TRUE;

  if (status == MMDB_FILE_OPEN_ERROR && errno != 0)
    g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "geo database %s: %s", path, g_strerror(errno));
  else if (status == MMDB_INVALID_METADATA_ERROR || status == MMDB_UNKNOWN_DATABASE_FORMAT_ERROR)
    g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "geo database %s: not a MaxMind DB file (%s)", path,
                MMDB_strerror(status));
  else
    g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "geo database %s: %s", path, MMDB_strerror(status));
  return FALSE;
}

/* the entry's value at @path, NULL-terminated, when it has the wanted @type */
static gboolean
_get(MMDB_entry_s *entry, MMDB_entry_data_s *data, guint32 type, const gchar *const *path)
{
  return MMDB_aget_value(entry, data, path) == MMDB_SUCCESS && data->has_data && data->type == type;
}

static const gchar *const path_country[] = { "country", "iso_code", NULL };
static const gchar *const path_registered_country[] = { "registered_country", "iso_code", NULL };
static const gchar *const path_latitude[] = { "location", "latitude", NULL };
static const gchar *const path_longitude[] = { "location", "longitude", NULL };
static const gchar *const path_accuracy[] = { "location", "accuracy_radius", NULL };
static const gchar *const path_asn[] = { "autonomous_system_number", NULL };
static const gchar *const path_as_org[] = { "autonomous_system_organization", NULL };

static guint64
_unsigned(const MMDB_entry_data_s *d)
{
  switch (d->type)
    {
    case MMDB_DATA_TYPE_UINT16:
      return d->uint16;
    case MMDB_DATA_TYPE_UINT32:
      return d->uint32;
    case MMDB_DATA_TYPE_UINT64:
      return d->uint64;
    case MMDB_DATA_TYPE_INT32:
      return d->int32 > 0 ? (guint64) d->int32 : 0;
    default:
      return 0;
    }
}

static gboolean
_get_unsigned(MMDB_entry_s *entry, const gchar *const *path, guint64 *value)
{
  MMDB_entry_data_s d;

  if (MMDB_aget_value(entry, &d, path) != MMDB_SUCCESS || !d.has_data)
    return FALSE;
  if (d.type != MMDB_DATA_TYPE_UINT16 && d.type != MMDB_DATA_TYPE_UINT32 && d.type != MMDB_DATA_TYPE_UINT64 && d.type != MMDB_DATA_TYPE_INT32)
    return FALSE;
  *value = _unsigned(&d);
  return TRUE;
}

static gboolean
_get_double(MMDB_entry_s *entry, const gchar *const *path, gdouble *value)
{
  MMDB_entry_data_s d;

  if (MMDB_aget_value(entry, &d, path) != MMDB_SUCCESS || !d.has_data)
    return FALSE;
  if (d.type == MMDB_DATA_TYPE_DOUBLE)
    *value = d.double_value;
  else if (d.type == MMDB_DATA_TYPE_FLOAT)
    *value = d.float_value;
  else
    return FALSE;
  return isfinite(*value);
}

static gboolean
_get_country(MMDB_entry_s *entry, const gchar *const *path, gchar out[3])
{
  MMDB_entry_data_s d;

  if (!_get(entry, &d, MMDB_DATA_TYPE_UTF8_STRING, path) || d.data_size != 2)
    return FALSE;
  if (!g_ascii_isalpha(d.utf8_string[0]) || !g_ascii_isalpha(d.utf8_string[1]))
    return FALSE;
  out[0] = g_ascii_toupper(d.utf8_string[0]);
  out[1] = g_ascii_toupper(d.utf8_string[1]);
  out[2] = '\0';
  return TRUE;
}

/* copies the valid UTF-8 prefix of the string, cut at a character boundary to fit */
static gboolean
_get_text(MMDB_entry_s *entry, const gchar *const *path, gchar *out, gsize out_size)
{
  MMDB_entry_data_s d;
  const gchar *end;

  if (!_get(entry, &d, MMDB_DATA_TYPE_UTF8_STRING, path) || d.data_size == 0)
    return FALSE;
  gsize len = MIN((gsize) d.data_size, out_size - 1);
  g_utf8_validate(d.utf8_string, len, &end);
  len = end - d.utf8_string;
  memcpy(out, d.utf8_string, len);
  out[len] = '\0';
  return len > 0;
}

static gboolean
_find(const MMDB_s *mmdb, const struct sockaddr *sa, MMDB_entry_s *entry)
{
  gint mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s r = MMDB_lookup_sockaddr(mmdb, sa, &mmdb_error);

  /* an IPv6 address in an IPv4-only database is MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR: unknown */
  if (mmdb_error != MMDB_SUCCESS || !r.found_entry)
    return FALSE;
  *entry = r.entry;
  return TRUE;
}

static gboolean
_fill_asn(MMDB_entry_s *entry, MbxGeoInfo *out)
{
  guint64 asn;

  if (!_get_unsigned(entry, path_asn, &asn) || asn == 0 || asn > G_MAXUINT32)
    return FALSE;
  out->asn = (guint32) asn;
  out->as_org[0] = '\0';
  _get_text(entry, path_as_org, out->as_org, sizeof(out->as_org));
  return TRUE;
}

gboolean
mbx_geo_lookup(const MbxGeo *self, const gchar *ip, MbxGeoInfo *out)
{
  struct sockaddr_in sin;
  struct sockaddr_in6 sin6;
  const struct sockaddr *sa;
  MMDB_entry_s entry;
  gboolean known = FALSE;

  memset(out, 0, sizeof(*out));
  if (!self || !ip)
    return FALSE;

  memset(&sin, 0, sizeof(sin));
  memset(&sin6, 0, sizeof(sin6));
  if (inet_pton(AF_INET, ip, &sin.sin_addr) == 1)
    {
      sin.sin_family = AF_INET;
      sa = (const struct sockaddr *) &sin;
    }
  else if (inet_pton(AF_INET6, ip, &sin6.sin6_addr) == 1)
    {
      if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr))
        {
          sin.sin_family = AF_INET;
          memcpy(&sin.sin_addr, &sin6.sin6_addr.s6_addr[12], 4);
          sa = (const struct sockaddr *) &sin;
        }
      else
        {
          sin6.sin6_family = AF_INET6;
          sa = (const struct sockaddr *) &sin6;
        }
    }
  else
    return FALSE;

  if (_find(&self->main, sa, &entry))
    {
      gdouble lat, lon;
      guint64 radius;

      if (_get_country(&entry, path_country, out->country) || _get_country(&entry, path_registered_country, out->country))
        known = TRUE;
      if (_get_double(&entry, path_latitude, &lat) && _get_double(&entry, path_longitude, &lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)
        {
          out->has_location = TRUE;
          out->latitude = lat;
          out->longitude = lon;
          if (_get_unsigned(&entry, path_accuracy, &radius))
            out->accuracy_km = (guint32) MIN(radius, G_MAXUINT32);
          known = TRUE;
        }
      if (_fill_asn(&entry, out))
        known = TRUE;
    }
  if (self->has_asn_db && _find(&self->asn, sa, &entry) && _fill_asn(&entry, out))
    known = TRUE;

  out->is_hosting = mbx_geo_is_hosting_asn(self, out->asn);
  return known;
}

#define PROBE_MAX_NODES 100000
#define PROBE_MAX_RECORDS 1024

/*
 * Whether the database has coordinates: its type names a City (GeoIP2,
 * GeoLite2, DB-IP), or some record among the first PROBE_MAX_RECORDS of a
 * depth-first walk of the search tree carries location.latitude.  A
 * country-only database has no location anywhere.
 */
static gboolean
_probe_coordinates(const MMDB_s *mmdb)
{
  const gchar *type = mmdb->metadata.database_type;
  guint32 *stack, top = 0, visited = 0, records = 0;
  gboolean found = FALSE;

  if (type && (strstr(type, "City") || strstr(type, "city")))
    return TRUE;

  stack = g_new(guint32, 256);
  stack[top++] = 0;
  while (top > 0 && !found && visited < PROBE_MAX_NODES && records < PROBE_MAX_RECORDS)
    {
      MMDB_search_node_s node;
      guint32 number = stack[--top];

      visited++;
      if (MMDB_read_node(mmdb, number, &node) != MMDB_SUCCESS)
        break;
      for (gint side = 1; side >= 0 && !found; side--)
        {
          guint8 kind = side ? node.right_record_type : node.left_record_type;
          guint64 next = side ? node.right_record : node.left_record;
          MMDB_entry_s entry = side ? node.right_record_entry : node.left_record_entry;
          MMDB_entry_data_s d;

          if (kind == MMDB_RECORD_TYPE_SEARCH_NODE && top < 256)
            stack[top++] = (guint32) next;
          else if (kind == MMDB_RECORD_TYPE_DATA)
            {
              records++;
              found = MMDB_aget_value(&entry, &d, path_latitude) == MMDB_SUCCESS && d.has_data;
            }
        }
    }
  g_free(stack);
  return found;
}

MbxGeo *
mbx_geo_open(const gchar *city_or_country_db, const gchar *asn_db, GError **error)
{
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  if (!city_or_country_db || !*city_or_country_db)
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION, "geo database: no file named");
      return NULL;
    }

  MbxGeo *self = g_new0(MbxGeo, 1);
  self->ref_cnt = 1;
  if (!_open_one(&self->main, city_or_country_db, error))
    {
      g_free(self);
      return NULL;
    }
  if (asn_db && *asn_db)
    {
      if (!_open_one(&self->asn, asn_db, error))
        {
          MMDB_close(&self->main);
          g_free(self);
          return NULL;
        }
      self->has_asn_db = TRUE;
    }
  self->database_type = g_strdup(self->main.metadata.database_type ? self->main.metadata.database_type : "");
  self->has_coordinates = _probe_coordinates(&self->main);
  mbx_geo_set_hosting_asns(self, default_hosting_asns, G_N_ELEMENTS(default_hosting_asns));
  return self;
}

#else /* !MBX_HAVE_MAXMINDDB */

MbxGeo *
mbx_geo_open(const gchar *city_or_country_db, const gchar *asn_db, GError **error)
{
  (void) asn_db;
  g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION,
              "geo database %s: mailbox-monitor was built without libmaxminddb (meson option geoip)",
              city_or_country_db ? city_or_country_db : "(none)");
  return NULL;
}

gboolean
mbx_geo_lookup(const MbxGeo *self, const gchar *ip, MbxGeoInfo *out)
{
  (void) self;
  (void) ip;
  memset(out, 0, sizeof(*out));
  return FALSE;
}

#endif
