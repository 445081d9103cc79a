/*
 * Copyright (c) 2026 mailbox-monitor authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Timestamp parsing.  Audit records write time in several forms: ISO 8601
 * without a zone (UTC implied), with 7-9 fractional digits, with offsets,
 * with a trailing blank (Purview CSV), and the US locale form of exports.
 * The parser is a hand-written scanner with no allocation and no locale
 * dependency; calendar arithmetic is proleptic Gregorian in UTC.
 */
#include "mbx-time.h"

#include <string.h>

typedef struct
{
  const gchar *p;
  const gchar *end;
} Scan;

static void
_skip_blanks(Scan *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
    s->p++;
}

/* reads 1..max_digits digits; FALSE when none */
static gboolean
_digits(Scan *s, gint min_digits, gint max_digits, gint *out)
{
  gint n = 0, v = 0;
  while (s->p < s->end && n < max_digits && g_ascii_isdigit(*s->p))
    {
      v = v * 10 + (*s->p - '0');
      s->p++;
      n++;
    }
  if (n < min_digits)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
_expect(Scan *s, gchar c)
{
  if (s->p < s->end && *s->p == c)
    {
      s->p++;
      return TRUE;
    }
  return FALSE;
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static gint64
_days_from_civil(gint64 y, gint m, gint d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gboolean
_valid(gint y, gint mo, gint d, gint h, gint mi, gint sec)
{
  static const gint mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
    return FALSE;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return FALSE;
  return h <= 23 && mi <= 59 && sec <= 60;
}

/* fraction after '.' or ','; returns microseconds, drops digits past 6 */
static gint
_fraction(Scan *s)
{
  gint us = 0, n = 0;
  if (!(s->p < s->end && (*s->p == '.' || *s->p == ',')))
    return 0;
  s->p++;
  while (s->p < s->end && g_ascii_isdigit(*s->p))
    {
      if (n < 6)
        us = us * 10 + (*s->p - '0');
      n++;
      s->p++;
    }
  for (; n < 6; n++)
    us *= 10;
  return us;
}

/* optional zone: Z, +hh:mm, +hhmm, +hh; returns offset seconds east of UTC */
static gboolean
_zone(Scan *s, gint *offset)
{
  *offset = 0;
  _skip_blanks(s);
  if (s->p >= s->end)
    return TRUE;
  if (*s->p == 'Z' || *s->p == 'z')
    {
      s->p++;
      return TRUE;
    }
  if (*s->p == '+' || *s->p == '-')
    {
      gint sign = *s->p == '-' ? -1 : 1;
      gint hh, mm = 0;
      s->p++;
      if (!_digits(s, 2, 2, &hh))
        return FALSE;
      _expect(s, ':');
      if (s->p < s->end && g_ascii_isdigit(*s->p) && !_digits(s, 2, 2, &mm))
        return FALSE;
      if (hh > 14 || mm > 59)
        return FALSE;
      *offset = sign * (hh * 3600 + mm * 60);
      return TRUE;
    }
  return TRUE;
}

static gboolean
_finish(Scan *s, gint y, gint mo, gint d, gint h, gint mi, gint sec, gint us, gint offset, gint64 *out_us)
{
  _skip_blanks(s);
  if (s->p != s->end || !_valid(y, mo, d, h, mi, sec))
    return FALSE;
  gint64 secs = _days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  *out_us = secs * G_USEC_PER_SEC + us;
  return TRUE;
}

static gboolean
_parse_iso(Scan *s, gint64 *out_us)
{
  gint y, mo, d, h = 0, mi = 0, sec = 0, us = 0, offset = 0;

  if (!_digits(s, 4, 4, &y) || !_expect(s, '-') || !_digits(s, 1, 2, &mo) || !_expect(s, '-') || !_digits(s, 1, 2, &d))
    return FALSE;
  if (s->p < s->end && (*s->p == 'T' || *s->p == 't' || *s->p == ' '))
    {
      s->p++;
      if (!_digits(s, 1, 2, &h) || !_expect(s, ':') || !_digits(s, 2, 2, &mi))
        return FALSE;
      if (_expect(s, ':') && !_digits(s, 2, 2, &sec))
        return FALSE;
      us = _fraction(s);
      if (!_zone(s, &offset))
        return FALSE;
    }
  return _finish(s, y, mo, d, h, mi, sec, us, offset, out_us);
}

static gboolean
_parse_us(Scan *s, gint64 *out_us)
{
  gint y, mo, d, h = 0, mi = 0, sec = 0, us = 0, offset = 0;

  if (!_digits(s, 1, 2, &mo) || !_expect(s, '/') || !_digits(s, 1, 2, &d) || !_expect(s, '/') || !_digits(s, 4, 4, &y))
    return FALSE;
  _skip_blanks(s);
  if (s->p < s->end && g_ascii_isdigit(*s->p))
    {
      if (!_digits(s, 1, 2, &h) || !_expect(s, ':') || !_digits(s, 2, 2, &mi))
        return FALSE;
      if (_expect(s, ':') && !_digits(s, 2, 2, &sec))
        return FALSE;
      us = _fraction(s);
      _skip_blanks(s);
      if (s->end - s->p >= 2 && g_ascii_toupper(s->p[1]) == 'M' &&
          (g_ascii_toupper(s->p[0]) == 'A' || g_ascii_toupper(s->p[0]) == 'P'))
        {
          gboolean pm = g_ascii_toupper(s->p[0]) == 'P';
          if (h < 1 || h > 12)
            return FALSE;
          h = (h % 12) + (pm ? 12 : 0);
          s->p += 2;
        }
      if (!_zone(s, &offset))
        return FALSE;
    }
  return _finish(s, y, mo, d, h, mi, sec, us, offset, out_us);
}

gboolean
mbx_time_parse(const gchar *text, gsize len, gint64 *out_us)
{
  Scan s = { text, text + len };

  if (!text)
    return FALSE;
  _skip_blanks(&s);
  /* the form is told by the first separator after the leading digits */
  const gchar *q = s.p;
  while (q < s.end && g_ascii_isdigit(*q))
    q++;
  if (q < s.end && *q == '/')
    return _parse_us(&s, out_us);
  return _parse_iso(&s, out_us);
}

void
mbx_time_format(gint64 us, gchar *buf, gsize buf_size)
{
  gint64 secs = us / G_USEC_PER_SEC;
  gint64 frac = us % G_USEC_PER_SEC;
  if (frac < 0)
    {
      frac += G_USEC_PER_SEC;
      secs--;
    }
  gint64 days = secs / 86400;
  gint64 rem = secs % 86400;
  if (rem < 0)
    {
      rem += 86400;
      days--;
    }
  /* civil_from_days */
  days += 719468;
  gint64 era = (days >= 0 ? days : days - 146096) / 146097;
  gint64 doe = days - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 y = yoe + era * 400;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 d = doy - (153 * mp + 2) / 5 + 1;
  gint64 m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  g_snprintf(buf, buf_size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", (gint) y, (gint) m, (gint) d, (gint) (rem / 3600),
             (gint) (rem / 60 % 60), (gint) (rem % 60), (gint) frac);
}

gboolean
mbx_duration_parse(const gchar *text, gint64 *out_us)
{
  gchar *end;
  guint64 n;

  if (!text || !g_ascii_isdigit(*text))
    return FALSE;
  n = g_ascii_strtoull(text, &end, 10);
  if (n == 0 || n > G_MAXINT32)
    return FALSE;
  gint64 unit;
  switch (*end)
    {
    case '\0':
    case 's':
      unit = G_USEC_PER_SEC;
      break;
    case 'm':
      unit = G_TIME_SPAN_MINUTE;
      break;
    case 'h':
      unit = G_TIME_SPAN_HOUR;
      break;
    case 'd':
      unit = G_TIME_SPAN_DAY;
      break;
    default:
      return FALSE;
    }
  if (*end && end[1] != '\0')
    return FALSE;
  *out_us = (gint64) n * unit;
  return TRUE;
}

void
mbx_duration_format(gint64 us, gchar *buf, gsize buf_size)
{
  static const struct
  {
    gint64 unit;
    gchar suffix;
  } units[] = {
    { G_TIME_SPAN_DAY, 'd' },
    { G_TIME_SPAN_HOUR, 'h' },
    { G_TIME_SPAN_MINUTE, 'm' },
    { G_USEC_PER_SEC, 's' },
  };
  for (gsize i = 0; i < G_N_ELEMENTS(units); i++)
    {
      /* "24h" reads better than "1d": days only from two on */
      if (units[i].suffix == 'd' && us < 2 * G_TIME_SPAN_DAY)
        continue;
      if (us % units[i].unit == 0)
        {
          g_snprintf(buf, buf_size, "%" G_GINT64_FORMAT "%c", us / units[i].unit, units[i].suffix);
          return;
        }
    }
  g_snprintf(buf, buf_size, "%" G_GINT64_FORMAT "us", us);
}
