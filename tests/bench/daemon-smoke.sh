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
# from the runs themselves, not the harness's own verdict: every variant of both shapes ran, received
# what was sent and wrote or dropped all of it, and the module saw every message
python3 - "$out/work/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if sorted(d["shapes"]) != ["1", "2"]:
    sys.exit("daemon-smoke: shapes %s, not 1 and 2" % sorted(d["shapes"]))
for k, shape in d["shapes"].items():
    ran = sorted(r["variant"] for r in shape["runs"])
    if ran != ["json", "mbx", "none", "scl"]:
        sys.exit("daemon-smoke: %s connection(s): ran %s" % (k, ran))
    for r in shape["runs"]:
        if r["received"] != r["sent"] or r["written"] + r["discarded"] != r["received"]:
            sys.exit("daemon-smoke: %s connection(s), %s: sent %s, received %s, written %s, dropped %s"
                     % (k, r["variant"], r["sent"], r["received"], r["written"], r["discarded"]))
        if r["variant"] in ("mbx", "scl") and r["records"] + r["unparsed"] != r["sent"]:
            sys.exit("daemon-smoke: %s connection(s), %s: records %d + unparsed %d != sent %d"
                     % (k, r["variant"], r["records"], r["unparsed"], r["sent"]))
print("daemon-smoke: every message accounted for, and seen by the module, in every shape")
PY
