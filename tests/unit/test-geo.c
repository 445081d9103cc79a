/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * mbx-geo on real MaxMind DB files: the build writes them from
 * tests/fixtures/geo/test-ranges.csv with tools/make-test-mmdb.pl (a city
 * database with ASN fields, a country-only one and an ASN-only one).
 * Lookups of IPv4, IPv6 and IPv4-mapped addresses, unknown addresses, ASN
 * and the hosting list, coordinates, distance, the impossible-travel
 * predicate and open errors.  Built without libmaxminddb, the stub's error
 * is checked and the lookups skip; without the Perl writer they skip too.
 *
 * Sources: test-geo.c; links the core library.
 */
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-geo.h"
#include "mailbox-monitor/mbx-error.h"

#if defined(GEO_HAVE_MAXMINDDB) && defined(GEO_CITY_DB)
#define HAVE_DBS 1
#else
#define HAVE_DBS 0
#define GEO_CITY_DB ""
#define GEO_COUNTRY_DB ""
#define GEO_ASN_DB ""
#define GEO_LOCATED_DB ""
#endif

static void
skip_without_dbs(void)
{
#ifndef GEO_HAVE_MAXMINDDB
  cr_skip_test("built without libmaxminddb");
#endif
  if (!HAVE_DBS)
    cr_skip_test("libmaxmind-db-writer-perl missing: no test databases");
}

static MbxGeo *
open_ok(const gchar *db, const gchar *asn_db)
{
  GError *error = NULL;
  MbxGeo *geo = mbx_geo_open(db, asn_db, &error);

  cr_assert_not_null(geo, "opening %s: %s", db, error ? error->message : "?");
  return geo;
}

static MbxGeoInfo
lookup_known(const MbxGeo *geo, const gchar *ip)
{
  MbxGeoInfo info;

  cr_assert(mbx_geo_lookup(geo, ip, &info), "%s not found", ip);
  return info;
}

static void
assert_unknown(const MbxGeo *geo, const gchar *ip)
{
  MbxGeoInfo info;

  memset(&info, 0x5a, sizeof(info));
  cr_assert_not(mbx_geo_lookup(geo, ip, &info), "%s found", ip);
  cr_assert_str_eq(info.country, "", "%s: country \"%s\"", ip, info.country);
  cr_assert_eq(info.asn, 0);
  cr_assert_str_eq(info.as_org, "");
  cr_assert_not(info.has_location);
  cr_assert_not(info.is_hosting);
}

/* ---- lookups ------------------------------------------------------------ */

Test(geo, looks_up_an_ipv4_address)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "86.128.1.2");

  cr_assert_str_eq(info.country, "GB");
  cr_assert_eq(info.asn, 2856);
  cr_assert_str_eq(info.as_org, "British Telecommunications PLC");
  cr_assert(info.has_location);
  cr_assert_float_eq(info.latitude, 51.5072, 1e-9);
  cr_assert_float_eq(info.longitude, -0.1276, 1e-9);
  cr_assert_eq(info.accuracy_km, 20);
  cr_assert_not(info.is_hosting);
  mbx_geo_unref(geo);
}

Test(geo, takes_the_most_specific_range)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);

  cr_assert_float_eq(lookup_known(geo, "90.0.42.7").latitude, 45.7640, 1e-9); /* Lyon, the /24 */
  cr_assert_float_eq(lookup_known(geo, "90.0.43.7").latitude, 48.8566, 1e-9); /* Paris, the /16 */
  mbx_geo_unref(geo);
}

Test(geo, looks_up_an_ipv6_address)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "2601:600:8a00::1");

  cr_assert_str_eq(info.country, "US");
  cr_assert_eq(info.asn, 7922);
  cr_assert_str_eq(info.as_org, "Comcast Cable Communications, LLC");
  cr_assert(info.has_location);
  cr_assert_float_eq(info.latitude, 47.6062, 1e-9);
  cr_assert_eq(info.accuracy_km, 0);
  mbx_geo_unref(geo);
}

Test(geo, looks_up_non_canonical_text_too)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);

  cr_assert_eq(lookup_known(geo, "2A01:04F8:0000:0000:0000:0000:0000:0001").asn, 24940);
  mbx_geo_unref(geo);
}

Test(geo, looks_up_an_ipv4_mapped_address_as_ipv4)
{
  skip_without_dbs();
  /* the test databases have no ::ffff:0:0/96 alias: only the reader's mapping finds it */
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "::ffff:86.128.1.2");

  cr_assert_str_eq(info.country, "GB");
  cr_assert_eq(info.asn, 2856);
  info = lookup_known(geo, "::FFFF:18.204.9.9");
  cr_assert_str_eq(info.country, "US");
  cr_assert(info.is_hosting);
  mbx_geo_unref(geo);
}

Test(geo, does_not_know_private_documentation_or_absent_addresses)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);

  assert_unknown(geo, "10.1.2.3");
  assert_unknown(geo, "192.168.0.1");
  assert_unknown(geo, "203.0.113.10");
  assert_unknown(geo, "8.8.8.8");
  assert_unknown(geo, "::1");
  assert_unknown(geo, "2001:db8::1");
  assert_unknown(geo, "::ffff:10.1.2.3");
  mbx_geo_unref(geo);
}

Test(geo, does_not_know_what_is_no_address)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);

  assert_unknown(geo, "");
  assert_unknown(geo, "localhost");
  assert_unknown(geo, "86.128.1.2:443");
  assert_unknown(geo, "[86.128.1.2]");
  assert_unknown(geo, "86.128.1");
  assert_unknown(geo, NULL);
  mbx_geo_unref(geo);
}

Test(geo, a_null_geo_knows_nothing)
{
  MbxGeoInfo info;

  memset(&info, 0x5a, sizeof(info));
  cr_assert_not(mbx_geo_lookup(NULL, "86.128.1.2", &info));
  cr_assert_str_eq(info.country, "");
  cr_assert_not(mbx_geo_has_coordinates(NULL));
  cr_assert_not(mbx_geo_is_hosting_asn(NULL, 16509));
  mbx_geo_unref(NULL);
}

Test(geo, a_range_without_coordinates_has_no_location)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "105.112.3.4");

  cr_assert_str_eq(info.country, "NG");
  cr_assert_eq(info.asn, 36873);
  cr_assert_not(info.has_location);
  cr_assert_eq(info.latitude, 0);
  mbx_geo_unref(geo);
}

Test(geo, a_range_without_asn_has_asn_0)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "187.56.1.1");

  cr_assert_str_eq(info.country, "BR");
  cr_assert_eq(info.asn, 0);
  cr_assert_str_eq(info.as_org, "");
  cr_assert_not(info.is_hosting);
  cr_assert(info.has_location);
  mbx_geo_unref(geo);
}

Test(geo, cuts_a_long_as_organization_at_a_character_boundary)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "80.215.1.1");
  const gchar *full = "Société Française du Radiotéléphone - SFR SA, réseau en Île-de-France";

  /* 63 bytes would end inside the two bytes of "Î" */
  cr_assert_str_eq(info.as_org, "Société Française du Radiotéléphone - SFR SA, réseau en ");
  cr_assert_eq(strlen(info.as_org), 62);
  cr_assert(g_utf8_validate(info.as_org, -1, NULL));
  cr_assert(g_str_has_prefix(full, info.as_org));
  mbx_geo_unref(geo);
}

static gpointer
lookup_many(gpointer data)
{
  const MbxGeo *geo = data;
  static const gchar *ips[] = { "86.128.1.2", "2601:600::1", "::ffff:18.204.9.9", "10.1.2.3", "90.0.42.7" };
  static const guint32 asns[] = { 2856, 7922, 14618, 0, 3215 };
  gsize wrong = 0;

  for (guint i = 0; i < 20000; i++)
    {
      MbxGeoInfo info;
      guint k = i % G_N_ELEMENTS(ips);

      mbx_geo_lookup(geo, ips[k], &info);
      wrong += info.asn != asns[k];
    }
  return GSIZE_TO_POINTER(wrong);
}

Test(geo, lookups_are_thread_safe)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, GEO_ASN_DB);
  GThread *threads[8];

  for (guint t = 0; t < G_N_ELEMENTS(threads); t++)
    threads[t] = g_thread_new("geo", lookup_many, geo);
  for (guint t = 0; t < G_N_ELEMENTS(threads); t++)
    cr_assert_eq(GPOINTER_TO_SIZE(g_thread_join(threads[t])), 0, "thread %u got wrong answers", t);
  mbx_geo_unref(geo);
}

/* ---- hosting networks ----------------------------------------------------- */

Test(geo, marks_cloud_and_vps_asns_as_hosting)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);

  cr_assert(lookup_known(geo, "18.204.1.1").is_hosting);           /* AWS 14618 */
  cr_assert(lookup_known(geo, "95.216.1.1").is_hosting);           /* Hetzner 24940 */
  cr_assert(lookup_known(geo, "2a01:4f8::5").is_hosting);          /* Hetzner, IPv6 */
  cr_assert(lookup_known(geo, "2001:4860:4860::8888").is_hosting); /* Google 15169 */
  cr_assert_not(lookup_known(geo, "1.72.1.1").is_hosting);         /* NTT DOCOMO */
  mbx_geo_unref(geo);
}

Test(geo, does_not_mark_microsoft_as_hosting)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "20.50.1.1");

  cr_assert_eq(info.asn, 8075);
  cr_assert_not(info.is_hosting);
  mbx_geo_unref(geo);
}

Test(geo, the_default_list_is_sorted_unique_and_leaves_microsoft_out)
{
  gsize n = 0;
  const guint32 *asns = mbx_geo_default_hosting_asns(&n);
  gboolean aws = FALSE, google = FALSE;

  cr_assert_gt(n, 20);
  for (gsize i = 0; i < n; i++)
    {
      cr_assert_neq(asns[i], 8075);
      cr_assert_neq(asns[i], 0);
      if (i > 0)
        cr_assert_lt(asns[i - 1], asns[i], "not sorted at %zu", i);
      aws |= asns[i] == 16509;
      google |= asns[i] == 396982;
    }
  cr_assert(aws && google);
}

Test(geo, the_hosting_list_can_be_replaced)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);
  const guint32 mine[] = { 8075, 7922, 8075, 0 };

  mbx_geo_set_hosting_asns(geo, mine, G_N_ELEMENTS(mine));
  cr_assert(lookup_known(geo, "20.50.1.1").is_hosting);
  cr_assert(lookup_known(geo, "2601:600::1").is_hosting);
  cr_assert_not(lookup_known(geo, "18.204.1.1").is_hosting);
  cr_assert_not(mbx_geo_is_hosting_asn(geo, 0));

  mbx_geo_set_hosting_asns(geo, NULL, 0);
  cr_assert_not(lookup_known(geo, "20.50.1.1").is_hosting);
  mbx_geo_unref(geo);
}

/* ---- database kinds ------------------------------------------------------- */

Test(geo, a_city_database_has_coordinates)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, NULL);

  cr_assert(mbx_geo_has_coordinates(geo));
  cr_assert_str_eq(mbx_geo_database_type(geo), "MailboxMonitor-Test-City");
  mbx_geo_unref(geo);
}

Test(geo, a_database_whose_records_have_coordinates_has_coordinates)
{
  skip_without_dbs();
  /* its type does not say City: the walk of its tree finds location.latitude */
  MbxGeo *geo = open_ok(GEO_LOCATED_DB, NULL);

  cr_assert_str_eq(mbx_geo_database_type(geo), "MailboxMonitor-Test-Located");
  cr_assert(mbx_geo_has_coordinates(geo));
  mbx_geo_unref(geo);
}

Test(geo, a_country_only_database_has_no_coordinates)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_COUNTRY_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "86.128.1.2");

  cr_assert_not(mbx_geo_has_coordinates(geo));
  cr_assert_str_eq(info.country, "GB");
  cr_assert_not(info.has_location);
  cr_assert_eq(info.asn, 0);
  mbx_geo_unref(geo);
}

Test(geo, takes_the_asn_from_the_asn_database)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_COUNTRY_DB, GEO_ASN_DB);
  MbxGeoInfo info = lookup_known(geo, "95.216.1.1");

  cr_assert_not(mbx_geo_has_coordinates(geo));
  cr_assert_str_eq(info.country, "FI");
  cr_assert_eq(info.asn, 24940);
  cr_assert_str_eq(info.as_org, "Hetzner Online GmbH");
  cr_assert(info.is_hosting);
  info = lookup_known(geo, "::ffff:1.72.0.1");
  cr_assert_str_eq(info.country, "JP");
  cr_assert_eq(info.asn, 9605);
  mbx_geo_unref(geo);
}

Test(geo, an_asn_database_alone_gives_asn_without_country)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_ASN_DB, NULL);
  MbxGeoInfo info = lookup_known(geo, "2601:600::1");

  cr_assert_str_eq(info.country, "");
  cr_assert_eq(info.asn, 7922);
  cr_assert_not(mbx_geo_has_coordinates(geo));
  mbx_geo_unref(geo);
}

Test(geo, references_are_counted)
{
  skip_without_dbs();
  MbxGeo *geo = open_ok(GEO_CITY_DB, GEO_ASN_DB);

  cr_assert_eq(mbx_geo_ref(geo), geo);
  mbx_geo_unref(geo);
  cr_assert_str_eq(lookup_known(geo, "86.128.1.2").country, "GB");
  mbx_geo_unref(geo);
}

/* ---- open errors ------------------------------------------------------------ */

static void
assert_open_fails(const gchar *db, const gchar *asn_db, const gchar *named, const gchar *why)
{
  GError *error = NULL;
  MbxGeo *geo = mbx_geo_open(db, asn_db, &error);

  cr_assert_null(geo);
  cr_assert_not_null(error);
  cr_assert_eq(error->domain, MBX_ERROR);
  cr_assert_eq(error->code, MBX_ERROR_INVALID_OPTION);
  cr_assert(strstr(error->message, named), "\"%s\" does not name %s", error->message, named);
  cr_assert(strstr(error->message, why), "\"%s\" does not say %s", error->message, why);
  g_error_free(error);
}

Test(geo, a_missing_file_is_an_error_naming_it)
{
#ifdef GEO_HAVE_MAXMINDDB
  assert_open_fails("/nonexistent/GeoLite2-City.mmdb", NULL, "/nonexistent/GeoLite2-City.mmdb",
                    "No such file");
#else
  cr_skip_test("built without libmaxminddb");
#endif
}

Test(geo, a_file_that_is_no_mmdb_is_an_error_naming_it)
{
#ifdef GEO_HAVE_MAXMINDDB
  assert_open_fails(GEO_FIXTURE_CSV, NULL, GEO_FIXTURE_CSV, "not a MaxMind DB");
#else
  cr_skip_test("built without libmaxminddb");
#endif
}

Test(geo, a_bad_asn_database_is_an_error_naming_it)
{
  skip_without_dbs();
  assert_open_fails(GEO_CITY_DB, "/nonexistent/GeoLite2-ASN.mmdb", "/nonexistent/GeoLite2-ASN.mmdb", "No such file");
  assert_open_fails(GEO_CITY_DB, GEO_FIXTURE_CSV, GEO_FIXTURE_CSV, "not a MaxMind DB");
}

Test(geo, no_file_named_is_an_error)
{
#ifdef GEO_HAVE_MAXMINDDB
  assert_open_fails("", NULL, "geo database", "no file");
  assert_open_fails(NULL, NULL, "geo database", "no file");
#else
  cr_skip_test("built without libmaxminddb");
#endif
}

Test(geo, without_libmaxminddb_open_says_so)
{
#ifdef GEO_HAVE_MAXMINDDB
  cr_assert(mbx_geo_available());
#else
  cr_assert_not(mbx_geo_available());
  assert_open_fails("/var/lib/GeoIP/GeoLite2-City.mmdb", NULL, "/var/lib/GeoIP/GeoLite2-City.mmdb",
                    "built without libmaxminddb");
#endif
}

/* ---- distance and travel -------------------------------------------------- */

static void
assert_within_1_percent(gdouble got, gdouble expected)
{
  cr_assert(fabs(got - expected) <= expected * 0.01, "%.1f km, expected %.1f km", got, expected);
}

Test(geo, distance_between_known_cities)
{
  /* published great-circle distances between city centres */
  assert_within_1_percent(mbx_geo_distance_km(51.5072, -0.1276, 48.8566, 2.3522), 344);      /* London-Paris */
  assert_within_1_percent(mbx_geo_distance_km(51.5072, -0.1276, 40.7128, -74.0060), 5570);   /* London-New York */
  assert_within_1_percent(mbx_geo_distance_km(35.6762, 139.6503, -33.8688, 151.2093), 7820); /* Tokyo-Sydney */
  assert_within_1_percent(mbx_geo_distance_km(37.7749, -122.4194, 35.6762, 139.6503), 8270); /* San Francisco-Tokyo */
}

Test(geo, distance_is_symmetric_zero_for_one_place_and_bounded)
{
  cr_assert_float_eq(mbx_geo_distance_km(48.8566, 2.3522, 48.8566, 2.3522), 0, 1e-9);
  cr_assert_float_eq(mbx_geo_distance_km(51.5, -0.1, 40.7, -74.0), mbx_geo_distance_km(40.7, -74.0, 51.5, -0.1), 1e-9);
  /* antipodes: half the circumference, across the antimeridian too */
  assert_within_1_percent(mbx_geo_distance_km(0, 0, 0, 180), 20015);
  assert_within_1_percent(mbx_geo_distance_km(90, 0, -90, 0), 20015);
  cr_assert_lt(mbx_geo_distance_km(0, 179.9, 0, -179.9), 23);
}

Test(geo, info_distance_subtracts_the_accuracy_radii)
{
  MbxGeoInfo london = { .has_location = TRUE, .latitude = 51.5072, .longitude = -0.1276, .accuracy_km = 20 };
  MbxGeoInfo paris = { .has_location = TRUE, .latitude = 48.8566, .longitude = 2.3522, .accuracy_km = 100 };
  MbxGeoInfo nowhere = { .country = "NG" };
  gdouble exact = mbx_geo_distance_km(51.5072, -0.1276, 48.8566, 2.3522);

  cr_assert_float_eq(mbx_geo_info_distance_km(&london, &paris), exact - 120, 1e-9);
  paris.accuracy_km = 1000;
  cr_assert_float_eq(mbx_geo_info_distance_km(&london, &paris), 0, 1e-9);
  cr_assert_float_eq(mbx_geo_info_distance_km(&london, &nowhere), -1, 1e-9);
  cr_assert_float_eq(mbx_geo_info_distance_km(&nowhere, &london), -1, 1e-9);
}

Test(geo, travel_below_the_tolerance_is_never_impossible)
{
  cr_assert_not(mbx_geo_travel_impossible(499.9, 0, 0));
  cr_assert_not(mbx_geo_travel_impossible(344, 60, 0)); /* London-Paris in a minute */
  cr_assert_not(mbx_geo_travel_impossible(0, 0, 0));
  cr_assert_not(mbx_geo_travel_impossible(-1, 0, 0)); /* no location */
  cr_assert_not(mbx_geo_travel_impossible(NAN, 0, 0));
  cr_assert_not(mbx_geo_travel_impossible(INFINITY, 0, 0));
}

Test(geo, travel_at_the_default_speed_edge)
{
  /* 900 km/h: 900 km take exactly 3600 s */
  cr_assert_not(mbx_geo_travel_impossible(900, 3600, 0));
  cr_assert(mbx_geo_travel_impossible(900, 3599, 0));
  cr_assert(mbx_geo_travel_impossible(500, 0, 0));         /* two places at once */
  cr_assert(mbx_geo_travel_impossible(5570, 3 * 3600, 0)); /* London-New York in 3 hours */
  cr_assert_not(mbx_geo_travel_impossible(5570, 7 * 3600, 0));
}

Test(geo, travel_time_order_does_not_matter)
{
  cr_assert(mbx_geo_travel_impossible(900, -3599, 0));
  cr_assert_not(mbx_geo_travel_impossible(900, -3600, 0));
  cr_assert(mbx_geo_travel_impossible(20015, G_MININT64 + 1, 0) == FALSE);
  cr_assert_not(mbx_geo_travel_impossible(20015, G_MININT64, 0));
}

Test(geo, travel_with_another_maximum_speed)
{
  cr_assert(mbx_geo_travel_impossible(1000, 3600, 500));
  cr_assert_not(mbx_geo_travel_impossible(1000, 3600, 1000));
  cr_assert_not(mbx_geo_travel_impossible(1000, 3600, 2000));
  /* not a speed: the default */
  cr_assert(mbx_geo_travel_impossible(901, 3600, -5));
  cr_assert(mbx_geo_travel_impossible(901, 3600, NAN));
  cr_assert_not(mbx_geo_travel_impossible(899, 3600, NAN));
}
