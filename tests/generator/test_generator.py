#!/usr/bin/env python3
"""Tests for tools/tenantgen (the seeded synthetic Microsoft 365 tenant generator).

Run from anywhere: python3 tests/generator/test_generator.py
Exits non-zero on failure and ends with a line "N passed, N failed".
"""

import csv
import datetime
import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(ROOT, "tools", "tenantgen", "tenantgen.py")
sys.path.insert(0, os.path.dirname(TOOL))

import scenarios  # noqa: E402

SIZE = ["--mailboxes", "200", "--days", "3", "--quiet-days", "1"]
FILES = ("records.jsonl", "blobs.jsonl", "eventhub.jsonl", "purview.csv", "syslog.log", "labels.csv", "policy.json",
         "ip-ranges.csv", "scenarios.json")
START = "2026-11-02"
QUIET_END = "2026-11-03T00:00:00"
UAL_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
SYSLOG = re.compile(r"^<134>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ (o365-mgmt-api|azure-eventhub) - "
                    r"([A-Za-z.]+) - (.*)$")
EH_CATEGORIES = {"SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs",
                 "MicrosoftGraphActivityLogs"}
OTHER_WORKLOADS = {"SharePoint", "OneDrive", "MicrosoftTeams"}
CONTENT_TYPE = {"Exchange": "Audit.Exchange", "AzureActiveDirectory": "Audit.AzureActiveDirectory",
                "SecurityComplianceCenter": "Audit.General", "MicrosoftTeams": "Audit.General",
                "SharePoint": "Audit.SharePoint", "OneDrive": "Audit.SharePoint"}
# Every output of `--seed 5 --mailboxes 30 --days 2` as the generator wrote it before the SharePoint,
# OneDrive and Teams traffic existed (commit 67791bf): --other-workloads 0 must still write exactly these
# bytes. A deliberate change of the mail/Entra/Graph mix changes them too: then update them here.
PREVIOUS_DEFAULT = ["--seed", "5", "--mailboxes", "30", "--days", "2"]
PREVIOUS_DIGESTS = {
    "blobs.jsonl": "275953a208017e175467391a38c996a3a16d1856c91e4f1c3e458a9bcfceb412",
    "eventhub.jsonl": "a8205c0ccf80a405128c126eda4b23e09b0caff9193d97480a24560715f5f9bf",
    "ip-ranges.csv": "088a41a572050b5e4b63dc79f2d70dd527fe3311a1c583f32f23f7410a890126",
    "labels.csv": "e89fb5fc10ddd3c19aae91995c42bed336ee30ae97110d5658590f5c20994edb",
    "policy.json": "30a429b4c4291b931aee19540fb8e85ca3007e73c9ec202a2bb7ad7051785189",
    "purview.csv": "1e6a569f520159b3106a9fc370c08c0a444a341ed114dd453cb792333408e42a",
    "records.jsonl": "b6b4a1c62aca5013565f3d0aec498700defd3803d2280c477850f3283dfcceb3",
    "scenarios.json": "8c0e556fcc1cfc274c60643ad5d8aca178f7bdd45c9c2dfa88b070051dd0033f",
    "syslog.log": "c35ed37866b159ac21d00553ab32d9f63a38273ff582bdef432673dd4de22407",
}

_TMP = tempfile.TemporaryDirectory(prefix="tenantgen-test-")
_RUNS = {}


def generate(name, *extra):
    if name not in _RUNS:
        out = os.path.join(_TMP.name, name)
        proc = subprocess.run([sys.executable, TOOL, "--out", out] + list(extra), capture_output=True, text=True,
                              timeout=300)
        if proc.returncode != 0:
            raise AssertionError("tenantgen failed: %s\n%s" % (proc.stdout, proc.stderr))
        _RUNS[name] = (out, proc.stdout)
    return _RUNS[name][0]


def main_run():
    return generate("a", "--seed", "7", *SIZE)


def mail_only_run():
    """The main run's arguments with the SharePoint, OneDrive and Teams traffic turned off."""
    return generate("a0", "--seed", "7", *SIZE, "--other-workloads", "0")


def wide_run():
    """Many scenario instances so that every variant appears."""
    return generate("wide", "--seed", "3", "--mailboxes", "400", "--days", "3", "--quiet-days", "0",
                    "--attack-scale", "100", "--activity", "0.2", "--formats", "records,labels")


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record_id(obj):
    if "Id" in obj:
        return obj["Id"]
    props = obj.get("properties", {})
    return props.get("id") or props.get("requestId")


_CACHE = {}


def load(out):
    """records.jsonl lines (parsed or None) and labels rows, cached per output dir."""
    if out not in _CACHE:
        lines, parsed = [], []
        with open(os.path.join(out, "records.jsonl"), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                lines.append(line)
                try:
                    obj = json.loads(line)
                except ValueError:
                    obj = None
                parsed.append(obj if isinstance(obj, dict) else None)
        with open(os.path.join(out, "labels.csv"), encoding="utf-8", newline="") as f:
            labels = list(csv.DictReader(f))
        _CACHE[out] = (lines, parsed, labels)
    return _CACHE[out]


def strip_ip(value):
    """Bare address from ClientIP forms: 1.2.3.4:port, [1.2.3.4]:port, ::ffff:1.2.3.4."""
    if value.startswith("["):
        value = value[1:value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":")[0]
    if value.startswith("::ffff:"):
        value = value[7:]
    return value


class Determinism(unittest.TestCase):
    def test_same_seed_same_bytes(self):
        a = main_run()
        b = generate("a2", "--seed", "7", *SIZE)
        for name in FILES:
            self.assertEqual(digest(os.path.join(a, name)), digest(os.path.join(b, name)), name)

    def test_different_seed_differs(self):
        a = main_run()
        c = generate("c", "--seed", "8", *SIZE)
        self.assertNotEqual(digest(os.path.join(a, "records.jsonl")), digest(os.path.join(c, "records.jsonl")))

    def test_no_temporary_files_left(self):
        self.assertEqual(sorted(os.listdir(main_run())), sorted(FILES))


class RecordsAndLabels(unittest.TestCase):
    def test_lines_are_json_unless_labelled_malformed(self):
        lines, parsed, labels = load(main_run())
        self.assertEqual(len(lines), len(labels))
        self.assertGreater(len(lines), 10000)
        malformed = 0
        for i, (obj, lab) in enumerate(zip(parsed, labels)):
            self.assertEqual(int(lab["line"]), i + 1)
            if lab["kind"] == "malformed":
                malformed += 1
                self.assertIsNone(obj, "line %d labelled malformed but parses" % (i + 1))
            else:
                self.assertIsNotNone(obj, "line %d not a JSON object: %s" % (i + 1, lines[i][:200]))
        self.assertGreater(malformed, 0)

    def test_labels_cover_every_record_id(self):
        lines, parsed, labels = load(main_run())
        for obj, lab in zip(parsed, labels):
            if obj is not None:
                self.assertEqual(record_id(obj), lab["id"])
        ids = {lab["id"] for lab in labels}
        self.assertTrue(all(record_id(o) in ids for o in parsed if o is not None))
        for lab in labels:
            self.assertIn(lab["malicious"], ("0", "1"))
            self.assertIn(lab["kind"], ("normal", "edge", "malformed"))
            self.assertEqual(lab["malicious"] == "1", lab["scenario"] in scenarios.SCENARIOS and
                             scenarios.SCENARIOS[lab["scenario"]]["malicious"])

    def test_edge_cases_present(self):
        _, parsed, labels = load(main_run())
        quirks = {lab["quirk"] for lab in labels if lab["kind"] == "edge"}
        for q in ("duplicate_id", "nonascii_folder", "recordtype_string", "fraction7"):
            self.assertIn(q, quirks)
        seen = {}
        for obj, lab in zip(parsed, labels):
            if obj is None:
                continue
            if lab["quirk"] == "recordtype_string":
                self.assertIsInstance(obj["RecordType"], str)
            if lab["quirk"] == "nonascii_folder":
                self.assertFalse(json.dumps(obj, ensure_ascii=False).isascii())
            if lab["quirk"] == "duplicate_id":
                self.assertIn(lab["id"], seen)
            seen[lab["id"]] = True

    def test_delivery_order_is_minutes_out_of_creation_order(self):
        _, _, labels = load(main_run())
        times = [lab["creation_time"][:19] for lab in labels]
        inversions = sum(1 for a, b in zip(times, times[1:]) if b < a)
        self.assertGreater(inversions, len(times) // 20)

    def test_ual_shapes(self):
        _, parsed, labels = load(main_run())
        seen = set()
        for obj, lab in zip(parsed, labels):
            if obj is None or "Workload" not in obj or lab["kind"] != "normal":
                continue
            self.assertRegex(obj["CreationTime"], UAL_TIME)
            self.assertIsInstance(obj["RecordType"], int)
            if obj["Operation"] != "MailItemsAccessed":
                continue
            self.assertEqual(obj["RecordType"], 50)
            props = {p["Name"]: p["Value"] for p in obj["OperationProperties"]}
            self.assertIn(props["MailAccessType"], ("Bind", "Sync"))
            self.assertIn(props["IsThrottled"], ("True", "False"))
            self.assertEqual(obj["Workload"], "Exchange")
            self.assertIsInstance(obj["AppAccessContext"], dict)
            for folder in obj["Folders"]:
                self.assertTrue(folder["Path"].startswith("\\"))
                if props["MailAccessType"] == "Sync":
                    self.assertNotIn("FolderItems", folder)
                else:
                    self.assertTrue(folder["FolderItems"])
            if obj["UserType"] == 5:
                self.assertEqual(obj["UserId"], obj["MailboxOwnerUPN"])
                self.assertIn(obj["UserKey"], (obj["AppId"], obj["ClientAppId"]))
            seen.add((props["MailAccessType"], obj["ClientInfoString"].split(";")[0], obj["UserType"]))
        for key in (("Sync", "Client=MSExchangeRPC", 0), ("Bind", "Client=OWA", 0),
                    ("Bind", "Client=REST", 5), ("Bind", "Client=OutlookService", 0)):
            self.assertIn(key, seen)

    def test_grant_records(self):
        _, parsed, _ = load(main_run())
        ops = {}
        for obj in parsed:
            if obj and obj.get("Workload") == "AzureActiveDirectory":
                ops.setdefault(obj["Operation"], []).append(obj)
        for op in ("Consent to application.", "Add delegated permission grant.",
                   "Add app role assignment to service principal.", "Update application.",
                   "Add service principal credentials.", "UserLoggedIn"):
            self.assertIn(op, ops)
        for rec in ops["Consent to application."]:
            self.assertEqual(rec["RecordType"], 8)
            self.assertEqual(rec["ModifiedProperties"][0]["Name"], "ConsentContext.IsAdminConsent")
            self.assertIn("Scope:  ", rec["ModifiedProperties"][4]["NewValue"])
            details = [p["Value"] for p in rec["ExtendedProperties"] if p["Name"] == "additionalDetails"][0]
            self.assertIn("AppId", json.loads(details))
        rra = [json.loads(p["NewValue"]) for r in ops["Update application."] for p in r["ModifiedProperties"]
               if p["Name"] == "RequiredResourceAccess"]
        ents = {(e["ResourceAppId"], perm["EntitlementId"]) for v in rra for e in v for perm in
                e["RequiredAppPermissions"]}
        self.assertIn(("00000002-0000-0ff1-ce00-000000000000", "dc890d15-9560-4a4c-9b7f-a736ec74ec40"), ents)


class Transports(unittest.TestCase):
    def test_purview_csv(self):
        out = main_run()
        _, parsed, _ = load(out)
        ual_ids = {o["Id"] for o in parsed if o and "Workload" in o}
        with open(os.path.join(out, "purview.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["RecordId", "CreationDate", "RecordType", "Operation", "UserId", "AuditData",
                                   "AssociatedAdminUnits", "AssociatedAdminUnitsNames"])
        with open(os.path.join(out, "purview.csv"), "rb") as f:
            self.assertTrue(f.readline().endswith(b"\r\n"))
        for row in rows[1:]:
            self.assertEqual(len(row), 8)
            data = json.loads(row[5])
            self.assertEqual(data["Id"], row[0])
            self.assertEqual(data["Operation"], row[3])
        self.assertTrue(ual_ids <= {row[0] for row in rows[1:]})

    def test_blobs_are_json_arrays(self):
        out = main_run()
        n, sizes = 0, []
        with open(os.path.join(out, "blobs.jsonl"), encoding="utf-8") as f:
            for line in f:
                blob = json.loads(line)
                self.assertIsInstance(blob, list)
                self.assertTrue(blob)
                self.assertTrue(all(isinstance(r, dict) and "Workload" in r for r in blob))
                n += len(blob)
                sizes.append(len(line))
        _, parsed, labels = load(out)
        ual = sum(1 for lab in labels if lab["record_kind"].startswith("ual:"))
        self.assertEqual(n, ual)
        self.assertLess(min(sizes), 64 * 1024)
        self.assertGreater(max(sizes), 256 * 1024)

    def test_eventhub_batches(self):
        out = main_run()
        n = 0
        with open(os.path.join(out, "eventhub.jsonl"), encoding="utf-8") as f:
            for line in f:
                batch = json.loads(line)
                self.assertIn("records", batch)
                cats = {r["category"] for r in batch["records"]}
                self.assertEqual(len(cats), 1)
                self.assertTrue(cats <= EH_CATEGORIES)
                n += len(batch["records"])
        _, _, labels = load(out)
        self.assertEqual(n, sum(1 for lab in labels if lab["record_kind"] in EH_CATEGORIES))

    def test_eventhub_shapes(self):
        _, parsed, labels = load(main_run())
        uris = []
        for obj, lab in zip(parsed, labels):
            if obj is None or obj.get("category") not in EH_CATEGORIES or lab["kind"] != "normal":
                continue
            p = obj["properties"]
            if obj["category"] == "MicrosoftGraphActivityLogs":
                self.assertEqual(obj["resultSignature"], "200")
                self.assertIn(p["clientAuthMethod"], ("0", "1", "2"))
                self.assertIn(p["C_Idtyp"], ("user", "app"))
                uris.append(p["requestUri"])
            else:
                self.assertIsInstance(p["autonomousSystemNumber"], int)
                for key in ("appId", "ipAddress", "userAgent", "uniqueTokenIdentifier", "sessionId",
                            "authenticationProtocol", "clientAppUsed"):
                    self.assertIn(key, p)
                self.assertIn("countryOrRegion", p["location"])
        self.assertTrue(any("$top=" in u for u in uris))
        _, wide, _ = load(wide_run())
        uris = [o["properties"]["requestUri"] for o in wide if o and o.get("category") == "MicrosoftGraphActivityLogs"]
        self.assertTrue(any("$search=" in u for u in uris))
        self.assertTrue(any(u.endswith("/search/query") for u in uris))

    def test_syslog_lines_carry_the_records(self):
        out = main_run()
        lines, _, _ = load(out)
        with open(os.path.join(out, "syslog.log"), encoding="utf-8") as f:
            for i, line in enumerate(f):
                m = SYSLOG.match(line.rstrip("\n"))
                self.assertIsNotNone(m, line[:200])
                self.assertEqual(m.group(3), lines[i])
        self.assertEqual(i + 1, len(lines))


class Scenarios(unittest.TestCase):
    def test_every_scenario_appears(self):
        _, _, labels = load(main_run())
        seen = {}
        for lab in labels:
            seen.setdefault(lab["scenario"], set()).add(lab["malicious"])
        for name, spec in scenarios.SCENARIOS.items():
            self.assertIn(name, seen)
            self.assertEqual(seen[name], {"1" if spec["malicious"] else "0"}, name)
        for name, spec in scenarios.SCENARIOS.items():
            self.assertGreaterEqual(len(spec["variants"]), 2 if spec["malicious"] else 1, name)

    def test_quiet_days_have_no_malicious_records(self):
        _, _, labels = load(main_run())
        mal = [lab for lab in labels if lab["malicious"] == "1"]
        self.assertTrue(mal)
        self.assertTrue(all(lab["creation_time"] >= QUIET_END for lab in mal))

    def test_all_variants_appear_over_a_larger_run(self):
        _, _, labels = load(wide_run())
        seen = {(lab["scenario"], lab["variant"]) for lab in labels}
        for name, spec in scenarios.SCENARIOS.items():
            for variant in spec["variants"]:
                self.assertIn((name, variant), seen)

    def test_throttling_then_silence(self):
        _, parsed, labels = load(main_run())
        throttled = [o for o, lab in zip(parsed, labels) if o and lab["scenario"] == "bulk_read_throttled" and
                     o.get("Operation") == "MailItemsAccessed" and
                     {"Name": "IsThrottled", "Value": "True"} in o["OperationProperties"]]
        self.assertTrue(throttled)
        victim = throttled[0]["MailboxOwnerUPN"]
        last = max(o["CreationTime"][:19] for o in throttled)
        until = (datetime.datetime.fromisoformat(last) + datetime.timedelta(hours=24)).isoformat()
        for o, lab in zip(parsed, labels):
            if o and o.get("MailboxOwnerUPN") == victim and last < o["CreationTime"][:19] < until:
                props = {p["Name"]: p.get("Value") for p in o["OperationProperties"]} \
                    if "OperationProperties" in o else {}
                self.assertNotEqual(props.get("MailAccessType"), "Bind", "Bind logged after throttling")

    def test_token_joins(self):
        """Benign mail tokens match an emitted sign-in; forged_token ones never do."""
        out = main_run()
        _, parsed, labels = load(out)
        tokens = set()
        with open(os.path.join(out, "eventhub.jsonl"), encoding="utf-8") as f:
            for line in f:
                for o in json.loads(line)["records"]:
                    if o["category"].endswith("SignInLogs"):
                        tokens.add(o["properties"]["uniqueTokenIdentifier"])
        unmatched_benign, forged = 0, 0
        for o, lab in zip(parsed, labels):
            if not o or o.get("Operation") != "MailItemsAccessed":
                continue
            uti = o.get("AppAccessContext", {}).get("UniqueTokenId")
            if not uti:
                continue
            if lab["scenario"] == "forged_token":
                forged += 1
                self.assertNotIn(uti, tokens)
            elif lab["scenario"] == "benign":
                unmatched_benign += uti not in tokens
        self.assertGreater(forged, 0)
        self.assertEqual(unmatched_benign, 0)

    def test_audit_gap_suppresses_records(self):
        out = main_run()
        with open(os.path.join(out, "scenarios.json"), encoding="utf-8") as f:
            insts = json.load(f)["instances"]
        self.assertTrue(any(i["scenario"] == "audit_tamper_then_access" for i in insts))
        self.assertIn("audit-suppressed records:", _RUNS["a"][1])


def other_records(parsed, labels):
    """(record, label) of the SharePoint, OneDrive and Teams records that parse."""
    return [(o, lab) for o, lab in zip(parsed, labels) if o is not None and o.get("Workload") in OTHER_WORKLOADS]


class OtherWorkloads(unittest.TestCase):
    """Benign SharePoint, OneDrive and Microsoft Teams records in the default mix (--other-workloads)."""

    def test_off_writes_the_previous_default_output(self):
        out = generate("prev", *PREVIOUS_DEFAULT, "--other-workloads", "0")
        for name, want in sorted(PREVIOUS_DIGESTS.items()):
            self.assertEqual(digest(os.path.join(out, name)), want, name)

    def test_mail_records_do_not_depend_on_them(self):
        """The mail/Entra/Graph records, their labels and their order are the same with and without them."""
        lines, _, labels = load(main_run())
        lines0, _, labels0 = load(mail_only_run())
        kinds0 = {lab["record_kind"] for lab in labels0}
        kept = [(line, lab) for line, lab in zip(lines, labels) if lab["record_kind"] in kinds0]
        self.assertEqual(len(kept), len(lines0))
        for (line, lab), line0, lab0 in zip(kept, lines0, labels0):
            self.assertEqual(line, line0)
            self.assertEqual({k: v for k, v in lab.items() if k != "line"},
                             {k: v for k, v in lab0.items() if k != "line"})
        self.assertEqual(digest(os.path.join(main_run(), "eventhub.jsonl")),
                         digest(os.path.join(mail_only_run(), "eventhub.jsonl")))
        # the mail records' content blobs are the same blobs, in the same order
        def mail_blobs(out):
            with open(os.path.join(out, "blobs.jsonl"), encoding="utf-8") as f:
                return [line for line in f if json.loads(line)[0]["Workload"] not in OTHER_WORKLOADS]
        self.assertEqual(mail_blobs(main_run()), mail_blobs(mail_only_run()))

    def test_share_of_all_records(self):
        _, parsed, labels = load(main_run())
        other = sum(1 for o in parsed if o is not None and o.get("Workload") in OTHER_WORKLOADS)
        broken = sum(1 for o, lab in zip(parsed, labels) if o is None)
        share = other / float(len(labels))
        self.assertGreaterEqual(share + broken / float(len(labels)), 0.55)
        self.assertLessEqual(share, 0.65)
        per = {}
        for o, _ in other_records(parsed, labels):
            per[o["Workload"]] = per.get(o["Workload"], 0) + 1
        for wl in OTHER_WORKLOADS:
            self.assertGreater(per.get(wl, 0), other // 10, wl)
        summary = _RUNS["a"][1]
        self.assertIn("records per workload:", summary)
        self.assertRegex(summary, r"SharePoint \+ OneDrive \+ MicrosoftTeams +\d+ \(\d+\.\d% of all records")
        out = generate("third", "--seed", "7", *SIZE, "--other-workloads", "0.3", "--formats", "records,labels")
        _, parsed, labels = load(out)
        share = sum(1 for o in parsed if o is not None and o.get("Workload") in OTHER_WORKLOADS) / float(len(labels))
        self.assertTrue(0.25 <= share <= 0.35, share)

    def test_labels(self):
        _, parsed, labels = load(main_run())
        records = other_records(parsed, labels)
        self.assertTrue(records)
        scenarios_seen = set()
        for o, lab in records:
            self.assertEqual(lab["malicious"], "0")
            self.assertEqual(lab["record_kind"], "ual:" + o["Operation"])
            self.assertEqual(lab["id"], o["Id"])
            scenarios_seen.add(lab["scenario"])
        self.assertIn("benign", scenarios_seen)
        self.assertTrue(scenarios_seen <= {"benign", "benign_user_travel", "benign_night_owner"}, scenarios_seen)

    def test_shapes(self):
        _, parsed, labels = load(main_run())
        ops = {}
        personal = re.compile(r"^https://contoso-my\.sharepoint\.com/personal/[a-z0-9_]+_contoso_example/$")
        for o, lab in other_records(parsed, labels):
            if lab["kind"] != "normal":
                continue
            ops.setdefault((o["Workload"], o["Operation"]), 0)
            ops[(o["Workload"], o["Operation"])] += 1
            for key in ("CreationTime", "Id", "Operation", "OrganizationId", "RecordType", "UserKey", "UserType",
                        "Version", "Workload", "ClientIP", "UserId"):
                self.assertIn(key, o)
            self.assertRegex(o["CreationTime"], UAL_TIME)
            self.assertEqual(o["Version"], 1)
            self.assertEqual(o["UserType"], 0)
            if o["Workload"] == "MicrosoftTeams":
                self.assertEqual(o["RecordType"], 25)
                self.assertRegex(o["UserKey"], r"^[0-9a-f]{8}-[0-9a-f]{4}-")
                if "TeamGuid" in o:
                    self.assertRegex(o["TeamGuid"], r"^19:[0-9a-f]{32}@thread\.tacv2$")
                if o["Operation"] == "MeetingParticipantDetail":
                    self.assertEqual(o["Attendees"][0]["RecipientType"], "User")
                    self.assertLess(o["JoinTime"], o["LeaveTime"])
                continue
            self.assertIn(o["RecordType"], (4, 6, 14))
            self.assertEqual(o["RecordType"] == 4, o["Operation"].startswith("PageViewed"))
            self.assertTrue(o["UserKey"].startswith("i:0h.f|membership|") and o["UserKey"].endswith("@live.com"))
            self.assertEqual(o["EventSource"], "SharePoint")
            self.assertEqual(o["ObjectId"], o["SiteUrl"] + o["SourceRelativeUrl"] + "/" + o["SourceFileName"])
            for key in ("Site", "WebId", "ListId", "ListItemUniqueId", "CorrelationId"):
                self.assertRegex(o[key], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
            if o["Workload"] == "OneDrive":
                self.assertRegex(o["SiteUrl"], personal)
            else:
                self.assertRegex(o["SiteUrl"], r"^https://contoso\.sharepoint\.com/sites/[A-Za-z0-9]+/$")
            if o["ItemType"] == "File":
                self.assertEqual(o["SourceFileName"].rsplit(".", 1)[1], o["SourceFileExtension"])
        for key in (("SharePoint", "FileAccessed"), ("SharePoint", "FileModified"), ("SharePoint", "FilePreviewed"),
                    ("SharePoint", "PageViewed"), ("SharePoint", "FileDownloaded"), ("SharePoint", "FileUploaded"),
                    ("OneDrive", "FileAccessed"), ("OneDrive", "FileSyncUploadedFull"),
                    ("OneDrive", "FileSyncDownloadedFull"), ("MicrosoftTeams", "TeamsSessionStarted"),
                    ("MicrosoftTeams", "MessageCreatedHasLink"), ("MicrosoftTeams", "MeetingParticipantDetail")):
            self.assertIn(key, ops)

    def test_usual_addresses_and_working_hours(self):
        """People reach SharePoint, OneDrive and Teams from the addresses their mail and sign-ins show."""
        _, parsed, labels = load(main_run())
        seen = set()
        for o in parsed:
            if o is None or o.get("Workload") in OTHER_WORKLOADS:
                continue
            if "Workload" in o:
                who = (o.get("MailboxOwnerUPN") or o.get("UserId") or "").lower()
                seen.add((who, strip_ip(o.get("ClientIPAddress") or o.get("ClientIP") or "")))
            elif o.get("properties", {}).get("userPrincipalName"):
                seen.add((o["properties"]["userPrincipalName"].lower(), o["properties"].get("ipAddress")))
        pairs = [(o["UserId"].lower(), strip_ip(o["ClientIP"])) for o, lab in other_records(parsed, labels)
                 if o["Operation"] != "MeetingParticipantDetail" and lab["kind"] == "normal"]
        usual = sum(1 for p in pairs if p in seen)
        self.assertGreater(usual, 0.85 * len(pairs))
        # most of it during (some site's) working day: little between 03:00 and 06:00 UTC
        hours = [int(o["CreationTime"][11:13]) for o, _ in other_records(parsed, labels)]
        self.assertLess(sum(1 for h in hours if 3 <= h < 6), 0.05 * len(hours))

    def test_blobs_hold_one_content_type(self):
        out = main_run()
        types = {}
        with open(os.path.join(out, "blobs.jsonl"), encoding="utf-8") as f:
            for line in f:
                blob = json.loads(line)
                kinds = {CONTENT_TYPE[r["Workload"]] for r in blob}
                self.assertEqual(len(kinds), 1, kinds)
                kind = kinds.pop()
                types[kind] = types.get(kind, 0) + 1
        self.assertIn("Audit.SharePoint", types)
        with open(os.path.join(out, "syslog.log"), encoding="utf-8") as f:
            ctypes = {SYSLOG.match(line).group(2) for line in f}
        self.assertTrue({"Audit.SharePoint", "Audit.General", "Audit.Exchange"} <= ctypes, ctypes)

    def test_purview_record_type_names(self):
        with open(os.path.join(main_run(), "purview.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        names = {}
        for row in rows:
            data = json.loads(row["AuditData"])
            if data["Workload"] in OTHER_WORKLOADS:
                names.setdefault(row["RecordType"], set()).add(data["Workload"])
        self.assertEqual(names.get("MicrosoftTeams"), {"MicrosoftTeams"})
        self.assertEqual(names.get("SharePointFileOperation"), {"SharePoint", "OneDrive"})
        self.assertIn("SharePoint", names)


class PolicyAndRanges(unittest.TestCase):
    def test_policy(self):
        with open(os.path.join(main_run(), "policy.json"), encoding="utf-8") as f:
            policy = json.load(f)
        self.assertEqual(policy["tenant_domain"], "contoso.example")
        self.assertIn("13937bba-652e-4c46-b222-3003f4d1ff97", policy["approved_apps"])
        self.assertGreaterEqual(len(policy["approved_apps"]), 12)
        self.assertGreaterEqual(len(policy["executive_mailboxes"]), 4)
        for cidr in policy["trusted_networks"]:
            ipaddress.ip_network(cidr)

    def test_ip_ranges_are_public_and_cover_every_address(self):
        out = main_run()
        with open(os.path.join(out, "ip-ranges.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(list(rows[0]), ["cidr", "country", "asn", "as_org", "hosting", "latitude", "longitude"])
        nets = []
        for row in rows:
            net = ipaddress.ip_network(row["cidr"])
            self.assertTrue(net.is_global, row["cidr"])
            self.assertFalse(net.is_reserved or net.is_private or net.is_multicast, row["cidr"])
            self.assertIn(row["hosting"], ("true", "false"))
            int(row["asn"])
            float(row["latitude"]), float(row["longitude"])
            nets.append(net)
        _, parsed, labels = load(out)
        checked = 0
        for o, lab in zip(parsed, labels):
            if not o:
                continue
            p = o.get("properties", {})
            for value in (o.get("ClientIP"), o.get("ClientIPAddress"), o.get("callerIpAddress"), p.get("ipAddress")):
                if not value or value in ("localhost", "::1"):
                    continue
                addr = ipaddress.ip_address(strip_ip(value))
                self.assertTrue(any(addr in n for n in nets), value)
                checked += 1
        self.assertGreater(checked, 10000)


class Cli(unittest.TestCase):
    def test_help(self):
        proc = subprocess.run([sys.executable, TOOL, "--help"], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0)
        for opt in ("--seed", "--mailboxes", "--days", "--out", "--quiet-days", "--start", "--tenant-domain",
                    "--other-workloads"):
            self.assertIn(opt, proc.stdout)

    def test_summary(self):
        main_run()
        summary = _RUNS["a"][1]
        self.assertRegex(summary, r"peak RSS: [\d.]+ MB")
        self.assertRegex(summary, r"elapsed: [\d.]+ s")
        self.assertIn("scenarios injected:", summary)

    def test_rejects_bad_arguments(self):
        proc = subprocess.run([sys.executable, TOOL, "--out", os.path.join(_TMP.name, "bad"), "--mailboxes", "3"],
                              capture_output=True, text=True)
        self.assertNotEqual(proc.returncode, 0)
        proc = subprocess.run([sys.executable, TOOL, "--out", os.path.join(_TMP.name, "bad"), "--other-workloads",
                               "1"], capture_output=True, text=True)
        self.assertNotEqual(proc.returncode, 0)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    _TMP.cleanup()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
