#!/usr/bin/env python3
"""Several connections at once with --worker-threads=4: the readers run on syslog-ng's worker
threads, so the parser decodes, judges and splits on several threads at the same time (its
decoders and scratch record are per thread, its counters atomic).  Every record arrives exactly
once with the right tags, and the counters add up."""

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402

N_CONN = 4
SINGLES = 1500
BLOBS = 5
PER_BLOB = 100
MALFORMED = 50

TEMPLATE = h.tsv_template("${.mbx.mailbox}", "${TAGS}", "${.mbx.rules}", "${.mbx.kind}", "${.mbx.error}",
                          "${MESSAGE}")

CONFIG = h.HEADER + "options { stats-level(2); log-msg-size(%d); threaded(yes); };\n" % h.MAX_MSG + \
    h.network_source(extra="max-connections(%d) log-iw-size(%d)" % (N_CONN * 2, N_CONN * 2 * 1000)) + """
parser p_mbx { mailbox-monitor(prefix(".mbx.") policy("@TWO_RULES@") approved-apps("%s")); };
""" % r.APPROVED_APP + h.file_destination("d_all", "all.log", TEMPLATE) + \
    h.file_destination("d_susp", "suspicious.log", h.tsv_template("${.mbx.mailbox}", "${.mbx.rules}")) + """
log {
  source(s_net);
  parser(p_mbx);
  log { destination(d_all); };
  log { filter { tags("mailbox.suspicious"); }; destination(d_susp); };
  flags(flow-control);
};
"""


def rules_of(i):
    return ["", "app-unapproved", "", "throttled", "app-unapproved,throttled"][i % 5]


def record(conn, i):
    box = "c%d-%05d@contoso.com" % (conn, i)
    rid = r.rid("thread%d" % conn, i)
    k = i % 5
    if k == 0:
        return r.owner_outlook_read(rid, box)
    if k == 1:
        return r.app_only_read(rid, box, r.ROGUE_APP)
    if k == 2:
        return r.app_only_read(rid, box, r.APPROVED_APP)
    if k == 3:
        return r.owner_outlook_read(rid, box, throttled=True)
    return r.app_only_read(rid, box, r.ROGUE_APP2, throttled=True)


def connection_lines(conn):
    """Singles, blobs and malformed lines of one connection, interleaved; and what must come out."""
    lines, expected, bad = [], {}, []
    n = 0
    blob_at = {SINGLES * (b + 1) // (BLOBS + 1): b for b in range(BLOBS)}
    bad_every = SINGLES // MALFORMED
    for s in range(SINGLES):
        rec = record(conn, n)
        expected[rec["MailboxOwnerUPN"]] = rules_of(n)
        lines.append(r.dumps(rec))
        n += 1
        if s % bad_every == 0 and len(bad) < MALFORMED:
            line = "garbage from connection %d, number %d {\"cut\":" % (conn, len(bad))
            bad.append(line)
            lines.append(line)
        if s in blob_at:
            blob = []
            for _ in range(PER_BLOB):
                rec = record(conn, n)
                expected[rec["MailboxOwnerUPN"]] = rules_of(n)
                blob.append(rec)
                n += 1
            lines.append(r.dumps(blob))
    assert len(bad) == MALFORMED
    return lines, expected, bad


class ThreadsTest(h.DaemonTestCase):

    def test_concurrent_connections(self):
        per_conn = [connection_lines(c) for c in range(N_CONN)]
        expected = {}
        bad = []
        for _, exp, b in per_conn:
            expected.update(exp)
            bad += b
        d = self.daemon(CONFIG, extra_args=["--worker-threads=4"])

        errors = []
        start = threading.Barrier(N_CONN)

        def sender(lines):
            try:
                start.wait()
                h.send_lines(d.port, lines, chunk=64 * 1024)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=sender, args=(lines,)) for lines, _, _ in per_conn]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        n_susp = sum(1 for v in expected.values() if v)
        out = d.wait_files({"all.log": len(expected) + len(bad), "suspicious.log": n_susp}, timeout=60)

        got, got_bad = {}, []
        for line in out["all.log"]:
            box, tags, rules, kind, error, message = h.split_tsv(line)
            if error:
                self.assertEqual(h.mbx_tags(tags), {"mailbox.unparsed"}, line)
                got_bad.append(message)
                continue
            self.assertNotIn(box, got, "duplicate record for %s" % box)
            got[box] = (rules, h.mbx_tags(tags), kind)
        self.assertEqual(sorted(got), sorted(expected))
        for box, rules in expected.items():
            got_rules, tags, kind = got[box]
            self.assertEqual(got_rules, rules, box)
            want_tags = {"mailbox.suspicious"} | {"mailbox.rule." + x for x in rules.split(",")} if rules else set()
            self.assertEqual(tags, want_tags, box)
            self.assertEqual(kind, "mail-access", box)
        self.assertEqual(sorted(got_bad), sorted(bad))
        susp = sorted(tuple(h.split_tsv(l)) for l in out["suspicious.log"])
        self.assertEqual(susp, sorted((box, rules) for box, rules in expected.items() if rules))

        self.assertEqual(d.parser_counter("p_mbx", "records"), len(expected))
        self.assertEqual(d.parser_counter("p_mbx", "suspicious"), n_susp)
        self.assertEqual(d.parser_counter("p_mbx", "unparsed"), len(bad))
        self.assertEqual(d.parser_counter("p_mbx", "batches"), N_CONN * BLOBS)
        self.assertEqual(d.parser_counter("p_mbx", "batch_records"), N_CONN * BLOBS * PER_BLOB)
        with open("/proc/%d/status" % d.proc.pid) as f:
            threads = [line.split()[1] for line in f if line.startswith("Threads:")]
        print("\ndaemon threads: %s" % threads[0], file=sys.stderr)
        st = d.stats()
        self.assertEqual(st[("source", "s_net", "", "processed")], sum(len(lines) for lines, _, _ in per_conn))
        d.stop()


if __name__ == "__main__":
    h.main()
