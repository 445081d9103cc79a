/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The pre-screen (see mbx-prescreen.h).
 *
 * Why a raw "Workload" key can be trusted: inside a JSON string every quote
 * is escaped, so the bytes "Workload" followed by a colon can only be a key;
 * record keys come from Microsoft, not from whoever is being audited.  It
 * must be the only such key, so a nested object cannot answer for the
 * record, and the text must end with the object's closing brace, so a cut
 * record is decoded (and counted as unparsed) rather than skipped.
 *
 * Invariant: SKIP implies the decoder would give kind "other" and no rule
 * would fire: every workload listed here carries no mailbox access, grant,
 * sign-in or audit setting.  Exchange, AzureActiveDirectory and
 * SecurityComplianceCenter (compliance searches) are never listed.
 */
#include "mbx-prescreen.h"
#include "mbx-decoder.h"

#include <string.h>

static const gchar *const skipped_workloads[] = {
  "SharePoint",
  "OneDrive",
  "MicrosoftTeams",
  "PowerBI",
  "Yammer",
  "MicrosoftForms",
  "MicrosoftStream",
  "PowerApps",
  "MicrosoftFlow",
  "Sway",
  NULL,
};

#define KEY "\"Workload\""
#define KEY_LEN (sizeof(KEY) - 1)

const gchar *const *
mbx_prescreen_workloads(void)
{
  return skipped_workloads;
}

static gboolean
_is_blank(gchar c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static gboolean
_skipped(const gchar *value, gsize len)
{
  for (const gchar *const *w = skipped_workloads; *w; w++)
    {
      if (strlen(*w) == len && memcmp(*w, value, len) == 0)
        return TRUE;
    }
  return FALSE;
}

/*
 * The next "Workload" key in [p, end): memchr for the 'W' is vectorized,
 * and 'W' is rare in audit records, so this beats memmem's general search.
 */
static const gchar *
_find_key(const gchar *p, const gchar *end)
{
  while (end - p >= (gssize) KEY_LEN)
    {
      const gchar *w = memchr(p + 1, 'W', end - p - 1);
      if (!w || end - w < (gssize) KEY_LEN - 1)
        return NULL;
      if (w[-1] == '"' && memcmp(w, KEY + 1, KEY_LEN - 1) == 0)
        return w - 1;
      p = w;
    }
  return NULL;
}

MbxPrescreen
mbx_prescreen(const gchar *input, gsize len)
{
  gsize offset;
  if (!input || mbx_input_locate(input, len, &offset) != MBX_INPUT_RECORD)
    return MBX_PRESCREEN_DECODE;
  const gchar *p = input + offset;
  const gchar *end = input + len;

  const gchar *key = _find_key(p, end);
  if (!key)
    return MBX_PRESCREEN_DECODE;
  const gchar *v = key + KEY_LEN;
  while (v < end && _is_blank(*v))
    v++;
  if (v >= end || *v++ != ':')
    return MBX_PRESCREEN_DECODE;
  while (v < end && _is_blank(*v))
    v++;
  if (v >= end || *v++ != '"')
    return MBX_PRESCREEN_DECODE;
  const gchar *close = memchr(v, '"', end - v);
  if (!close || memchr(v, '\\', close - v) || !_skipped(v, close - v))
    return MBX_PRESCREEN_DECODE;

  /* a workload to skip: only now the checks that read the whole text */
  while (end > close && (_is_blank(end[-1]) || end[-1] == '\0'))
    end--;
  if (end[-1] != '}' || _find_key(close, end))
    return MBX_PRESCREEN_DECODE;
  return MBX_PRESCREEN_SKIP;
}
