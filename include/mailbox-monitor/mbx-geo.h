/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Geography of client addresses: country, coordinates and autonomous system
 * from MaxMind DB files (GeoLite2 / GeoIP2 City or Country and ASN, DB-IP
 * lite, or any MMDB with the same field names), read with libmaxminddb.
 *
 * Fields read: country.iso_code (registered_country.iso_code when the
 * record has no country), location.latitude, location.longitude,
 * location.accuracy_radius, autonomous_system_number and
 * autonomous_system_organization.  The ASN fields come from the second
 * database when one is given, otherwise from the first (a database may
 * carry both, as the test databases do).
 *
 * libmaxminddb is optional at build time (meson option geoip).  Without it
 * mbx_geo_available() is FALSE and mbx_geo_open() fails with an error that
 * says so; the distance and travel functions work either way.
 *
 * An MbxGeo is immutable once shared: configure the hosting list before
 * handing it to other threads.  Lookups are then thread-safe and allocate
 * nothing (the files are memory-mapped and only read).
 */
#ifndef MBX_GEO_H_INCLUDED
#define MBX_GEO_H_INCLUDED

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MbxGeo MbxGeo;

typedef struct _MbxGeoInfo
{
  gchar country[3]; /* ISO 3166-1 alpha-2, upper case; "" unknown */
  guint32 asn;      /* 0 unknown */
  gchar as_org[64]; /* "" unknown; cut at a UTF-8 character boundary */
  gboolean has_location;
  gdouble latitude, longitude;
  guint32 accuracy_km; /* location.accuracy_radius; 0 unknown */
  gboolean is_hosting; /* asn is in the hosting list */
} MbxGeoInfo;

/* the fastest travel between two logins that is still possible: an airliner's cruise */
#define MBX_GEO_DEFAULT_MAX_KMH 900.0
/* places closer than this are never impossible travel (database and mobile-network imprecision) */
#define MBX_GEO_TRAVEL_TOLERANCE_KM 500.0

/* TRUE when built with libmaxminddb */
gboolean mbx_geo_available(void);

/*
 * Opens @city_or_country_db and, when not NULL, @asn_db, memory-mapped.
 * Errors (MBX_ERROR_INVALID_OPTION) name the file: missing, unreadable, not
 * a MaxMind DB, or built without libmaxminddb.  The hosting list starts as
 * mbx_geo_default_hosting_asns().
 */
MbxGeo *mbx_geo_open(const gchar *city_or_country_db, const gchar *asn_db, GError **error);
MbxGeo *mbx_geo_ref(MbxGeo *self);
void mbx_geo_unref(MbxGeo *self);

/*
 * Looks @ip up (an address as mbx_ip_canonicalize writes it; any IPv4 or
 * IPv6 text works, and "::ffff:a.b.c.d" is looked up as a.b.c.d).  Fills
 * @out, cleared first, and returns TRUE when either database knows the
 * address.  FALSE, with @out cleared, for unknown and private addresses,
 * host names, text that is no address, and a NULL @self.
 */
gboolean mbx_geo_lookup(const MbxGeo *self, const gchar *ip, MbxGeoInfo *out);

/*
 * FALSE for a country-only database (and a NULL @self): impossible travel
 * is then off.  Decided at open: the database type names a City, or some
 * record among the first in its tree has location.latitude.
 */
gboolean mbx_geo_has_coordinates(const MbxGeo *self);

/* the database type of the first file (its metadata), e.g. "GeoLite2-City" */
const gchar *mbx_geo_database_type(const MbxGeo *self);

/* hosting and VPS networks: a sorted built-in list of ASNs (Microsoft's 8075 deliberately not in it) */
const guint32 *mbx_geo_default_hosting_asns(gsize *n);
/* replaces the hosting list (copied); before the geo is shared */
void mbx_geo_set_hosting_asns(MbxGeo *self, const guint32 *asns, gsize n);
gboolean mbx_geo_is_hosting_asn(const MbxGeo *self, guint32 asn);

/* great-circle distance (haversine, mean Earth radius 6371.0088 km), in km */
gdouble mbx_geo_distance_km(gdouble lat1, gdouble lon1, gdouble lat2, gdouble lon2);

/*
 * The distance two lookups are at least apart: the great-circle distance
 * less both accuracy radii, never below 0.  -1 when either has no location.
 * This is the distance to give mbx_geo_travel_impossible.
 */
gdouble mbx_geo_info_distance_km(const MbxGeoInfo *a, const MbxGeoInfo *b);

/*
 * TRUE when covering @km in @seconds (its absolute value: order does not
 * matter) needs more than @max_kmh (<= 0 or not finite means
 * MBX_GEO_DEFAULT_MAX_KMH).  Never TRUE below MBX_GEO_TRAVEL_TOLERANCE_KM
 * or for a distance that is negative or not finite; at least the tolerance
 * in 0 seconds is impossible.
 */
gboolean mbx_geo_travel_impossible(gdouble km, gint64 seconds, gdouble max_kmh);

G_END_DECLS

#endif
