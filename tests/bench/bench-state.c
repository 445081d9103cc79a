/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Memory and throughput of the detection state (mbx-state.h), for the
 * figures issue 4 asks for: process memory growth per mailbox, the actor
 * and (mailbox, app) tables apart, observe() throughput on one and two
 * threads, and the state file's write time, longest stall, size and load
 * time.  Not a test: it asserts nothing, it prints.
 *
 * Every mailbox gets two records in different hours (so it is established,
 * with a baseline), with apps, client addresses, users and sessions varied.
 * Each measurement runs in a forked child, so that memory freed by an
 * earlier one does not hide the growth of the next.
 *
 *   bench-state [--sizes 10000,100000,1000000] [--tenants 1] [--dir DIR]
 *
 * With --tenants K the mailboxes are spread over K tenants (every record of
 * a tenant takes that tenant's lock: the watermark and tenant windows).
 *
 * Options are the defaults (mbx_state_options_defaults) except the mailbox
 * cap, which is set to the number of mailboxes.
 *
 * Sources: bench-state.c; links the core library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "mailbox-monitor/mbx-access-path.h"
#include "mailbox-monitor/mbx-record.h"
#include "mailbox-monitor/mbx-state.h"

#define T0 G_GINT64_CONSTANT(1793606400000000) /* 2026-11-02T08:00:00Z */
#define N_APPS 200
#define TENANT "8f6c2a57-1b3e-4d9a-a0c4-5e7f9b2d1c36"

typedef enum
{
  RUN_MAILBOXES_ONLY, /* records without app, address, user or session: only the mailbox and tenant tables grow */
  RUN_FULL,           /* every field: all tables grow */
} RunKind;

static gsize n_mailboxes;
static gint n_tenants = 1;
static gchar tenants[64][48];
static gchar *names; /* n_mailboxes names of NAME_LEN bytes, NUL-padded */
#define NAME_LEN 32
static gchar apps[N_APPS][40];

/* resident set size of this process, in bytes */
static gsize
rss_bytes(void)
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
  return kb * 1024;
}

static const gchar *
name_of(gsize i)
{
  return names + i * NAME_LEN;
}

/*
 * record @round of mailbox @i: round 0 in the first hour, round 1 in the
 * next (both fill the tables), round 2 in the third hour with the app,
 * address and session of round 0 (only keys the state already has)
 */
static void
build_record(MbxRecord *r, RunKind kind, gsize i, guint round)
{
  gchar buf[64];
  guint variant = round == 2 ? 0 : round;
  gint64 t = T0 + round * G_TIME_SPAN_HOUR + (gint64) (i % 3600) * G_USEC_PER_SEC;

  mbx_record_reset(r);
  mbx_record_set_kind(r, MBX_KIND_MAIL_ACCESS);
  mbx_record_set_int(r, MBX_F_EVENT_TIME, t);
  const gchar *tenant = tenants[i % n_tenants];
  mbx_record_set_string(r, MBX_F_TENANT, tenant, strlen(tenant));
  mbx_record_set_string(r, MBX_F_MAILBOX, name_of(i), strlen(name_of(i)));
  mbx_record_set_string(r, MBX_F_MAIL_ACCESS_TYPE, "Bind", 4);
  mbx_record_set_int(r, MBX_F_OPERATION_COUNT, (i + round) % 23 + 1);
  const gchar *path = mbx_access_path_name(round ? MBX_PATH_GRAPH : MBX_PATH_OUTLOOK_DESKTOP);
  mbx_record_set_string(r, MBX_F_ACCESS_PATH, path, strlen(path));
  if (kind == RUN_MAILBOXES_ONLY)
    return;

  /* three mailboxes in four keep their app, the fourth is read by another app the second time */
  const gchar *app = apps[(i + (variant && i % 4 == 3)) % N_APPS];
  mbx_record_set_string(r, MBX_F_APP_ID, app, strlen(app));
  /* the owner reads their own mailbox, from an address of their own (two /24s per 256 users) */
  mbx_record_set_string(r, MBX_F_ACTOR, name_of(i), strlen(name_of(i)));
  gint n = g_snprintf(buf, sizeof(buf), "10.%u.%u.%u", (guint) (i >> 16) & 255, (guint) (i >> 8) & 255,
                      (guint) (i + variant) & 255);
  mbx_record_set_string(r, MBX_F_CLIENT_IP, buf, n);
  n = g_snprintf(buf, sizeof(buf), "session-%" G_GSIZE_FORMAT "-%u", i, variant);
  mbx_record_set_string(r, MBX_F_SESSION_ID, buf, n);
}

typedef struct
{
  MbxState *state;
  RunKind kind;
  gsize from, to;
  guint first_round, last_round;
  gint64 observe_us; /* time spent inside mbx_state_observe */
  gchar pad[64];     /* each thread's counter on its own cache line */
} Replay;

static gpointer
replay_run(gpointer data)
{
  Replay *rp = data;
  MbxRecord *r = mbx_record_new();
  MbxObservation o;
  for (guint round = rp->first_round; round <= rp->last_round; round++)
    {
      for (gsize i = rp->from; i < rp->to; i++)
        {
          build_record(r, rp->kind, i, round);
          gint64 start = g_get_monotonic_time();
          mbx_state_observe(rp->state, r, T0 + 3 * G_TIME_SPAN_HOUR, &o);
          rp->observe_us += g_get_monotonic_time() - start;
        }
    }
  mbx_record_free(r);
  return NULL;
}

/* replays rounds @first .. @last of every mailbox on @threads threads; returns the wall time in microseconds */
static gint64
replay(MbxState *state, RunKind kind, guint first, guint last, guint threads, gint64 *observe_us)
{
  Replay rp[8];
  GThread *th[8];
  gint64 start = g_get_monotonic_time();

  for (guint k = 0; k < threads; k++)
    {
      rp[k] = (Replay){ state, kind, n_mailboxes * k / threads, n_mailboxes * (k + 1) / threads, first, last, 0, { 0 } };
      th[k] = threads > 1 ? g_thread_new("replay", replay_run, &rp[k]) : NULL;
      if (threads == 1)
        replay_run(&rp[k]);
    }
  *observe_us = 0;
  for (guint k = 0; k < threads; k++)
    {
      if (th[k])
        g_thread_join(th[k]);
      *observe_us += rp[k].observe_us;
    }
  return g_get_monotonic_time() - start;
}

static MbxState *
new_state(MbxStateOptions *options)
{
  GError *error = NULL;
  mbx_state_options_defaults(options);
  options->max_entries[MBX_TABLE_MAILBOXES] = n_mailboxes;
  MbxState *state = mbx_state_new(options, &error);
  if (!state)
    {
      fprintf(stderr, "mbx_state_new: %s\n", error->message);
      exit(1);
    }
  return state;
}

static void
print_tables(MbxState *state)
{
  MbxStateStats s;
  mbx_state_get_stats(state, &s);
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    printf("    %-13s %9" G_GUINT64_FORMAT " entries %9" G_GUINT64_FORMAT " evictions %8.1f MiB estimated (%4.0f B/entry)\n",
           mbx_table_name(t), s.entries[t], s.evictions[t], mbx_state_memory_estimate(state, t) / 1048576.0,
           s.entries[t] ? (gdouble) mbx_state_memory_estimate(state, t) / s.entries[t] : 0.0);
  printf("    late %" G_GUINT64_FORMAT ", clamped %" G_GUINT64_FORMAT ", records %" G_GUINT64_FORMAT "\n", s.late,
         s.clamped, s.records);
}

/* child: memory of the mailbox table alone (windows and baselines of every mailbox) */
static void
measure_mailboxes_only(void)
{
  MbxStateOptions options;
  gsize before = rss_bytes();
  MbxState *state = new_state(&options);
  gint64 observe_us;
  replay(state, RUN_MAILBOXES_ONLY, 0, 1, 1, &observe_us);
  gsize after = rss_bytes();
  MbxStateStats s;
  mbx_state_get_stats(state, &s);

  printf("  mailbox state only (records without app, address, user, session):\n");
  printf("    RSS growth %.1f MiB = %.0f B per mailbox (%" G_GUINT64_FORMAT " mailboxes, %" G_GUINT64_FORMAT
         " evictions); estimate %.0f B per mailbox\n",
         (after - before) / 1048576.0, (gdouble) (after - before) / n_mailboxes, s.entries[MBX_TABLE_MAILBOXES],
         s.evictions[MBX_TABLE_MAILBOXES],
         (gdouble) mbx_state_memory_estimate(state, MBX_TABLE_MAILBOXES) / n_mailboxes);
  printf("RESULT mailbox_bytes_per_mailbox %" G_GSIZE_FORMAT " %.0f\n", n_mailboxes,
         (gdouble) (after - before) / n_mailboxes);
  fflush(stdout);
}

/* child: every table, one thread, then the state file */
static void
measure_full(const gchar *dir)
{
  MbxStateOptions options;
  gsize before = rss_bytes();
  MbxState *state = new_state(&options);
  gint64 observe_us;
  gint64 wall = replay(state, RUN_FULL, 0, 1, 1, &observe_us);
  gsize after = rss_bytes();
  gsize records = 2 * n_mailboxes;
  gint64 steady_us;
  gint64 steady_wall = replay(state, RUN_FULL, 2, 2, 1, &steady_us);

  printf("  all tables, 1 thread:\n");
  printf("    RSS growth %.1f MiB = %.0f B per mailbox\n", (after - before) / 1048576.0,
         (gdouble) (after - before) / n_mailboxes);
  print_tables(state);
  printf("    observe() filling (2 records per mailbox, new keys): %.0f records/s (%.2f us each), "
         "%.0f records/s with building the records\n",
         records / (observe_us / 1e6), (gdouble) observe_us / records, records / (wall / 1e6));
  printf("    observe() steady (a 3rd record per mailbox, known keys): %.0f records/s (%.2f us each), "
         "%.0f records/s with building the records\n",
         n_mailboxes / (steady_us / 1e6), (gdouble) steady_us / n_mailboxes, n_mailboxes / (steady_wall / 1e6));
  printf("RESULT full_bytes_per_mailbox %" G_GSIZE_FORMAT " %.0f\n", n_mailboxes,
         (gdouble) (after - before) / n_mailboxes);
  printf("RESULT fill_1thread_rps %" G_GSIZE_FORMAT " %.0f\n", n_mailboxes, records / (wall / 1e6));
  printf("RESULT steady_1thread_rps %" G_GSIZE_FORMAT " %.0f\n", n_mailboxes, n_mailboxes / (steady_wall / 1e6));

  /* the state file */
  gchar *path = g_build_filename(dir, "bench.state", NULL);
  GError *error = NULL;
  gint64 stall = -1;
  gint64 start = g_get_monotonic_time();
  if (!mbx_state_save(state, path, g_get_monotonic_time, &stall, &error))
    {
      fprintf(stderr, "save: %s\n", error->message);
      exit(1);
    }
  gint64 save_us = g_get_monotonic_time() - start;
  GStatBuf st;
  g_stat(path, &st);
  MbxStateStats saved;
  mbx_state_get_stats(state, &saved);
  mbx_state_unref(state);

  gboolean found;
  start = g_get_monotonic_time();
  MbxState *loaded = mbx_state_load(&options, path, &found, &error);
  gint64 load_us = g_get_monotonic_time() - start;
  if (!loaded)
    {
      fprintf(stderr, "load: %s\n", error->message);
      exit(1);
    }
  MbxStateStats back;
  mbx_state_get_stats(loaded, &back);
  gboolean same = TRUE;
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    same = same && back.entries[t] == saved.entries[t];
  printf("  state file: %.1f MiB written in %.1f ms (fsync included), longest stall of one shard %.2f ms; "
         "loaded in %.1f ms (%s)\n",
         st.st_size / 1048576.0, save_us / 1e3, stall / 1e3, load_us / 1e3,
         same ? "same entries" : "ENTRIES DIFFER");
  printf("RESULT save_ms %" G_GSIZE_FORMAT " %.1f\nRESULT stall_ms %" G_GSIZE_FORMAT " %.2f\nRESULT load_ms %" G_GSIZE_FORMAT
         " %.1f\nRESULT file_mib %" G_GSIZE_FORMAT " %.1f\n",
         n_mailboxes, save_us / 1e3, n_mailboxes, stall / 1e3, n_mailboxes, load_us / 1e3, n_mailboxes,
         st.st_size / 1048576.0);
  mbx_state_unref(loaded);
  g_unlink(path);
  g_free(path);
  fflush(stdout);
}

/* child: every table, two threads */
static void
measure_two_threads(void)
{
  MbxStateOptions options;
  MbxState *state = new_state(&options);
  gint64 observe_us, steady_us;
  gint64 wall = replay(state, RUN_FULL, 0, 1, 2, &observe_us);
  gint64 steady_wall = replay(state, RUN_FULL, 2, 2, 2, &steady_us);
  gsize records = 2 * n_mailboxes;
  printf("  all tables, 2 threads (records/s wall clock, building the records included):\n"
         "    filling %.0f records/s (%.2f us per observe() per thread); steady %.0f records/s (%.2f us)\n",
         records / (wall / 1e6), (gdouble) observe_us / records, n_mailboxes / (steady_wall / 1e6),
         (gdouble) steady_us / n_mailboxes);
  printf("RESULT fill_2threads_rps %" G_GSIZE_FORMAT " %.0f\n", n_mailboxes, records / (wall / 1e6));
  printf("RESULT steady_2threads_rps %" G_GSIZE_FORMAT " %.0f\n", n_mailboxes, n_mailboxes / (steady_wall / 1e6));
  mbx_state_unref(state);
  fflush(stdout);
}

static void
in_child(void (*fn)(const gchar *), const gchar *dir)
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0)
    {
      fn(dir);
      _exit(0);
    }
  gint status;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fprintf(stderr, "measurement failed (status %d)\n", status);
}

static void
mailboxes_only_fn(const gchar *dir)
{
  (void) dir;
  measure_mailboxes_only();
}

static void
two_threads_fn(const gchar *dir)
{
  (void) dir;
  measure_two_threads();
}

int
main(int argc, char **argv)
{
  gchar *sizes = g_strdup("10000,100000,1000000");
  gchar *dir = NULL;
  GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes, "mailbox counts, comma separated", "N,N,..." },
    { "tenants", 0, 0, G_OPTION_ARG_INT, &n_tenants, "spread the mailboxes over this many tenants (1 to 64)", "K" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "where to write the state file (default: a new temporary directory)",
      "DIR" },
    { NULL },
  };
  GOptionContext *ctx = g_option_context_new("- memory and throughput of the mailbox-monitor state");
  GError *error = NULL;
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error))
    {
      fprintf(stderr, "%s\n", error->message);
      return 2;
    }
  n_tenants = CLAMP(n_tenants, 1, 64);
  for (gint k = 0; k < n_tenants; k++)
    g_snprintf(tenants[k], sizeof(tenants[k]), k ? "%08x-1b3e-4d9a-a0c4-5e7f9b2d1c36" : TENANT, k);
  gboolean own_dir = dir == NULL;
  if (own_dir && !(dir = g_dir_make_tmp("bench-state-XXXXXX", &error)))
    {
      fprintf(stderr, "%s\n", error->message);
      return 1;
    }

  for (gint a = 0; a < N_APPS; a++)
    g_snprintf(apps[a], sizeof(apps[a]), "%08x-0000-4000-8000-%012x", 0x1000 + a, a * 7919);

  gchar **list = g_strsplit(sizes, ",", -1);
  for (gchar **s = list; *s; s++)
    {
      n_mailboxes = g_ascii_strtoull(*s, NULL, 10);
      if (!n_mailboxes)
        continue;
      names = g_malloc0(n_mailboxes * NAME_LEN);
      for (gsize i = 0; i < n_mailboxes; i++)
        g_snprintf(names + i * NAME_LEN, NAME_LEN, "user%07" G_GSIZE_FORMAT "@contoso.example", i);

      printf("%" G_GSIZE_FORMAT " mailboxes in %d tenant(s) (max-mailboxes %" G_GSIZE_FORMAT
             ", other options default), 2 records each:\n",
             n_mailboxes, n_tenants, n_mailboxes);
      in_child(mailboxes_only_fn, dir);
      in_child(measure_full, dir);
      in_child(two_threads_fn, dir);
      g_free(names);
    }
  g_strfreev(list);
  if (own_dir)
    g_rmdir(dir);
  g_free(dir);
  g_free(sizes);
  g_option_context_free(ctx);
  return 0;
}
