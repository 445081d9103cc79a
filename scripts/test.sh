#!/usr/bin/env bash
# Runs every suite: unit, adapter, end-to-end (real syslog-ng daemon), fuzz
# replay, generator, packaging, robustness and the daemon benchmark's smoke
# run in a fresh build; unit, adapter and fuzz replay again under
# AddressSanitizer and UndefinedBehaviorSanitizer;
# unit, adapter and fuzz replay under valgrind memcheck within a time budget
# (MBX_VALGRIND_SECONDS, default 420); then libFuzzer runs of the decoder,
# policy and state-file targets sharing one time budget (MBX_FUZZ_SECONDS,
# default 180: a minute per target).
# Installs what is missing first.  Ends with "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/scripts/install-deps.sh" || { echo "dependency installation failed" >&2; exit 1; }

fuzz_seconds=${MBX_FUZZ_SECONDS:-180}
valgrind_seconds=${MBX_VALGRIND_SECONDS:-420}
status=0
passed=0
failed=0

tally() {
  # counts the results of one meson test run from its JSON log
  local log=$1
  [ -f "$log" ] || return
  read -r p f < <(python3 - "$log" <<'PY'
import json, sys
p = f = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL", "SKIP"):
        p += r != "SKIP"
    else:
        f += 1
print(p, f)
PY
)
  passed=$((passed + p))
  failed=$((failed + f))
}

run_meson_tests() {
  local dir=$1
  shift
  rm -rf "$dir"
  if ! meson setup "$dir" "$top" "$@" >"$dir.setup.log" 2>&1; then
    cat "$dir.setup.log" >&2
    failed=$((failed + 1)); status=1; return
  fi
  rm -f "$dir.setup.log"
  if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
    tail -50 "$dir.build.log" >&2
    failed=$((failed + 1)); status=1; return
  fi
  rm -f "$dir.build.log"
  meson test -C "$dir" --print-errorlogs --num-processes 2 ${MBX_SUITES:-} || status=1
  tally "$dir/meson-logs/testlog.json"
}

echo "=== all suites (unit, adapter, e2e, fuzz replay, generator, packaging, robustness, bench smoke) ==="
run_meson_tests "$top/build-test"

echo "=== sanitizers: unit, adapter, fuzz replay under ASan + UBSan ==="
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  MBX_SUITES="--suite unit --suite adapter --suite fuzz" \
  run_meson_tests "$top/build-asan" -Db_sanitize=address,undefined -Db_lundef=false -De2e=false

echo "=== valgrind memcheck: unit, adapter and fuzz replay, ${valgrind_seconds}s budget ==="
# The build of the first step, every unit and adapter test but core-purity (a
# grep over the sources, no code of ours runs), and the fuzz corpora replayed
# (GLib's string functions are not instrumented by ASan, so an over-read
# inside them shows only here), each process under memcheck
# (tests/robustness/valgrind-wrap.sh: criterion runs each test in a process
# of its own and would hide its findings).  About 4 minutes on two cores.
valgrind_tests=$(meson test -C "$top/build-test" --list --suite unit --suite adapter --suite fuzz 2>/dev/null \
  | sed -n 's|^[^ ]* / ||p' | grep -vx core-purity || true)
if [ -z "$valgrind_tests" ]; then
  echo "no unit or adapter tests found in build-test" >&2
  failed=$((failed + 1)); status=1
else
  rm -f "$top"/build-test/meson-logs/valgrind*.json
  # shellcheck disable=SC2086 # one test name per word
  timeout "$valgrind_seconds" meson test -C "$top/build-test" --no-rebuild --print-errorlogs --num-processes 2 \
    --timeout-multiplier 4 --logbase valgrind --wrap "$top/tests/robustness/valgrind-wrap.sh" $valgrind_tests
  rc=$?
  if [ "$rc" -eq 124 ]; then
    echo "valgrind: over the ${valgrind_seconds}s budget" >&2
    failed=$((failed + 1)); status=1
  else
    [ "$rc" -eq 0 ] || status=1
    for log in "$top"/build-test/meson-logs/valgrind*.json; do tally "$log"; done
  fi
fi

echo "=== libFuzzer: decoder, policy and state file, ${fuzz_seconds}s budget in all ==="
rm -rf "$top/build-fuzz"
if "$top/scripts/fuzz.sh" "$fuzz_seconds"; then
  passed=$((passed + 1))
else
  echo "fuzzing found a crash (see build-fuzz/*-crash-* and build-fuzz/fuzz-*.log)" >&2
  failed=$((failed + 1)); status=1
fi

echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] || status=1
exit $status
