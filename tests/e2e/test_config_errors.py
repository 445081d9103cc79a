#!/usr/bin/env python3
"""Configuration errors: an unknown option or a bad value makes `syslog-ng -s` fail with a message
that names the option or the value (and its place), and the daemon refuses to start; a valid
configuration passes.  Every examples/*.conf of the repository passes `syslog-ng -s`."""

import glob
import os
import subprocess
import sys
import tempfile
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402


def config(parser_options):
    return h.HEADER + h.OPTIONS + h.network_source() + """
parser p_mbx { mailbox-monitor(%s); };
destination d_all { file("@DIR@/all.log"); };
log { source(s_net); parser(p_mbx); destination(d_all); };
""" % parser_options


VALID = ('prefix(".audit.") approved-apps("%s" "%s") fields("all") drop-unparsed(yes) split-batches(no) '
         'template("${MESSAGE}")' % (r.APPROVED_APP, r.APPROVED_APP2.upper()))

# (options, words the error output must contain)
BAD = [
    ("bogus(1)", ["mailbox-monitor", "bogus(1)", "syntax error"]),
    ('approved-apps("not-a-guid")', ["approved-apps", "not-a-guid", "is not a GUID"]),
    ('approved-apps("%s" "1234")' % r.APPROVED_APP, ["approved-apps", "'1234' is not a GUID"]),
    ('approved-apps("%s-")' % r.APPROVED_APP, ["approved-apps", "is not a GUID"]),
    ('fields("nope")', ['fields("nope")', "expected minimal, suspicious or all"]),
    ('fields("ALL ")', ['fields("ALL ")', "expected minimal, suspicious or all"]),
    ("drop-unparsed(maybe)", ["mailbox-monitor", "maybe"]),
    ("split-batches(often)", ["mailbox-monitor", "often"]),
]


def fill(text, d):
    return text.replace("@DIR@", d).replace("@PORT@", str(h.free_port()))


class ConfigErrorTest(h.DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="mbx-cfg-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        super().tearDown()

    def test_valid_config_passes(self):
        rc, out = h.syntax_check(fill(config(VALID), self.tmp))
        self.assertEqual(rc, 0, out)
        rc, out = h.syntax_check(fill(config(""), self.tmp))
        self.assertEqual(rc, 0, out)
        # and the daemon starts with it
        d = self.daemon(config(VALID))
        d.stop()

    def test_bad_options_fail_syntax_check(self):
        for options, words in BAD:
            with self.subTest(options=options):
                rc, out = h.syntax_check(fill(config(options), self.tmp))
                self.assertNotEqual(rc, 0, out)
                for w in words:
                    self.assertIn(w, out, "error output for %s does not name %r:\n%s" % (options, w, out))
                # the place: line 5 of the configuration is the parser
                self.assertIn("syslog-ng.conf:5:", out, out)
                self.assertIn("Error parsing mailbox-monitor", out, out)

    def test_daemon_refuses_to_start(self):
        for options, _ in BAD[:5]:
            with self.subTest(options=options):
                conf = os.path.join(self.tmp, "bad.conf")
                with open(conf, "w") as f:
                    f.write(fill(config(options), self.tmp))
                cmd = [h.SYSLOG_NG, "-F", "-e", "-f", conf, "-R", os.path.join(self.tmp, "persist"),
                       "-p", os.path.join(self.tmp, "pid"), "-c", os.path.join(self.tmp, "ctl"),
                       "--module-path=%s" % h.module_path()]
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
                except subprocess.TimeoutExpired:
                    self.fail("syslog-ng started with a bad configuration (%s)" % options)
                self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertGreater(p.returncode, 0, "killed by a signal: %d" % p.returncode)
                self.assertIn("Error parsing mailbox-monitor", p.stdout + p.stderr)

    def test_examples_pass_syntax_check(self):
        examples = sorted(glob.glob(os.path.join(h.REPO, "examples", "*.conf")))
        if not examples:
            self.skipTest("examples/ holds no *.conf yet: nothing to check")
        # demo.conf names the policy scripts/demo.sh writes, through the environment: any policy will do here
        os.environ.setdefault("MBX_DEMO_POLICY", os.path.join(h.REPO, "examples", "policy.ini"))
        os.environ.setdefault("MBX_DEMO_OUT", tempfile.gettempdir())
        for conf in examples:
            with self.subTest(example=os.path.basename(conf)):
                rc, out = h.syntax_check_file(conf)
                self.assertEqual(rc, 0, "%s fails syslog-ng -s:\n%s" % (conf, out))


if __name__ == "__main__":
    h.main()
