#!/usr/bin/env bash
# bench/daemon.sh at a small size (see tests/bench/meson.build): checks that
# each shape printed its table and that every message was accounted for.
set -euo pipefail
top=$1 module_dir=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
log="$out/daemon.log"
MBX_BENCH_DIR="$out/bench" bash "$top/bench/daemon.sh" --module-dir "$module_dir" --out "$out/work" \
  --mailboxes 60 --messages 6000 --rounds 1 --variants none,json,mbx,scl --connections 1,2 >"$log" 2>&1 || {
  cat "$log"; echo "daemon-smoke: bench/daemon.sh failed" >&2; exit 1; }
cat "$log"
for k in "1 TCP connection," "2 TCP connections,"; do
  grep -q "over $k" "$log" || { echo "daemon-smoke: no table for $k" >&2; exit 1; }
done
grep -q '^every message accounted for, every shape: yes$' "$log" || {
  echo "daemon-smoke: not every message accounted for" >&2; exit 1; }
# the module saw every message in both shapes: records + unparsed == messages sent
python3 - "$out/work/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k, shape in d["shapes"].items():
    for r in shape["runs"]:
        if r["variant"] in ("mbx", "scl") and r["records"] + r["unparsed"] != r["sent"]:
            sys.exit("daemon-smoke: %s connection(s): records %d + unparsed %d != sent %d"
                     % (k, r["records"], r["unparsed"], r["sent"]))
print("daemon-smoke: records + unparsed == sent in every shape")
PY
