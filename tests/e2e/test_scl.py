#!/usr/bin/env python3
"""The SCL blocks shipped with the module (scl/mailbox-monitor/plugin.conf), found the way Debian's
scl.conf finds them (@include "scl/*/*.conf" along the include path): the one-line
mailbox-monitor-pipeline() reroutes exactly the suspicious records (also out of blobs) to its alerts
file and everything else to its archive; its alerts-destination() delivers to a Splunk HEC and an
Elasticsearch _bulk endpoint (a stand-in HTTP server here) with the SCL's own destination blocks;
the meson install puts the block under syslog-ng's SCL directory; the conf.d example passes -s."""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402
import reference  # noqa: E402
import test_routing  # noqa: E402
from httpcapture import HttpCapture  # noqa: E402

SCL_FILE = os.path.join(h.REPO, "scl", "mailbox-monitor", "plugin.conf")
CONF_D_EXAMPLE = os.path.join(h.REPO, "examples", "conf.d", "mailbox-monitor.conf")
SYSTEM_INCLUDE = "/usr/share/syslog-ng/include"

# what Debian's syslog-ng.conf does through scl.conf, with @DIR@ standing for the SCL directory's parent
PRELUDE = h.HEADER + '@define include-path "@DIR@/include:%s"\n@include "scl/*/*.conf"\n' % SYSTEM_INCLUDE
APPROVED = 'approved-apps("%s" "%s")' % (r.APPROVED_APP, r.APPROVED_APP2)


def stage_scl(directory):
    """Copies the block where `meson install` puts it, relative to an include directory."""
    dst = os.path.join(directory, "include", "scl", "mailbox-monitor")
    os.makedirs(dst, exist_ok=True)
    shutil.copy(SCL_FILE, dst)


def build_root():
    return os.path.dirname(os.path.dirname(h.module_dir()))


def pkg_config_variable(name):
    out = subprocess.run(["pkg-config", "--variable=" + name, "syslog-ng"], capture_output=True, text=True)
    return out.stdout.strip()


class SclTest(h.DaemonTestCase):

    def start(self, config, **kw):
        d = h.Daemon(config, name=self.id().split(".")[-1], **kw)
        self._daemons.append(d)
        stage_scl(d.dir)
        return d.start()

    def test_one_line_reroutes_exactly_the_suspicious_records(self):
        d = self.start(PRELUDE + 'mailbox-monitor-pipeline(port(@PORT@) %s alerts-file("@DIR@/alerts.json") '
                       'archive-file("@DIR@/archive.log"));\n' % APPROVED)
        c = test_routing.corpus()
        blob = test_routing.corpus("blob-")
        lines = [r.dumps(rec) for rec, _ in c] + [r.dumps([rec for rec, _ in blob])]
        truth = reference.verdicts(self, lines, len(c) + len(blob), APPROVED)
        suspicious = {rec_id: v.rules for rec_id, v in truth.items() if v.suspicious}
        rest = reference.benign(truth)
        self.assertTrue(suspicious and rest)
        d.send(lines)
        out = d.wait_files({"alerts.json": len(suspicious), "archive.log": len(rest)})

        alerts = [json.loads(line) for line in out["alerts.json"]]
        self.assertEqual(sorted(json.loads(a["event"]["original"])["Id"] for a in alerts), sorted(suspicious))
        for a in alerts:
            rec_id = json.loads(a["event"]["original"])["Id"]
            self.assertEqual(a["event"]["kind"], "alert")
            self.assertEqual([x["id"] for x in a["mailbox_monitor"]["rules"]], list(suspicious[rec_id]), a)
        self.assertEqual(sorted(h.message_id(line) for line in out["archive.log"]), sorted(rest))
        self.assertEqual(d.parser_counter("p_mailbox_monitor_%d" % d.port, "batches"), 1)
        d.stop()

    def test_alerts_reach_splunk_hec_and_elasticsearch(self):
        c = test_routing.corpus()
        suspicious = reference.suspicious(reference.verdicts(self, [r.dumps(rec) for rec, _ in c], len(c), APPROVED))
        with HttpCapture(b'{"text":"Success","code":0}') as hec, HttpCapture(b'{"errors":false,"items":[]}') as es:
            d = self.start(
                PRELUDE +
                'mailbox-monitor-pipeline(port(@PORT@) %s alert-format("cim") alerts-file("@DIR@/a1.json") '
                'archive-file("@DIR@/r1.log") alerts-destination(mailbox-monitor-splunk-hec(url("%s") '
                'token("0d5e1c47-hec-token") batch-timeout(100))));\n'
                'mailbox-monitor-pipeline(port(@PORT2@) %s alerts-file("@DIR@/a2.json") archive-file("@DIR@/r2.log") '
                'alerts-destination(mailbox-monitor-elasticsearch(url("%s") index("m365-alerts") '
                'batch-timeout(100))));\n' % (APPROVED, hec.url("/services/collector/event"), APPROVED,
                                              es.url("/_bulk")), n_ports=2)
            d.send([r.dumps(rec) for rec, _ in c], port=d.ports[0])
            d.send([r.dumps(rec) for rec, _ in c], port=d.ports[1])

            def events(reqs):
                return [json.loads(line) for q in reqs for line in q.body.decode().splitlines() if line]

            hec_reqs = hec.wait(lambda reqs: len(events(reqs)) >= len(suspicious), what="HEC events")
            for q in hec_reqs:
                self.assertEqual(q.path, "/services/collector/event")
                self.assertEqual(q.headers.get("Authorization"), "Splunk 0d5e1c47-hec-token")
            hec_events = events(hec_reqs)
            self.assertEqual(len(hec_events), len(suspicious))
            self.assertEqual(sorted(json.loads(e["event"]["orig_raw"])["Id"] for e in hec_events), sorted(suspicious))
            for e in hec_events:
                self.assertEqual(e["sourcetype"], "mailbox-monitor:alert")
                self.assertEqual(e["event"]["type"], "alert")
                self.assertIsInstance(e["time"], float)

            # Elasticsearch: an index action per alert, the alert id as the document id
            es_reqs = es.wait(lambda reqs: len(events(reqs)) >= 2 * len(suspicious), what="bulk lines")
            self.assertTrue(all(q.path == "/_bulk" for q in es_reqs), es_reqs)
            self.assertTrue(all(q.headers.get("Content-Type") == "application/x-ndjson" for q in es_reqs))
            for q in es_reqs:
                self.assertTrue(q.body.endswith(b"\n"), "a bulk body ends in a newline")
            lines = events(es_reqs)
            self.assertEqual(len(lines), 2 * len(suspicious))
            actions, docs = lines[0::2], lines[1::2]
            for action, doc in zip(actions, docs):
                self.assertEqual(action["index"]["_index"], "m365-alerts")
                self.assertEqual(action["index"]["_id"], doc["event"]["id"])
                self.assertEqual(doc["event"]["kind"], "alert")
            self.assertEqual(sorted(json.loads(x["event"]["original"])["Id"] for x in docs), sorted(suspicious))

            # a replay indexes the same documents again, under the same ids
            d.send([r.dumps(rec) for rec, _ in c if rec["Id"] in suspicious], port=d.ports[1])
            es_reqs = es.wait(lambda reqs: len(events(reqs)) >= 4 * len(suspicious), what="replayed bulk lines")
            replayed = events(es_reqs)[2 * len(suspicious):]
            self.assertEqual(sorted(x["index"]["_id"] for x in replayed[0::2]),
                             sorted(x["index"]["_id"] for x in actions))
            d.stop()

    def test_meson_installs_the_block_under_the_scl_directory(self):
        installed = os.path.join(build_root(), "meson-info", "intro-installed.json")
        with open(installed) as f:
            plan = json.load(f)
        scldir = pkg_config_variable("scldir")
        self.assertTrue(scldir, "pkg-config names syslog-ng's scldir")
        self.assertEqual(plan.get(os.path.realpath(SCL_FILE)) or plan.get(SCL_FILE),
                         os.path.join(scldir, "mailbox-monitor", "plugin.conf"), plan)

    def test_conf_d_example_and_bad_one_liners(self):
        d = h.Daemon("", name="conf_d")
        self._daemons.append(d)
        stage_scl(d.dir)
        prelude = PRELUDE.replace("@DIR@", d.dir)
        with open(CONF_D_EXAMPLE) as f:
            example = f.read()
        rc, out = h.syntax_check(prelude + example)
        self.assertEqual(rc, 0, out)
        # a bad value inside the one-liner is still reported as the parser's error
        rc, out = h.syntax_check(prelude + 'mailbox-monitor-pipeline(port(5514) approved-apps("not-a-guid"));\n')
        self.assertNotEqual(rc, 0, out)
        self.assertIn("is not a GUID", out)
        # SIEM blocks check their mandatory options
        rc, out = h.syntax_check(prelude + 'log { source { internal(); }; destination { '
                                 'mailbox-monitor-splunk-hec(url("http://127.0.0.1:1/")); }; };\n')
        self.assertNotEqual(rc, 0, out)
        self.assertIn("token", out)


if __name__ == "__main__":
    h.main()
