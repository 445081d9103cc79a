#!/usr/bin/env bash
# The core engine alone: records per second and instructions per record for
# decode and for decode + detect at 10k, 100k and 1M tracked mailboxes, and
# the state's bytes per mailbox.  One command:
#
#   bash bench/core.sh [options]
#
# 1. tests/bench/bench-core on the tenant of bench/daemon.sh (seed 1, 1400
#    mailboxes x 7 days), pinned to one CPU: decode only, and decode + detect
#    (mbx_detector_is_trusted, mbx_detector_geo_lookup, mbx_state_observe_geo,
#    mbx_detector_evaluate_observed: what the parser runs per record) with the
#    state tracking each size; median of --rounds rounds.
# 2. The same under valgrind --tool=callgrind on the first --callgrind-records
#    records (instruction counts do not depend on the machine's load), and
#    the functions with the most instructions in decode + detect at the
#    largest size.
# 3. tests/bench/bench-state at 100k and 1M mailboxes: process memory growth
#    per mailbox, the mailbox table alone and all tables.
# Then the table, with the targets: decode + detect within 2x of decode
# alone; at 1M mailboxes no more than 3x slower than at 10k; at most 1 KiB per
# mailbox.  About 3 minutes.  See README.md, "Performance and robustness".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

usage() {
  cat <<EOF
usage: bash bench/core.sh [options]
  --sizes LIST            tracked mailboxes (default 10000,100000,1000000)
  --rounds R              timed rounds (default 3; the median is used)
  --callgrind-records N   records run under callgrind (default 20000; 0 skips callgrind)
  --state-sizes LIST      bench-state sizes (default 100000,1000000; "" skips it)
  --seed S, --mailboxes M the tenant (default 1 and 1400, as bench/daemon.sh)
  --other-workloads S     the tenant's share of SharePoint, OneDrive and Teams records (as bench/daemon.sh)
  --build-dir DIR         build directory (default build/; configured and built when needed)
  --out DIR               work directory (default \${TMPDIR:-/tmp}/mbx-bench/core)
EOF
}

sizes=10000,100000,1000000 rounds=3 cg_records=20000 state_sizes=100000,1000000 seed=1 mailboxes=1400 other=""
build_dir="$top/build" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --callgrind-records) cg_records=$2; shift 2 ;;
    --state-sizes) state_sizes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --mailboxes) mailboxes=$2; shift 2 ;;
    --other-workloads) other=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "core: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

bench_build "$build_dir" tests/bench/bench-core tests/bench/bench-state
bench_tenant "$seed" "$mailboxes" 7 "$other"
out=${out:-$bench_dir/core}
rm -rf "$out"
mkdir -p "$out"
core="$build_dir/tests/bench/bench-core"
pin=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then pin=(taskset -c 1); fi
t0=$(date +%s)

echo "== bench-core, timed (${pin[*]:-not pinned}), $rounds round(s)"
"${pin[@]}" "$core" --records "$tenant/records.jsonl" --policy "$policy" --sizes "$sizes" --rounds "$rounds" \
  | tee "$out/timed.txt" | grep -v '^RESULT'

if [ "$cg_records" -gt 0 ]; then
  if command -v valgrind >/dev/null; then
    echo
    echo "== bench-core under callgrind, first $cg_records records"
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out" \
      "$core" --records "$tenant/records.jsonl" --policy "$policy" --sizes "$sizes" --limit "$cg_records" \
      > "$out/callgrind.txt" 2> "$out/callgrind.log" || { tail -20 "$out/callgrind.log" >&2; exit 1; }
    grep -v '^RESULT' "$out/callgrind.txt" | grep -v 'records/s' || true
  else
    echo "core: valgrind not found, no instruction counts" >&2
    cg_records=0
  fi
fi

if [ -n "$state_sizes" ]; then
  echo
  echo "== bench-state --sizes $state_sizes"
  "${pin[@]}" "$build_dir/tests/bench/bench-state" --sizes "$state_sizes" > "$out/state.txt"
  grep -E 'mailboxes in|RSS growth|^    (mailboxes|actors|mailbox_apps) ' "$out/state.txt"
fi

echo
python3 - "$out" "$sizes" "$cg_records" "$state_sizes" <<'PY'
import glob, os, re, sys
out, sizes, cg_records, state_sizes = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4]

def results(path):
    r = {}
    if os.path.exists(path):
        for line in open(path):
            p = line.split()
            if p and p[0] == "RESULT":
                r[tuple(p[1:-1])] = float(p[-1])
    return r

t = results(os.path.join(out, "timed.txt"))
ir = {}
for f in glob.glob(os.path.join(out, "callgrind.out.*")):
    desc = total = None
    for line in open(f):
        if line.startswith("desc: Trigger: Client Request: "):
            desc = line[len("desc: Trigger: Client Request: "):].strip()
        elif line.startswith("totals:") or line.startswith("summary:"):
            total = int(line.split()[1])
    if desc and total:
        ir[desc] = total
cg_n = results(os.path.join(out, "callgrind.txt")).get(("records",))

print("== core engine, one thread: %d records of the tenant (median of the timed rounds); instructions from callgrind"
      " over the first %s" % (t.get(("records",), 0), int(cg_n) if cg_n else "-"))
print("%-24s %12s %10s %14s %20s %14s" % ("pass", "records/s", "us/record", "x decode alone", "instr/record",
                                          "x slower than 10k"))
dec = t.get(("decode_rps",))
dec_ir = ir.get("decode", 0) / cg_n if cg_n else None
print("%-24s %12.0f %10.2f %14s %20s %14s" % ("decode only", dec, 1e6 / dec, "1.00",
                                              "%.0f" % dec_ir if dec_ir else "-", ""))
base = None
verdict = []
for s in sizes:
    rps = t.get(("detect_rps", s))
    if rps is None:
        continue
    tracked = int(t.get(("tracked", s), 0))
    n_ir = ir.get("detect %s" % s, 0) / cg_n if cg_n else None
    base = base or rps
    ratio = t.get(("ratio", s), dec / rps)
    print("%-24s %12.0f %10.2f %14.2f %20s %14.2f" % (
        "decode+detect %s" % ("{:,}".format(tracked)), rps, 1e6 / rps, ratio,
        "%.0f (%.2fx)" % (n_ir, n_ir / dec_ir) if n_ir else "-", base / rps))
    verdict.append((s, rps, ratio, n_ir / dec_ir if n_ir else None))
if verdict:
    worst = max(v[2] for v in verdict)
    print("target decode+detect within 2x of decode alone: worst %.2fx in time%s  %s" % (
        worst, ", %.2fx in instructions" % max(v[3] for v in verdict) if verdict[0][3] else "",
        "PASS" if worst <= 2 else "MISS"))
    first, last = verdict[0][1], verdict[-1][1]
    print("target at %s no more than 3x slower than at %s: %.2fx  %s" % (
        verdict[-1][0], verdict[0][0], first / last, "PASS" if first / last <= 3 else "MISS"))
st = results(os.path.join(out, "state.txt"))
if state_sizes:
    print("memory (bench-state, process RSS growth / mailboxes; target at most 1 KiB per mailbox, aim 512 B):")
    for s in state_sizes.split(","):
        mb = st.get(("mailbox_bytes_per_mailbox", s))
        full = st.get(("full_bytes_per_mailbox", s))
        if mb is None:
            continue
        print("  %9s mailboxes: %4.0f B per mailbox (windows and baselines)  %s; %4.0f B with the actor and "
              "(mailbox, app) tables" % ("{:,}".format(int(s)), mb, "PASS" if mb <= 1024 else "MISS", full))
PY

if [ "$cg_records" -gt 0 ] && command -v callgrind_annotate >/dev/null; then
  last=${sizes##*,}
  f=$(grep -l "Client Request: detect $last\$" "$out"/callgrind.out.* | head -1 || true)
  if [ -n "$f" ]; then
    echo
    echo "functions with the most instructions of their own, decode + detect at $last (callgrind_annotate $f):"
    callgrind_annotate "$f" 2>/dev/null | awk '/file:function/{go=1; next} go && NF' | head -20 \
      | grep -v '^-' | sed -E 's# \[[^]]*\]$##; s#[^ ]*/\.\./##; s# [^ ]*/([^/: ]+):# \1:#' | cut -c1-150
  fi
fi
echo "elapsed: $(( $(date +%s) - t0 ))s; outputs in $out"
