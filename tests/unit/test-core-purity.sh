#!/usr/bin/env bash
# Copyright (c) 2026 mailbox-monitor authors
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The core engine must build without syslog-ng: fail when any C or C++ source or header
# under the given directories includes a syslog-ng header.
#
# usage: test-core-purity.sh CORE_SOURCE_DIR INCLUDE_DIR [MORE_DIRS...]
set -u

if [ "$#" -lt 1 ]; then
  echo "usage: $0 CORE_SOURCE_DIR INCLUDE_DIR [MORE_DIRS...]" >&2
  exit 2
fi

for dir in "$@"; do
  if [ ! -d "$dir" ]; then
    echo "FAIL: $dir is not a directory" >&2
    exit 2
  fi
done

# Headers of syslog-ng's lib/ (top-level and per-subsystem directories), also
# when spelled with an installed "syslog-ng/" prefix.
forbidden='(syslog-ng/'
forbidden+='|logmsg/|logmsg\.h|logpipe\.h|logsource\.h|logreader\.h|logwriter\.h|logthrdest/|logthrsource/'
forbidden+='|logqueue[^/]*\.h|logproto/|logparser\.h|logmatcher\.h|logstamp\.h|logline\.h'
forbidden+='|syslog-ng\.h|syslog-ng-config\.h|cfg\.h|cfg-[^/]*\.h|messages\.h|driver\.h|plugin\.h|plugin-types\.h'
forbidden+='|mainloop[^/]*\.h|apphook\.h|scratch-buffers\.h|str-format\.h|msg-format\.h|template/|parser/|filter/'
forbidden+='|rewrite/|stats/|value-pairs/|timeutils/|transport/|ack-tracker/|control/|persist-state\.h'
forbidden+='|serialize\.h|gsockaddr\.h|host-resolve\.h|nvtable\.h|str-utils\.h|seqnum\.h)'
pattern="^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]([^>\"]*/)?${forbidden}"

files=()
while IFS= read -r -d '' file; do
  files+=("$file")
done < <(find "$@" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.cc' -o -name '*.hpp' -o -name '*.hh' -o -name '*.inc' -o -name '*.y' -o -name '*.ym' -o -name '*.l' \) -print0)

if [ "${#files[@]}" -eq 0 ]; then
  echo "FAIL: no C sources or headers found under: $*" >&2
  exit 1
fi

found=$(grep -HnE "$pattern" "${files[@]}")
if [ -n "$found" ]; then
  echo "FAIL: the core includes syslog-ng headers:" >&2
  echo "$found" >&2
  exit 1
fi

echo "PASS: ${#files[@]} files checked, no syslog-ng headers included"
exit 0
