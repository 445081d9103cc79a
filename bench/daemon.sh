#!/usr/bin/env bash
# Throughput and memory in the real daemon, its pipelines side by side: one command.
#
#   bash bench/daemon.sh [options]
#
# Builds the module (if needed), generates a tenant with tools/tenantgen (the
# default mix, seed 1, 1400 mailboxes x 7 days: about 568,000 records, 60% of
# them SharePoint, OneDrive and Teams, of which
# the first 200,000 are sent), and runs bench/daemon.py: loggen over TCP on
# 127.0.0.1 into /usr/sbin/syslog-ng with flow control, the same messages
# through (1) no parser, (2) json-parser(), (3) json-parser() + grouping-by(),
# (4) mailbox-monitor() with the full catalogue, (4') the same with
# prescreen(no) (every record decoded), --rounds times each,
# interleaved, once over one TCP connection and once over two (two loggen
# processes; --connections); then a table for each: messages per syslog-ng
# CPU second, thread switches per message, peak RSS, the ratios 4/2 and 4/3
# with the targets.  About 15 s per round and connection count on two cores
# (three rounds by default, plus 5.5 s for each mailbox-monitor variant in the
# last round, for the late count;
# --profile adds about 10 s), plus about 11 s the first time for the tenant.
# See README.md, "Performance and robustness".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

usage() {
  cat <<EOF
usage: bash bench/daemon.sh [options]
  --messages N          messages per variant (default 200000)
  --rounds R            rounds of the variants (default 3; the table gives the median)
  --connections LIST    for each count, a table with the messages dealt over that many loggen
                        processes and TCP connections (default 1,2)
  --source-options OPTS more options of the network() source in every variant but scl and
                        scl-fetch10, such as 'log-fetch-limit(100)' (default none: syslog-ng's
                        defaults)
  --seed S              tenant seed (default 1)
  --mailboxes M         tenant mailboxes (default 1400: enough records for 200,000 messages)
  --other-workloads S   the tenant's share of SharePoint, OneDrive and Teams records (default
                        tenantgen's, 0.6; 0: mail, Entra and Graph records only)
  --grouping-cap-mib C  stop (3) when syslog-ng's VmRSS reaches C MiB (default 1024)
  --variants LIST       some of none,json,grouping,mbx,mbx-decode-all,scl,scl-fetch10 (default
                        none,json,grouping,mbx,mbx-decode-all; scl runs the SCL block as shipped,
                        scl-fetch10 the same with log-fetch-limit(10))
  --profile             then run (4) once more under perf record and print where the time goes
  --no-pin              do not pin syslog-ng (CPU 1) and loggen (CPU 0) with taskset
  --build-dir DIR       build directory (default build/; configured and built when needed)
  --module-dir DIR      use libmailbox-monitor.so from DIR and build nothing
  --out DIR             work directory (default \${TMPDIR:-/tmp}/mbx-bench/daemon)
EOF
}

messages=200000 rounds=3 seed=1 mailboxes=1400 other="" cap=1024 variants=none,json,grouping,mbx,mbx-decode-all
connections=1,2 source_options="" profile="" nopin="" build_dir="$top/build" module_dir="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --source-options) source_options=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --mailboxes) mailboxes=$2; shift 2 ;;
    --other-workloads) other=$2; shift 2 ;;
    --grouping-cap-mib) cap=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --profile) profile=--profile; shift ;;
    --no-pin) nopin=--no-pin; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --module-dir) module_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "daemon: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

command -v loggen >/dev/null || { echo "daemon: loggen not found (Debian: syslog-ng-core)" >&2; exit 2; }
if [ -n "$profile" ] && ! command -v perf >/dev/null; then
  echo "daemon: --profile needs perf (Debian: linux-perf)" >&2; exit 2
fi
if [ -z "$module_dir" ]; then
  bench_build "$build_dir" modules/syslog-ng/libmailbox-monitor.so
  module_dir="$build_dir/modules/syslog-ng"
fi
module_dir=$(cd "$module_dir" && pwd)
[ -f "$module_dir/libmailbox-monitor.so" ] || { echo "daemon: no libmailbox-monitor.so in $module_dir" >&2; exit 2; }

bench_tenant "$seed" "$mailboxes" 7 "$other"
out=${out:-$bench_dir/daemon}
mkdir -p "$out"

echo "== tenant: seed $seed, $mailboxes mailboxes x 7 days ($(wc -l < "$tenant/records.jsonl") records); module $module_dir"
t0=$(date +%s)
python3 "$top/bench/daemon.py" --module-dir "$module_dir" --records "$tenant/records.jsonl" --policy "$policy" \
  --out "$out" --messages "$messages" --rounds "$rounds" --grouping-cap-mib "$cap" --variants "$variants" \
  --json "$out/summary.json" --connections "$connections" --source-options="$source_options" $profile $nopin
echo "elapsed: $(( $(date +%s) - t0 ))s; every run in $out/summary.json"
