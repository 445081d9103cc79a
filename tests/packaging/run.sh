#!/usr/bin/env bash
# The packaging test.  From a clean copy of the tree it builds the Debian
# packages (dpkg-buildpackage -us -uc -b) and the source package, runs lintian
# on both, then runs debian/tests (autopkgtest-style) on this machine: each
# test's Depends are installed (the built .debs), the test script runs as
# root, the packages are purged.
#
# That changes the machine (packages, /etc/syslog-ng, the system syslog-ng),
# so it runs only when CI=true or MBX_PACKAGING=1; otherwise it says so and
# exits 77, which meson reports as SKIP.  Whatever happens, the exit trap
# purges the packages it installed, removes snippets and outputs, stops a
# syslog-ng that a test left running, restores /etc/syslog-ng and removes the
# state files and logs the daemon created.
#
#   MBX_PACKAGING=1 bash tests/packaging/run.sh
#   meson test -C build --suite packaging          (skips without the variable)
#
# Environment:
#   MBX_PACKAGING_TREE=head      package the committed HEAD (default): what a
#                                clean checkout builds
#   MBX_PACKAGING_TREE=worktree  package the working tree instead (tracked and
#                                untracked files, without what .gitignore
#                                ignores, so no build*/ directory)
#   DEB_BUILD_OPTIONS            as given; unset means "nocheck": the suites
#                                run in their own meson run, not twice.  Set
#                                it to "" to run them inside the build too.
#   MBX_PACKAGING_KEEP=1         keep the scratch directory
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${MBX_PACKAGING_INNER:-}" = 1 ]; then
  echo "packaging: SKIP (running inside a package build)"
  exit 77
fi
if [ "${CI:-}" != true ] && [ "${MBX_PACKAGING:-}" != 1 ]; then
  echo "packaging: SKIP: this test installs and purges packages and restarts the system syslog-ng;"
  echo "packaging: it runs only with CI=true or MBX_PACKAGING=1 (as root):"
  echo "packaging:   MBX_PACKAGING=1 bash tests/packaging/run.sh"
  exit 77
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n --preserve-env bash "$0" "$@"
  fi
  echo "packaging: FAIL: needs root (or password-less sudo)" >&2
  exit 1
fi

started=$(date +%s)
say() { printf 'packaging: [%3ds] %s\n' $(($(date +%s) - started)) "$*"; }
die() { say "FAIL: $*" >&2; exit 1; }

SYSLOG_NG_CTL=/usr/sbin/syslog-ng-ctl
scratch=$(mktemp -d /tmp/mbx-packaging.XXXXXX)
built_packages=()     # binary packages built here (purged on exit)
extra_packages=()     # packages apt-get pulled in for the tests (purged on exit)
state_paths=()        # paths a system syslog-ng creates, with whether they existed
declare -A existed=()
etc_backup="$scratch/etc-syslog-ng.tar"
etc_saved=0
pidfiles=(/run/syslog-ng.pid /var/lib/syslog-ng/syslog-ng.pid)
declare -A pidfile_existed=()
child=""              # the long-running command in progress (build, test)

# run_child OUT ERR COMMAND...: runs COMMAND in the background with its
# output in the files OUT and ERR and waits for it, so that a TERM or INT sent
# to this script runs the cleanup at once rather than after the command ends
# (and the cleanup's messages do not go to OUT).
run_child() {
  local out=$1 err=$2
  shift 2
  if [ "$out" = "$err" ]; then "$@" >"$out" 2>&1 & else "$@" >"$out" 2>"$err" & fi
  child=$!
  wait "$child"
  local rc=$?
  child=""
  return "$rc"
}

# ---------------------------------------------------------------- cleanup
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  say "cleaning up"
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$child" 2>/dev/null
  fi
  # a syslog-ng a test left running: its pid file did not exist before (the
  # init script's /run/syslog-ng.pid, or -F's default /var/lib/syslog-ng/syslog-ng.pid)
  local pidfile pid
  for pidfile in "${pidfiles[@]}"; do
    [ "${pidfile_existed[$pidfile]:-1}" = 0 ] && [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null)
    if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/sbin/syslog-ng ]; then
      say "stopping the syslog-ng a test left running (pid $pid)"
      kill -TERM "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null
    fi
  done
  # the packages
  local p installed=()
  for p in "${built_packages[@]}" "${extra_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qv 'not-installed' && installed+=("$p")
  done
  if [ ${#installed[@]} -gt 0 ]; then
    say "purging ${installed[*]}"
    DEBIAN_FRONTEND=noninteractive dpkg --purge "${installed[@]}" >"$scratch/purge.log" 2>&1 ||
      { cat "$scratch/purge.log" >&2; rc=1; }
  fi
  # /etc/syslog-ng exactly as it was
  if [ "$etc_saved" = 1 ]; then
    rm -rf "$scratch/etc-before" && mkdir -p "$scratch/etc-before"
    tar -C "$scratch/etc-before" -xpf "$etc_backup"
    if ! diff -r "$scratch/etc-before/syslog-ng" /etc/syslog-ng >/dev/null 2>&1; then
      say "restoring /etc/syslog-ng"
      diff -r "$scratch/etc-before/syslog-ng" /etc/syslog-ng
      rm -rf /etc/syslog-ng && tar -C /etc -xpf "$etc_backup"
    fi
  fi
  # what the system syslog-ng created: sockets, state, its default log files
  local path
  for path in "${state_paths[@]}"; do
    if [ "${existed[$path]}" = 0 ] && [ -e "$path" -o -L "$path" ]; then
      rm -rf "$path"
    fi
  done
  if [ "${MBX_PACKAGING_KEEP:-}" = 1 ] || [ "$rc" -ne 0 ]; then
    say "scratch directory kept: $scratch"
  else
    rm -rf "$scratch"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- preflight
"$top/scripts/install-deps.sh" || die "scripts/install-deps.sh failed"
for tool in dpkg-buildpackage dpkg-source lintian chrpath python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done

for p in $(sed -n 's/^Package: *//p' "$top/debian/control"); do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    die "$p is already installed; this test would purge it. Remove it first."
  fi
done
if [ ! -d /run/systemd/system ]; then
  if "$SYSLOG_NG_CTL" stats >/dev/null 2>&1; then
    die "a syslog-ng already runs outside systemd; stop it first"
  fi
  if python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.connect("/dev/log")' 2>/dev/null; then
    die "another system logger listens on /dev/log; this test would take it over"
  fi
fi
for pidfile in "${pidfiles[@]}"; do
  if [ -e "$pidfile" ]; then pidfile_existed[$pidfile]=1; else pidfile_existed[$pidfile]=0; fi
done

tar -C /etc -cpf "$etc_backup" syslog-ng || die "cannot back up /etc/syslog-ng"
etc_saved=1
state_paths=(/dev/log /dev/xconsole /run/syslog-ng "${pidfiles[@]}"
  /var/lib/syslog-ng/syslog-ng.persist /var/lib/syslog-ng/syslog-ng.ctl
  /var/log/mailbox-monitor /var/log/mailbox-monitor-autopkgtest)
# the files the default configuration writes
while read -r f; do state_paths+=("$f"); done < <(grep -o 'file("/[^"]*")' /etc/syslog-ng/syslog-ng.conf | sed 's/^file("//; s/")$//')
for path in "${state_paths[@]}"; do
  if [ -e "$path" ] || [ -L "$path" ]; then existed[$path]=1; else existed[$path]=0; fi
done

# ---------------------------------------------------------------- a clean copy
source_name=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Source)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
upstream=${version%-*}
src="$scratch/$source_name-$upstream"
mkdir -p "$src"
tree=${MBX_PACKAGING_TREE:-head}
case "$tree" in
  head)
    git -C "$top" rev-parse --verify -q HEAD >/dev/null || die "not a git checkout; use MBX_PACKAGING_TREE=worktree"
    git -C "$top" archive --format=tar HEAD | tar -C "$src" -xf - || die "git archive failed"
    dirty=$(git -C "$top" status --porcelain -- debian tests/packaging)
    [ -z "$dirty" ] || say "note: uncommitted changes in debian/ or tests/packaging/ are not packaged (MBX_PACKAGING_TREE=worktree packages them)"
    what="HEAD $(git -C "$top" rev-parse --short HEAD)"
    ;;
  worktree)
    if git -C "$top" rev-parse --verify -q HEAD >/dev/null; then
      (cd "$top" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -C "$src" -xf - || die "copying the working tree failed"
    else
      tar -C "$top" --exclude='./build*' --exclude=./.git --exclude='__pycache__' -cf - . |
        tar -C "$src" -xf - || die "copying the tree failed"
    fi
    what="the working tree"
    ;;
  *) die "MBX_PACKAGING_TREE must be head or worktree, not $tree" ;;
esac
[ -f "$src/debian/control" ] || die "$what has no debian/ directory"
say "packaging $what: $source_name $version in $scratch"

# the source package, from the pristine copy: an orig tarball without debian/
tar -C "$scratch" --exclude="$source_name-$upstream/debian" -czf "$scratch/${source_name}_$upstream.orig.tar.gz" \
  "$source_name-$upstream" || die "orig tarball"
(cd "$scratch" && dpkg-source -b "$source_name-$upstream") >"$scratch/source.log" 2>&1 ||
  { cat "$scratch/source.log" >&2; die "dpkg-source -b failed"; }
dsc="$scratch/${source_name}_$version.dsc"
say "source package built: $(basename "$dsc")"

# ---------------------------------------------------------------- binary build
build_options=${DEB_BUILD_OPTIONS-nocheck}
say "dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS='$build_options')"
run_child "$scratch/build.log" "$scratch/build.log" \
  env -C "$src" MBX_PACKAGING_INNER=1 DEB_BUILD_OPTIONS="$build_options" dpkg-buildpackage -us -uc -b || { tail -60 "$scratch/build.log" >&2; die "dpkg-buildpackage failed (log: $scratch/build.log)"; }
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes="$scratch/${source_name}_${version}_$arch.changes"
[ -f "$changes" ] || die "no $changes"
debs=()
for f in "$scratch"/*.deb; do
  p=$(dpkg-deb -f "$f" Package)
  case "$p" in *-dbgsym) continue ;; esac
  debs+=("$f")
  built_packages+=("$p")
done
[ ${#debs[@]} -gt 0 ] || die "no .deb built"
say "built: $(cd "$scratch" && ls ./*.deb | sed 's|^\./||' | tr '\n' ' ')"

# ---------------------------------------------------------------- lintian
# One run per group: lintian 2.116 exits 2 when given the .changes and the
# .dsc together.  The verdict comes from runs without --show-overrides: with
# it, an overridden warning still makes the exit status 2.  The log shown is
# the one with the overrides (O:) and their reasons (N:).
lintian_rc=0
: >"$scratch/lintian.log"
for target in "$changes" "$dsc"; do
  lintian --pedantic -I --fail-on error,warning "$target" >/dev/null 2>&1 || lintian_rc=1
  lintian --pedantic -I --show-overrides "$target" >>"$scratch/lintian.log" 2>&1
done
grep -v '^running with root privileges' "$scratch/lintian.log" | sed 's/^/  /'
summary=$(awk '/^E: /{e++} /^W: /{w++} /^I: /{i++} /^P: /{p++} /^O: /{o++}
  END {printf "%d errors, %d warnings, %d info, %d pedantic, %d overridden", e, w, i, p, o}' "$scratch/lintian.log")
[ "$lintian_rc" -eq 0 ] || die "lintian: $summary"
say "lintian: $summary"

# ---------------------------------------------------------------- debian/tests
# "Tests: a b" / "Depends: x, y" / "Restrictions: r" per paragraph, one line per test
tests=$(python3 - "$src/debian/tests/control" <<'PY'
import re, sys
paras, cur, last = [], {}, None
for raw in open(sys.argv[1]):
    line = raw.rstrip("\n")
    if line.startswith("#"):
        continue
    if not line.strip():
        if cur: paras.append(cur)
        cur, last = {}, None
        continue
    if line[0] in " \t" and last:
        cur[last] += " " + line.strip()
        continue
    k, _, v = line.partition(":")
    last = k.strip().lower()
    cur[last] = v.strip()
if cur: paras.append(cur)
for p in paras:
    deps = p.get("depends", "@")
    for t in p.get("tests", "").split():
        print("%s\t%s\t%s" % (t, deps, p.get("restrictions", "")))
PY
) || die "cannot read debian/tests/control"

install_test_deps() {
  # the built .debs named in Depends (@: all of them), and any other package
  # that is not installed yet (remembered, purged on exit)
  local depends=$1 dep name f want=() missing=()
  IFS=',' read -ra items <<<"$depends"
  for dep in "${items[@]}"; do
    name=$(echo "$dep" | sed 's/(.*)//; s/\[.*\]//; s/|.*//' | tr -d ' ')
    [ -n "$name" ] || continue
    if [ "$name" = @ ]; then want+=("${debs[@]}"); continue; fi
    local found=""
    for f in "${debs[@]}"; do
      [ "$(dpkg-deb -f "$f" Package)" = "$name" ] && found=$f
    done
    if [ -n "$found" ]; then
      want+=("$found")
    elif ! dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$name")
    fi
  done
  local before after
  before=$(dpkg-query -W -f='${Package} ${Status}\n' | awk '/ installed$/ {print $1}' | sort)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}" "${missing[@]}" \
    >"$scratch/install.log" 2>&1 || { cat "$scratch/install.log" >&2; return 1; }
  after=$(dpkg-query -W -f='${Package} ${Status}\n' | awk '/ installed$/ {print $1}' | sort)
  local p
  for p in $(comm -13 <(echo "$before") <(echo "$after")); do
    case " ${built_packages[*]} " in *" $p "*) ;; *) extra_packages+=("$p") ;; esac
  done
  say "installed: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
}

failed=0
ran=0
while IFS=$'\t' read -r name depends restrictions; do
  [ -n "$name" ] || continue
  say "debian/tests/$name (Depends: $depends; Restrictions: $restrictions)"
  install_test_deps "$depends" || die "installing the Depends of $name failed"
  tmp="$scratch/autopkgtest-$name"
  mkdir -p "$tmp/tmp" "$tmp/artifacts"
  chmod +x "$src/debian/tests/$name"
  run_child "$tmp/stdout" "$tmp/stderr" \
    env -C "$src" AUTOPKGTEST_TMP="$tmp/tmp" AUTOPKGTEST_ARTIFACTS="$tmp/artifacts" timeout 600 "debian/tests/$name"
  trc=$?
  sed 's/^/  /' "$tmp/stdout"
  result=PASS
  if [ "$trc" -ne 0 ]; then
    result="FAIL (exit status $trc)"
  elif [ -s "$tmp/stderr" ] && [[ " $restrictions " != *allow-stderr* ]]; then
    result="FAIL (output on stderr)"
  fi
  [ -s "$tmp/stderr" ] && sed 's/^/  stderr: /' "$tmp/stderr"
  say "autopkgtest $name: $result"
  [ "$result" = PASS ] || failed=$((failed + 1))
  ran=$((ran + 1))
  # the next test starts from the packages as built, not from what this one left
  for p in "${built_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -qv 'not-installed' &&
      DEBIAN_FRONTEND=noninteractive dpkg --purge "$p" >/dev/null 2>&1
  done
done <<<"$tests"

[ "$ran" -gt 0 ] || die "debian/tests/control lists no test"
[ "$failed" -eq 0 ] || die "$failed of $ran autopkgtests failed"
say "PASS: built, lintian clean, $ran autopkgtest(s) passed"
