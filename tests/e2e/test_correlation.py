#!/usr/bin/env python3
"""Correlation through the real daemon on a generated tenant: the consent-then-read, legacy-app
full_access_as_app, stolen-token, forged-token, impossible-travel and audit-tampering scenarios are
flagged with the joined evidence on the record (which grant, which sign-in, which token), and benign
sessions whose tokens match their sign-ins are not flagged for it."""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile

import harness as h

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

TEMPLATE = "$(format-json --scope nv-pairs --key .mbx.* --pair tags=${TAGS})\\n"


class CorrelationTest(h.DaemonTestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mbx-correlation-")
        tenant = os.path.join(cls.tmp, "tenant")
        subprocess.run([sys.executable, os.path.join(TOP, "tools", "tenantgen", "tenantgen.py"), "--seed", "3",
                        "--mailboxes", "100", "--days", "9", "--quiet-days", "7", "--attack-scale", "20",
                        "--out", tenant], check=True, capture_output=True)
        cls.policy = os.path.join(cls.tmp, "policy.ini")
        subprocess.run([sys.executable, os.path.join(TOP, "tools", "policy-from-tenant.py"),
                        os.path.join(tenant, "policy.json"), "-o", cls.policy], check=True, capture_output=True)
        mmdb = os.path.join(cls.tmp, "geo.mmdb")
        subprocess.run(["perl", os.path.join(TOP, "tools", "make-test-mmdb.pl"), "--drop-reserved",
                        os.path.join(tenant, "ip-ranges.csv"), mmdb], check=True, capture_output=True)
        with open(cls.policy, "a") as f:
            f.write("\n[geo]\ncity-database = %s\n" % mmdb)
        cls.labels = {}
        with open(os.path.join(tenant, "labels.csv"), newline="") as f:
            for row in csv.DictReader(f):
                cls.labels[row["id"]] = row
        with open(os.path.join(tenant, "records.jsonl"), "rb") as f:
            cls.lines = f.read().splitlines()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_tenant(self):
        config = h.HEADER + h.OPTIONS + h.network_source() + """
parser p_mbx { mailbox-monitor(policy("%s") fields("all")); };
destination d_all { file("@DIR@/verdicts.jsonl" template("%s")); };
log { source(s_net); parser(p_mbx); destination(d_all); flags(flow-control); };
""" % (self.policy, TEMPLATE)
        d = self.daemon(config)
        d.send(self.lines)
        decoded_min = len(self.lines) - 200
        out = d.wait_files({"verdicts.jsonl": decoded_min}, timeout=120, settle=2.0)["verdicts.jsonl"]
        d.stop()
        verdicts = []
        for line in out:
            doc = json.loads(line)
            v = doc.get("_mbx", {})
            v["tags"] = doc.get("tags", "")
            if v.get("id") in self.labels:
                v["label"] = self.labels[v["id"]]
                verdicts.append(v)
        return verdicts

    def test_joined_evidence_on_the_attacks_and_none_on_matched_benign_sessions(self):
        verdicts = self.run_tenant()
        self.assertGreater(len(verdicts), 1000)
        by_scenario = {}
        for v in verdicts:
            by_scenario.setdefault(v["label"]["scenario"], []).append(v)

        def flagged(scenario, rule, evidence=None):
            return [v for v in by_scenario.get(scenario, []) if rule in v.get("rules", "").split(",") and
                    "mailbox.suspicious" in v.get("tags", "") and (evidence is None or v.get(evidence))]

        checks = [
            ("illicit_consent_graph", "grant-then-access", "grant_id"),
            ("full_access_as_app_ews", "grant-then-access", "grant_id"),
            ("audit_tamper_then_access", "audit-tamper", None),
        ]
        present = [c for c in checks if c[0] in by_scenario]
        self.assertGreaterEqual(len(present), 3, "the tenant has too few of the scenarios: %s" % sorted(by_scenario))
        for scenario, rule, evidence in present:
            hits = flagged(scenario, rule, evidence)
            self.assertTrue(hits, "%s: no suspicious record fired %s with %s" % (scenario, rule, evidence))
            if evidence == "grant_id":
                grant = hits[0]["grant_id"]
                self.assertIn(grant, hits[0]["reason"], "the reason names the grant")
                self.assertIn(grant, self.labels, "the grant is a record of the tenant")

        # forged tokens: flagged records carry the token that matched no sign-in
        forged = [v for v in by_scenario.get("forged_token", []) if "mailbox.suspicious" in v.get("tags", "") and
                  v.get("signin_join") == "unmatched" and v.get("token_id")]
        if "forged_token" in by_scenario:
            self.assertTrue(forged, "no forged-token record was flagged with its unmatched token")

        # stolen tokens replayed after a sign-in: the join names the sign-in
        joined = [v for s in ("stolen_token_new_country", "impossible_travel") for v in by_scenario.get(s, [])
                  if "signin-then-access" in v.get("rules", "") and v.get("signin_id")]
        self.assertTrue(joined, "no replayed token was joined to its sign-in")

        # benign sessions: tokens that match their sign-ins never fire the token or sign-in rules
        benign_matched = [v for v in by_scenario.get("benign", []) if v.get("signin_join") == "token"]
        self.assertGreater(len(benign_matched), 100, "the benign sessions' tokens match their sign-ins")
        noisy = [v for v in benign_matched if "token-unmatched" in v.get("rules", "") or
                 "signin-then-access" in v.get("rules", "")]
        self.assertEqual(noisy, [], "benign matched sessions flagged: %s" % noisy[:3])


if __name__ == "__main__":
    h.main()
