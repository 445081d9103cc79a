"""Streaming output: per-chunk run files sorted by delivery time, merged into every output format.

Generation happens per (day, chunk). Each chunk's records get a delivery time (CreationTime plus a
per-source ingestion delay, so the feed arrives minutes out of order), are serialised once, sorted
and written to a temporary run file. A day's runs are k-way merged (heapq.merge) and written to
all outputs at once; records delivered after midnight are carried into the next day's merge. So
memory holds one chunk plus one line per run, whatever the tenant size.

Records of the other workloads (SharePoint, OneDrive, Teams: workloads.py) come from Emitters of
their own (source "o"), and the writer packs them into content blobs with a random stream of its
own, so every other record, blob and line is the same whether they are generated or not.
"""

import csv
import heapq
import json
import math
import os

from common import guid, iso_ms, rng_for, ual_time
import quirks

BENIGN = ("benign", 0, "", "")

RECORD_TYPE_NAMES = {1: "ExchangeAdmin", 2: "ExchangeItem", 3: "ExchangeItemGroup", 4: "SharePoint",
                     6: "SharePointFileOperation", 8: "AzureActiveDirectory", 14: "SharePointSharingOperation",
                     15: "AzureActiveDirectoryStsLogon", 18: "SecurityComplianceCenterEOPCmdlet",
                     25: "MicrosoftTeams", 50: "ExchangeItemAggregated", 101: "ExchangeSearch"}
CONTENT_TYPES = {"Exchange": "Audit.Exchange", "AzureActiveDirectory": "Audit.AzureActiveDirectory",
                 "SecurityComplianceCenter": "Audit.General", "SharePoint": "Audit.SharePoint",
                 "OneDrive": "Audit.SharePoint", "MicrosoftTeams": "Audit.General"}
OTHER_WORKLOADS = ("SharePoint", "OneDrive", "MicrosoftTeams")
MAILBOX_OPS = frozenset(("MailItemsAccessed", "Send", "MoveToDeletedItems", "MailboxLogin",
                         "SearchQueryInitiatedExchange"))
# delivery delay: (fixed seconds, lognormal median seconds, sigma, cap seconds)
DELAYS = {"Audit.Exchange": (60, 240, 0.9, 5400), "Audit.AzureActiveDirectory": (45, 150, 0.8, 3600),
          "Audit.General": (60, 300, 0.8, 3600), "Audit.SharePoint": (60, 360, 0.9, 5400),
          "e": (15, 60, 0.7, 900)}
LABEL_HEADER = ("id", "scenario", "malicious", "kind", "quirk", "record_kind", "variant", "instance", "line",
                "creation_time")
PURVIEW_HEADER = ("RecordId", "CreationDate", "RecordType", "Operation", "UserId", "AuditData",
                  "AssociatedAdminUnits", "AssociatedAdminUnitsNames")
OUTPUTS = ("records", "blobs", "eventhub", "purview", "syslog", "labels")


class Context:
    """Run-wide state shared by the generators: tenant, suppression rules and counters."""

    def __init__(self, tenant, seed, tmpdir, quirk_rate):
        self.tenant = tenant
        self.seed = seed
        self.tmpdir = tmpdir
        self.quirk_rate = quirk_rate
        self.tenant_rules = []   # (t0, t1, "ual" | "mailbox", owning instance)
        self.mbx_rules = {}      # mailbox idx -> [(t0, t1, "all" | "owner_mia" | "bind")]
        self.actor_rules = {}    # UserId -> [(t0, t1)]
        self.label_override = {}  # mailbox idx -> (days, label) for benign look-alike owners
        self.suppressed = 0
        self.generated = 0
        self.clipped = 0
        self.start_ts = tenant.start_epoch
        self.end_ts = tenant.start_epoch + tenant.days * 86400

    def add_rule(self, scope, key, t0, t1, what=None):
        if scope == "tenant":
            self.tenant_rules.append((t0, t1, what, key))
        elif scope == "mailbox":
            self.mbx_rules.setdefault(key, []).append((t0, t1, what))
        else:
            self.actor_rules.setdefault(key, []).append((t0, t1))


class Emitter:
    """Collects one chunk's records, applies audit suppression and quirks, writes a sorted run file."""

    def __init__(self, ctx, day, chunk_id, src="u"):
        self.ctx = ctx
        self.day = day
        self.chunk_id = chunk_id
        self.src = src  # "u": Management API records of the mail mix, "o": the other workloads' records
        self.rng = rng_for(ctx.seed, "emit", day, chunk_id)
        self.idrng = rng_for(ctx.seed, "ids", day, chunk_id)
        self.lines = []
        self.seq = 0
        self.benign_label = BENIGN

    def new_id(self):
        return guid(self.idrng)

    # -- suppression (audit disabled / bypassed / throttled) -----------------------------------
    def _suppressed(self, ts, rec, mbx, label):
        ctx = self.ctx
        op = rec["Operation"]
        for t0, t1, what, owner in ctx.tenant_rules:
            # tenant-wide gaps hide benign records and the tampering instance's own; other scenario
            # instances stay observable so every scenario is present in every run
            if t0 <= ts < t1 and (what == "ual" or op in MAILBOX_OPS) and label[3] in ("", owner):
                return True
        if op not in MAILBOX_OPS:
            return False
        if mbx is not None and mbx in ctx.mbx_rules:
            for t0, t1, what in ctx.mbx_rules[mbx]:
                if t0 <= ts < t1:
                    if what == "all":
                        return True
                    if op == "MailItemsAccessed":
                        if what == "owner_mia" and rec["LogonType"] == 0:
                            return True
                        if what == "bind" and rec["OperationProperties"][0]["Value"] == "Bind":
                            return True
        for t0, t1 in ctx.actor_rules.get(rec["UserId"], ()):
            if t0 <= ts < t1:
                return True
        return False

    def ual(self, ts, rec, label=BENIGN, mbx=None, edge=None, exempt=False, quirk_ok=True):
        ctx = self.ctx
        if label is BENIGN:
            label = self.benign_label
        rules = ctx.tenant_rules or ctx.mbx_rules or ctx.actor_rules
        if not exempt and rules and self._suppressed(ts, rec, mbx, label):
            ctx.suppressed += 1
            return False
        ctype = CONTENT_TYPES[rec["Workload"]]
        self._add(ts, self.src, ctype, rec, label, edge, quirk_ok)
        return True

    def eh(self, ts, rec, label=BENIGN, quirk_ok=True):
        if label is BENIGN:
            label = self.benign_label
        self._add(ts, "e", rec["category"], rec, label, None, quirk_ok)
        return True

    def _delay(self, key):
        fixed, median, sigma, cap = DELAYS[key]
        return fixed + min(cap, self.rng.lognormvariate(math.log(median), sigma))

    def _add(self, ts, src, ctype, rec, label, edge, quirk_ok):
        rng = self.rng
        if ts < self.ctx.start_ts or ts >= self.ctx.end_ts:
            self.ctx.clipped += 1
            return
        self.ctx.generated += 1
        deliver = ts + self._delay(ctype if src != "e" else "e")
        kind, quirk, clean = "normal", "", ""
        if edge:
            kind, quirk = "edge", edge
        # meta before mutation
        if src != "e":
            wl = rec["Workload"]
            rid = rec["Id"]
            rkind = "ual:" + rec["Operation"]
            rtype = str(rec["RecordType"])
            op = rec["Operation"]
            user = rec.get("UserId") or ""
            ctime = rec["CreationTime"]
        else:
            props = rec["properties"]
            rid = props.get("id") or props.get("requestId")
            wl = "AzureMonitor"
            rkind = rec["category"]
            rtype, op = "", rec["category"]
            user = props.get("userPrincipalName") or props.get("servicePrincipalName") or ""
            ctime = ual_time(ts)
        dup = None
        if quirk_ok and not edge and rng.random() < self.ctx.quirk_rate:
            quirk = quirks.pick(rng, rec, src)
            if quirk == "duplicate_id":
                line = quirks.dumps(rec)
                dup = line
                quirk = ""
            else:
                line, clean = quirks.apply(rng, rec, quirk, ts)
                kind = "malformed" if quirk in quirks.MALFORMED else "edge"
                clean = clean or ""
                if src != "e":
                    ctime = rec["CreationTime"] if isinstance(rec.get("CreationTime"), str) else ctime
        else:
            line = quirks.dumps(rec)
        scenario, malicious, variant, instance = label
        self._push(deliver, src, ctype, rid, scenario, malicious, kind, quirk, rkind, variant, instance, ctime,
                   rtype, op, user, wl, line, clean)
        if dup is not None:
            self._push(deliver + 60 + rng.random() * 5400, src, ctype, rid, scenario, malicious, "edge",
                       "duplicate_id", rkind, variant, instance, ctime, rtype, op, user, wl, dup, "")

    def _push(self, deliver, *fields):
        self.seq += 1
        key = "%013d%06d%07d" % (int(deliver * 1000), self.chunk_id, self.seq)
        self.lines.append(key + "\t" + "\t".join(str(f) for f in fields) + "\n")

    def flush(self):
        if not self.lines:
            return None
        self.lines.sort()
        path = os.path.join(self.ctx.tmpdir, "run-%04d-%06d.txt" % (self.day, self.chunk_id))
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(self.lines)
        self.lines = []
        return path


class Writer:
    """Writes the merged stream to records.jsonl, blobs.jsonl, eventhub.jsonl, purview.csv, syslog.log, labels."""

    def __init__(self, out, seed, formats, trim_bytes, hostname):
        self.out = out
        self.formats = formats
        self.trim = trim_bytes
        self.host = hostname
        self.rng = rng_for(seed, "writer")
        self.other_rng = rng_for(seed, "writer", "other-workloads")
        self.line_no = 0
        self.counts = {}
        self.workloads = {}
        self.kinds = {}
        self.malicious = 0
        self.scenario_counts = {}
        self.written = {k: 0 for k in OUTPUTS}
        self.bytes = {k: 0 for k in OUTPUTS}
        self.files = {}
        self.files["records"] = open(os.path.join(out, "records.jsonl"), "w", encoding="utf-8", newline="\n")
        self.files["labels"] = open(os.path.join(out, "labels.csv"), "w", encoding="utf-8", newline="")
        self.labels = csv.writer(self.files["labels"], lineterminator="\n")
        self.labels.writerow(LABEL_HEADER)
        if "blobs" in formats:
            self.files["blobs"] = open(os.path.join(out, "blobs.jsonl"), "w", encoding="utf-8", newline="\n")
        if "eventhub" in formats:
            self.files["eventhub"] = open(os.path.join(out, "eventhub.jsonl"), "w", encoding="utf-8", newline="\n")
        if "purview" in formats:
            self.files["purview"] = open(os.path.join(out, "purview.csv"), "w", encoding="utf-8", newline="")
            self.purview = csv.writer(self.files["purview"], lineterminator="\r\n")
            self.purview.writerow(PURVIEW_HEADER)
        if "syslog" in formats:
            self.files["syslog"] = open(os.path.join(out, "syslog.log"), "w", encoding="utf-8", newline="\n")
        self.blob_buf = {}     # content type (+ "+other") -> [lines, bytes, first delivery ms, target bytes, window ms]
        self.hub_buf = {}      # category -> [lines, bytes, first delivery ms, target count]

    def _room(self, name, size):
        if self.trim is None or name in ("records", "labels"):
            return True
        return self.bytes[name] + size <= self.trim

    def _emit(self, name, text):
        if self._room(name, len(text)):
            self.files[name].write(text)
            self.bytes[name] += len(text)
            self.written[name] += 1

    def merge(self, paths, cutoff_ms, carry_path):
        files = [open(p, encoding="utf-8") for p in paths]
        carry = None
        try:
            for raw in heapq.merge(*files):
                if cutoff_ms is not None and int(raw[:13]) >= cutoff_ms:
                    if carry is None:
                        carry = open(carry_path, "w", encoding="utf-8")
                    carry.write(raw)
                    continue
                self._one(raw)
        finally:
            for f in files:
                f.close()
            for p in paths:
                os.unlink(p)
            if carry is not None:
                carry.close()
        return carry_path if carry is not None else None

    def _one(self, raw):
        (key, src, ctype, rid, scenario, malicious, kind, quirk, rkind, variant, instance, ctime, rtype, op, user,
         wl, line, clean) = raw.rstrip("\n").split("\t")
        deliver_ms = int(key[:13])
        self.line_no += 1
        self.files["records"].write(line + "\n")
        self.labels.writerow((rid, scenario, malicious, kind, quirk, rkind, variant, instance, self.line_no, ctime))
        self.counts[rkind] = self.counts.get(rkind, 0) + 1
        self.workloads[wl] = self.workloads.get(wl, 0) + 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if malicious == "1":
            self.malicious += 1
        if scenario != "benign":
            self.scenario_counts[scenario] = self.scenario_counts.get(scenario, 0) + 1
        body = clean or line
        if "syslog" in self.files:
            app = "o365-mgmt-api" if src != "e" else "azure-eventhub"
            self._emit("syslog", "<134>1 %s %s %s - %s - %s\n" % (iso_ms(deliver_ms / 1000.0), self.host, app,
                                                                 ctype, line))
        if src != "e":
            if "purview" in self.files and self._room("purview", len(body) + 200):
                cdate = ctime[:19] + ".0000000Z"
                name = RECORD_TYPE_NAMES.get(int(rtype), rtype) if rtype.isdigit() else rtype
                self.purview.writerow((rid, cdate, name, op, user, body, "", ""))
                self.bytes["purview"] += len(body) + len(rid) + 80
                self.written["purview"] += 1
            if "blobs" in self.files:
                self._blob(ctype if src == "u" else ctype + "+other", body, deliver_ms)
        elif "eventhub" in self.files:
            self._hub(ctype, body, deliver_ms)

    # -- Management API content blobs: a JSON array per line, KB to MB --------------------------
    def _blob(self, ctype, body, deliver_ms):
        """One blob per content type at a time; the other workloads' records fill blobs of their own
        (keyed "<content type>+other", sized from their own random stream)."""
        buf = self.blob_buf.get(ctype)
        if buf is not None and (deliver_ms - buf[2] > buf[4]):
            self._flush_blob(ctype)
            buf = None
        if buf is None:
            rng = self.other_rng if ctype.endswith("+other") else self.rng
            target = int(math.exp(rng.uniform(math.log(4096), math.log(6 * 1024 * 1024))))
            window = rng.randint(5, 60) * 60000
            buf = self.blob_buf[ctype] = [[], 0, deliver_ms, target, window]
        buf[0].append(body)
        buf[1] += len(body) + 1
        if buf[1] >= buf[3]:
            self._flush_blob(ctype)

    def _flush_blob(self, ctype):
        buf = self.blob_buf.pop(ctype, None)
        if buf and buf[0]:
            self._emit("blobs", "[" + ",".join(buf[0]) + "]\n")

    # -- Event Hub: {"records":[...]} batches of one category ----------------------------------
    def _hub(self, category, body, deliver_ms):
        buf = self.hub_buf.get(category)
        if buf is not None and (deliver_ms - buf[2] > 120000 or buf[1] + len(body) > 900000):
            self._flush_hub(category)
            buf = None
        if buf is None:
            target = max(1, int(math.exp(self.rng.uniform(0, math.log(80)))))
            buf = self.hub_buf[category] = [[], 0, deliver_ms, target]
        buf[0].append(body)
        buf[1] += len(body) + 1
        if len(buf[0]) >= buf[3]:
            self._flush_hub(category)

    def _flush_hub(self, category):
        buf = self.hub_buf.pop(category, None)
        if buf and buf[0]:
            self._emit("eventhub", '{"records":[' + ",".join(buf[0]) + "]}\n")

    def close(self):
        for ctype in sorted(self.blob_buf):
            self._flush_blob(ctype)
        for cat in sorted(self.hub_buf):
            self._flush_hub(cat)
        for f in self.files.values():
            f.close()


def write_policy(out, tenant):
    with open(os.path.join(out, "policy.json"), "w", encoding="utf-8") as f:
        json.dump(tenant.policy(), f, indent=2, sort_keys=False)
        f.write("\n")


def write_ip_ranges(out, rows):
    with open(os.path.join(out, "ip-ranges.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("cidr", "country", "asn", "as_org", "hosting", "latitude", "longitude"))
        for row in rows:
            w.writerow(row)
