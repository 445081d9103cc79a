#!/usr/bin/env bash
# Unpacks Debian's rsyslog into DIR without installing it (rsyslog and
# syslog-ng conflict in Debian: installing one removes the other), for the
# tests that run the real rsyslogd with the mmexternal helper:
#
#   scripts/rsyslog-unpack.sh DIR
#   DIR/usr/sbin/rsyslogd -n -f CONF -M DIR/usr/lib/x86_64-linux-gnu/rsyslog -i PIDFILE
#
# Its libraries (libestr0, liblognorm5, libfastjson4, ...) come from
# scripts/install-deps.sh.  Idempotent: an unpacked DIR is kept.  Prints the
# path of rsyslogd.
set -euo pipefail
dir=${1:?usage: rsyslog-unpack.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rsyslogd="$dir/usr/sbin/rsyslogd"

if [ ! -x "$rsyslogd" ]; then
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  # apt's sandbox user cannot write to a private directory: download as the caller
  (cd "$download" && apt-get download -o APT::Sandbox::User=root rsyslog >/dev/null)
  dpkg-deb -x "$download"/rsyslog_*.deb "$dir"
fi

missing=$(ldd "$rsyslogd" "$dir"/usr/lib/*/rsyslog/*.so 2>/dev/null | awk '/not found/ {print $1}' | sort -u)
if [ -n "$missing" ]; then
  echo "rsyslog-unpack.sh: rsyslogd needs libraries that are not installed: $missing (run scripts/install-deps.sh)" >&2
  exit 1
fi
echo "$rsyslogd"
