#!/usr/bin/env python3
"""Seeded synthetic Microsoft 365 tenant: mailbox-access audit records with labelled attacks.

Mail, Entra ID and Graph activity with labelled attacks, plus benign SharePoint, OneDrive and Teams
records as the larger share of the feed (--other-workloads). Writes, into --out, the same events in
several transports: records.jsonl (one record per line, in delivery order), blobs.jsonl (Management
API content blobs), eventhub.jsonl (Azure Monitor Event Hub batches), purview.csv (Purview audit
export), syslog.log (RFC 5424), plus labels.csv, policy.json, ip-ranges.csv and scenarios.json.
Same arguments give byte-identical files.
Python 3 standard library only.
"""

import argparse
import json
import os
import resource
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benign  # noqa: E402
from common import epoch_of_date, ual_time  # noqa: E402
import networks  # noqa: E402
from outputs import OTHER_WORKLOADS, OUTPUTS, Context, Emitter, Writer, write_ip_ranges, write_policy  # noqa: E402
import scenarios  # noqa: E402
from tenant import Tenant  # noqa: E402
import workloads  # noqa: E402

CHUNK_MAILBOXES = 500  # mailboxes generated per run file; fixed so output never depends on it


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="tenantgen.py",
        description=__doc__.split("\n\n")[0],
        epilog="Scenario names, variants and parameter ranges: tools/tenantgen/scenarios.py (SCENARIOS). "
               "Output formats and label columns: tools/tenantgen/README.md.")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--mailboxes", type=int, default=200, help="number of mailboxes, >= 20 (default 200)")
    ap.add_argument("--days", type=int, default=7, help="number of days to generate (default 7)")
    ap.add_argument("--out", required=True, help="output directory (created if missing; files overwritten)")
    ap.add_argument("--quiet-days", type=int, default=None,
                    help="leading days without any attack or look-alike scenario (default days // 3)")
    ap.add_argument("--start", default="2026-11-02", help="first day, UTC, YYYY-MM-DD (default 2026-11-02, a Monday)")
    ap.add_argument("--tenant-domain", default="contoso.example", help="tenant domain (default contoso.example)")
    ap.add_argument("--activity", type=float, default=1.0,
                    help="scale of benign per-user activity (default 1.0)")
    ap.add_argument("--attack-scale", type=float, default=1.0,
                    help="multiplier on scenario instance counts (default 1.0; every selected scenario still "
                         "appears at least once)")
    ap.add_argument("--scenarios", default="all",
                    help="comma list of scenario names to inject (default all; see scenarios.py SCENARIOS)")
    ap.add_argument("--other-workloads", type=float, default=0.6, metavar="SHARE",
                    help="share of all records that are benign SharePoint, OneDrive and Teams records "
                         "(default 0.6; 0 leaves them out and gives exactly the mail-only output)")
    ap.add_argument("--quirk-rate", type=float, default=0.004,
                    help="share of records given a malformed/edge quirk (default 0.004)")
    ap.add_argument("--formats", default=",".join(OUTPUTS),
                    help="comma list of outputs to write; records and labels are always written "
                         "(default %s)" % ",".join(OUTPUTS))
    ap.add_argument("--trim-bytes", type=int, default=None,
                    help="stop appending to blobs/eventhub/purview/syslog once a file reaches this size "
                         "(records.jsonl and labels.csv stay complete)")
    args = ap.parse_args(argv)
    if args.mailboxes < 20:
        ap.error("--mailboxes must be at least 20")
    if args.days < 1:
        ap.error("--days must be at least 1")
    if args.quiet_days is None:
        args.quiet_days = args.days // 3
    if args.quiet_days < 0:
        ap.error("--quiet-days must be >= 0")
    if not 0.0 <= args.other_workloads <= 0.95:
        ap.error("--other-workloads must be between 0 and 0.95")
    formats = set(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = formats - set(OUTPUTS)
    if unknown:
        ap.error("unknown format(s): %s" % ", ".join(sorted(unknown)))
    args.formats = formats | {"records", "labels"}
    if args.scenarios == "all":
        args.scenarios = None
    else:
        args.scenarios = set(s.strip() for s in args.scenarios.split(",") if s.strip())
        bad = args.scenarios - set(scenarios.SCENARIOS)
        if bad:
            ap.error("unknown scenario(s): %s" % ", ".join(sorted(bad)))
    return args


def instance_summary(ctx, insts):
    t = ctx.tenant
    out = []
    for inst in insts:
        out.append({
            "instance": inst.idx, "scenario": inst.name, "variant": inst.variant, "malicious": inst.malicious,
            "day": inst.day, "start": ual_time(inst.t0) if inst.t0 else None,
            "mailboxes": [t.mailboxes[v].upn for v in inst.victims][:200],
            "params": {k: v for k, v in inst.p.items()},
        })
    return out


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.time()
    tenant = Tenant(args.seed, args.mailboxes, args.tenant_domain, args.days, epoch_of_date(args.start))
    benign.register_tenant_clients(tenant)
    os.makedirs(args.out, exist_ok=True)
    tmpdir = os.path.join(args.out, ".tenantgen-tmp")
    shutil.rmtree(tmpdir, ignore_errors=True)
    os.makedirs(tmpdir)
    ctx = Context(tenant, args.seed, tmpdir, args.quirk_rate)
    insts = scenarios.plan(ctx, args.quiet_days, args.attack_scale, args.scenarios)
    scenarios.plan_throttle_rules(ctx, insts)
    write_policy(args.out, tenant)
    write_ip_ranges(args.out, networks.csv_rows())
    with open(os.path.join(args.out, "scenarios.json"), "w", encoding="utf-8") as f:
        json.dump({"seed": args.seed, "mailboxes": args.mailboxes, "days": args.days, "start": args.start,
                   "quiet_days": args.quiet_days, "instances": instance_summary(ctx, insts)}, f, indent=1)
        f.write("\n")
    writer = Writer(args.out, args.seed, args.formats, args.trim_bytes, "o365-collector01." + args.tenant_domain)
    carry = None
    n = len(tenant.mailboxes)
    layout = workloads.Layout(tenant, args.seed) if args.other_workloads > 0 else None
    for day in range(args.days):
        runs = [carry] if carry else []
        day_lines = 0
        em = Emitter(ctx, day, 0)
        benign.tenant_day(ctx, em, day, args.activity)
        day_lines += em.seq
        runs.append(em.flush())
        em = Emitter(ctx, day, 1)
        scenarios.run_day(ctx, em, insts, day)
        day_lines += em.seq
        runs.append(em.flush())
        for c, lo in enumerate(range(0, n, CHUNK_MAILBOXES)):
            em = Emitter(ctx, day, 2 + c)
            for mbx in tenant.mailboxes[lo:lo + CHUNK_MAILBOXES]:
                benign.mailbox_day(ctx, em, mbx, day, args.activity)
            day_lines += em.seq
            runs.append(em.flush())
        if layout is not None:
            # the day's SharePoint/OneDrive/Teams records: share / (1 - share) per record of the day so far
            budget = workloads.DayBudget(layout, ctx, day, day_lines * args.other_workloads /
                                         (1.0 - args.other_workloads))
            for c, lo in enumerate(range(0, n, CHUNK_MAILBOXES)):
                em = Emitter(ctx, day, workloads.CHUNK_BASE + c, src="o")
                for mbx in tenant.mailboxes[lo:lo + CHUNK_MAILBOXES]:
                    workloads.person_day(layout, ctx, em, mbx, day, budget)
                runs.append(em.flush())
        cutoff = (tenant.start_epoch + (day + 1) * 86400) * 1000 if day < args.days - 1 else None
        carry = writer.merge([r for r in runs if r], cutoff, os.path.join(tmpdir, "carry-%04d.txt" % day))
        print("day %d/%d: %d records so far (%.0f s)" % (day + 1, args.days, writer.line_no, time.time() - started),
              file=sys.stderr, flush=True)
    writer.close()
    shutil.rmtree(tmpdir, ignore_errors=True)
    elapsed = time.time() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print_summary(args, writer, ctx, insts, peak_mb, elapsed)
    return 0


def print_summary(args, writer, ctx, insts, peak_mb, elapsed):
    print("tenantgen: seed=%d mailboxes=%d days=%d quiet_days=%d start=%s out=%s" % (
        args.seed, args.mailboxes, args.days, args.quiet_days, args.start, args.out))
    print("records written: %d (malicious %d; %s)" % (
        writer.line_no, writer.malicious, ", ".join("%s %d" % kv for kv in sorted(writer.kinds.items()))))
    print("records per workload:")
    other = sum(writer.workloads.get(w, 0) for w in OTHER_WORKLOADS)
    for wl, count in sorted(writer.workloads.items(), key=lambda kv: (-kv[1], kv[0])):
        print("  %-44s %9d" % ("Azure Monitor (sign-ins, Graph activity)" if wl == "AzureMonitor" else wl, count))
    print("  %-44s %9d (%.1f%% of all records; --other-workloads %.2f)" % (
        "SharePoint + OneDrive + MicrosoftTeams", other, 100.0 * other / max(1, writer.line_no),
        args.other_workloads))
    print("records per kind:")
    for kind, count in sorted(writer.counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print("  %-44s %9d" % (kind, count))
    writer.written["records"] = writer.written["labels"] = writer.line_no
    print("output lines: " + ", ".join("%s %d" % (k, writer.written[k]) for k in OUTPUTS if k in writer.files))
    print("scenarios injected: %d instances" % len(insts))
    per = {}
    for inst in insts:
        per.setdefault(inst.name, []).append(inst.variant)
    for name in scenarios.SCENARIOS:
        vs = per.get(name, [])
        print("  %-32s %3d  records %6d  variants: %s" % (
            name, len(vs), writer.scenario_counts.get(name, 0),
            ", ".join(sorted(set(vs)))))
    print("audit-suppressed records: %d; clipped outside the window: %d" % (ctx.suppressed, ctx.clipped))
    print("peak RSS: %.1f MB" % peak_mb)
    print("elapsed: %.1f s" % elapsed)


if __name__ == "__main__":
    sys.exit(main())
