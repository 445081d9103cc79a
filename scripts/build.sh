#!/usr/bin/env bash
# Configures (once) and builds the project into build/ (or $1).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build}
shift || true
[ -f "$dir/build.ninja" ] || meson setup "$dir" "$top" "$@" >/dev/null
ninja -C "$dir" >/dev/null
