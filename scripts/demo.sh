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

# the sample tenant's policy, as its admin would write it: approved apps and trusted networks
# (tools/policy-from-tenant.py); a geography database of its address ranges when the MaxMind
# writer is installed (install-deps.sh installs it); and a learning period of one day, because
# the sample has one quiet day before its attacks (the default, 7d, would keep the rules that
# learn quiet all through it)
policy="$out/policy.ini"
python3 "$top/tools/policy-from-tenant.py" "$tenant/policy.json" -o "$policy" >/dev/null
printf '\n[policy]\nlearning-period = 1d\n' >> "$policy"
if perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
  perl "$top/tools/make-test-mmdb.pl" --drop-reserved "$tenant/ip-ranges.csv" "$out/geo.mmdb" >/dev/null
  printf '\n[geo]\ncity-database = %s\n' "$out/geo.mmdb" >> "$policy"
else
  echo "  (no MaxMind::DB::Writer: geography checks off)"
fi

# the stdin() source ends the daemon at end of input, after writing everything
zcat -f "${inputs[@]}" | MBX_DEMO_OUT="$out" MBX_DEMO_POLICY="$policy" /usr/sbin/syslog-ng -F -e \
  -f "$top/examples/demo.conf" -R "$out/persist" -p "$out/pid" -c "$out/ctl" \
  --module-path="$top/build/modules/syslog-ng:$moduledir" > "$out/daemon.log" 2>&1 || {
    echo "syslog-ng failed; its log:" >&2; cat "$out/daemon.log" >&2; exit 1; }

python3 "$top/scripts/demo-summary.py" "$out" "$tenant/labels.csv"
echo "outputs kept in $out"
