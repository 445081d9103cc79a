"""Shared helpers of the robustness suites (tests/robustness/test_*.py).

The suites run the real daemon through tests/e2e/harness.py (imported from
there through sys.path) and build their records with tests/e2e/records.py.
Records are made from templates: one record of each shape is dumped once
with sentinel values, and every line after that is one %-format, so a suite
can make a hundred thousand records in well under a second.
"""

import datetime
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import harness as h  # noqa: E402,F401 - re-exported for the suites
import records as r  # noqa: E402

BASE = datetime.datetime(2026, 11, 2, 8, 0, 0)

_SENTINELS = {"@@ID@@": "id", "@@MAILBOX@@": "mailbox", "@@TIME@@": "time", "@@APP@@": "app"}


def template(record):
    """A %-format of one record whose values are the sentinels above: %(id)s, %(mailbox)s, %(time)s, %(app)s."""
    text = r.dumps(record).replace("%", "%%")
    for sentinel, key in _SENTINELS.items():
        text = text.replace(sentinel, "%%(%s)s" % key)
    return text


def _with_time(record):
    record["CreationTime"] = "@@TIME@@"
    return record


# the record shapes the suites send
OWNER_READ = template(_with_time(r.owner_outlook_read("@@ID@@", "@@MAILBOX@@")))
THROTTLED_READ = template(_with_time(r.owner_outlook_read("@@ID@@", "@@MAILBOX@@", throttled=True)))
APP_READ = template(_with_time(r.app_only_read("@@ID@@", "@@MAILBOX@@", "@@APP@@")))
ROGUE_READ = template(_with_time(r.app_only_read("@@ID@@", "@@MAILBOX@@", r.ROGUE_APP)))
APPROVED_READ = template(_with_time(r.app_only_read("@@ID@@", "@@MAILBOX@@", r.APPROVED_APP)))


def record_id(a, b):
    """A GUID-shaped record id that names its maker: (a, b) -> aaaaaaaa-0000-4000-8000-bbbbbbbbbbbb."""
    return "%08x-0000-4000-8000-%012x" % (a, b)


def random_guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def event_time(seconds):
    """CreationTime text of BASE + @seconds."""
    return (BASE + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


# the /proc readers live in the harness, shared with bench/daemon.py
proc_status_kb = h.proc_status_kb
cpu_seconds = h.cpu_seconds


def wait_lines(daemon, name, n, timeout):
    """Waits until the daemon's output file @name holds @n lines (fails if it dies or time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        have = h.count_lines(daemon.path(name))
        if have >= n:
            return have
        if not daemon.alive():
            daemon.fail("daemon died (status %s) with %d of %d lines written" % (daemon.proc.returncode, have, n))
        if time.monotonic() > deadline:
            daemon.fail("timeout after %ds: %d of %d lines written" % (timeout, have, n))
        time.sleep(0.05)


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()
