#!/usr/bin/env bash
# Installs what building, running and testing mailbox-monitor needs on Debian 12.
# Idempotent; needs root (or sudo) and Debian's package archive.
set -euo pipefail

PACKAGES=(
  build-essential g++ meson ninja-build pkg-config bison python3
  syslog-ng-core syslog-ng-dev libivykis-dev syslog-ng-mod-http
  libestr0 liblognorm5 libfastjson4
  libglib2.0-dev libjson-glib-dev libsimdjson-dev libcriterion-dev
  libmaxminddb-dev libmaxmind-db-writer-perl
  clang libclang-rt-14-dev valgrind
  dpkg-dev debhelper fakeroot lintian chrpath
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
