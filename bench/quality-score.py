#!/usr/bin/env python3
"""Scores the daemon's verdicts on a generated tenant against its labels.

    python3 bench/quality-score.py --tenant DIR --verdicts DIR/verdicts.jsonl [--check MODE]

Run by bench/quality.sh; see README.md, "Detection quality".

Inputs:
  TENANT/labels.csv      one row per records.jsonl line (tools/tenantgen/README.md)
  TENANT/scenarios.json  the planned instances, the tenant's size, start and quiet days
  TENANT/records.jsonl   only counted (lines)
  verdicts.jsonl         one JSON object per message the daemon passed on, in
                         delivery order: id, t (event time, UTC microseconds),
                         score, rules, mailbox, kind, tags, reason

Verdicts are matched to labels by record id; an id delivered twice
(the duplicate_id quirk) takes its label rows in order.

Definitions:
  instance detected  any record of the instance tagged mailbox.suspicious
  time to detect     event time of the instance's first suspicious record
                     (in delivery order) minus the creation time of the
                     instance's earliest record
  record precision   malicious records among the suspicious ones
  false positive     a record labelled malicious=0 (background traffic or a
                     benign_* look-alike) tagged suspicious, counted on the
                     evaluation days (the days after the quiet days), per
                     1,000 mailbox-days of those days

--check (for the test suite):
  accounting   exit 1 unless every record is accounted for: decoded records ==
               lines - malformed lines + array-wrapped lines (an array is
               split into its record), and every decoded record has a label
  KIND,KIND..  accounting, and exit 1 when one of these scenario kinds has no
               detected instance
"""

import argparse
import collections
import csv
import datetime
import json
import statistics
import sys

SUSPICIOUS = "mailbox.suspicious"
UNPARSED = "mailbox.unparsed"
FP_TARGET = 1.0  # false positives per 1,000 mailbox-days


def parse_time(text):
    """creation_time of labels.csv: ISO 8601, UTC, maybe without zone or with fractions."""
    text = text.strip().rstrip("Z")
    if "+" in text[10:]:
        text = text[:10] + text[10:].split("+")[0]
    if "." in text:
        head, frac = text.split(".", 1)
        text = head + "." + (frac + "000000")[:6]
        fmt = "%Y-%m-%dT%H:%M:%S.%f"
    else:
        fmt = "%Y-%m-%dT%H:%M:%S"
    dt = datetime.datetime.strptime(text, fmt).replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp() * 1000000)


def fmt_duration(us):
    if us is None:
        return "-"
    s = us / 1e6
    sign = "-" if s < 0 else ""
    s = abs(s)
    if s < 90:
        return "%s%.0fs" % (sign, s)
    if s < 5400:
        return "%s%.1fm" % (sign, s / 60)
    if s < 172800:
        return "%s%.1fh" % (sign, s / 3600)
    return "%s%.1fd" % (sign, s / 86400)


def median(values):
    return statistics.median(values) if values else None


def table(headers, rows, out):
    widths = [len(h) for h in headers]
    for r in rows:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(str(c)))
    line = "  ".join("%-*s" % (w, h) for w, h in zip(widths, headers))
    out.append(line.rstrip())
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out.append("  ".join("%-*s" % (w, str(c)) for w, c in zip(widths, r)).rstrip())


def rules_of(v):
    return ",".join(sorted(r for r in v.get("rules", "").split(",") if r)) or "(none)"


class Instance:
    def __init__(self, scenario, variant, instance, malicious):
        self.scenario, self.variant, self.instance, self.malicious = scenario, variant, instance, malicious
        self.first_created = None
        self.records = 0
        self.decoded = 0
        self.suspicious = 0
        self.first_alert_time = None  # event time of the first suspicious record delivered
        self.best_score = 0
        self.rules = collections.Counter()       # on suspicious records
        self.rules_below = collections.Counter()  # rules that fired on records below the alert score

    @property
    def detected(self):
        return self.suspicious > 0

    @property
    def ttd(self):
        if self.first_alert_time is None or self.first_created is None:
            return None
        return self.first_alert_time - self.first_created


def load(args):
    with open(args.tenant + "/scenarios.json", encoding="utf-8") as f:
        meta = json.load(f)
    labels = []
    with open(args.tenant + "/labels.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels.append(row)
    with open(args.tenant + "/records.jsonl", "rb") as f:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    verdicts = []
    with open(args.verdicts, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                verdicts.append(json.loads(line))
            except ValueError:
                sys.stderr.write("quality-score: verdicts line %d is not JSON\n" % n)
                verdicts.append({"tags": "", "bad": True})
    return meta, labels, lines, verdicts


def score(args):
    meta, labels, lines, verdicts = load(args)
    out = []
    problems = []

    mailboxes = int(meta["mailboxes"])
    days = int(meta["days"])
    quiet = int(meta["quiet_days"])
    start_us = parse_time(meta["start"] + "T00:00:00")
    eval_start_us = start_us + quiet * 86400 * 1000000
    eval_mbx_days = mailboxes * (days - quiet)

    # ---- labels ----------------------------------------------------------
    by_id = collections.defaultdict(collections.deque)
    instances = {}
    malformed = array_wrapped = 0
    for row in labels:
        row["_created"] = parse_time(row["creation_time"]) if row["creation_time"] else None
        if row["kind"] == "malformed":
            malformed += 1
            if row["quirk"] == "array_wrapped":
                array_wrapped += 1
        by_id[row["id"]].append(row)
        if row["scenario"] != "benign":
            key = (row["scenario"], row["variant"], row["instance"])
            inst = instances.get(key)
            if inst is None:
                inst = instances[key] = Instance(row["scenario"], row["variant"], row["instance"],
                                                 row["malicious"] == "1")
            inst.records += 1
            if row["_created"] is not None and (inst.first_created is None or row["_created"] < inst.first_created):
                inst.first_created = row["_created"]
    # instances planned but with no record at all still count (as missed)
    for p in meta.get("instances", []):
        key = (p["scenario"], p["variant"], str(p["instance"]))
        if key not in instances:
            instances[key] = Instance(p["scenario"], p["variant"], str(p["instance"]), bool(p["malicious"]))

    # ---- verdicts --------------------------------------------------------
    decoded = unparsed = unmatched = 0
    susp_total = susp_malicious = 0
    fp_eval = []          # (row, verdict) of benign records flagged on evaluation days
    fp_learning = 0
    attacked = set()      # (mailbox, day) pairs with malicious records
    for v in verdicts:
        tags = v.get("tags", "").split(",")
        if UNPARSED in tags or v.get("bad"):
            unparsed += 1
            continue
        decoded += 1
        queue = by_id.get(v.get("id") or "")
        if not queue:
            unmatched += 1
            continue
        row = queue.popleft() if len(queue) > 1 else queue[0]
        suspicious = SUSPICIOUS in tags
        try:
            score_v = int(v.get("score") or 0)
        except ValueError:
            score_v = 0
        if row["malicious"] == "1" and v.get("mailbox"):
            attacked.add((v["mailbox"], row["creation_time"][:10]))
        if row["scenario"] != "benign":
            inst = instances[(row["scenario"], row["variant"], row["instance"])]
            inst.decoded += 1
            inst.best_score = max(inst.best_score, score_v)
            if suspicious:
                inst.suspicious += 1
                inst.rules[rules_of(v)] += 1
                if inst.first_alert_time is None and v.get("t"):
                    inst.first_alert_time = int(v["t"])
            elif v.get("rules"):
                inst.rules_below[rules_of(v)] += 1
        if not suspicious:
            continue
        susp_total += 1
        if row["malicious"] == "1":
            susp_malicious += 1
            continue
        created = row["_created"]
        if created is not None and created >= eval_start_us:
            fp_eval.append((row, v))
        else:
            fp_learning += 1

    expected_decoded = lines - malformed + array_wrapped
    out.append("records: %d lines, %d malformed (%d of them array-wrapped, split into their record); "
               "%d decoded (expected %d), %d unparsed, %d without a label"
               % (lines, malformed, array_wrapped, decoded, expected_decoded, unparsed, unmatched))
    if decoded != expected_decoded:
        problems.append("decoded %d records, expected %d" % (decoded, expected_decoded))
    if unmatched:
        problems.append("%d decoded records have no label" % unmatched)
    if len(labels) != lines:
        problems.append("labels.csv has %d rows for %d lines" % (len(labels), lines))
    out.append("tenant: %d mailboxes x %d days, first %d quiet (learning); evaluation: %d mailbox-days"
               % (mailboxes, days, quiet, eval_mbx_days))
    out.append("")

    # ---- attack scenarios ------------------------------------------------
    attacks = [i for i in instances.values() if i.malicious]
    lookalikes = [i for i in instances.values() if not i.malicious]
    rows = []
    by_kind = collections.defaultdict(list)
    for i in attacks:
        by_kind[i.scenario].append(i)
    for kind in sorted(by_kind):
        insts = by_kind[kind]
        variants = collections.defaultdict(list)
        for i in insts:
            variants[i.variant].append(i)
        det = [i for i in insts if i.detected]
        ttd = [i.ttd for i in det if i.ttd is not None]
        rows.append((kind, "(all)", "%d/%d" % (len(det), len(insts)), fmt_duration(median(ttd)), "", ""))
        for var in sorted(variants):
            vi = variants[var]
            vdet = [i for i in vi if i.detected]
            vttd = [i.ttd for i in vdet if i.ttd is not None]
            rules = collections.Counter()
            below = collections.Counter()
            for i in vi:
                rules.update(i.rules)
                below.update(i.rules_below)
            top = rules.most_common(1)[0][0] if rules else ""
            if not rules:
                best = max(i.best_score for i in vi)
                top = "(missed; best score %d%s)" % (best, (", fired: " + below.most_common(1)[0][0]) if below else "")
            rows.append(("", var, "%d/%d" % (len(vdet), len(vi)), fmt_duration(median(vttd)),
                         "%d/%d" % (sum(i.suspicious for i in vi), sum(i.records for i in vi)), top))
    out.append("Attack scenarios (instance detected = any of its records tagged %s)" % SUSPICIOUS)
    table(["scenario kind", "variant", "detected", "median TTD", "susp/records", "top rules on suspicious records"],
          rows, out)
    out.append("")

    # ---- look-alikes -----------------------------------------------------
    rows = []
    for i in sorted(lookalikes, key=lambda i: (i.scenario, i.variant, int(i.instance or 0))):
        top = i.rules.most_common(1)[0][0] if i.rules else ""
        rows.append((i.scenario, i.variant, i.instance, "FLAGGED" if i.detected else "quiet",
                     "%d/%d" % (i.suspicious, i.records), top))
    out.append("Benign look-alikes (should stay quiet)")
    table(["look-alike", "variant", "instance", "verdict", "susp/records", "top rules"], rows, out)
    out.append("")

    # ---- precision and false positives ----------------------------------
    precision = susp_malicious / susp_total if susp_total else None
    fp_rate = len(fp_eval) * 1000.0 / eval_mbx_days if eval_mbx_days else 0.0
    fp_bg = sum(1 for r, _ in fp_eval if r["scenario"] == "benign")
    fp_la = len(fp_eval) - fp_bg
    fp_mbx_days = len({(v.get("mailbox") or v.get("actor") or "?", r["creation_time"][:10]) for r, v in fp_eval})
    # context for tuning, not part of the target: false positives on a mailbox an attack touched
    # that day (its windows hold the attacker's reads too) and on records with a generator quirk
    fp_collateral = sum(1 for r, v in fp_eval if v.get("mailbox") and (v["mailbox"], r["creation_time"][:10]) in attacked)
    fp_quirk = sum(1 for r, _ in fp_eval if r["kind"] != "normal")
    out.append("suspicious records: %d, of which malicious %d: record precision %s"
               % (susp_total, susp_malicious, "%.3f" % precision if precision is not None else "-"))
    out.append("false positives on evaluation days: %d benign records (%d background, %d look-alike) = "
               "%.2f per 1,000 mailbox-days; %d distinct (mailbox, day) pairs; %d more during learning days"
               % (len(fp_eval), fp_bg, fp_la, fp_rate, fp_mbx_days, fp_learning))
    out.append("  of these: %d on a mailbox an attack touched the same day, %d on records with a generator quirk"
               % (fp_collateral, fp_quirk))
    out.append("")

    if fp_eval:
        combos = collections.Counter()
        kinds = collections.defaultdict(collections.Counter)
        where = collections.defaultdict(set)
        sample = {}
        for r, v in fp_eval:
            c = rules_of(v)
            combos[c] += 1
            kinds[c][r["record_kind"] + ("" if r["scenario"] == "benign" else " [%s]" % r["scenario"])] += 1
            where[c].add(v.get("mailbox") or v.get("actor") or "?")
            sample.setdefault(c, v.get("reason", ""))
        rows = []
        for c, n in combos.most_common(10):
            k = ", ".join("%s %d" % kv for kv in kinds[c].most_common(2))
            rows.append((n, "%.2f" % (n * 1000.0 / eval_mbx_days), len(where[c]), c, k))
        out.append("Rules on false positives (top 10 combinations, evaluation days)")
        table(["records", "per 1k mbx-days", "mailboxes/actors", "rules", "record kinds"], rows, out)
        out.append("")
        out.append("example reasons:")
        for c, _ in combos.most_common(10):
            out.append("  %s: %s" % (c, sample[c][:300]))
        out.append("")

    # ---- targets ---------------------------------------------------------
    missed_kinds = sorted(k for k, insts in by_kind.items() if not any(i.detected for i in insts))
    all_inst = sum(1 for i in attacks if i.detected)
    out.append("Targets")
    out.append("  %s  every attack scenario kind detected: %d/%d kinds%s (instances: %d/%d)"
               % ("PASS" if not missed_kinds else "MISS", len(by_kind) - len(missed_kinds), len(by_kind),
                  ("; missed: " + ", ".join(missed_kinds)) if missed_kinds else "", all_inst, len(attacks)))
    out.append("  %s  at most %.0f false positive per 1,000 mailbox-days: %.2f"
               % ("PASS" if fp_rate <= FP_TARGET else "MISS", FP_TARGET, fp_rate))

    result = {
        "kinds": len(by_kind), "missed_kinds": missed_kinds, "instances": len(attacks), "detected": all_inst,
        "precision": precision, "fp_per_1k": fp_rate, "fp_records": len(fp_eval), "decoded": decoded,
        "expected_decoded": expected_decoded, "unparsed": unparsed, "unmatched": unmatched,
        "lookalikes_flagged": sum(1 for i in lookalikes if i.detected), "lookalikes": len(lookalikes),
    }
    return out, problems, result, by_kind


def main():
    ap = argparse.ArgumentParser(description="Scores the daemon's verdicts against a tenant's labels.")
    ap.add_argument("--tenant", required=True, help="tenant directory (labels.csv, scenarios.json, records.jsonl)")
    ap.add_argument("--verdicts", required=True, help="the daemon's verdicts, one JSON object per line")
    ap.add_argument("--check", help="accounting, or a comma list of scenario kinds that must be detected")
    ap.add_argument("--json", help="also write the headline figures here as JSON")
    args = ap.parse_args()

    out, problems, result, by_kind = score(args)
    print("\n".join(out))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if not args.check:
        for p in problems:
            print("warning: %s" % p)
        return 0

    failed = list(problems)
    if args.check != "accounting":
        for kind in [k.strip() for k in args.check.split(",") if k.strip()]:
            if kind not in by_kind:
                failed.append("scenario kind %s is not in the tenant" % kind)
            elif not any(i.detected for i in by_kind[kind]):
                failed.append("scenario kind %s was not detected" % kind)
    for f in failed:
        print("CHECK FAILED: %s" % f)
    if not failed:
        print("CHECK PASSED (%s)" % args.check)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
