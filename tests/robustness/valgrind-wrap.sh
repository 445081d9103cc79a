#!/usr/bin/env bash
# Runs a test program under valgrind memcheck and fails on any finding, in
# the program or in any process it starts.  For `meson test --wrap`:
#
#   meson test -C build --suite unit --suite adapter --wrap "$PWD/tests/robustness/valgrind-wrap.sh"
#
# Why a wrapper and not --wrap "valgrind --error-exitcode=1 ...": criterion
# runs every test in a process of its own (it re-executes the test program,
# so --trace-children=yes puts each one under valgrind), but it sends that
# process's stderr nowhere and ignores its exit status, so a leak or an
# invalid read inside a test passes unseen (checked with a criterion test
# that leaks and reads uninitialised memory: "ok", exit status 0).  Here
# every process writes its own log, and any log whose ERROR SUMMARY is not
# 0 errors fails the run and is printed.
#
# Suppressions: tests/robustness/valgrind.supp (each entry explains itself).
# CRITERION_NO_EARLY_EXIT=1 makes criterion's test processes return from
# main() instead of calling _exit(), as criterion's manual advises for
# valgrind.
set -u
here=$(cd "$(dirname "$0")" && pwd)
logs=$(mktemp -d "${TMPDIR:-/tmp}/mbx-valgrind-XXXXXX")
export CRITERION_NO_EARLY_EXIT=1

# a system program a test starts (a shell, grep) is not ours to check: --trace-children-skip
valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --trace-children=yes \
  --trace-children-skip='/usr/bin/*,/bin/*,/usr/sbin/*' --vgdb=no \
  --suppressions="$here/valgrind.supp" --log-file="$logs/%p.log" "$@"
rc=$?

findings=$(grep -l -E 'ERROR SUMMARY: [1-9]' "$logs"/*.log 2>/dev/null || true)
if [ -n "$findings" ]; then
  for f in $findings; do
    echo "=== valgrind: $(grep -m1 'Command:' "$f" | sed 's/^==[0-9]*== //')" >&2
    cat "$f" >&2
  done
  echo "valgrind: findings in $(echo "$findings" | wc -l) process(es); logs in $logs" >&2
  exit 1
fi
n=$(find "$logs" -name "*.log" | wc -l)
rm -rf "$logs"
echo "valgrind: $n process(es), no findings" >&2
exit $rc
