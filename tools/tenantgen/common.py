"""Deterministic randomness, identifiers and timestamp formatting shared by every module.

Everything random in the generator comes from random.Random objects seeded with mix() of the
user's seed and small integer/string tags, so the same arguments always give the same bytes and
a mailbox's activity does not depend on the order in which other mailboxes are generated.
"""

import base64
import datetime
import math
import random
import zlib

M64 = (1 << 64) - 1


def _tag(part):
    if isinstance(part, str):
        return zlib.crc32(part.encode("utf-8"))
    return part & M64


def mix(*parts):
    """splitmix64-style hash of ints/strings; stable across runs and Python versions."""
    h = 0x9E3779B97F4A7C15
    for part in parts:
        h = ((h ^ _tag(part)) * 0xBF58476D1CE4E5B9) & M64
        h ^= h >> 31
        h = (h * 0x94D049BB133111EB) & M64
        h ^= h >> 29
    return h


def rng_for(*parts):
    return random.Random(mix(*parts))


def guid_from(value):
    """Format a 128-bit integer as a version-4 style GUID string."""
    h = "%032x" % (value & ((1 << 128) - 1))
    return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], "89ab"[int(h[16], 16) & 3], h[17:20], h[20:])


def guid(rng):
    return guid_from(rng.getrandbits(128))


def guid_of(*parts):
    return guid_from((mix(*parts) << 64) | mix(*(parts + ("lo",))))


def uti_of(*parts):
    """A token 'uti' claim: 22 base64url characters, like SigninLogs.UniqueTokenIdentifier."""
    raw = ((mix(*parts) << 64) | mix(*(parts + ("uti",)))).to_bytes(16, "little")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def puid_of(*parts):
    return "1003%012X" % (mix(*parts) & 0xFFFFFFFFFFFF)


def sid_of(*parts):
    h = mix(*parts)
    return "S-1-5-21-%d-%d-%d-%d" % (
        1000000000 + h % 999999999, 1000000000 + (h >> 20) % 999999999,
        1000000000 + (h >> 40) % 999999999, 1000 + (h >> 8) % 90000)


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    limit = math.exp(-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def lognormal_int(rng, median, sigma, lo, hi):
    return int(min(hi, max(lo, rng.lognormvariate(math.log(median), sigma))))


# --- time ------------------------------------------------------------------------------------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_DAY_PREFIX = {}


def epoch_of_date(text):
    d = datetime.date.fromisoformat(text)
    return int((datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc) - _EPOCH).total_seconds())


def _day_prefix(day_number):
    p = _DAY_PREFIX.get(day_number)
    if p is None:
        d = datetime.date(1970, 1, 1) + datetime.timedelta(days=day_number)
        p = _DAY_PREFIX[day_number] = d.isoformat()
    return p


def ual_time(ts):
    """Management API CreationTime: seconds, no zone suffix ("2026-11-02T08:15:02")."""
    t = int(ts)
    d, s = divmod(t, 86400)
    return "%sT%02d:%02d:%02d" % (_day_prefix(d), s // 3600, s % 3600 // 60, s % 60)


def frac7(ts):
    return int((ts - int(ts)) * 10000000) % 10000000


def iso7(ts):
    """Azure Monitor style time with 7 fractional digits and Z."""
    return "%s.%07dZ" % (ual_time(ts), frac7(ts))


def iso7_offset(ts):
    return "%s.%07d+00:00" % (ual_time(ts), frac7(ts))


def iso_ms(ts):
    return "%s.%03dZ" % (ual_time(ts), int((ts - int(ts)) * 1000) % 1000)


def locale_time(ts):
    """US locale rendering seen in exports: 11/2/2026 8:15:02 AM."""
    t = int(ts)
    d, s = divmod(t, 86400)
    date = datetime.date(1970, 1, 1) + datetime.timedelta(days=d)
    h = s // 3600
    ampm = "AM" if h < 12 else "PM"
    h12 = h % 12 or 12
    return "%d/%d/%d %d:%02d:%02d %s" % (date.month, date.day, date.year, h12, s % 3600 // 60, s % 60, ampm)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekday_of(ts):
    return (int(ts) // 86400 + 3) % 7  # 1970-01-01 was a Thursday (3 when Monday is 0)
