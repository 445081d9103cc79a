#!/usr/bin/env python3
"""The delivery examples run for real: examples/{alerts-file,json-files,event-hub,purview-csv,
splunk-hec,elasticsearch-bulk}.conf with their ports, paths and URLs pointed at this test (a free port, a
scratch directory, a stand-in HTTP server), everything else as shipped.  Each must deliver exactly
the suspicious records as alerts and everything else to its archive."""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402
import reference  # noqa: E402
import test_csv_export  # noqa: E402
import test_routing  # noqa: E402
from httpcapture import HttpCapture  # noqa: E402

APPROVED = '"11111111-2222-3333-4444-555555555555"'


# for examples without a network source: a listener of our own tells when the daemon is up
LISTENER = 'log { source { network(ip("127.0.0.1") port(@PORT@) transport("tcp")); }; };\n'


def example(name, url=None):
    """The example's text, pointed at this test."""
    with open(os.path.join(h.REPO, "examples", name)) as f:
        text = f.read()
    text = re.sub(r"port\(\d+\)", "port(@PORT@)", text)
    text = text.replace('"/var/log/mailbox-monitor/', '"@DIR@/')
    text = text.replace('base-dir("/var/lib/m365-poller")', 'base-dir("@DIR@/in")')
    text = text.replace('"/var/lib/mailbox-monitor/', '"@DIR@/')
    text = re.sub(r"batch-timeout\(\d+\)", "batch-timeout(100)", text)
    text = re.sub(r"tls\([^;]*?\)\)\s*", "", text)
    if url:
        text = re.sub(r'url\("[^"]*"\)', 'url("%s")' % url, text)
    # the test's approved apps stand in for the example's
    text = text.replace(APPROVED, '"%s" "%s"' % (r.APPROVED_APP, r.APPROVED_APP2))
    return text


PARSER_OPTIONS = 'approved-apps("%s" "%s")' % (r.APPROVED_APP, r.APPROVED_APP2)


def raw_id(alert):
    raw = alert.get("event", {}).get("original") or alert.get("raw_data") or alert.get("event", {}).get("orig_raw")
    return json.loads(raw)["Id"]


class ExamplesTest(h.DaemonTestCase):

    def corpus(self, lines=None, n=None):
        """The records, and which of them the parser alone finds suspicious when fed @lines in order."""
        c = test_routing.corpus("ex-")
        lines = lines or [r.dumps(rec) for rec, _ in c]
        truth = reference.verdicts(self, lines, n or len(c), PARSER_OPTIONS)
        self.truth = truth
        return c, reference.suspicious(truth), reference.benign(truth)

    def check_files(self, d, alerts_file, archive_file, suspicious, rest, alert_id=raw_id):
        out = d.wait_files({alerts_file: len(suspicious), archive_file: len(rest)})
        alerts = [json.loads(line) for line in out[alerts_file]]
        self.assertEqual(sorted(alert_id(a) for a in alerts), sorted(suspicious))
        self.assertEqual(sorted(h.message_id(line) for line in out[archive_file]), sorted(rest))
        return alerts

    def test_alerts_file(self):
        c, suspicious, rest = self.corpus()
        d = self.daemon(example("alerts-file.conf"))
        d.send([r.dumps(rec) for rec, _ in c])
        alerts = self.check_files(d, "alerts.json", "archive.log", suspicious, rest)
        self.assertTrue(all(a["event"]["kind"] == "alert" for a in alerts))
        d.stop()

    def test_event_hub_batches(self):
        c = test_routing.corpus("ex-")
        lines = [r.dumps({"records": [rec for rec, _ in c[:9]]}), r.dumps({"records": [rec for rec, _ in c[9:]]})]
        c, suspicious, rest = self.corpus(lines, len(c))
        d = self.daemon(example("event-hub.conf"))
        d.send(lines)
        self.check_files(d, "eventhub-alerts.json", "eventhub-archive.log", suspicious, rest)
        d.stop()

    def test_json_files(self):
        c, suspicious, rest = self.corpus()
        d = h.Daemon(example("json-files.conf") + LISTENER, name="json_files")
        self._daemons.append(d)
        os.makedirs(d.path("in"), exist_ok=True)
        # one file, there before the daemon starts: the records in the reference's order (verdicts depend on it)
        with open(d.path("in/records.jsonl"), "w") as f:
            f.write("".join(r.dumps(rec) + "\n" for rec, _ in c))
        d.start()
        alerts = self.check_files(d, "alerts-ocsf.json", "archive.log", suspicious, rest)
        self.assertTrue(all(a["class_uid"] == 2004 for a in alerts))
        want = {x for x, v in self.truth.items() if v.suspicious and v.score >= 70 and "app-unapproved" in v.rules}
        self.assertTrue(want)
        urgent = d.wait_files({"urgent.json": len(want)})["urgent.json"]
        self.assertEqual({json.loads(json.loads(x)["event"]["original"])["Id"] for x in urgent}, want)
        d.stop()

    def test_purview_csv(self):
        c = test_csv_export.corpus()
        suspicious = reference.suspicious(reference.verdicts(self, [r.dumps(rec) for rec, _ in c], len(c),
                                                             PARSER_OPTIONS))
        d = h.Daemon(example("purview-csv.conf") + LISTENER, name="purview_csv")
        self._daemons.append(d)
        with open(d.path("purview-export.csv"), "w") as f:
            f.write("".join(line + "\n" for line in test_csv_export.csv_lines(c)))
        d.start()
        out = d.wait_files({"purview-alerts.json": len(suspicious), "purview-suspicious.log": len(suspicious)})
        alerts = [json.loads(x) for x in out["purview-alerts.json"]]
        self.assertEqual(sorted(raw_id(a) for a in alerts), sorted(suspicious), "event.original is AuditData")
        self.assertEqual(sorted(x.split(b" ")[0].decode() for x in out["purview-suspicious.log"]), sorted(suspicious))
        d.stop()

    def test_splunk_hec(self):
        c, suspicious, rest = self.corpus()
        with HttpCapture(b'{"text":"Success","code":0}') as hec:
            d = self.daemon(example("splunk-hec.conf", hec.url("/services/collector/event")))
            d.send([r.dumps(rec) for rec, _ in c])

            def events(reqs):
                return [json.loads(x) for q in reqs for x in q.body.decode().splitlines() if x]

            reqs = hec.wait(lambda reqs: len(events(reqs)) >= len(suspicious))
            self.assertTrue(all(q.headers["Authorization"].startswith("Splunk ") for q in reqs))
            got = events(reqs)
            self.assertEqual(sorted(json.loads(e["event"]["orig_raw"])["Id"] for e in got), sorted(suspicious))
            self.assertTrue(all(e["event"]["type"] == "alert" for e in got))
            archive = d.wait_files({"archive.log": len(rest)}, settle=0)["archive.log"]
            self.assertEqual(sorted(h.message_id(x) for x in archive), sorted(rest))
            d.stop()

    def test_elasticsearch_bulk(self):
        c, suspicious, rest = self.corpus()
        with HttpCapture(b'{"errors":false,"items":[]}') as es:
            d = self.daemon(example("elasticsearch-bulk.conf", es.url("/_bulk")))
            d.send([r.dumps(rec) for rec, _ in c])

            def lines(reqs):
                return [json.loads(x) for q in reqs for x in q.body.decode().splitlines() if x]

            reqs = es.wait(lambda reqs: len(lines(reqs)) >= 2 * len(suspicious))
            self.assertTrue(all(q.headers.get("Authorization", "").startswith("Basic ") for q in reqs))
            got = lines(reqs)
            self.assertEqual(len(got), 2 * len(suspicious))
            for action, doc in zip(got[0::2], got[1::2]):
                self.assertEqual(action["index"]["_index"], "mailbox-monitor-alerts")
                self.assertEqual(action["index"]["_id"], doc["event"]["id"])
            self.assertEqual(sorted(raw_id(doc) for doc in got[1::2]), sorted(suspicious))
            archive = d.wait_files({"archive.log": len(rest)}, settle=0)["archive.log"]
            self.assertEqual(sorted(h.message_id(x) for x in archive), sorted(rest))
            d.stop()


if __name__ == "__main__":
    h.main()
