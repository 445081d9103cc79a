#!/usr/bin/env python3
"""Prints what the demo's daemon run flagged and why (reads its output files)."""
import collections
import json
import os
import sys


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(out):
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
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
