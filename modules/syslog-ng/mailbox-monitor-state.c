/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The detection state's life inside syslog-ng: created or loaded at init,
 * handed over across reloads, saved to the state file periodically and at
 * shutdown, its figures published as stats counters.
 *
 * A holder is shared by a parser and its clones (a named parser used in
 * several log paths), so they count into one state.  The first init of a
 * configuration generation sets up, the last deinit tears down.
 *
 * Reload: deinit hands a reference to the state over through
 * cfg_persist_config_add(); the new configuration's init fetches it.  When
 * the new configuration fails and the old one is restored, the old holder
 * still holds its own reference and keeps counting into the same state.
 * Restart: the state file, written by a worker thread every
 * state-save-interval() and once more at shutdown (while no message flows).
 */
#include "mailbox-monitor-state.h"

#include "mbx-time.h"
#include "messages.h"
#include "stats/stats-cluster-single.h"
#include "stats/stats-registry.h"
#include "timeutils/misc.h"

#include <iv.h>
#include <string.h>

#define TICK_MSEC 5000

typedef enum
{
  CTR_LATE,
  CTR_CLAMPED,
  CTR_STATE_WRITES,
  CTR_STATE_WRITE_FAILURES,
  CTR_FIXED_MAX
} FixedCounter;

static const gchar *fixed_counter_names[CTR_FIXED_MAX] = {
  [CTR_LATE] = "late_records",
  [CTR_CLAMPED] = "clamped_records",
  [CTR_STATE_WRITES] = "state_writes",
  [CTR_STATE_WRITE_FAILURES] = "state_write_failures",
};

struct _MbxStateHolder
{
  gint ref_cnt;
  MbxStateOptions options;
  gchar *file;
  gint save_interval; /* seconds; 0 = only at shutdown */

  MbxState *state;
  gint users;
  gchar *stats_id;
  StatsCounterItem *tracked[MBX_TABLE_MAX];
  StatsCounterItem *evictions[MBX_TABLE_MAX];
  StatsCounterItem *fixed[CTR_FIXED_MAX];

  struct iv_timer tick;
  gint64 next_save; /* monotonic µs */
  GThread *saver;
  gint saver_done;
};

MbxStateHolder *
mbx_state_holder_new(void)
{
  MbxStateHolder *self = g_new0(MbxStateHolder, 1);
  self->ref_cnt = 1;
  mbx_state_options_defaults(&self->options);
  self->save_interval = 300;
  return self;
}

MbxStateHolder *
mbx_state_holder_ref(MbxStateHolder *self)
{
  self->ref_cnt++;
  return self;
}

void
mbx_state_holder_unref(MbxStateHolder *self)
{
  if (!self || --self->ref_cnt > 0)
    return;
  g_assert(!self->saver);
  if (self->state)
    mbx_state_unref(self->state);
  g_free(self->file);
  g_free(self->stats_id);
  g_free(self);
}

MbxStateOptions *
mbx_state_holder_options(MbxStateHolder *self)
{
  return &self->options;
}

void
mbx_state_holder_set_file(MbxStateHolder *self, const gchar *path)
{
  g_free(self->file);
  self->file = g_strdup(path);
}

void
mbx_state_holder_set_save_interval(MbxStateHolder *self, gint seconds)
{
  self->save_interval = seconds;
}

MbxState *
mbx_state_holder_get(MbxStateHolder *self)
{
  return self->state;
}

/* ---- stats ------------------------------------------------------------ */

static void
_counter_key(MbxStateHolder *self, StatsClusterKey *key, const gchar *name)
{
  stats_cluster_single_key_set(key, SCS_PARSER, self->stats_id, name);
}

static void
_register_counters(MbxStateHolder *self, gboolean on)
{
  StatsClusterKey key;
  gchar name[64];

  stats_lock();
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    {
      g_snprintf(name, sizeof(name), "tracked_%s", mbx_table_name(t));
      _counter_key(self, &key, name);
      if (on)
        stats_register_counter(0, &key, SC_TYPE_SINGLE_VALUE, &self->tracked[t]);
      else
        stats_unregister_counter(&key, SC_TYPE_SINGLE_VALUE, &self->tracked[t]);
      g_snprintf(name, sizeof(name), "evicted_%s", mbx_table_name(t));
      _counter_key(self, &key, name);
      if (on)
        stats_register_counter(0, &key, SC_TYPE_SINGLE_VALUE, &self->evictions[t]);
      else
        stats_unregister_counter(&key, SC_TYPE_SINGLE_VALUE, &self->evictions[t]);
    }
  for (gint c = 0; c < CTR_FIXED_MAX; c++)
    {
      _counter_key(self, &key, fixed_counter_names[c]);
      if (on)
        stats_register_counter(0, &key, SC_TYPE_SINGLE_VALUE, &self->fixed[c]);
      else
        stats_unregister_counter(&key, SC_TYPE_SINGLE_VALUE, &self->fixed[c]);
    }
  stats_unlock();
}

static void
_publish_stats(MbxStateHolder *self)
{
  MbxStateStats stats;
  mbx_state_get_stats(self->state, &stats);
  for (gint t = 0; t < MBX_TABLE_MAX; t++)
    {
      stats_counter_set(self->tracked[t], stats.entries[t]);
      stats_counter_set(self->evictions[t], stats.evictions[t]);
    }
  stats_counter_set(self->fixed[CTR_LATE], stats.late);
  stats_counter_set(self->fixed[CTR_CLAMPED], stats.clamped);
}

/* ---- saving ----------------------------------------------------------- */

static gboolean
_save(MbxStateHolder *self)
{
  GError *error = NULL;
  gint64 stall = 0;
  gint64 start = g_get_monotonic_time();

  if (!mbx_state_save(self->state, self->file, g_get_monotonic_time, &stall, &error))
    {
      stats_counter_inc(self->fixed[CTR_STATE_WRITE_FAILURES]);
      msg_warning("mailbox-monitor: cannot write the state file", evt_tag_str("file", self->file),
                  evt_tag_str("error", error->message));
      g_error_free(error);
      return FALSE;
    }
  stats_counter_inc(self->fixed[CTR_STATE_WRITES]);
  msg_debug("mailbox-monitor: state file written", evt_tag_str("file", self->file),
            evt_tag_long("write_ms", (g_get_monotonic_time() - start) / 1000),
            evt_tag_long("longest_stall_us", stall));
  return TRUE;
}

static gpointer
_saver_thread(gpointer user_data)
{
  MbxStateHolder *self = user_data;
  _save(self);
  g_atomic_int_set(&self->saver_done, 1);
  return NULL;
}

static void
_join_saver(MbxStateHolder *self)
{
  if (!self->saver)
    return;
  g_thread_join(self->saver);
  self->saver = NULL;
  g_atomic_int_set(&self->saver_done, 0);
}

static void
_arm_tick(MbxStateHolder *self)
{
  iv_validate_now();
  self->tick.expires = iv_now;
  timespec_add_msec(&self->tick.expires, TICK_MSEC);
  iv_timer_register(&self->tick);
}

static void
_on_tick(gpointer user_data)
{
  MbxStateHolder *self = user_data;

  _publish_stats(self);
  if (self->saver && g_atomic_int_get(&self->saver_done))
    _join_saver(self);
  if (self->file && self->save_interval > 0 && !self->saver && g_get_monotonic_time() >= self->next_save)
    {
      self->next_save = g_get_monotonic_time() + (gint64) self->save_interval * G_USEC_PER_SEC;
      self->saver = g_thread_new("mbx-state-save", _saver_thread, self);
    }
  _arm_tick(self);
}

/* ---- lifecycle -------------------------------------------------------- */

static MbxState *
_fetch_handed_over(MbxStateHolder *self, GlobalConfig *cfg, const gchar *persist_name)
{
  MbxState *state = cfg_persist_config_fetch(cfg, persist_name);
  if (!state)
    return NULL;
  if (memcmp(mbx_state_get_options(state), &self->options, sizeof(self->options)) != 0)
    {
      msg_warning("mailbox-monitor: state options changed, the counters and baselines start afresh",
                  evt_tag_str("parser", persist_name));
      mbx_state_unref(state);
      return NULL;
    }
  msg_verbose("mailbox-monitor: state carried over the reload", evt_tag_str("parser", persist_name));
  return state;
}

static MbxState *
_load_or_create(MbxStateHolder *self, GError **error)
{
  if (!self->file)
    return mbx_state_new(&self->options, error);

  gboolean found;
  GError *load_error = NULL;
  MbxState *state = mbx_state_load(&self->options, self->file, &found, &load_error);
  if (state)
    {
      if (found)
        msg_info("mailbox-monitor: state loaded from the state file", evt_tag_str("file", self->file));
      return state;
    }
  /* a bad state file costs the learned state, never the daemon */
  msg_warning("mailbox-monitor: state file not loaded, starting with an empty state",
              evt_tag_str("file", self->file), evt_tag_str("error", load_error->message));
  g_error_free(load_error);
  return mbx_state_new(&self->options, error);
}

gboolean
mbx_state_holder_init(MbxStateHolder *self, GlobalConfig *cfg, const gchar *persist_name, const gchar *stats_id,
                      GError **error)
{
  if (self->users++ > 0)
    return TRUE;

  if (!mbx_state_options_validate(&self->options, error))
    {
      self->users--;
      return FALSE;
    }
  if (!self->state)
    {
      self->state = _fetch_handed_over(self, cfg, persist_name);
      if (!self->state)
        self->state = _load_or_create(self, error);
      if (!self->state)
        {
          self->users--;
          return FALSE;
        }
    }

  g_free(self->stats_id);
  self->stats_id = g_strdup(stats_id);
  _register_counters(self, TRUE);
  _publish_stats(self);

  IV_TIMER_INIT(&self->tick);
  self->tick.cookie = self;
  self->tick.handler = _on_tick;
  self->next_save = g_get_monotonic_time() + (gint64) self->save_interval * G_USEC_PER_SEC;
  _arm_tick(self);
  return TRUE;
}

void
mbx_state_holder_deinit(MbxStateHolder *self, GlobalConfig *cfg, const gchar *persist_name)
{
  if (self->users == 0 || --self->users > 0)
    return;

  if (iv_timer_registered(&self->tick))
    iv_timer_unregister(&self->tick);
  _join_saver(self);
  _publish_stats(self);

  if (cfg->persist)
    {
      /* a reload: the next configuration takes the state over (the file is not needed) */
      cfg_persist_config_add(cfg, persist_name, mbx_state_ref(self->state), (GDestroyNotify) mbx_state_unref, TRUE);
    }
  else if (self->file)
    {
      /* shutdown: no message flows any more, write the final state */
      _save(self);
    }
  _register_counters(self, FALSE);
}
