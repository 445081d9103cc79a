#!/usr/bin/env python3
"""Prints what the demo's daemon run flagged and why (reads its output files)."""
import collections
import csv
import json
import os
import sys


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(out, labels_path=None):
    flagged = read_jsonl(os.path.join(out, "flagged.jsonl"))
    other = read_jsonl(os.path.join(out, "other.jsonl"))
    unparsed_path = os.path.join(out, "unparsed.log")
    unparsed = open(unparsed_path, encoding="utf-8", errors="replace").read().splitlines() if os.path.exists(unparsed_path) else []

    def mbx(rec):
        return rec.get("_mbx", rec)

    print()
    print(f"records decoded: {len(flagged) + len(other)}   flagged: {len(flagged)}   unparsed (passed through): {len(unparsed)}")
    by_rule = collections.Counter()
    for rec in flagged:
        for rule in mbx(rec).get("rules", "").split(","):
            by_rule[rule] += 1
    if by_rule:
        print("\nflags by rule:")
        for rule, n in by_rule.most_common():
            print(f"  mailbox.rule.{rule:<16} {n}")
    print("\nflagged records (first 25):")
    print(f"  {'score':>5}  {'rules':<26} {'mailbox':<28} {'app':<38} reason")
    for rec in flagged[:25]:
        m = mbx(rec)
        print(f"  {m.get('score', ''):>5}  {m.get('rules', ''):<26} {m.get('mailbox', '-'):<28} {m.get('app_id', '-'):<38} {m.get('reason', '')}")
    if len(flagged) > 25:
        print(f"  ... {len(flagged) - 25} more in {os.path.join(out, 'flagged.jsonl')}")
    kinds = collections.Counter(mbx(r).get("kind", "?") for r in other)
    print("\nnot flagged, by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    if labels_path and os.path.exists(labels_path):
        score_against_labels(flagged, other, labels_path, mbx)
    return 0


def score_against_labels(flagged, other, labels_path, mbx):
    """Per scenario: how many of its records the run flagged, against the generator's ground truth."""
    labels = {}
    with open(labels_path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            labels[row["id"]] = row
    flagged_ids = {mbx(r).get("id") for r in flagged}
    seen = [mbx(r).get("id") for r in flagged + other]
    per = collections.defaultdict(lambda: [0, 0])
    false_flags = 0
    for rid in seen:
        row = labels.get(rid)
        if not row:
            continue
        key = row["scenario"] if row["malicious"] == "1" else "benign"
        per[key][0] += 1
        per[key][1] += rid in flagged_ids
        false_flags += row["malicious"] != "1" and rid in flagged_ids
    print("\nsample tenant, against its ground-truth labels (records decoded / flagged; an attack is")
    print("detected when any of its records is flagged: the rules flag the records that show it):")
    detected = 0
    attacks = [k for k in per if k != "benign"]
    for key, (n, hit) in sorted(per.items(), key=lambda kv: (kv[0] == "benign", kv[0])):
        mark = "" if key == "benign" else ("detected" if hit else "missed")
        detected += key != "benign" and hit > 0
        print(f"  {key:<34} {n:>6} / {hit:<6} {mark}")
    print(f"  {detected} of {len(attacks)} attack scenarios detected; benign records flagged: {false_flags}")

if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
