#!/usr/bin/env bash
# Runs the three fuzz targets under libFuzzer, one after the other, within a
# time budget for the whole run (seconds, default 180), split evenly between
# them:
#   decoder  audit records off the wire     tests/fuzz/corpus-decoder + tests/fixtures
#   policy   the policy() .ini file         tests/fuzz/corpus-policy + examples/policy.ini
#   state    the state() file               tests/fuzz/corpus-state + seeds this build writes
# Usage: fuzz.sh [SECONDS [TARGET...]].  New corpus entries stay in
# build-fuzz/corpus-<target>; a crash fails the run and is left as
# build-fuzz/<target>-crash-* (timeouts and leaks likewise): copy it into
# tests/fuzz/corpus-<target> as a regression.  MBX_FUZZ_DIR overrides the
# build directory.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
budget=${1:-180}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decoder policy state)
dir=${MBX_FUZZ_DIR:-$top/build-fuzz}

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$dir" "$top" -Dfuzzing=true -De2e=false -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link -Dcpp_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C "$dir" $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") tests/fuzz/fuzz-state-seeds >/dev/null

# the state seeds again from this build: committed ones stop at the header check once the entry layout changes
"$dir/tests/fuzz/fuzz-state-seeds" "$dir/seeds-state"

seconds=$(( budget / ${#targets[@]} ))
[ "$seconds" -ge 1 ] || seconds=1
cd "$dir"
status=0
for target in "${targets[@]}"; do
  case "$target" in
    decoder) seeds=("$top/tests/fuzz/corpus-decoder" "$top/tests/fixtures"); max_len=65536 ;;
    policy) seeds=("$top/tests/fuzz/corpus-policy"); max_len=8192 ;;
    state) seeds=("$top/tests/fuzz/corpus-state" "$dir/seeds-state"); max_len=32768 ;;
    *) echo "fuzz.sh: unknown target $target" >&2; exit 2 ;;
  esac
  echo "--- fuzz-$target: ${seconds}s"
  mkdir -p "corpus-$target"
  # the first directory receives what the run finds; the others only seed it
  if ! ./tests/fuzz/fuzz-"$target" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/$target-" -print_final_stats=1 "corpus-$target" "${seeds[@]}" >"fuzz-$target.log" 2>&1; then
    status=1
    echo "fuzz-$target: a finding, see $dir/$target-crash-* (or -timeout-*, -leak-*) and $dir/fuzz-$target.log" >&2
  fi
  tail -15 "fuzz-$target.log"
done
exit $status
