#!/usr/bin/env python3
"""Alert output formats of $(mailbox-alert): every line of every format parses as one JSON object
and carries the required fields of its format (the field lists below), with the values of the record
it came from; every rule fired is listed with its reason; the alert id is the same in every format
and again for a replayed record, and differs between records; nothing is written for a record that
is not suspicious; json-parser() in the same path does not disturb it (json-glib symbols)."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as h  # noqa: E402
import records as r  # noqa: E402
import test_routing  # noqa: E402

# (dotted path, expected value or None for "present and not empty"); a path into a list names its first element
REQUIRED = {
    "ecs": [
        ("@timestamp", None), ("event.kind", "alert"), ("event.id", None), ("event.action", None),
        ("event.provider", None), ("event.severity", None), ("event.risk_score", None), ("rule.id", None),
        ("rule.name", None), ("rule.description", None), ("rule.ruleset", "mailbox-monitor"),
        ("threat.framework", "MITRE ATT&CK"), ("threat.technique.id", "T1114"),
        ("threat.technique.subtechnique.id", "T1114.002"), ("user.email", None), ("user.id", None),
        ("source.ip", None), ("user_agent.original", None), ("organization.id", None),
        ("observer.vendor", None), ("observer.product", None), ("observer.version", None), ("tags", None),
        ("event.original", None),
    ],
    "ocsf": [
        ("class_uid", 2004), ("category_uid", 2), ("activity_id", 1), ("type_uid", 200401), ("time", None),
        ("severity_id", None), ("risk_score", None), ("finding_info.uid", None), ("finding_info.title", None),
        ("finding_info.analytic.uid", None), ("finding_info.analytic.name", None),
        ("finding_info.analytic.type_id", 1), ("finding_info.attacks.sub_technique.uid", "T1114.002"),
        ("finding_info.attacks.technique.uid", "T1114"), ("evidences.actor.user.uid", None),
        ("evidences.src_endpoint.ip", None), ("resources.uid", None), ("resources.type", "Mailbox"),
        ("metadata.product.name", "mailbox-monitor"), ("metadata.version", None), ("raw_data", None),
    ],
    "cim": [
        ("app", "mailbox-monitor"), ("description", None), ("dest", None), ("id", None), ("severity", None),
        ("signature", None), ("signature_id", None), ("src", None), ("type", "alert"), ("user", None),
        ("mitre_technique_id", "T1114.002"),
    ],
}
REQUIRED["hec"] = [("sourcetype", "mailbox-monitor:alert"), ("time", None)] + \
    [("event." + path, value) for path, value in REQUIRED["cim"]]

# where each format keeps the alert id, the raw record, the mailbox, the actor, the source address,
# the operation and the list of rules
PATHS = {
    "ecs": {"id": "event.id", "raw": "event.original", "mailbox": "user.email", "actor": "user.id",
            "ip": "source.ip", "operation": "event.action", "rules": "mailbox_monitor.rules",
            "primary": "rule.id"},
    "ocsf": {"id": "finding_info.uid", "raw": "raw_data", "mailbox": "resources.uid",
             "actor": "evidences.actor.user.uid", "ip": "evidences.src_endpoint.ip",
             "operation": "evidences.api.operation", "rules": "unmapped.mailbox_monitor.rules",
             "primary": "finding_info.analytic.uid"},
    "cim": {"id": "id", "raw": "orig_raw", "mailbox": "dest", "actor": "user", "ip": "src", "operation": "action",
            "rules": "mailbox_monitor.rules", "primary": "signature_id"},
}
PATHS["hec"] = {k: "event." + v for k, v in PATHS["cim"].items()}
FORMATS = ("ecs", "ocsf", "cim", "hec")

CONFIG = h.HEADER + h.OPTIONS + h.network_source() + """
parser p_json { json-parser(prefix(".json.")); };
parser p_mbx { mailbox-monitor(approved-apps("%s" "%s")); };
""" % (r.APPROVED_APP, r.APPROVED_APP2) + "".join(
    h.file_destination("d_" + f, f + ".json", "$(mailbox-alert %s)\\n" % f) for f in FORMATS) + \
    h.file_destination("d_ids", "ids.log", "$(mailbox-alert id)\\t${.mbx.id}\\n") + \
    h.file_destination("d_every", "every.log", "$(mailbox-alert ecs)\\n") + \
    h.file_destination("d_truth", "truth.log", h.tsv_template("${.mbx.rules}", "${TAGS}", "${MESSAGE}")) + """
log {
  source(s_net);
  parser(p_json);
  parser(p_mbx);
  log { destination(d_every); destination(d_truth); };
  log { filter { mailbox-suspicious(); }; destination(d_ecs); destination(d_ocsf); destination(d_cim);
        destination(d_hec); destination(d_ids); };
};
"""


def at(obj, path):
    """The value at a dotted path; a list on the way stands for its first element; KeyError when absent."""
    value = obj
    parts = path.split(".") if path != "@timestamp" else [path]
    for part in parts:
        if isinstance(value, list):
            value = value[0]
        value = value[part]
    return value


def scalar(value):
    """ECS keeps keyword arrays for threat fields: a one-element list reads as its element."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


class AlertsTest(h.DaemonTestCase):

    def test_every_format_carries_its_required_fields(self):
        c = test_routing.corpus()
        lines = {rec["Id"]: r.dumps(rec) for rec, _ in c}
        records = {rec["Id"]: rec for rec, _ in c}
        d = self.daemon(CONFIG)
        d.send(list(lines.values()))
        # what the parser decided, record by record: the alerts must say the same
        suspicious = {}
        for line in d.wait_files({"truth.log": len(c)}, settle=0)["truth.log"]:
            rules, tags, message = h.split_tsv(line)
            if "mailbox.suspicious" in tags.split(","):
                suspicious[h.message_id(message)] = tuple(rules.split(","))
        self.assertTrue(0 < len(suspicious) < len(c), suspicious)
        self.assertTrue(any(len(x) > 1 for x in suspicious.values()), "a record fires several rules")
        expected = {f + ".json": len(suspicious) for f in FORMATS}
        expected.update({"ids.log": len(suspicious), "every.log": len(c), "truth.log": len(c)})
        out = d.wait_files(expected)

        ids = {}
        for f in FORMATS:
            alerts = []
            for line in out[f + ".json"]:
                try:
                    alerts.append(json.loads(line))
                except ValueError as e:
                    self.fail("%s line is not JSON (%s): %r" % (f, e, line[:300]))
                self.assertIsInstance(alerts[-1], dict)
            by_record = {}
            for a in alerts:
                raw = at(a, PATHS[f]["raw"])
                rec_id = json.loads(raw)["Id"]
                by_record[rec_id] = a
                with self.subTest(format=f, record=rec_id):
                    for path, value in REQUIRED[f]:
                        try:
                            got = scalar(at(a, path))
                        except (KeyError, IndexError):
                            self.fail("%s alert lacks %s: %s" % (f, path, json.dumps(a)[:2000]))
                        if value is None:
                            self.assertNotIn(got, ("", None, [], {}), path)
                        else:
                            self.assertEqual(got, value, path)
                    rec = records[rec_id]
                    self.assertEqual(raw, lines[rec_id], "the raw record, as it came")
                    self.assertEqual(at(a, PATHS[f]["mailbox"]), rec["MailboxOwnerUPN"].lower())
                    # the actor of app-only access (UserType 5) is the app
                    actor = rec["AppId"].lower() if rec["UserType"] == 5 else rec["UserId"]
                    self.assertEqual(at(a, PATHS[f]["actor"]).lower(), actor)
                    self.assertEqual(at(a, PATHS[f]["ip"]), rec["ClientIP"])
                    self.assertEqual(at(a, PATHS[f]["operation"]), rec["Operation"])
                    rules = at(a, PATHS[f]["rules"])
                    self.assertEqual([x["id"] for x in rules], list(suspicious[rec_id]))
                    for x in rules:
                        self.assertTrue(x["name"] and x["description"] and x["reason"], x)
                    self.assertEqual(at(a, PATHS[f]["primary"]), suspicious[rec_id][0])
                    ids.setdefault(rec_id, set()).add(at(a, PATHS[f]["id"]))
            self.assertEqual(sorted(by_record), sorted(suspicious), "%s: one alert per suspicious record" % f)

        # one id per record across the formats, distinct between records, and $(mailbox-alert id) says the same
        self.assertTrue(all(len(x) == 1 for x in ids.values()), ids)
        alert_ids = {rec_id: next(iter(x)) for rec_id, x in ids.items()}
        self.assertEqual(len(set(alert_ids.values())), len(alert_ids))
        id_lines = dict(reversed(h.split_tsv(line)) for line in out["ids.log"])
        self.assertEqual(id_lines, alert_ids)

        # without a filter: an alert for each suspicious record, an empty line for the rest
        every = out["every.log"]
        self.assertEqual(sum(1 for x in every if x), len(suspicious))
        self.assertEqual(sum(1 for x in every if not x), len(c) - len(suspicious))

        # a replayed record gets the same alert id
        d.send([lines[x] for x in suspicious])
        out = d.wait_files({"ids.log": 2 * len(suspicious)})
        replayed = [h.split_tsv(line) for line in out["ids.log"][len(suspicious):]]
        self.assertEqual({rec_id: alert_id for alert_id, rec_id in replayed}, alert_ids)
        d.stop()

    def test_the_module_binds_no_symbol_another_syslog_ng_module_defines(self):
        """json-glib's json_parser_new() is also json-plugin's: calling it crashed the daemon.  Whatever
        the module imports must not be defined by a module of the daemon (libsyslog-ng itself is fine)."""
        module = os.path.join(h.module_dir(), "libmailbox-monitor.so")
        imported = set(line.split()[-1].split("@")[0] for line in
                       subprocess.run(["nm", "-D", "--undefined-only", module], capture_output=True, text=True,
                                      check=True).stdout.splitlines())
        self.assertIn("json_builder_new", imported, "the module writes JSON with json-glib")
        system = h.system_module_dir()
        clashes = {}
        for name in sorted(os.listdir(system)):
            if not name.endswith(".so"):
                continue
            out = subprocess.run(["nm", "-D", "--defined-only", os.path.join(system, name)], capture_output=True,
                                 text=True).stdout
            defined = set(line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip())
            both = imported & defined
            if both:
                clashes[name] = sorted(both)
        self.assertEqual(clashes, {})


if __name__ == "__main__":
    h.main()
