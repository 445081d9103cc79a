#!/usr/bin/env python3
"""The real daemon under load while `syslog-ng-ctl reload` runs every second.

Several TCP connections stream records for SECONDS seconds, single records and
Management API content blobs (JSON arrays) mixed, with flow control, while the
configuration is reloaded once a second.  Then:
  - every record sent is written exactly once (a blob counts as its records),
    none of them unparsed;
  - every reload succeeded, the daemon never died and exits cleanly;
  - the state continues across the reloads: one mailbox (the tracker) gets a
    record in every batch of connection 0, in order, and its records_24h
    counts 1, 2, 3, ... without a restart;
  - the parser's counters add up (records == records written, batches ==
    blobs sent).
Time budget: about 30 s (SECONDS of load plus start, drain and checks).
"""

import random
import socket
import threading
import time
import unittest

import robust
from robust import h

SECONDS = 15
CONNECTIONS = 4
BATCH = 100               # lines per sendall
BLOB_EVERY = 25           # one line in 25 is a blob
BLOB_RECORDS = (5, 40)    # records per blob
TRACKER = "tracker@contoso.com"

TEMPLATE = h.tsv_template("${.mbx.id}", "${.mbx.mailbox}", "${.mbx.records_24h}", "${.mbx.error}")

CONFIG = h.HEADER + "options { stats-level(1); log-msg-size(%d); threaded(yes); };\n" % h.MAX_MSG + \
    h.network_source(extra="max-connections(%d) log-iw-size(%d)" % (CONNECTIONS * 2, CONNECTIONS * 2 * 1000)) + """
parser p_mbx { mailbox-monitor(fields("all")); };
""" + h.file_destination("d_out", "out.log", TEMPLATE) + """
log { source(s_net); parser(p_mbx); destination(d_out); flags(flow-control); };
"""


class Sender(threading.Thread):
    """One connection: batches of records and blobs until the deadline; remembers every record id sent."""

    def __init__(self, conn, port, start_time, deadline):
        super().__init__(name="sender-%d" % conn)
        self.conn = conn
        self.port = port
        self.start_time = start_time
        self.deadline = deadline
        self.ids = []
        self.blobs = 0
        self.tracker = 0
        self.error = None
        self.rng = random.Random(conn)

    def _record(self, now):
        seq = len(self.ids)
        rid = robust.record_id(self.conn + 1, seq)
        self.ids.append(rid)
        box = "c%d-m%03d@contoso.com" % (self.conn, seq % 400)
        k = seq % 4
        tpl = (robust.OWNER_READ, robust.ROGUE_READ, robust.APPROVED_READ, robust.THROTTLED_READ)[k]
        return tpl % {"id": rid, "mailbox": box, "time": now}

    def _batch(self):
        # event time follows the wall clock on every connection, so no connection's records fall behind the
        # tenant's watermark (they would be late and not windowed)
        now = robust.event_time(time.monotonic() - self.start_time)
        lines = []
        if self.conn == 0:
            rid = robust.record_id(0, self.tracker)
            self.tracker += 1
            self.ids.append(rid)
            lines.append(robust.OWNER_READ % {"id": rid, "mailbox": TRACKER, "time": now})
        for i in range(BATCH - len(lines)):
            if self.rng.randrange(BLOB_EVERY) == 0:
                n = self.rng.randint(*BLOB_RECORDS)
                lines.append("[" + ",".join(self._record(now) for _ in range(n)) + "]")
                self.blobs += 1
            else:
                lines.append(self._record(now))
        return ("\n".join(lines) + "\n").encode()

    def run(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
                while time.monotonic() < self.deadline:
                    s.sendall(self._batch())
                s.shutdown(socket.SHUT_WR)
                s.settimeout(120)
                while s.recv(4096):
                    pass
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


class ReloadUnderLoadTest(h.DaemonTestCase):

    def test_reload_every_second_under_load(self):
        d = self.daemon(CONFIG)
        start = time.monotonic()
        deadline = start + SECONDS
        senders = [Sender(c, d.port, start, deadline) for c in range(CONNECTIONS)]
        for s in senders:
            s.start()

        reloads = []
        while time.monotonic() < deadline:
            time.sleep(1.0)
            t0 = time.monotonic()
            r = d.ctl_run("reload", check=False)
            reloads.append((r.returncode, time.monotonic() - t0, (r.stdout + r.stderr).strip()))
            self.assertTrue(d.alive(), "the daemon died during reload %d" % len(reloads))
        for s in senders:
            s.join(180)
            self.assertFalse(s.is_alive(), "sender %d did not finish" % s.conn)
            self.assertIsNone(s.error, "sender %d: %s" % (s.conn, s.error))

        sent = [rid for s in senders for rid in s.ids]
        blobs = sum(s.blobs for s in senders)
        robust.log("sent %d records (%d blobs) over %d connections in %ds, %d reloads (longest %.2fs)" %
                   (len(sent), blobs, CONNECTIONS, SECONDS, len(reloads), max(x[1] for x in reloads)))
        self.assertGreaterEqual(len(reloads), SECONDS - 3)
        failed = [x for x in reloads if x[0] != 0]
        self.assertEqual(failed, [], "every reload succeeds")
        self.assertEqual(d.log().count("Configuration reload finished"), len(reloads),
                         "the daemon reloaded its configuration each time")

        robust.wait_lines(d, "out.log", len(sent), timeout=90)
        time.sleep(1.0)  # a duplicate would show now
        rows = [line.decode().split("\t") for line in h.read_lines(d.path("out.log"))]
        self.assertEqual(len(rows), len(sent), "as many lines written as records sent")
        written = [row[0] for row in rows]
        self.assertEqual(len(set(written)), len(written), "no record written twice")
        self.assertEqual(set(written), set(sent), "every record sent is written")
        self.assertEqual([row for row in rows if row[3]], [], "no record unparsed")

        tracker = [int(row[2]) for row in rows if row[1] == TRACKER]
        self.assertEqual(len(tracker), senders[0].tracker)
        self.assertEqual(tracker, list(range(1, len(tracker) + 1)),
                         "the tracker's records_24h counts on across every reload")

        self.assertEqual(d.parser_counter("p_mbx", "records"), len(sent))
        self.assertEqual(d.parser_counter("p_mbx", "batches"), blobs)
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), 0)
        robust.log("written exactly once: %d; tracker records_24h 1..%d; daemon VmHWM %d MiB" %
                   (len(written), len(tracker), robust.proc_status_kb(d.proc.pid, "VmHWM") // 1024))
        d.stop()


if __name__ == "__main__":
    h.main()
