#!/usr/bin/env python3
"""rsyslog: the mmexternal helper (modules/rsyslog) on its own and inside the real rsyslogd.

The helper: one JSON reply per input line, in order, answered before the next line is written (as
rsyslog does it); {"$!":{"mbx":{...}}} for a suspicious record, {} otherwise; blank, garbage, NUL
bytes, invalid UTF-8, cut blobs and a line longer than the decoder takes are answered {} and never
stop it; a blob or an Event Hub batch is answered once with its most severe record; bad options
fail at start.

rsyslogd 8.2302 (Debian's package, unpacked by scripts/rsyslog-unpack.sh, never installed: it
conflicts with syslog-ng) runs examples/rsyslog/*.conf with ports, paths and the helper's path
pointed at this test: it must flag exactly the records syslog-ng flags on the same input (the sample
tenant's 5,641 records), with the same alert id, score, rules, mailbox, actor and reason."""

import gzip
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402
import reference  # noqa: E402
import test_routing  # noqa: E402

TENANT = os.path.join(h.REPO, "examples", "records", "sample-tenant")
EXAMPLES = os.path.join(h.REPO, "examples", "rsyslog")
EXAMPLE_APP = "11111111-2222-3333-4444-555555555555"
BIG = 64 * 1024 * 1024 + 16


def build_root():
    return os.path.dirname(os.path.dirname(h.module_dir()))


def helper_path():
    return os.path.join(build_root(), "modules", "rsyslog", "mailbox-monitor-mmexternal")


def approved_apps():
    with open(os.path.join(TENANT, "policy.json")) as f:
        return sorted(json.load(f)["approved_apps"])


def tenant_lines():
    with gzip.open(os.path.join(TENANT, "records.jsonl.gz"), "rb") as f:
        return [line for line in f.read().split(b"\n") if line]


class Helper:
    """One helper process, asked line by line like rsyslog's mmexternal does."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([helper_path()] + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.pending = b""

    def ask(self, line, timeout=10):
        """Writes @line and its newline, returns the one reply line (without newline)."""
        data = h.to_bytes(line) + b"\n"
        writer = threading.Thread(target=self._write, args=(data,))
        writer.start()
        reply = self.read_line(timeout)
        writer.join()
        return reply

    def _write(self, data):
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def read_line(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise AssertionError("the helper did not answer within %ds" % timeout)
            chunk = os.read(fd, 65536)
            if not chunk:
                raise AssertionError("the helper closed its output (status %s): %s" %
                                     (self.proc.poll(), self.proc.stderr.read().decode()))
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line

    def close(self):
        self.proc.stdin.close()
        rest = self.proc.stdout.read()
        err = self.proc.stderr.read().decode()
        rc = self.proc.wait(timeout=10)
        self.kill()
        return rc, self.pending + rest, err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()


class HelperTest(h.DaemonTestCase):
    """The helper against what the syslog-ng parser decides on the same lines, in the same order."""

    OPTIONS = 'approved-apps("%s" "%s")' % (r.APPROVED_APP, r.APPROVED_APP2)

    def setUp(self):
        super().setUp()
        self.helper = Helper("--approved-apps", "%s,%s" % (r.APPROVED_APP, r.APPROVED_APP2))

    def tearDown(self):
        self.helper.kill()
        super().tearDown()

    def evidence(self, reply):
        obj = json.loads(reply)
        self.assertEqual(list(obj), ["$!"], reply)
        self.assertEqual(list(obj["$!"]), ["mbx"], reply)
        return obj["$!"]["mbx"]

    def check_reply(self, reply, ids, truth):
        """@reply answers a line holding the records @ids: the most severe suspicious one, or {}."""
        flagged = [x for x in ids if truth[x].suspicious]
        if not flagged:
            self.assertEqual(reply, b"{}", ids)
            return None
        best = max(flagged, key=lambda x: truth[x].score)  # max() keeps the first of equals
        ev = self.evidence(reply)
        self.assertIs(ev["suspicious"], True)
        self.assertEqual(ev["id"], best, "the most severe record, the first of equals")
        self.assertEqual(ev["rules"], ",".join(truth[best].rules))
        self.assertEqual(ev["score"], truth[best].score)
        self.assertEqual(len(ev["alert_id"]), 36)
        for rule in truth[best].rules:
            self.assertIn(rule + ":", ev["reason"])
        if len(ids) > 1:
            self.assertEqual((ev["batch_records"], ev["batch_flagged"]), (len(ids), len(flagged)))
        else:
            self.assertNotIn("batch_records", ev)
        return ev

    def test_answers_every_line_in_order_as_syslog_ng_decides(self):
        c = test_routing.corpus("mm-")
        blob = test_routing.corpus("mm-blob-")
        hub = test_routing.corpus("mm-hub-")
        quiet = [rec for rec, _ in test_routing.corpus("mm-quiet-")][:11]
        lines = [(r.dumps(rec), [rec["Id"]]) for rec, _ in c]
        lines.append((r.dumps([rec for rec, _ in blob]), [rec["Id"] for rec, _ in blob]))
        lines.append((r.dumps({"records": [rec for rec, _ in hub]}), [rec["Id"] for rec, _ in hub]))
        lines.append((r.dumps(quiet), [rec["Id"] for rec in quiet]))
        n = sum(len(ids) for _, ids in lines)
        truth = reference.verdicts(self, [line for line, _ in lines], n, self.OPTIONS)
        self.assertTrue(reference.suspicious(truth) and reference.benign(truth))

        n_flagged = 0
        for line, ids in lines:
            ev = self.check_reply(self.helper.ask(line), ids, truth)
            n_flagged += ev is not None
        self.assertEqual(self.helper.ask(b"[]"), b"{}")
        rc, rest, err = self.helper.close()
        self.assertEqual((rc, rest), (0, b""))
        self.assertIn("%d lines, %d records, %d flagged, 0 unreadable, 0 too long" % (len(lines) + 1, n, n_flagged),
                      err)

    def test_survives_bad_input(self):
        rogues = [r.dumps(r.app_only_read(r.rid("mm-bad", i), "victim%d@contoso.com" % i, r.ROGUE_APP))
                  for i in range(13)]
        truth = reference.verdicts(self, rogues, len(rogues), self.OPTIONS)
        self.assertEqual(len(reference.suspicious(truth)), len(rogues), "fresh reads by a rogue app")
        bad = [b"", b"   ", b"not json at all", b"{", b"[1,2", b'{"records":[{"Id":', b"\x00\x01\x02{}\x00",
               b"\xff\xfe\xfa{\"Id\":\"\xc3\x28\"}", b'{"Id":"x","Operation":"MailItemsAccessed"}',
               b"[" * 100000]
        rogue = iter(rogues)
        for line in bad:
            self.assertEqual(self.helper.ask(line), b"{}", line[:80])
            self.assertTrue(self.evidence(self.helper.ask(next(rogue)))["suspicious"], "still answering")
        # behind a syslog header
        self.assertTrue(self.evidence(self.helper.ask(b"<13>Nov  1 12:00:00 host tag: " + next(rogue).encode()))[
            "suspicious"])

        # a line longer than the decoder takes: skipped to its newline, answered {}, and on it goes
        start = time.monotonic()
        self.assertEqual(self.helper.ask(b'{"Id":"' + b"x" * BIG + b'"}', timeout=60), b"{}")
        elapsed = time.monotonic() - start
        self.assertTrue(self.evidence(self.helper.ask(next(rogue)))["suspicious"])
        rc, rest, err = self.helper.close()
        self.assertEqual((rc, rest), (0, b""))
        self.assertIn("1 too long", err)
        sys.stderr.write("64 MiB line answered in %.2fs\n" % elapsed)

    def test_skips_workloads_no_rule_reads(self):
        rogue = r.dumps(r.app_only_read(r.rid("mm-pre"), "victim@contoso.com", r.ROGUE_APP))
        for i, workload in enumerate(("SharePoint", "OneDrive", "MicrosoftTeams")):
            self.assertEqual(self.helper.ask(r.dumps(r.file_accessed(r.rid("mm-pre", i), "u@contoso.com", workload))),
                             b"{}")
        # a blob of them with one rogue read: answered with the rogue read's evidence
        blob = [r.file_accessed(r.rid("mm-pre-blob", i), "u@contoso.com") for i in range(5)]
        blob.insert(2, json.loads(rogue))
        ev = self.evidence(self.helper.ask(r.dumps(blob)))
        self.assertEqual((ev["batch_records"], ev["batch_flagged"]), (6, 1))
        rc, rest, err = self.helper.close()
        self.assertEqual((rc, rest), (0, b""))
        self.assertIn("4 lines, 9 records, 1 flagged, 0 unreadable, 0 too long, 8 passed by the pre-screen", err)

    def test_container_and_bad_options(self):
        self.helper.kill()
        h2 = Helper("-a", r.APPROVED_APP, "--container=o365mm")
        reply = json.loads(h2.ask(r.dumps(r.app_only_read(r.rid("mm-c", 1), "ceo@contoso.com", r.ROGUE_APP))))
        self.assertEqual(reply["$!"]["o365mm"]["rules"].split(",")[0], "app-unapproved")
        self.assertEqual(h2.close()[0], 0)
        with tempfile.NamedTemporaryFile("w", suffix=".policy") as bad_policy:
            bad_policy.write("[no-such-section]\nkey=1\n")
            bad_policy.flush()
            for args, words in ((["--approved-apps=not-a-guid"], "not a GUID"), (["--bogus"], "bogus"),
                                (["--container=a!b"], "--container"), (["extra"], "unexpected argument"),
                                (["--policy=/nonexistent/policy"], "/nonexistent/policy"),
                                (["--policy=" + bad_policy.name], "no-such-section")):
                p = subprocess.run([helper_path()] + args, input=b"", capture_output=True, timeout=10)
                self.assertEqual(p.returncode, 2, args)
                self.assertIn(words, p.stderr.decode(), args)
        p = subprocess.run([helper_path(), "--version"], capture_output=True, timeout=10)
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith(b"mailbox-monitor-mmexternal "))


class InstallTest(unittest.TestCase):

    def test_meson_installs_the_helper_and_its_man_page(self):
        with open(os.path.join(build_root(), "meson-info", "intro-installed.json")) as f:
            plan = json.load(f)
        with open(os.path.join(build_root(), "meson-info", "intro-buildoptions.json")) as f:
            options = {o["name"]: o["value"] for o in json.load(f)}
        prefix = options["prefix"]
        self.assertEqual(plan.get(helper_path()), os.path.join(prefix, options["bindir"], "mailbox-monitor-mmexternal"))
        man = os.path.join(h.REPO, "modules", "rsyslog", "mailbox-monitor-mmexternal.1")
        self.assertEqual(plan.get(man), os.path.join(prefix, options["mandir"], "man1", "mailbox-monitor-mmexternal.1"))
        # the man page renders without warnings
        out = subprocess.run(["man", "--warnings", "-l", "-Tutf8", man], capture_output=True, text=True,
                             env=dict(os.environ, MANWIDTH="100"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")
        self.assertIn("mmexternal", out.stdout)


class Rsyslogd:
    """rsyslogd -n with a configuration in its own directory, on free 127.0.0.1 ports."""

    def __init__(self, rsyslogd, text):
        self.rsyslogd = rsyslogd
        self.moddir = os.path.join(os.path.dirname(os.path.dirname(rsyslogd)), "lib", "x86_64-linux-gnu", "rsyslog")
        self.dir = tempfile.mkdtemp(prefix="mbx-rsyslog-")
        self.port = h.free_port()
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        with open(self.conf, "w") as f:
            f.write(text.replace("@DIR@", self.dir).replace("@PORT@", str(self.port)))
        self.proc = None

    def check(self):
        return subprocess.run([self.rsyslogd, "-N1", "-f", self.conf, "-M", self.moddir], capture_output=True,
                              text=True, timeout=30)

    def start(self, timeout=20):
        self.log = open(os.path.join(self.dir, "rsyslogd.log"), "wb")
        self.proc = subprocess.Popen([self.rsyslogd, "-n", "-f", self.conf, "-M", self.moddir, "-i",
                                      os.path.join(self.dir, "pid")], stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError("rsyslogd exited at startup (%s): %s" % (self.proc.returncode, self.output()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("rsyslogd does not listen: %s" % self.output())
                time.sleep(0.05)

    def output(self):
        with open(os.path.join(self.dir, "rsyslogd.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def path(self, name):
        return os.path.join(self.dir, name)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.close()
        return self.proc.returncode

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.environ.get("MBX_E2E_KEEP") != "1":
            subprocess.run(["rm", "-rf", self.dir])


def rsyslog_example(name, apps):
    """An example of examples/rsyslog pointed at this test: port, paths, the built helper, the apps."""
    with open(os.path.join(EXAMPLES, name)) as f:
        text = f.read()
    text = re.sub(r'port="\d+"', 'port="@PORT@"', text)
    text = text.replace('"/var/log/mailbox-monitor/', '"@DIR@/')
    text = text.replace("/usr/bin/mailbox-monitor-mmexternal", helper_path())
    text = text.replace("--approved-apps=" + EXAMPLE_APP, "--approved-apps=" + ",".join(apps))
    return 'global(workDirectory="@DIR@")\n' + text


# the same columns as the examples' mbx_flagged template
SYSLOG_NG_FLAGGED = h.tsv_template("$(mailbox-alert id)", "${.mbx.score}", "${.mbx.rules}", "${.mbx.mailbox}",
                                   "${.mbx.actor}", "${.mbx.reason}", "${MESSAGE}")


class RsyslogParityTest(h.DaemonTestCase):
    reference = None

    @classmethod
    def setUpClass(cls):
        out = subprocess.run([os.path.join(h.REPO, "scripts", "rsyslog-unpack.sh"),
                              os.path.join(build_root(), "rsyslog")], capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise AssertionError("cannot unpack rsyslog: %s%s" % (out.stdout, out.stderr))
        cls.rsyslogd = out.stdout.strip().splitlines()[-1]
        cls.lines = tenant_lines()
        cls.apps = approved_apps()

    def syslog_ng_flagged(self):
        """What syslog-ng flags in the corpus, as the examples' flagged lines (computed once)."""
        cls = type(self)
        if cls.reference is None:
            d = self.daemon(h.HEADER + h.OPTIONS + h.network_source() + """
parser p_mbx { mailbox-monitor(approved-apps(%s)); };
""" % " ".join('"%s"' % a for a in self.apps) + h.file_destination("d_flagged", "flagged.log", SYSLOG_NG_FLAGGED) +
                h.file_destination("d_all", "all.log", "${MESSAGE}\\n") + """
log { source(s_net); parser(p_mbx);
  log { destination(d_all); };
  log { filter { mailbox-suspicious(); }; destination(d_flagged); };
};
""")
            d.send(self.lines)
            d.wait_files({"all.log": len(self.lines)}, settle=0)
            n = d.parser_counter("p_mbx", "suspicious")
            cls.reference = sorted(d.wait_files({"flagged.log": n})["flagged.log"])
            d.stop()
        return cls.reference

    def run_rsyslog(self, example):
        rs = Rsyslogd(self.rsyslogd, rsyslog_example(example, self.apps))
        self.addCleanup(rs.cleanup)
        checked = rs.check()
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        flagged = self.syslog_ng_flagged()
        rs.start()
        start = time.monotonic()
        h.send_lines(rs.port, self.lines)
        deadline = time.monotonic() + 60
        while h.count_lines(rs.path("flagged.log")) + h.count_lines(rs.path("archive.log")) < len(self.lines):
            if rs.proc.poll() is not None or time.monotonic() > deadline:
                self.fail("rsyslogd wrote %d + %d of %d lines: %s" % (
                    h.count_lines(rs.path("flagged.log")), h.count_lines(rs.path("archive.log")), len(self.lines),
                    rs.output()))
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        time.sleep(0.3)
        self.assertEqual(rs.stop(), 0, rs.output())
        got = h.read_lines(rs.path("flagged.log"))
        archive = h.read_lines(rs.path("archive.log"))
        sys.stderr.write("%s: %d records, %d flagged, %.2fs through rsyslogd and the helper\n" % (
            example, len(self.lines), len(got), elapsed))
        return sorted(got), archive, flagged

    def check_parity(self, example):
        got, archive, flagged = self.run_rsyslog(example)
        self.assertGreater(len(flagged), 100, "the sample tenant has suspicious records")
        self.assertEqual(len(got), len(flagged))
        for mine, theirs in zip(got, flagged):
            self.assertEqual(mine, theirs)
        self.assertEqual(len(archive), len(self.lines) - len(flagged))

    def test_rsyslog_flags_exactly_what_syslog_ng_flags(self):
        self.check_parity("mailbox-monitor.conf")

    def test_sharded_by_tenant(self):
        self.check_parity("sharded-by-tenant.conf")


if __name__ == "__main__":
    h.main()
