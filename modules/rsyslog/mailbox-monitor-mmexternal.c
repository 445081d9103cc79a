/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * mailbox-monitor-mmexternal: the mailbox-monitor engine as an rsyslog
 * mmexternal helper.  rsyslog writes one message per line on standard input;
 * for every line the helper writes exactly one JSON line back, in order:
 * {"$!":{"mbx":{...evidence...}}} when the record is suspicious, {} when it
 * is not, and {} for anything it cannot read.  The evidence is the one the
 * syslog-ng parser sets (mbx-alert.h).
 *
 * It is the same engine as the parser's: the policy file, the approved apps
 * and the per-mailbox state (windows, baselines, first-seen), kept in memory
 * for as long as the helper runs.  Verdicts that use the state depend on
 * every record the helper saw before, so one helper must see the whole
 * stream of whatever it correlates (see the man page on sharding).
 *
 * A line holding a content blob (a JSON array) or an Event Hub batch
 * ({"records":[...]}) is evaluated record by record; mmexternal cannot split
 * a message, so the line is answered once, with the evidence of its most
 * severe record (the highest score, the first of equals) and the counts
 * batch_records and batch_flagged.
 *
 * rsyslog 8.2302 waits for each reply without a timeout, so the helper must
 * never stall or die on input: lines longer than the decoder takes are
 * skipped to their end and answered {}, NUL bytes and invalid UTF-8 are just
 * unreadable records, and nothing on the way logs or aborts.  Standard input
 * closing ends the helper (exit 0), with a summary on standard error.
 */
#include "mbx-alert.h"
#include "mbx-decoder.h"
#include "mbx-detector.h"
#include "mbx-error.h"
#include "mbx-policy.h"
#include "mbx-prescreen.h"
#include "mbx-state.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MBX_VERSION
#define MBX_VERSION "unknown"
#endif

#define READ_CHUNK (64 * 1024)

typedef struct
{
  MbxDetector *detector;
  MbxState *state;
  MbxObservation observation;
  MbxDecoder *batch_decoder;
  MbxDecoder *decoder;
  MbxRecord *record; /* the record being judged */
  MbxRecord *best;   /* the most severe of a batch so far */
  MbxVerdict verdict;
  MbxVerdict best_verdict;
  GString *best_raw; /* the best record's JSON text: the alert id of a record without an Id hashes it */
  gboolean have_best;
  guint batch_records;
  guint batch_flagged;
  gchar *container;
  GString *reply;

  guint64 lines, records, flagged, unreadable, too_long, prescreened;
} Helper;

/* ---- output ------------------------------------------------------------ */

/* writes all of @data to standard output; FALSE when rsyslog is gone */
static gboolean
_write_all(const gchar *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write(STDOUT_FILENO, data, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

/* ---- judging ----------------------------------------------------------- */

/* decodes and evaluates one record into helper->record / helper->verdict */
static gboolean
_judge(Helper *helper, const gchar *json, gsize len)
{
  /* a record no rule reads (SharePoint, OneDrive, Teams) is answered {} without decoding, as the parser passes it */
  if (mbx_prescreen(json, len) == MBX_PRESCREEN_SKIP)
    {
      helper->records++;
      helper->prescreened++;
      memset(&helper->verdict, 0, sizeof(helper->verdict));
      return TRUE;
    }
  if (!mbx_decoder_decode(helper->decoder, json, len, helper->record, NULL))
    return FALSE;
  helper->records++;
  MbxObserveFlags flags = mbx_detector_observe_flags(helper->detector, helper->record);
  MbxGeoInfo geo;
  gboolean located = mbx_detector_geo_lookup(helper->detector, helper->record, &geo);
  mbx_state_observe_geo(helper->state, helper->record, g_get_real_time(), flags, located ? &geo : NULL,
                        &helper->observation);
  mbx_detector_evaluate_observed(helper->detector, helper->record, &helper->observation, &helper->verdict);
  return TRUE;
}

static gboolean
_batch_element(const gchar *json, gsize len, gpointer user_data)
{
  Helper *helper = user_data;

  helper->batch_records++;
  if (!_judge(helper, json, len))
    return TRUE;
  if (!mbx_verdict_is_suspicious(&helper->verdict))
    return TRUE;
  helper->batch_flagged++;
  if (!helper->have_best || helper->verdict.score > helper->best_verdict.score)
    {
      /* keep this record: swap it in as the best, the old best becomes scratch */
      MbxRecord *tmp = helper->best;
      helper->best = helper->record;
      helper->record = tmp;
      helper->best_verdict = helper->verdict;
      helper->have_best = TRUE;
      g_string_assign(helper->best_raw, "");
      g_string_append_len(helper->best_raw, json, len);
    }
  return TRUE;
}

static void
_append_evidence(Helper *helper, const MbxRecord *record, const MbxVerdict *verdict, const gchar *raw,
                 gboolean batch)
{
  MbxAlertInput input;
  gchar records[24], flagged[24];
  MbxAlertValue extra[] = {
    { "batch_records", records, MBX_TYPE_INT },
    { "batch_flagged", flagged, MBX_TYPE_INT },
  };

  mbx_alert_input_from_record(&input, record, verdict);
  input.raw = raw;
  if (batch)
    {
      g_snprintf(records, sizeof(records), "%u", helper->batch_records);
      g_snprintf(flagged, sizeof(flagged), "%u", helper->batch_flagged);
      input.extra = extra;
      input.n_extra = G_N_ELEMENTS(extra);
    }
  g_string_append(helper->reply, "{\"$!\":{\"");
  g_string_append(helper->reply, helper->container);
  g_string_append(helper->reply, "\":");
  mbx_alert_append_evidence(&input, helper->reply);
  g_string_append(helper->reply, "}}");
}

/* the reply to one line, without its newline, in helper->reply */
static void
_answer(Helper *helper, const gchar *line, gsize len)
{
  gsize offset;

  g_string_truncate(helper->reply, 0);
  MbxInputShape shape = mbx_input_locate(line, len, &offset);
  if (shape == MBX_INPUT_ARRAY || shape == MBX_INPUT_BATCH)
    {
      helper->have_best = FALSE;
      helper->batch_records = helper->batch_flagged = 0;
      if (mbx_decoder_split(helper->batch_decoder, line, len, _batch_element, helper, NULL, NULL))
        {
          if (helper->have_best)
            {
              helper->flagged++;
              _append_evidence(helper, helper->best, &helper->best_verdict, helper->best_raw->str, TRUE);
            }
          else
            g_string_append(helper->reply, "{}");
          return;
        }
      /* not a batch after all: judged as one record below */
    }
  if (!_judge(helper, line, len))
    {
      helper->unreadable++;
      g_string_append(helper->reply, "{}");
      return;
    }
  if (!mbx_verdict_is_suspicious(&helper->verdict))
    {
      g_string_append(helper->reply, "{}");
      return;
    }
  helper->flagged++;
  _append_evidence(helper, helper->record, &helper->verdict, line, FALSE);
}

/* ---- input ------------------------------------------------------------- */

/*
 * Reads standard input and answers each line.  A line is held whole (up to
 * the decoder's limit); a longer one is dropped as it streams by and answered
 * {} at its newline.  Returns FALSE when a reply cannot be written.
 */
static gboolean
_run(Helper *helper)
{
  GString *line = g_string_sized_new(READ_CHUNK);
  gchar *chunk = g_malloc(READ_CHUNK);
  gboolean skipping = FALSE;
  gboolean ok = TRUE;

  while (ok)
    {
      ssize_t n = read(STDIN_FILENO, chunk, READ_CHUNK);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      const gchar *p = chunk, *end = chunk + n;
      while (p < end && ok)
        {
          const gchar *nl = memchr(p, '\n', end - p);
          const gchar *stop = nl ? nl : end;
          if (!skipping)
            {
              g_string_append_len(line, p, stop - p);
              if (line->len > MBX_DECODER_MAX_INPUT)
                {
                  skipping = TRUE;
                  g_string_truncate(line, 0);
                }
            }
          if (!nl)
            break;
          helper->lines++;
          if (skipping)
            {
              helper->too_long++;
              g_string_assign(helper->reply, "{}");
            }
          else
            _answer(helper, line->str, line->len);
          g_string_append_c(helper->reply, '\n');
          ok = _write_all(helper->reply->str, helper->reply->len);
          g_string_truncate(line, 0);
          skipping = FALSE;
          p = nl + 1;
        }
    }
  /* a last line without its newline gets no answer: rsyslog always ends lines */
  g_free(chunk);
  g_string_free(line, TRUE);
  return ok;
}

/* ---- options ----------------------------------------------------------- */

static gchar **approved_apps;
static gchar *policy_file;
static gchar *container;
static gboolean show_version;

static GOptionEntry entries[] = {
  { "approved-apps", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &approved_apps,
    "App ids allowed to read mail (GUIDs, comma-separated; may be repeated)", "GUID[,GUID...]" },
  { "policy", 'p', 0, G_OPTION_ARG_FILENAME, &policy_file,
    "The policy file, as the syslog-ng parser's policy() (default: the built-in policy)", "FILE" },
  { "container", 'c', 0, G_OPTION_ARG_STRING, &container,
    "Name of the evidence object under $! (default: mbx, giving $!mbx!score ...)", "NAME" },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &show_version, "Print the version and exit", NULL },
  { NULL }
};

static gboolean
_valid_container(const gchar *name)
{
  if (!name[0])
    return FALSE;
  for (const gchar *p = name; *p; p++)
    {
      if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

static gboolean
_configure(Helper *helper, GError **error)
{
  helper->container = g_strdup(container ? container : "mbx");
  if (!_valid_container(helper->container))
    {
      g_set_error(error, MBX_ERROR, MBX_ERROR_INVALID_OPTION,
                  "--container '%s': use letters, digits, '_' and '-' only", helper->container);
      return FALSE;
    }
  MbxStateOptions options;
  mbx_state_options_defaults(&options);
  helper->state = mbx_state_new(&options, error);
  if (!helper->state)
    return FALSE;
  MbxPolicy *policy = policy_file ? mbx_policy_load(policy_file, error) : mbx_policy_new();
  if (!policy)
    return FALSE;
  helper->detector = mbx_detector_new_with_policy(policy);
  mbx_policy_unref(policy);
  if (!mbx_detector_bind_windows(helper->detector, options.window_us, options.n_windows, error))
    return FALSE;
  for (gchar **list = approved_apps; list && *list; list++)
    {
      gchar **ids = g_strsplit(*list, ",", -1);
      for (gchar **id = ids; *id; id++)
        {
          g_strstrip(*id);
          if (**id && !mbx_detector_add_approved_app(helper->detector, *id, error))
            {
              g_prefix_error(error, "--approved-apps: ");
              g_strfreev(ids);
              return FALSE;
            }
        }
      g_strfreev(ids);
    }
  return TRUE;
}

int
main(int argc, char *argv[])
{
  GOptionContext *context = g_option_context_new("- the mailbox-monitor engine as an rsyslog mmexternal helper");
  GError *error = NULL;
  Helper helper = { 0 };

  g_option_context_add_main_entries(context, entries, NULL);
  g_option_context_set_description(context,
                                   "Reads one message per line on standard input and writes one JSON line per "
                                   "line:\n{\"$!\":{\"mbx\":{...}}} for a suspicious record, {} otherwise.\n"
                                   "See mailbox-monitor-mmexternal(1).");
  if (!g_option_context_parse(context, &argc, &argv, &error))
    {
      fprintf(stderr, "mailbox-monitor-mmexternal: %s\n", error->message);
      return 2;
    }
  g_option_context_free(context);
  if (show_version)
    {
      printf("mailbox-monitor-mmexternal %s\n", MBX_VERSION);
      return 0;
    }
  if (argc > 1)
    {
      fprintf(stderr, "mailbox-monitor-mmexternal: unexpected argument '%s'\n", argv[1]);
      return 2;
    }

  if (!_configure(&helper, &error))
    {
      fprintf(stderr, "mailbox-monitor-mmexternal: %s\n", error->message);
      return 2;
    }
  /* rsyslog going away is a write error, not a signal that kills us mid-reply */
  signal(SIGPIPE, SIG_IGN);

  helper.batch_decoder = mbx_decoder_new();
  helper.decoder = mbx_decoder_new();
  helper.record = mbx_record_new();
  helper.best = mbx_record_new();
  helper.reply = g_string_sized_new(4096);
  helper.best_raw = g_string_sized_new(4096);

  gboolean ok = _run(&helper);
  fprintf(stderr,
          "mailbox-monitor-mmexternal: %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT
          " flagged, %" G_GUINT64_FORMAT " unreadable, %" G_GUINT64_FORMAT " too long, %" G_GUINT64_FORMAT
          " passed by the pre-screen%s\n",
          helper.lines, helper.records, helper.flagged, helper.unreadable, helper.too_long, helper.prescreened,
          ok ? "" : " (standard output closed)");

  g_string_free(helper.reply, TRUE);
  g_string_free(helper.best_raw, TRUE);
  mbx_record_free(helper.best);
  mbx_record_free(helper.record);
  mbx_decoder_free(helper.decoder);
  mbx_decoder_free(helper.batch_decoder);
  mbx_detector_unref(helper.detector);
  mbx_state_unref(helper.state);
  g_free(helper.container);
  g_strfreev(approved_apps);
  g_free(policy_file);
  g_free(container);
  return 0;
}
