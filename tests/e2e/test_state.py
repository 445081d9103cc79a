#!/usr/bin/env python3
"""The detection state in the real daemon: counters continue across
`syslog-ng-ctl reload`, across a stop and start with a state file, and across
a failed reload; a corrupt state file is a warning and a fresh start; two
parser instances keep separate state; references to one named parser share
one; several connections count exactly.

Each check reads the state figures the parser sets with fields("all"):
records_24h and items_24h of the record's mailbox, mailbox_new and
app_new_for_mailbox."""
import datetime
import os
import shutil
import tempfile
import threading
import unittest

import harness
import records as R

STATE_TEMPLATE = harness.tsv_template("${%sid}", "${%srecords_24h}", "${%sitems_24h}", "${%smailbox_new}",
                                      "${%sapp_new_for_mailbox}", "${%sfanout_10m}")


def template(prefix):
    return STATE_TEMPLATE.replace("%s", prefix)


def config(state_file=None, extra_parser="", listener_extra="", body=None):
    state = 'state-file("%s") state-save-interval(0)' % state_file if state_file else ""
    return """@version: 3.38
options { stats-level(2); };
%s
parser p_mbx { mailbox-monitor(fields("all") %s %s); };
%s
""" % (harness.network_source(), state, extra_parser, body or """
destination d_out { file("@DIR@/out.log" template("%s")); };
log { source(s_net); parser(p_mbx); destination(d_out); };
""" % template(".mbx."))


def read(daemon, name, n):
    lines = daemon.wait_files({name: n})[name]
    return [l.decode().split("\t") for l in lines]


BASE = datetime.datetime(2026, 11, 2, 8, 0, 0)


def reads(prefix, n, mailbox="ceo@contoso.com", app=R.ROGUE_APP, items=3, minute0=0, step_seconds=60):
    """@n Graph reads of @mailbox by @app, one every @step_seconds from 08:00 + @minute0."""
    out = []
    for i in range(n):
        rec = R.delegated_graph_read(R.rid(prefix, i), mailbox, app, n_items=items)
        t = BASE + datetime.timedelta(minutes=minute0, seconds=i * step_seconds)
        rec["CreationTime"] = t.strftime("%Y-%m-%dT%H:%M:%S")
        out.append(R.dumps(rec))
    return out


class StateTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="mbx-state-")

    def tearDown(self):
        super().tearDown()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assert_counts(self, rows, first_records, items_per_record=3):
        for i, row in enumerate(rows):
            self.assertEqual(int(row[1]), first_records + i, row)
            self.assertEqual(int(row[2]), (first_records + i) * items_per_record, row)

    def test_counters_continue_across_reload(self):
        d = self.daemon(config())
        d.send(reads("rl-a", 3))
        rows = read(d, "out.log", 3)
        self.assert_counts(rows, 1)
        self.assertEqual([r[3] for r in rows], ["true", "false", "false"])
        d.ctl_run("reload")
        d.send(reads("rl-b", 2, minute0=3))
        rows = read(d, "out.log", 5)[3:]
        self.assert_counts(rows, 4)
        self.assertEqual([r[3] for r in rows], ["false", "false"], "the mailbox is known after the reload")
        self.assertEqual([r[4] for r in rows], ["false", "false"], "so is the (mailbox, app) pair")
        d.stop()

    def test_failed_reload_keeps_the_old_state(self):
        d = self.daemon(config())
        d.send(reads("fr-a", 2))
        read(d, "out.log", 2)
        # a configuration that cannot start: its listener's port is already taken by the running one
        with open(d.conf) as f:
            good = f.read()
        bad = good.replace('parser p_mbx', 'source s_busy { network(ip("127.0.0.1") port(%d) transport("tcp")); };\n'
                           'log { source(s_busy); destination(d_out); };\nparser p_mbx' % d.port)
        with open(d.conf, "w") as f:
            f.write(bad)
        r = d.ctl_run("reload", check=False)
        self.assertNotEqual(r.returncode, 0, "the broken configuration must be refused: %s" % r.stdout)
        with open(d.conf, "w") as f:
            f.write(good)
        d.send(reads("fr-b", 2, minute0=2))
        rows = read(d, "out.log", 4)[2:]
        self.assert_counts(rows, 3)
        d.stop()

    def test_counters_and_first_seen_survive_a_restart_with_a_state_file(self):
        state = os.path.join(self.tmp, "mbx.state")
        d = self.daemon(config(state))
        d.send(reads("rs-a", 4))
        read(d, "out.log", 4)
        d.stop()
        self.assertTrue(os.path.getsize(state) > 0, "the state file is written at shutdown")

        d2 = self.daemon(config(state))
        d2.send(reads("rs-b", 2, minute0=4))
        rows = read(d2, "out.log", 2)
        self.assert_counts(rows, 5)
        self.assertEqual([r[3] for r in rows], ["false", "false"])
        self.assertEqual([r[4] for r in rows], ["false", "false"])
        self.assertIn("state loaded from the state file", d2.stop())

    def test_a_corrupt_state_file_is_a_warning_and_a_fresh_start(self):
        state = os.path.join(self.tmp, "mbx.state")
        d = self.daemon(config(state))
        d.send(reads("cs-a", 2))
        read(d, "out.log", 2)
        d.stop()
        with open(state, "r+b") as f:
            f.seek(os.path.getsize(state) // 2)
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))

        d2 = self.daemon(config(state))
        d2.send(reads("cs-b", 1, minute0=2))
        rows = read(d2, "out.log", 1)
        self.assert_counts(rows, 1)
        self.assertEqual(rows[0][3], "true", "nothing was loaded from the corrupt file")
        log = d2.stop()
        self.assertIn("state file not loaded", log)
        self.assertIn("checksum", log)

    def test_a_truncated_state_file_is_a_warning_and_a_fresh_start(self):
        state = os.path.join(self.tmp, "mbx.state")
        with open(state, "wb") as f:
            f.write(b"MBXSTATE\x01\x00")
        d = self.daemon(config(state))
        d.send(reads("tr-a", 1))
        rows = read(d, "out.log", 1)
        self.assertEqual(rows[0][3], "true")
        self.assertIn("state file not loaded", d.stop())

    def test_two_instances_keep_separate_state_and_a_named_parser_shares_one(self):
        body = """
parser p_other { mailbox-monitor(prefix(".o.") fields("all")); };
destination d_a { file("@DIR@/a.log" template("%s")); };
destination d_b { file("@DIR@/b.log" template("%s")); };
destination d_o { file("@DIR@/o.log" template("%s")); };
log { source(s_net);
  log { parser(p_mbx); destination(d_a); };
  log { parser(p_mbx); destination(d_b); };
  log { parser(p_other); destination(d_o); };
};
""" % (template(".mbx."), template(".mbx."), template(".o."))
        d = self.daemon(config(body=body))
        d.send(reads("ni", 3))
        out = d.wait_files({"a.log": 3, "b.log": 3, "o.log": 3})
        a = [l.decode().split("\t") for l in out["a.log"]]
        b = [l.decode().split("\t") for l in out["b.log"]]
        o = [l.decode().split("\t") for l in out["o.log"]]
        # p_mbx is referenced twice: both references count into one state, so each record counts twice
        self.assertEqual([int(r[1]) for r in a], [1, 3, 5])
        self.assertEqual([int(r[1]) for r in b], [2, 4, 6])
        # p_other has its own state
        self.assertEqual([int(r[1]) for r in o], [1, 2, 3])
        d.stop()

    def test_several_connections_count_exactly(self):
        d = self.daemon(config(), extra_args=["--worker-threads=4"])
        n_conn, per_conn = 4, 250
        # one second apart: well within the lateness, however the connections interleave
        batches = [reads("mc%d" % c, per_conn, mailbox="shared@contoso.com", step_seconds=1) for c in range(n_conn)]
        threads = [threading.Thread(target=d.send, args=(b,)) for b in batches]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rows = read(d, "out.log", n_conn * per_conn)
        counts = sorted(int(r[1]) for r in rows)
        self.assertEqual(counts, list(range(1, n_conn * per_conn + 1)),
                         "every record got its own position in the mailbox's count")
        self.assertEqual(d.parser_counter("p_mbx", "records"), n_conn * per_conn)
        self.assertEqual(d.parser_counter("p_mbx", "late_records"), 0)
        d.stop()


if __name__ == "__main__":
    harness.main()
