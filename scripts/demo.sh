#!/usr/bin/env bash
# The demo: installs what is missing, builds the module, runs it inside the
# real syslog-ng daemon on the sample records in examples/records/ and prints
# what was flagged and why.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"

out=$(mktemp -d /tmp/mailbox-monitor-demo.XXXXXX)
moduledir=$(pkg-config --variable=moduledir syslog-ng)

tenant="$top/examples/records/sample-tenant"
inputs=("$top/examples/records/demo.jsonl" "$tenant/records.jsonl.gz")

echo "mailbox-monitor demo: feeding ${#inputs[@]} files through /usr/sbin/syslog-ng"
for f in "${inputs[@]}"; do echo "  ${f#$top/}"; done

# the sample tenant's approved apps, as the quoted list approved-apps() takes
approved=$(python3 -c 'import json, sys; print(" ".join("\"%s\"" % a for a in json.load(open(sys.argv[1]))["approved_apps"]))' "$tenant/policy.json")

# the stdin() source ends the daemon at end of input, after writing everything
zcat -f "${inputs[@]}" | MBX_DEMO_OUT="$out" MBX_DEMO_APPROVED="$approved" /usr/sbin/syslog-ng -F -e \
  -f "$top/examples/demo.conf" -R "$out/persist" -p "$out/pid" -c "$out/ctl" \
  --module-path="$top/build/modules/syslog-ng:$moduledir" > "$out/daemon.log" 2>&1 || {
    echo "syslog-ng failed; its log:" >&2; cat "$out/daemon.log" >&2; exit 1; }

python3 "$top/scripts/demo-summary.py" "$out" "$tenant/labels.csv"
echo "outputs kept in $out"
