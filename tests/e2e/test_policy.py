#!/usr/bin/env python3
"""The policy file in the real daemon: a bad policy stops the daemon at startup naming the file,
section and key; a reload with a bad policy is refused and the running configuration (and its
state) goes on; a reload picks up a changed policy; the shipped examples/policy.ini loads."""
import os
import shutil
import tempfile

import harness as h
import records as r

TEMPLATE = h.tsv_template("${.mbx.id}", "${.mbx.rules}", "${.mbx.records_24h}", "${TAGS}")


def config(policy):
    return h.HEADER + h.OPTIONS + h.network_source() + """
parser p_mbx { mailbox-monitor(policy("%s") fields("all")); };
destination d_out { file("@DIR@/out.log" template("%s")); };
log { source(s_net); parser(p_mbx); destination(d_out); };
""" % (policy, TEMPLATE)



class PolicyTest(h.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="mbx-policy-e2e-")
        self.policy = os.path.join(self.tmp, "policy.ini")

    def tearDown(self):
        super().tearDown()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_policy(self, text):
        with open(self.policy, "w") as f:
            f.write(text)

    def rows(self, d, n):
        return [l.decode().split("\t") for l in d.wait_files({"out.log": n})["out.log"]]

    def test_a_bad_policy_stops_the_daemon_at_startup_naming_file_section_and_key(self):
        self.write_policy("[rule:fanout]\nshort-mailboxes = many\n")
        daemon = h.Daemon(config(self.policy), name="badpolicy")
        self._daemons.append(daemon)
        with self.assertRaises(h.DaemonError) as cm:
            daemon.start(timeout=10)
        message = str(cm.exception)
        self.assertIn(self.policy, message)
        self.assertIn("[rule:fanout] short-mailboxes", message)
        self.assertIn("not an integer", message)

    def test_a_reload_with_a_bad_policy_keeps_the_running_configuration_and_its_state(self):
        self.write_policy("")
        d = self.daemon(config(self.policy))
        d.send([r.dumps(r.app_only_read(r.rid("bp", i), "ceo@contoso.com", r.ROGUE_APP)) for i in range(2)])
        self.rows(d, 2)
        self.write_policy("[policy]\nalert-score = 0\n")
        res = d.ctl_run("reload", check=False)
        self.assertNotEqual(res.returncode, 0, res.stdout)
        d.send([r.dumps(r.app_only_read(r.rid("bp2", 0), "ceo@contoso.com", r.ROGUE_APP))])
        rows = self.rows(d, 3)
        self.assertEqual(rows[2][2], "3", "the old configuration still counts into the same state")
        self.assertIn("app-unapproved", rows[2][1])
        self.assertIn("alert-score", d.stop())

    def test_a_reload_picks_up_a_changed_policy(self):
        self.write_policy("")
        d = self.daemon(config(self.policy))
        d.send([r.dumps(r.app_only_read(r.rid("cp", 0), "ceo@contoso.com", r.ROGUE_APP))])
        rows = self.rows(d, 1)
        self.assertIn("app-unapproved", rows[0][1])
        self.assertIn("mailbox.suspicious", rows[0][3])
        self.write_policy("[approved-apps]\n%s = now approved\n" % r.ROGUE_APP)
        d.ctl_run("reload")
        d.send([r.dumps(r.app_only_read(r.rid("cp", 1), "ceo@contoso.com", r.ROGUE_APP))])
        rows = self.rows(d, 2)
        self.assertNotIn("app-unapproved", rows[1][1])
        self.assertNotIn("mailbox.suspicious", rows[1][3])
        d.stop()

    def test_the_shipped_example_policy_loads(self):
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "policy.ini")
        d = self.daemon(config(os.path.abspath(example)))
        # the example approves Fabrikam's backup app
        d.send([r.dumps(r.app_only_read(r.rid("ex", 0), "ceo@contoso.com", "d0bbc075-60b6-4143-8809-78bb5d9f9a29"))])
        rows = self.rows(d, 1)
        self.assertNotIn("app-unapproved", rows[0][1])
        d.stop()


if __name__ == "__main__":
    h.main()
