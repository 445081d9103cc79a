/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Helpers shared by the unit tests: loading files from tests/fixtures and
 * asserting normalized record fields.
 *
 * Sources: fixture.c (link it into every test that includes this header).
 * The build defines FIXTURE_DIR, the absolute path of tests/fixtures.
 */
#ifndef MBX_TEST_FIXTURE_H_INCLUDED
#define MBX_TEST_FIXTURE_H_INCLUDED

#include <glib.h>
#include <criterion/criterion.h>
#include "mailbox-monitor/mbx-record.h"
#include "mailbox-monitor/mbx-decoder.h"

/* The contents of FIXTURE_DIR/@name, NUL-terminated; fails the running test when unreadable.  g_free() it. */
gchar *fixture_load(const gchar *name, gsize *len);

/* Decodes FIXTURE_DIR/@name into @record; fails the running test, with the GError text, when decoding fails. */
void fixture_decode(MbxDecoder *decoder, const gchar *name, MbxRecord *record);

/* The value of @field as text, or NULL when unset. */
const gchar *record_str(const MbxRecord *record, MbxField field);

#define assert_field_str(record, field, expected) \
  do \
    { \
      const gchar *actual_ = record_str((record), (field)); \
      cr_assert_not_null(actual_, "%s is unset, expected \"%s\"", mbx_field_name(field), \
                         (expected)); \
      cr_assert_str_eq(actual_, (expected), "%s is \"%s\", expected \"%s\"", \
                       mbx_field_name(field), actual_, (expected)); \
    } \
  while (0)

/* as assert_field_str, ignoring ASCII case (for values recorded as-is, such as GUIDs) */
#define assert_field_str_nocase(record, field, expected) \
  do \
    { \
      const gchar *actual_ = record_str((record), (field)); \
      cr_assert_not_null(actual_, "%s is unset, expected \"%s\"", mbx_field_name(field), \
                         (expected)); \
      cr_assert(g_ascii_strcasecmp(actual_, (expected)) == 0, \
                "%s is \"%s\", expected \"%s\" (any case)", mbx_field_name(field), actual_, \
                (expected)); \
    } \
  while (0)

#define assert_field_int(record, field, expected) \
  do \
    { \
      cr_assert(mbx_record_has((record), (field)), "%s is unset, expected %lld", \
                mbx_field_name(field), (long long) (expected)); \
      gint64 actual_ = mbx_record_get_int((record), (field), G_MININT64); \
      cr_assert_eq(actual_, (gint64) (expected), "%s is %lld, expected %lld", \
                   mbx_field_name(field), (long long) actual_, (long long) (expected)); \
    } \
  while (0)

#define assert_field_unset(record, field) \
  cr_assert_not(mbx_record_has((record), (field)), "%s is set to \"%s\", expected unset", \
                mbx_field_name(field), record_str((record), (field)))

#endif
