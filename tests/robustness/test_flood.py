#!/usr/bin/env python3
"""A flood of records with random mailbox and app names against a small max-mailboxes().

First ESTABLISHED mailboxes get two records each, an hour apart (so the state
knows them from more than one hour); then CHUNKS chunks of CHUNK records, each
with a new random mailbox and a new random app, with one record of an
established mailbox after every EVERY flood records.  Then:
  - every record is written, none unparsed;
  - memory stays bounded: the daemon's VmRSS, sampled during the flood, never
    grows more than RSS_SLACK_MIB past what it was once the tables were full
    (end of the first chunk), and stays under RSS_LIMIT_MIB;
  - evictions are counted: evicted_mailboxes (and the actor, pair and
    tenant-app tables) in syslog-ng-ctl stats, tracked_mailboxes at the cap;
  - established mailboxes keep their state: their records_24h counts on
    (3, 4, 5, ...) through the flood;
  - throughput holds: the last chunk's records per daemon CPU second are at
    least THROUGHPUT_FLOOR of the first chunk's.
Time budget: about 30 s.
"""

import random
import socket
import threading
import time
import unittest

import robust
from robust import h

CAP = 2000
ESTABLISHED = 100
CHUNKS = 4
CHUNK = 50000
EVERY = 500
RSS_SLACK_MIB = 48
RSS_LIMIT_MIB = 400
THROUGHPUT_FLOOR = 0.5

TEMPLATE = h.tsv_template("${.mbx.mailbox}", "${.mbx.records_24h}", "${.mbx.error}")

CONFIG = h.HEADER + "options { stats-level(1); log-msg-size(%d); };\n" % h.MAX_MSG + h.network_source() + """
parser p_mbx { mailbox-monitor(fields("all") max-mailboxes(%d)); };
""" % CAP + h.file_destination("d_out", "out.log", TEMPLATE) + """
log { source(s_net); parser(p_mbx); destination(d_out); flags(flow-control); };
"""


def established(i):
    return "est-%03d@contoso.com" % i


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(name="rss", daemon=True)
        self.pid = pid
        self.samples = []  # (chunk, kB)
        self.chunk = 0
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                self.samples.append((self.chunk, robust.proc_status_kb(self.pid, "VmRSS")))
            except OSError:
                return
            time.sleep(0.05)


def send(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        s.settimeout(120)
        while s.recv(4096):
            pass


class FloodTest(h.DaemonTestCase):

    def test_random_names_flood_a_small_state(self):
        rng = random.Random(9)
        d = self.daemon(CONFIG)
        pid = d.proc.pid
        seq = 0

        # established mailboxes: a record at 08:xx and one at 09:xx
        lines = []
        for hour in (0, 1):
            for i in range(ESTABLISHED):
                seq += 1
                lines.append(robust.OWNER_READ % {"id": robust.record_id(1, seq), "mailbox": established(i),
                                                  "time": robust.event_time(hour * 3600 + i)})
        send(d.port, ("\n".join(lines) + "\n").encode())
        written = robust.wait_lines(d, "out.log", len(lines), timeout=30)
        expected_count = {established(i): 2 for i in range(ESTABLISHED)}

        sampler = RssSampler(pid)
        sampler.start()
        rates = []
        est_next = 0
        for chunk in range(CHUNKS):
            lines = []
            for k in range(CHUNK):
                seq += 1
                t = robust.event_time(2 * 3600 + (chunk * CHUNK + k) // 100)
                lines.append(robust.APP_READ % {"id": robust.record_id(2, seq),
                                                "mailbox": "r%016x@flood.example" % rng.getrandbits(64),
                                                "app": robust.random_guid(rng), "time": t})
                if k % EVERY == EVERY - 1:
                    seq += 1
                    box = established(est_next % ESTABLISHED)
                    est_next += 1
                    expected_count[box] += 1
                    lines.append(robust.OWNER_READ % {"id": robust.record_id(1, seq), "mailbox": box, "time": t})
            data = ("\n".join(lines) + "\n").encode()
            sampler.chunk = chunk
            cpu0, t0 = robust.cpu_seconds(pid), time.monotonic()
            send(d.port, data)
            written = robust.wait_lines(d, "out.log", written + len(lines), timeout=120)
            cpu, wall = robust.cpu_seconds(pid) - cpu0, time.monotonic() - t0
            rates.append(len(lines) / max(cpu, 0.01))
            robust.log("chunk %d: %d records, %.2fs CPU, %.2fs wall, %.0f records per CPU second, VmRSS %d MiB" %
                       (chunk, len(lines), cpu, wall, rates[-1], robust.proc_status_kb(pid, "VmRSS") // 1024))
        sampler.stopping.set()
        sampler.join()

        time.sleep(5.5)  # the table counters are refreshed every 5 s
        rows = [line.decode().split("\t") for line in h.read_lines(d.path("out.log"))]
        self.assertEqual(len(rows), written)
        self.assertEqual([row for row in rows if row[2]], [], "no record unparsed")

        # established mailboxes kept their state through the flood
        seen = {}
        for box, n, _ in rows:
            if box.startswith("est-"):
                seen.setdefault(box, []).append(int(n))
        for box, counts in seen.items():
            self.assertEqual(counts, list(range(1, expected_count[box] + 1)), "records_24h of %s" % box)
        self.assertEqual(len(seen), ESTABLISHED)

        # memory: bounded once the tables are full
        full = max(kb for c, kb in sampler.samples if c == 0)
        later = max(kb for c, kb in sampler.samples if c > 0)
        robust.log("VmRSS: %d MiB when the tables were full, at most %d MiB after, VmHWM %d MiB" %
                   (full // 1024, later // 1024, robust.proc_status_kb(pid, "VmHWM") // 1024))
        self.assertLessEqual(later, full + RSS_SLACK_MIB * 1024, "memory grows with the flood")
        self.assertLessEqual(later, RSS_LIMIT_MIB * 1024)

        # evictions counted, the cap held
        flood = CHUNKS * CHUNK
        evicted = d.parser_counter("p_mbx", "evicted_mailboxes")
        tracked = d.parser_counter("p_mbx", "tracked_mailboxes")
        robust.log("tracked_mailboxes %s, evicted_mailboxes %s; evicted actors %s, mailbox_apps %s, tenant_apps %s" %
                   (tracked, evicted, d.parser_counter("p_mbx", "evicted_actors"),
                    d.parser_counter("p_mbx", "evicted_mailbox_apps"), d.parser_counter("p_mbx", "evicted_tenant_apps")))
        self.assertLessEqual(tracked, CAP)
        self.assertGreaterEqual(tracked, CAP * 9 // 10)
        self.assertGreaterEqual(evicted, flood + ESTABLISHED - CAP)
        for table in ("actors", "mailbox_apps", "tenant_apps"):
            self.assertGreater(d.parser_counter("p_mbx", "evicted_" + table), 0, table)
        self.assertEqual(d.parser_counter("p_mbx", "records"), written)

        # throughput held
        self.assertGreaterEqual(rates[-1], THROUGHPUT_FLOOR * rates[0],
                                "records per CPU second: first chunk %.0f, last %.0f" % (rates[0], rates[-1]))
        d.stop()


if __name__ == "__main__":
    h.main()
