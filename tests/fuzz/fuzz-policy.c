/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Fuzz target for the policy loader: any bytes are written to an anonymous
 * file (memfd, reopened through /proc/self/fd) and loaded with
 * mbx_policy_load(), as the parser loads the policy() file; a policy that
 * loads answers a few lookups before it is released, a refused one must come
 * with an MBX_ERROR.  Built with libFuzzer (clang, -Dfuzzing=true) and with
 * fuzz-replay.c as a plain test over tests/fuzz/corpus-policy.
 *
 * [geo] names MaxMind DB files that the loader opens.  A fuzzer free to name
 * any path could make it open /dev/stdin, a FIFO or a device and hang, or
 * map whatever file happens to exist, so database paths are confined before
 * loading: a value whose base name is one of the test databases built for
 * the unit tests (geo-test-city.mmdb, ...) becomes that database, an empty
 * value stays empty, one that is not UTF-8 stays (it names nothing), and
 * anything else becomes one fixed missing path (keeping a bad escape bad).
 * Such an input is re-serialized by GKeyFile (the same parser the loader
 * uses), so the rest of it reaches the loader unchanged in meaning.
 *
 * Loading is strict, and the target checks that too: in a policy that
 * loaded, every list and text value the loader reads must read as text
 * (UTF-8, valid escapes) - GLib returns nothing for one that does not, and
 * the loader once took that for an absent key (corpus-policy/bad-utf8-*).
 */
#include "mbx-error.h"
#include "mbx-policy.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MISSING_DB "/nonexistent/mailbox-monitor-fuzz/missing.mmdb"

static gint fd = -1;
static gchar *path;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* an anonymous file the loader can open by name; nothing is left behind on exit */
static void
_open_input_file(void)
{
  fd = memfd_create("fuzz-policy", MFD_CLOEXEC);
  if (fd < 0)
    {
      gchar *name = NULL;
      fd = g_file_open_tmp("fuzz-policy-XXXXXX", &name, NULL);
      g_assert(fd >= 0);
      g_unlink(name);
      g_free(name);
    }
  path = g_strdup_printf("/proc/self/fd/%d", fd);
}

static void
_write_input(const gchar *data, gsize size)
{
  g_assert(ftruncate(fd, 0) == 0);
  for (gsize done = 0; done < size;)
    {
      gssize n = pwrite(fd, data + done, size - done, done);
      g_assert(n > 0);
      done += n;
    }
}

/* what a [geo] database path may be while fuzzing (see the top of the file) */
static gchar *
_confined_db(const gchar *value)
{
  static const gchar *test_dbs[] = { "geo-test-city.mmdb", "geo-test-country.mmdb", "geo-test-asn.mmdb",
                                     "geo-test-located.mmdb" };
  if (!*value)
    return g_strdup("");
#ifdef FUZZ_GEO_DIR
  gchar *base = g_path_get_basename(value);
  for (gsize i = 0; i < G_N_ELEMENTS(test_dbs); i++)
    {
      if (strcmp(base, test_dbs[i]) == 0)
        {
          gchar *db = g_build_filename(FUZZ_GEO_DIR, test_dbs[i], NULL);
          g_free(base);
          if (g_file_test(db, G_FILE_TEST_IS_REGULAR))
            return db;
          g_free(db);
          return g_strdup(MISSING_DB);
        }
    }
  g_free(base);
#else
  (void) test_dbs;
#endif
  return g_strdup(MISSING_DB);
}

/* the input with its [geo] database paths confined, or NULL when it needs no change */
static gchar *
_confine_geo(const uint8_t *data, size_t size, gsize *out_len)
{
  static const gchar *keys[] = { "city-database", "asn-database" };
  GKeyFile *kf = g_key_file_new();
  gboolean changed = FALSE;
  gchar *out = NULL;

  if (g_key_file_load_from_data(kf, (const gchar *) data, size, G_KEY_FILE_NONE, NULL) &&
      g_key_file_has_group(kf, "geo"))
    {
      for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
        {
          if (!g_key_file_has_key(kf, "geo", keys[i], NULL))
            continue;
          /* read as the loader reads it: unescaped, then stripped */
          GError *e = NULL;
          gchar *value = g_key_file_get_string(kf, "geo", keys[i], &e);
          if (!value)
            {
              /* not UTF-8: no path to open, left as it is for the loader to refuse */
              g_clear_error(&e);
              continue;
            }
          gchar *confined = _confined_db(g_strstrip(value));
          if (e)
            {
              /* a bad escape (GLib still returns text): confined, and still a bad escape */
              gchar *raw = g_strconcat(confined, "\\q", NULL);
              g_key_file_set_value(kf, "geo", keys[i], raw);
              g_free(raw);
              g_clear_error(&e);
              changed = TRUE;
            }
          else if (strcmp(value, confined) != 0)
            {
              g_key_file_set_string(kf, "geo", keys[i], confined);
              changed = TRUE;
            }
          g_free(confined);
          g_free(value);
        }
      if (changed)
        out = g_key_file_to_data(kf, out_len, NULL);
    }
  g_key_file_free(kf);
  return out;
}

/* the loader accepted @data: every list and text value it reads must read as such */
static void
_assert_values_are_text(const gchar *data, gsize size)
{
  static const gchar *lists[][2] = {
    { "trusted-networks", "networks" },
    { "scripted-agents", "patterns" },
    { "scripted-agents", "approved" },
    { "sensitive-terms", "terms" },
    { "geo", "allowed-countries" },
  };
  static const gchar *texts[][2] = { { "geo", "city-database" }, { "geo", "asn-database" } };
  static const gchar *named[] = { "approved-apps", "approved-accounts" };
  GKeyFile *kf = g_key_file_new();
  GError *e = NULL;

  g_assert(g_key_file_load_from_data(kf, data, size, G_KEY_FILE_NONE, NULL));
  for (gsize i = 0; i < G_N_ELEMENTS(lists); i++)
    {
      if (g_key_file_has_key(kf, lists[i][0], lists[i][1], NULL))
        {
          g_strfreev(g_key_file_get_string_list(kf, lists[i][0], lists[i][1], NULL, &e));
          g_assert_no_error(e);
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
    {
      if (g_key_file_has_key(kf, texts[i][0], texts[i][1], NULL))
        {
          g_free(g_key_file_get_string(kf, texts[i][0], texts[i][1], &e));
          g_assert_no_error(e);
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS(named); i++)
    {
      gchar **keys = g_key_file_get_keys(kf, named[i], NULL, NULL);
      for (gchar **k = keys; k && *k; k++)
        {
          g_free(g_key_file_get_string(kf, named[i], *k, &e));
          g_assert_no_error(e);
        }
      g_strfreev(keys);
    }
  g_key_file_free(kf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GError *error = NULL;
  gsize len;

  if (fd < 0)
    _open_input_file();

  gchar *confined = _confine_geo(data, size, &len);
  const gchar *text = confined ? confined : (const gchar *) data;
  len = confined ? len : size;
  _write_input(text, len);

  MbxPolicy *policy = mbx_policy_load(path, &error);
  if (!policy)
    {
      g_assert(error != NULL && error->domain == MBX_ERROR);
      g_clear_error(&error);
      g_free(confined);
      return 0;
    }
  g_assert(error == NULL);
  _assert_values_are_text(text, len);
  g_free(confined);

  const gchar *hit = NULL;
  mbx_policy_is_approved_app(policy, "d0bbc075-60b6-4143-8809-78bb5d9f9a29");
  mbx_policy_is_approved_app(policy, "D0BBC075-60B6-4143-8809-78BB5D9F9A29");
  mbx_policy_app_name(policy, "7136c419-3ccc-429f-9bd7-f9220cb9b884");
  mbx_policy_is_approved_account(policy, "svc-backup@contoso.example");
  mbx_policy_has_trusted_networks(policy);
  mbx_policy_is_trusted_ip(policy, "203.0.113.5");
  mbx_policy_is_trusted_ip(policy, "2001:db8:100::1");
  mbx_policy_is_trusted_ip(policy, "10.1.2.3");
  if (mbx_policy_is_scripted_agent(policy, "python-requests/2.32.5", &hit))
    g_assert(hit != NULL);
  mbx_policy_is_scripted_agent(policy, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) helpdesk-connector/2", NULL);
  hit = NULL;
  if (mbx_policy_find_sensitive_term(policy, "Contraseña del banco: wire transfer", &hit))
    g_assert(hit != NULL);
  mbx_policy_find_sensitive_term(policy, "the Merger plan, Project Zeus", NULL);
  mbx_policy_country_disallowed(policy, "FR");
  if (mbx_policy_geo(policy))
    {
      MbxGeoInfo info;
      mbx_geo_lookup(mbx_policy_geo(policy), "90.0.42.7", &info);
    }

  const MbxPolicyThresholds *t = mbx_policy_thresholds(policy);
  g_assert(t->alert_score >= 1 && t->alert_score <= 100);
  for (gint r = 0; r < MBX_RULE_MAX; r++)
    {
      const MbxRuleSettings *rule = mbx_policy_rule(policy, r);
      g_assert(rule->weight >= 0 && rule->weight <= 100);
    }
  mbx_policy_unref(policy);
  return 0;
}
