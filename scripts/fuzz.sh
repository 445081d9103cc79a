#!/usr/bin/env bash
# Runs the decoder fuzz target under libFuzzer for a fixed time budget
# (seconds, default 60), seeded from the corpus and the fixtures.  New
# corpus entries stay in build-fuzz/corpus; crashes fail the run and are left
# as crash-* files: copy them into tests/fuzz/corpus-decoder as regressions.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
budget=${1:-60}
dir="$top/build-fuzz"

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$dir" "$top" -Dfuzzing=true -De2e=false -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link -Dcpp_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C "$dir" tests/fuzz/fuzz-decoder >/dev/null

mkdir -p "$dir/corpus"
cd "$dir"
./tests/fuzz/fuzz-decoder -max_total_time="$budget" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 corpus "$top/tests/fuzz/corpus-decoder" "$top/tests/fixtures" 2>&1 | tail -15
