/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pre-screen: which raw texts pass without decoding, and that the
 * answer is never SKIP for anything a rule reads.
 */
#include "mailbox-monitor/mbx-prescreen.h"
#include "mailbox-monitor/mbx-detector.h"
#include "fixture.h"

#include <string.h>

static MbxPrescreen
screen(const gchar *text)
{
  return mbx_prescreen(text, strlen(text));
}

static const gchar *sharepoint =
  "{\"CreationTime\":\"2026-11-02T09:41:07\",\"Operation\":\"FileAccessed\",\"RecordType\":6,"
  "\"Workload\":\"SharePoint\",\"UserId\":\"alice@contoso.com\"}";

Test(prescreen, skips_a_sharepoint_record)
{
  cr_assert_eq(screen(sharepoint), MBX_PRESCREEN_SKIP);
}

Test(prescreen, skips_every_listed_workload_and_nothing_in_other_case)
{
  for (const gchar *const *w = mbx_prescreen_workloads(); *w; w++)
    {
      gchar *text = g_strdup_printf("{\"Operation\":\"X\",\"Workload\":\"%s\",\"UserId\":\"u\"}", *w);
      cr_assert_eq(screen(text), MBX_PRESCREEN_SKIP, "%s", *w);
      g_free(text);
      gchar *upper = g_ascii_strup(*w, -1);
      text = g_strdup_printf("{\"Operation\":\"X\",\"Workload\":\"%s\",\"UserId\":\"u\"}", upper);
      cr_assert_eq(screen(text), MBX_PRESCREEN_DECODE, "%s: only the API's own spelling is trusted", upper);
      g_free(text);
      g_free(upper);
    }
}

Test(prescreen, decodes_the_workloads_rules_read)
{
  const gchar *read[] = { "Exchange", "AzureActiveDirectory", "SecurityComplianceCenter", "SomethingNew", "" };
  for (gsize i = 0; i < G_N_ELEMENTS(read); i++)
    {
      gchar *text = g_strdup_printf("{\"Operation\":\"X\",\"Workload\":\"%s\"}", read[i]);
      cr_assert_eq(screen(text), MBX_PRESCREEN_DECODE, "%s", read[i]);
      g_free(text);
    }
}

Test(prescreen, allows_blanks_around_the_colon_and_a_syslog_header)
{
  cr_assert_eq(screen("<14>1 2026-11-02T09:41:07Z host o365 - - - {\"Op\":\"X\", \"Workload\" :\n \"OneDrive\" }\n"),
               MBX_PRESCREEN_SKIP);
}

Test(prescreen, decodes_when_unsure)
{
  const gchar *unsure[] = {
    /* no Workload at all (Graph activity, Entra sign-ins through Event Hub) */
    "{\"operationName\":\"Microsoft Graph Activity\",\"properties\":{}}",
    /* two Workload keys: a nested one must not answer for the record */
    "{\"Workload\":\"SharePoint\",\"Inner\":{\"Workload\":\"Exchange\"}}",
    "{\"Inner\":{\"Workload\":\"SharePoint\"},\"Workload\":\"Exchange\"}",
    /* cut short: decoded, so it is counted as unparsed */
    "{\"Operation\":\"FileAccessed\",\"Workload\":\"SharePoint\",\"UserId\":\"ali",
    /* an escape in the value */
    "{\"Workload\":\"Share\\u0050oint\"}",
    /* "Workload" inside a string value is escaped, never a key */
    "{\"Subject\":\"\\\"Workload\\\":\\\"SharePoint\\\"\",\"Workload\":\"Exchange\"}",
    /* the value is not a string */
    "{\"Workload\":6}",
    /* a content blob and an Event Hub batch are split first, then screened per record */
    "[{\"Workload\":\"SharePoint\"}]",
    "{\"records\":[{\"Workload\":\"SharePoint\"}]}",
    "not json at all",
    "",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(unsure); i++)
    cr_assert_eq(screen(unsure[i]), MBX_PRESCREEN_DECODE, "%s", unsure[i]);
  cr_assert_eq(mbx_prescreen(NULL, 0), MBX_PRESCREEN_DECODE);
}

Test(prescreen, looks_only_at_the_given_length)
{
  /* the closing brace lies past @len: the record is cut */
  cr_assert_eq(mbx_prescreen(sharepoint, strlen(sharepoint) - 1), MBX_PRESCREEN_DECODE);
}

/*
 * The invariant behind SKIP: a skipped record is one the decoder calls
 * "other" and on which no rule fires; every other fixture is decoded.
 */
Test(prescreen, skips_only_fixtures_that_decode_to_other_with_no_rule_firing)
{
  const gchar *skipped[] = { "mgmt-sharepoint-file-accessed.json", "mgmt-onedrive-file-modified.json",
                             "mgmt-teams-message-sent.json" };
  MbxDecoder *decoder = mbx_decoder_new();
  MbxRecord *record = mbx_record_new();
  MbxDetector *detector = mbx_detector_new();
  GDir *dir = g_dir_open(FIXTURE_DIR, 0, NULL);
  const gchar *name;
  guint n_skipped = 0, n_decoded = 0;

  cr_assert_not_null(dir);
  while ((name = g_dir_read_name(dir)))
    {
      gchar *path = g_build_filename(FIXTURE_DIR, name, NULL);
      gboolean regular = g_file_test(path, G_FILE_TEST_IS_REGULAR);
      g_free(path);
      if (!regular)
        continue;
      gsize len;
      gchar *text = fixture_load(name, &len);
      gboolean expect_skip = FALSE;
      for (gsize i = 0; i < G_N_ELEMENTS(skipped); i++)
        expect_skip |= strcmp(name, skipped[i]) == 0;
      MbxPrescreen answer = mbx_prescreen(text, len);
      cr_assert_eq(answer, expect_skip ? MBX_PRESCREEN_SKIP : MBX_PRESCREEN_DECODE, "%s", name);
      if (answer == MBX_PRESCREEN_SKIP)
        {
          MbxVerdict verdict;
          fixture_decode(decoder, name, record);
          cr_assert_eq(mbx_record_get_kind(record), MBX_KIND_OTHER, "%s", name);
          mbx_detector_evaluate(detector, record, &verdict);
          cr_assert_eq(verdict.rules, 0, "%s fired %s", name, verdict.reason);
          n_skipped++;
        }
      else
        n_decoded++;
      g_free(text);
    }
  g_dir_close(dir);
  cr_assert_eq(n_skipped, G_N_ELEMENTS(skipped));
  cr_assert_gt(n_decoded, 40);
  mbx_detector_unref(detector);
  mbx_record_free(record);
  mbx_decoder_free(decoder);
}
