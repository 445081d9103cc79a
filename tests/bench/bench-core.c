/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The core engine alone, driven exactly as the syslog-ng parser drives it
 * (modules/syslog-ng/mailbox-monitor-parser.c, _process_record): decode the
 * raw record, then mbx_detector_observe_flags(), mbx_detector_geo_lookup(),
 * mbx_state_observe_geo() with the receive time and
 * mbx_detector_evaluate_observed() (the adapter's own counters and
 * name-value pairs are left out).  The detector is set up as the parser's
 * (policy, windows bound); no geography database, the parser's default.
 * Not a test: it asserts nothing, it prints.
 *
 *   bench-core --records records.jsonl [--policy policy.ini] [--sizes 10000,100000,1000000]
 *              [--limit N] [--rounds R]
 *
 * Two passes over the same records, one thread:
 *   decode          mbx_decoder_decode() of every line
 *   decode+detect   the same, plus the four calls above, with the state
 *                   tracking about S mailboxes for each S of --sizes
 *
 * Tracked mailboxes: the records come from a generated tenant with a few
 * hundred or thousand mailboxes.  To make a state that tracks S mailboxes
 * and a stream that touches all of them, the tenant's mailboxes are cloned:
 * copies = round(S / M) for the M mailboxes the records name, and each
 * record of mailbox m goes to one of m's copies, chosen by a hash of the
 * record's position (the record's mailbox, and its actor when the owner
 * acts, are renamed after decoding: the copy's name written into a buffer
 * and two mbx_record_set_string() calls, timed with the rest).  Before each timed pass a fresh state is filled
 * with every copy (the first record of its mailbox, its event time set to
 * an hour before the stream's first record; untimed), so the mailbox table
 * holds M * copies entries; its cap is exactly that.
 *
 * Every pass runs --rounds times (the state anew each time, because replayed
 * event times would otherwise be late); the median is printed.  The ratio
 * to decode alone pairs each decode + detect round with a decode pass run
 * just before it (the median of those ratios), so that a busy machine's
 * drift does not land on one side only.  Under
 * valgrind --tool=callgrind --instr-atstart=no (bench/core.sh) only the timed
 * passes are instrumented, each dumped on its own ("decode", "detect S"),
 * so instructions per record = the dump's total / the records it printed.
 *
 * Lines "RESULT name [size] value" are for scripts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#ifdef HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_DUMP_STATS_AT(name)
#endif
#include "mailbox-monitor/mbx-decoder.h"
#include "mailbox-monitor/mbx-detector.h"
#include "mailbox-monitor/mbx-geo.h"
#include "mailbox-monitor/mbx-policy.h"
#include "mailbox-monitor/mbx-prescreen.h"
#include "mailbox-monitor/mbx-record.h"
#include "mailbox-monitor/mbx-state.h"

typedef struct
{
  const gchar *text;
  gsize len;
  gint mailbox;   /* index of the record's mailbox among the originals, -1 when none (or not decodable) */
  gboolean owner; /* the actor is the mailbox owner: renamed with the mailbox */
  gboolean skip;  /* the pre-screen passes it without decoding */
} Line;

static GPtrArray *originals; /* mailbox names as the decoder wrote them */
static GPtrArray *first_of;  /* MbxRecord: the first decoded record of each original */
static Line *lines;
static gsize n_lines;
static gint64 fill_time; /* event time of the records that fill the state: an hour before the first record's */
static MbxDetector *detector;
static MbxStateOptions options;
static gint64 receive_time;

static gint64
now_us(void)
{
  return g_get_monotonic_time();
}

static guint32
mix(guint64 x)
{
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return (guint32) x;
}

static void
copy_record(MbxRecord *dst, const MbxRecord *src)
{
  mbx_record_reset(dst);
  for (gint f = 0; f < MBX_F_MAX; f++)
    {
      gsize len;
      const gchar *v = mbx_record_get_string(src, f, &len);
      if (!v)
        continue;
      if (mbx_field_type(f) == MBX_TYPE_STRING)
        mbx_record_set_string(dst, f, v, len);
      else
        mbx_record_set_int(dst, f, mbx_field_type(f) == MBX_TYPE_BOOL ? v[0] == '1' : g_ascii_strtoll(v, NULL, 10));
    }
}

/* reads the lines, decodes each once (untimed) to learn its mailbox */
static void
load(const gchar *path, gsize limit)
{
  gchar *data;
  gsize size;
  GError *error = NULL;
  if (!g_file_get_contents(path, &data, &size, &error))
    {
      fprintf(stderr, "bench-core: %s\n", error->message);
      exit(2);
    }
  GArray *arr = g_array_new(FALSE, TRUE, sizeof(Line));
  for (gchar *p = data, *end = data + size; p < end && arr->len < limit;)
    {
      gchar *nl = memchr(p, '\n', end - p);
      gsize len = nl ? (gsize) (nl - p) : (gsize) (end - p);
      if (len)
        {
          Line l = { p, len, -1, FALSE, FALSE };
          g_array_append_val(arr, l);
        }
      p += len + 1;
    }
  n_lines = arr->len;
  lines = (Line *) g_array_free(arr, FALSE);

  originals = g_ptr_array_new_with_free_func(g_free);
  first_of = g_ptr_array_new_with_free_func((GDestroyNotify) mbx_record_free);
  GHashTable *index = g_hash_table_new(g_str_hash, g_str_equal);
  MbxDecoder *dec = mbx_decoder_new();
  MbxRecord *rec = mbx_record_new();
  for (gsize i = 0; i < n_lines; i++)
    {
      if (!mbx_decoder_decode(dec, lines[i].text, lines[i].len, rec, &error))
        {
          g_clear_error(&error);
          continue;
        }
      gint64 t = mbx_record_get_int(rec, MBX_F_EVENT_TIME, 0);
      if (t && (!fill_time || t - G_TIME_SPAN_HOUR < fill_time))
        fill_time = t - G_TIME_SPAN_HOUR;
      gsize len, alen;
      const gchar *box = mbx_record_get_string(rec, MBX_F_MAILBOX, &len);
      if (!box)
        continue;
      gchar *name = g_strndup(box, len);
      gpointer found;
      if (g_hash_table_lookup_extended(index, name, NULL, &found))
        {
          lines[i].mailbox = GPOINTER_TO_INT(found);
          g_free(name);
        }
      else
        {
          lines[i].mailbox = originals->len;
          g_ptr_array_add(originals, name);
          g_hash_table_insert(index, name, GINT_TO_POINTER(lines[i].mailbox));
          MbxRecord *first = mbx_record_new();
          copy_record(first, rec);
          g_ptr_array_add(first_of, first);
        }
      const gchar *actor = mbx_record_get_string(rec, MBX_F_ACTOR, &alen);
      lines[i].owner = actor && alen == len && memcmp(actor, box, len) == 0;
    }
  mbx_record_free(rec);
  mbx_decoder_free(dec);
  g_hash_table_destroy(index);
}

/*
 * The mailbox copies of one size: copy c of original m is number m + M * c,
 * named "c<c>.<original>" (copy 0 keeps the original name).  The name is
 * written when it is needed, from the few thousand originals: a table of a
 * million names cost the timed pass two or three cache misses per record
 * at 1M mailboxes, charged to the engine.
 */
typedef struct
{
  guint copies;
  gsize tracked;
} Clones;

#define CLONE_NAME_MAX 512

static void
clones_init(Clones *cl, gsize size)
{
  gsize m = originals->len;
  cl->copies = MAX(1, (guint) ((size + m / 2) / m));
  cl->tracked = m * cl->copies;
}

static void
clones_clear(Clones *cl)
{
  cl->copies = 0;
  cl->tracked = 0;
}

/* writes the name of copy @k into @buf (CLONE_NAME_MAX bytes); returns its length */
static inline gsize
clone_name(gsize k, gchar *buf)
{
  gsize m = originals->len;
  const gchar *orig = g_ptr_array_index(originals, k % m);
  gsize orig_len = MIN(strlen(orig), CLONE_NAME_MAX - 16);
  guint c = (guint) (k / m);
  gsize n = 0;
  if (c)
    {
      gchar digits[12];
      gsize d = 0;
      for (; c; c /= 10)
        digits[d++] = (gchar) ('0' + c % 10);
      buf[n++] = 'c';
      while (d)
        buf[n++] = digits[--d];
      buf[n++] = '.';
    }
  memcpy(buf + n, orig, orig_len);
  return n + orig_len;
}

static inline gsize
clone_of(const Clones *cl, gsize line)
{
  guint c = cl->copies > 1 ? mix(line) % cl->copies : 0;
  return lines[line].mailbox + originals->len * c;
}

static inline void
rename_mailbox(MbxRecord *rec, const Clones *cl, gsize line)
{
  gchar name[CLONE_NAME_MAX];
  gsize len = clone_name(clone_of(cl, line), name);
  mbx_record_set_string(rec, MBX_F_MAILBOX, name, len);
  if (lines[line].owner)
    mbx_record_set_string(rec, MBX_F_ACTOR, name, len);
}

/* a state with every copy in it: the first record of its mailbox, renamed */
static MbxState *
filled_state(const Clones *cl)
{
  GError *error = NULL;
  MbxStateOptions o = options;
  o.max_entries[MBX_TABLE_MAILBOXES] = cl->tracked;
  MbxState *state = mbx_state_new(&o, &error);
  if (!state)
    {
      fprintf(stderr, "bench-core: %s\n", error->message);
      exit(1);
    }
  MbxRecord *rec = mbx_record_new();
  MbxObservation obs;
  gsize m = originals->len;
  for (gsize k = 0; k < cl->tracked; k++)
    {
      const MbxRecord *first = g_ptr_array_index(first_of, k % m);
      gsize alen, blen;
      const gchar *actor = mbx_record_get_string(first, MBX_F_ACTOR, &alen);
      const gchar *box = mbx_record_get_string(first, MBX_F_MAILBOX, &blen);
      gboolean owner = actor && alen == blen && memcmp(actor, box, blen) == 0;
      copy_record(rec, first);
      /* all at one time before the stream starts: in event-time order, so none is late */
      mbx_record_set_int(rec, MBX_F_EVENT_TIME, fill_time);
      gchar name[CLONE_NAME_MAX];
      gsize len = clone_name(k, name);
      mbx_record_set_string(rec, MBX_F_MAILBOX, name, len);
      if (owner)
        mbx_record_set_string(rec, MBX_F_ACTOR, name, len);
      MbxObserveFlags flags = mbx_detector_observe_flags(detector, rec);
      MbxGeoInfo geo;
      gboolean located = mbx_detector_geo_lookup(detector, rec, &geo);
      mbx_state_observe_geo(state, rec, receive_time, flags, located ? &geo : NULL, &obs);
    }
  mbx_record_free(rec);
  return state;
}

typedef struct
{
  gsize decoded;
  gsize failed;
  gsize suspicious;
  gsize fired;
} Counts;

/* the timed decode pass */
static gint64
pass_decode(MbxDecoder *dec, MbxRecord *rec, Counts *counts)
{
  GError *error = NULL;
  memset(counts, 0, sizeof(*counts));
  gint64 start = now_us();
  for (gsize i = 0; i < n_lines; i++)
    {
      if (mbx_decoder_decode(dec, lines[i].text, lines[i].len, rec, &error))
        counts->decoded++;
      else
        {
          counts->failed++;
          g_clear_error(&error);
        }
    }
  return now_us() - start;
}

/* the timed pre-screen pass over every line (or, with @skipped_only, over the lines it skips) */
static gint64
pass_prescreen(gboolean skipped_only, gsize *n_seen, gsize *n_skipped)
{
  gsize seen = 0, skipped = 0;
  gint64 start = now_us();
  for (gsize i = 0; i < n_lines; i++)
    {
      if (skipped_only && !lines[i].skip)
        continue;
      seen++;
      if (mbx_prescreen(lines[i].text, lines[i].len) == MBX_PRESCREEN_SKIP)
        skipped++;
    }
  gint64 elapsed = now_us() - start;
  *n_seen = seen;
  *n_skipped = skipped;
  return elapsed;
}

/*
 * The timed decode + detect pass, as _process_record() does it; with
 * @prescreen the lines the pre-screen skips are passed over, as the parser
 * does by default.
 */
static gint64
pass_detect(MbxDecoder *dec, MbxRecord *rec, MbxState *state, const Clones *cl, gboolean prescreen, Counts *counts)
{
  GError *error = NULL;
  MbxObservation observation;
  MbxVerdict verdict;
  memset(counts, 0, sizeof(*counts));
  gint64 start = now_us();
  for (gsize i = 0; i < n_lines; i++)
    {
      if (prescreen && mbx_prescreen(lines[i].text, lines[i].len) == MBX_PRESCREEN_SKIP)
        continue;
      if (!mbx_decoder_decode(dec, lines[i].text, lines[i].len, rec, &error))
        {
          counts->failed++;
          g_clear_error(&error);
          continue;
        }
      counts->decoded++;
      if (lines[i].mailbox >= 0)
        rename_mailbox(rec, cl, i);
      MbxObserveFlags flags = mbx_detector_observe_flags(detector, rec);
      MbxGeoInfo geo;
      gboolean located = mbx_detector_geo_lookup(detector, rec, &geo);
      mbx_state_observe_geo(state, rec, receive_time, flags, located ? &geo : NULL, &observation);
      mbx_detector_evaluate_observed(detector, rec, &observation, &verdict);
      if (mbx_verdict_is_suspicious(&verdict))
        counts->suspicious++;
      if (verdict.rules)
        counts->fired++;
    }
  return now_us() - start;
}

static int
cmp_i64(const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static gint64
median(gint64 *v, guint n)
{
  qsort(v, n, sizeof(*v), cmp_i64);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static gsize
rss_kb(void)
{
  gchar *status = NULL;
  gsize kb = 0;
  if (g_file_get_contents("/proc/self/status", &status, NULL, NULL))
    {
      const gchar *line = strstr(status, "VmRSS:");
      if (line)
        kb = g_ascii_strtoull(line + 6, NULL, 10);
    }
  g_free(status);
  return kb;
}

int
main(int argc, char **argv)
{
  gchar *records = NULL, *policy_path = NULL;
  gchar *sizes = g_strdup("10000,100000,1000000");
  gint limit = 0, rounds = 3;
  GOptionEntry entries[] = {
    { "records", 0, 0, G_OPTION_ARG_FILENAME, &records, "records, one per line (tools/tenantgen records.jsonl)", "FILE" },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_path, "policy key-file (default: the built-in policy)", "FILE" },
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes, "tracked mailboxes, comma separated", "N,N,..." },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "use the first N lines only", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "timed rounds of each pass (median printed)", "R" },
    { NULL },
  };
  GOptionContext *ctx = g_option_context_new("- the mailbox-monitor core engine alone: decode, decode + detect");
  GError *error = NULL;
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !records)
    {
      fprintf(stderr, "%s\n", error ? error->message : "--records is required");
      return 2;
    }
  gboolean callgrind = RUNNING_ON_VALGRIND;
  if (callgrind)
    rounds = 1;
  rounds = CLAMP(rounds, 1, 15);

  load(records, limit > 0 ? (gsize) limit : G_MAXSIZE);
  if (!n_lines || !originals->len)
    {
      fprintf(stderr, "bench-core: no decodable records with a mailbox in %s\n", records);
      return 1;
    }

  MbxPolicy *policy = policy_path ? mbx_policy_load(policy_path, &error) : mbx_policy_new();
  if (!policy)
    {
      fprintf(stderr, "bench-core: %s\n", error->message);
      return 1;
    }
  detector = mbx_detector_new_with_policy(policy);
  mbx_policy_unref(policy);
  mbx_state_options_defaults(&options);
  if (!mbx_detector_bind_windows(detector, options.window_us, options.n_windows, &error))
    {
      fprintf(stderr, "bench-core: %s\n", error->message);
      return 1;
    }
  receive_time = g_get_real_time();

  MbxDecoder *dec = mbx_decoder_new();
  MbxRecord *rec = mbx_record_new();
  gsize bytes = 0;
  for (gsize i = 0; i < n_lines; i++)
    bytes += lines[i].len;
  printf("%" G_GSIZE_FORMAT " records (%.0f bytes on average) naming %u mailboxes; policy %s; %d round(s)%s\n",
         n_lines, (gdouble) bytes / n_lines, originals->len, policy_path ? policy_path : "built-in", rounds,
         callgrind ? " under valgrind" : "");

  /* decode only */
  gint64 t[16];
  Counts counts;
  pass_decode(dec, rec, &counts); /* warm-up: the decoder's buffers grow to the largest record */
  for (gint r = 0; r < rounds; r++)
    {
      CALLGRIND_ZERO_STATS;
      CALLGRIND_START_INSTRUMENTATION;
      t[r] = pass_decode(dec, rec, &counts);
      CALLGRIND_STOP_INSTRUMENTATION;
      CALLGRIND_DUMP_STATS_AT("decode");
    }
  gint64 decode_us = median(t, rounds);
  printf("decode only: %.0f records/s (%.2f us each); %" G_GSIZE_FORMAT " decoded, %" G_GSIZE_FORMAT " not records\n",
         n_lines / (decode_us / 1e6), (gdouble) decode_us / n_lines, counts.decoded, counts.failed);
  printf("RESULT decode_rps %.0f\nRESULT decode_us %.3f\nRESULT records %" G_GSIZE_FORMAT "\n",
         n_lines / (decode_us / 1e6), (gdouble) decode_us / n_lines, n_lines);

  gchar **list = g_strsplit(sizes, ",", -1);
  for (gchar **s = list; *s; s++)
    {
      gsize size = g_ascii_strtoull(*s, NULL, 10);
      if (!size)
        continue;
      Clones cl;
      clones_init(&cl, size);
      gsize rss0 = rss_kb();
      gint64 paired[16]; /* x1000: this round's detect time over a decode pass run just before it */
      for (gint r = 0; r < rounds; r++)
        {
          MbxState *state = filled_state(&cl);
          Counts dc;
          gint64 d = callgrind ? decode_us : pass_decode(dec, rec, &dc);
          gchar label[64];
          g_snprintf(label, sizeof(label), "detect %" G_GSIZE_FORMAT, size);
          CALLGRIND_ZERO_STATS;
          CALLGRIND_START_INSTRUMENTATION;
          t[r] = pass_detect(dec, rec, state, &cl, FALSE, &counts);
          CALLGRIND_STOP_INSTRUMENTATION;
          CALLGRIND_DUMP_STATS_AT(label);
          paired[r] = t[r] * 1000 / MAX(d, 1);
          if (r == rounds - 1)
            {
              MbxStateStats st;
              mbx_state_get_stats(state, &st);
              printf("decode+detect, %" G_GSIZE_FORMAT " mailboxes tracked (%u copies of each), state RSS %.0f MiB: "
                     "%" G_GUINT64_FORMAT " mailboxes, %" G_GUINT64_FORMAT " evicted; actors %" G_GUINT64_FORMAT
                     ", pairs %" G_GUINT64_FORMAT "\n",
                     cl.tracked, cl.copies, (rss_kb() - MIN(rss0, rss_kb())) / 1024.0, st.entries[MBX_TABLE_MAILBOXES],
                     st.evictions[MBX_TABLE_MAILBOXES], st.entries[MBX_TABLE_ACTORS], st.entries[MBX_TABLE_PAIRS]);
            }
          mbx_state_unref(state);
        }
      gint64 detect_us = median(t, rounds);
      gdouble ratio = median(paired, rounds) / 1000.0;
      printf("  %.0f records/s (%.2f us each), %.2fx decode alone (each round against a decode pass just before it); "
             "%" G_GSIZE_FORMAT " fired a rule, %" G_GSIZE_FORMAT " suspicious\n",
             n_lines / (detect_us / 1e6), (gdouble) detect_us / n_lines, ratio, counts.fired, counts.suspicious);
      printf("RESULT detect_rps %" G_GSIZE_FORMAT " %.0f\nRESULT detect_us %" G_GSIZE_FORMAT " %.3f\n"
             "RESULT tracked %" G_GSIZE_FORMAT " %" G_GSIZE_FORMAT "\nRESULT ratio %" G_GSIZE_FORMAT " %.3f\n",
             size, n_lines / (detect_us / 1e6), size, (gdouble) detect_us / n_lines, size, cl.tracked, size, ratio);
      fflush(stdout);
      clones_clear(&cl);
    }

  /*
   * The pre-screen: its cost on the records it skips and on those it lets
   * through, and decode + detect as the parser runs it (pre-screen on) at the
   * first size.  The passes above decode every record, so their ratio is the
   * engine's own, whatever the share of skippable records.
   */
  gsize seen, skipped;
  for (gsize i = 0; i < n_lines; i++)
    lines[i].skip = mbx_prescreen(lines[i].text, lines[i].len) == MBX_PRESCREEN_SKIP;
  pass_prescreen(FALSE, &seen, &skipped);
  gint64 all_t[16], skip_t[16];
  for (gint r = 0; r < rounds; r++)
    {
      CALLGRIND_ZERO_STATS;
      CALLGRIND_START_INSTRUMENTATION;
      skip_t[r] = pass_prescreen(TRUE, &seen, &skipped);
      CALLGRIND_STOP_INSTRUMENTATION;
      CALLGRIND_DUMP_STATS_AT("prescreen skipped");
    }
  gsize n_skip = seen;
  for (gint r = 0; r < rounds; r++)
    all_t[r] = pass_prescreen(FALSE, &seen, &skipped);
  gint64 skip_us = median(skip_t, rounds), all_us = median(all_t, rounds);
  gdouble skip_ns = n_skip ? skip_us * 1000.0 / n_skip : 0;
  gdouble kept_ns = n_lines > n_skip ? (all_us - skip_us) * 1000.0 / (n_lines - n_skip) : 0;
  printf("pre-screen: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " records skipped (%.1f%%, fully decoded %.1f%%); "
         "%.0f ns per skipped record, %.0f ns added to each decoded one\n",
         skipped, n_lines, 100.0 * skipped / n_lines, 100.0 - 100.0 * skipped / n_lines, skip_ns, MAX(kept_ns, 0));
  printf("RESULT prescreen_skipped %" G_GSIZE_FORMAT "\nRESULT prescreen_skip_ns %.1f\nRESULT prescreen_kept_ns %.1f\n",
         skipped, skip_ns, MAX(kept_ns, 0));
  gsize first = g_ascii_strtoull(list[0], NULL, 10);
  if (first)
    {
      Clones cl;
      clones_init(&cl, first);
      for (gint r = 0; r < rounds; r++)
        {
          MbxState *state = filled_state(&cl);
          CALLGRIND_ZERO_STATS;
          CALLGRIND_START_INSTRUMENTATION;
          t[r] = pass_detect(dec, rec, state, &cl, TRUE, &counts);
          CALLGRIND_STOP_INSTRUMENTATION;
          CALLGRIND_DUMP_STATS_AT("parser path");
          mbx_state_unref(state);
        }
      gint64 path_us = median(t, rounds);
      printf("as the parser runs it (pre-screen on), %" G_GSIZE_FORMAT " mailboxes tracked: %.0f records/s (%.2f us "
             "each, over all records); %" G_GSIZE_FORMAT " fired a rule, %" G_GSIZE_FORMAT " suspicious\n",
             cl.tracked, n_lines / (path_us / 1e6), (gdouble) path_us / n_lines, counts.fired, counts.suspicious);
      printf("RESULT path_rps %.0f\nRESULT path_us %.3f\n", n_lines / (path_us / 1e6), (gdouble) path_us / n_lines);
      clones_clear(&cl);
    }
  g_strfreev(list);

  mbx_record_free(rec);
  mbx_decoder_free(dec);
  mbx_detector_unref(detector);
  g_ptr_array_free(first_of, TRUE);
  g_ptr_array_free(originals, TRUE);
  g_free(lines);
  g_free(sizes);
  g_free(records);
  g_free(policy_path);
  g_option_context_free(ctx);
  return 0;
}
