#!/usr/bin/env bash
# The detection quality benchmark: one command.
#
#   bash bench/quality.sh [--seed S] [options]
#
# Builds the module (if needed), generates a seeded synthetic tenant
# (tools/tenantgen: 300 mailboxes x 14 days, the first 7 quiet, so the
# detector learns on attack-free days and the scenarios land in the last 7),
# turns the tenant's policy.json into a policy key-file
# (tools/policy-from-tenant.py), runs every record of records.jsonl in
# delivery order through the real /usr/sbin/syslog-ng with the module just
# built (stdin() source: the daemon exits at end of input), and scores the
# verdicts against labels.csv (bench/quality-score.py): detection per
# scenario kind and variant, time to detect, record precision, false
# positives per 1,000 mailbox-days, look-alikes flagged, the rules behind the
# false positives, and the targets with PASS/MISS.  See README.md,
# "Detection quality".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  cat <<EOF
usage: bash bench/quality.sh [options]
  --seed S              tenant seed (default 1)
  --mailboxes N         mailboxes (default 300)
  --days D              days (default 14)
  --quiet-days Q        leading attack-free (learning) days (default 7)
  --attack-scale F      tenantgen --attack-scale (default 20: two or three instances of each kind, so
                        most variants are covered; 1 is the generator's natural rate, one per kind)
  --out DIR             work directory (default \${TMPDIR:-/tmp}/mbx-quality/seedS-NxD-Q-F); a tenant
                        already generated there with the same arguments is reused
  --build-dir DIR       build directory (default build/; configured and built when needed)
  --module-dir DIR      use libmailbox-monitor.so from DIR and build nothing
  --policy-extra FILE   appended to the generated policy (for example [policy] or [rule:<id>] sections)
  --include-first-party approve Microsoft's first-party apps too (tools/policy-from-tenant.py)
  --no-geo              no geography database (by default one is built from the tenant's ip-ranges.csv)
  --check MODE          exit 1 when the check fails: "accounting" (every record accounted for) or a
                        comma list of scenario kinds that must be detected (accounting included)
EOF
}

seed=1 mailboxes=300 days=14 quiet=7 scale=20
out="" build_dir="$top/build" module_dir="" policy_extra="" first_party="" check="" no_geo=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=$2; shift 2 ;;
    --mailboxes) mailboxes=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --quiet-days) quiet=$2; shift 2 ;;
    --attack-scale) scale=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --module-dir) module_dir=$2; shift 2 ;;
    --policy-extra) policy_extra=$2; shift 2 ;;
    --no-geo) no_geo=1; shift ;;
    --include-first-party) first_party=--include-first-party; shift ;;
    --check) check=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "quality: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

t0=$(date +%s.%N)
elapsed() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)"; }

out=${out:-${TMPDIR:-/tmp}/mbx-quality/seed$seed-${mailboxes}x$days-q$quiet-a$scale}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tenant="$out/tenant"

# 1. the module
if [ -z "$module_dir" ]; then
  echo "quality: building the module in ${build_dir#"$top"/}"
  [ -f "$build_dir/build.ninja" ] || meson setup "$build_dir" "$top" >/dev/null
  ninja -C "$build_dir" >/dev/null
  module_dir="$build_dir/modules/syslog-ng"
fi
module_dir=$(cd "$module_dir" && pwd)
[ -f "$module_dir/libmailbox-monitor.so" ] || { echo "quality: no libmailbox-monitor.so in $module_dir" >&2; exit 2; }

# 2. the tenant (records and labels only; reused when the same arguments made it)
gen_args=(--seed "$seed" --mailboxes "$mailboxes" --days "$days" --quiet-days "$quiet" --attack-scale "$scale"
          --formats "records,labels")
stamp="${gen_args[*]} $(cat "$top"/tools/tenantgen/*.py | md5sum | cut -c1-12)"
if [ -f "$tenant/.quality-stamp" ] && [ "$(cat "$tenant/.quality-stamp")" = "$stamp" ] && [ -f "$tenant/labels.csv" ]; then
  echo "quality: reusing the tenant in $tenant"
else
  echo "quality: generating the tenant: ${gen_args[*]}"
  rm -rf "$tenant"
  python3 "$top/tools/tenantgen/tenantgen.py" "${gen_args[@]}" --out "$tenant" > "$out/tenantgen.log" 2>&1 || {
    echo "quality: tenantgen failed:" >&2; tail -20 "$out/tenantgen.log" >&2; exit 1; }
  echo "$stamp" > "$tenant/.quality-stamp"
fi

# 3. the policy, as an admin would write it from the tenant's export
python3 "$top/tools/policy-from-tenant.py" $first_party "$tenant/policy.json" -o "$out/policy.ini"
# a geography database of the tenant's address ranges, as MaxMind's would have them (--no-geo: none)
if [ -z "$no_geo" ] && [ -f "$tenant/ip-ranges.csv" ] && perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
  perl "$top/tools/make-test-mmdb.pl" --drop-reserved "$tenant/ip-ranges.csv" "$out/geo.mmdb" >/dev/null
  printf '\n[geo]\ncity-database = %s\n' "$out/geo.mmdb" >> "$out/policy.ini"
  echo "quality: geography from $out/geo.mmdb"
fi
if [ -n "$policy_extra" ]; then
  { echo; echo "# --- $policy_extra"; cat "$policy_extra"; } >> "$out/policy.ini"
fi

# 4. the real daemon on records.jsonl, in delivery order
cat > "$out/quality.conf" <<EOF
@version: 3.38
options { log-msg-size(67108864); stats-level(2); };
source s_records { stdin(flags(no-parse) log-msg-size(67108864)); };
parser p_mailbox { mailbox-monitor(policy("$out/policy.ini") fields("all")); };
# one line per message, in delivery order; unparsed messages carry the mailbox.unparsed tag
destination d_verdicts { file("$out/verdicts.jsonl"
  template("\$(format-json id=\${.mbx.id} t=\${.mbx.event_time} score=\${.mbx.score} rules=\${.mbx.rules} mailbox=\${.mbx.mailbox} actor=\${.mbx.actor} kind=\${.mbx.kind} tags=\${TAGS} reason=\${.mbx.reason})\n")); };
log { source(s_records); parser(p_mailbox); destination(d_verdicts); flags(flow-control); };
EOF
rm -f "$out/verdicts.jsonl" "$out/persist" "$out/pid"
moduledir_sys=$(pkg-config --variable=moduledir syslog-ng 2>/dev/null || echo /usr/lib/syslog-ng/3.38)
echo "quality: running /usr/sbin/syslog-ng on $(wc -l < "$tenant/records.jsonl") records"
d0=$(date +%s.%N)
# the stdin() source ends the daemon at end of input, after writing everything
if ! /usr/sbin/syslog-ng -F -e -f "$out/quality.conf" -R "$out/persist" -p "$out/pid" -c "$out/ctl" \
     --module-path="$module_dir:$moduledir_sys" < <(cat "$tenant/records.jsonl") > "$out/daemon.log" 2>&1; then
  echo "quality: syslog-ng failed; its log:" >&2; tail -40 "$out/daemon.log" >&2; exit 1
fi
daemon_s=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$d0" "$(date +%s.%N)")
warnings=$(grep -c -i -E "assertion|critical|error" "$out/daemon.log" || true)

# 5. the score
echo
echo "== mailbox-monitor detection quality: seed $seed, $mailboxes mailboxes x $days days ($quiet quiet), attack-scale $scale"
rc=0
python3 "$top/bench/quality-score.py" --tenant "$tenant" --verdicts "$out/verdicts.jsonl" \
  --json "$out/summary.json" ${check:+--check "$check"} || rc=$?
echo
[ "$warnings" -gt 0 ] && echo "daemon log: $warnings warning/error line(s), see $out/daemon.log"
echo "daemon: ${daemon_s}s; elapsed: $(elapsed)s; outputs in $out"
exit $rc
