# shellcheck shell=bash
# Shared by bench/daemon.sh and bench/core.sh (sourced, not run).
#
#   bench_build BUILD_DIR [TARGET...]   configures BUILD_DIR when needed and builds the targets
#   bench_tenant SEED MAILBOXES DAYS [OTHER]
#                                       generates the tenant (records.jsonl, policy.json) once;
#                                       sets $tenant to its directory, $policy to its policy.ini;
#                                       OTHER is tenantgen's --other-workloads (default: its own)
#
# The tenant is the generator's default mix (tools/tenantgen defaults but for the
# mailboxes), kept in ${MBX_BENCH_DIR:-${TMPDIR:-/tmp}/mbx-bench} and reused while the
# generator's sources and arguments are the same.

bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${MBX_BENCH_DIR:-${TMPDIR:-/tmp}/mbx-bench}

bench_build() {
  local dir=$1
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    echo "bench: configuring $dir" >&2
    meson setup "$dir" "$bench_top" >/dev/null || return 1
  fi
  ninja -C "$dir" "$@" >/dev/null || { echo "bench: the build failed (ninja -C $dir $*)" >&2; return 1; }
}

bench_tenant() {
  local seed=$1 mailboxes=$2 days=$3 other=${4:-}
  tenant="$bench_dir/tenant-seed$seed-${mailboxes}x$days${other:+-other$other}"
  local args=(--seed "$seed" --mailboxes "$mailboxes" --days "$days" --formats records)
  [ -z "$other" ] || args+=(--other-workloads "$other")
  local stamp
  stamp="${args[*]} $(cat "$bench_top"/tools/tenantgen/*.py | md5sum | cut -c1-12)"
  mkdir -p "$bench_dir"
  if [ -f "$tenant/.bench-stamp" ] && [ "$(cat "$tenant/.bench-stamp")" = "$stamp" ]; then
    echo "bench: reusing the tenant in $tenant" >&2
  else
    echo "bench: generating the tenant: tools/tenantgen/tenantgen.py ${args[*]}" >&2
    rm -rf "$tenant"
    python3 "$bench_top/tools/tenantgen/tenantgen.py" "${args[@]}" --out "$tenant" >"$bench_dir/tenantgen.log" 2>&1 || {
      echo "bench: tenantgen failed:" >&2; tail -20 "$bench_dir/tenantgen.log" >&2; return 1; }
    echo "$stamp" > "$tenant/.bench-stamp"
  fi
  # the approved apps and trusted networks, as an admin would write them (bench/quality.sh does the same)
  policy="$tenant/policy.ini"
  python3 "$bench_top/tools/policy-from-tenant.py" "$tenant/policy.json" -o "$policy" >/dev/null
}
