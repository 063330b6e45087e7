#!/usr/bin/env bash
# Installs the Debian packages Buurtkiosk needs to build and test, when missing.
# Usage: scripts/deps.sh [build|test]
set -euo pipefail
want=(cmake make gcc pkg-config libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev
      libsqlite3-dev libcurl4-openssl-dev libjansson-dev libinih-dev
      libsodium-dev zlib1g-dev uuid-dev libsystemd-dev libmicrohttpd-dev libpq-dev
      libxlsxwriter-dev libjs-chart.js)
if [ "${1:-build}" = test ]; then
  want+=(libcmocka-dev sqlite3 openssl python3 clang libclang-rt-14-dev valgrind
         dpkg-dev lintian systemd man-db postgresql
         chromium chromium-driver python3-selenium)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "buurtkiosk: installing missing packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "buurtkiosk: cannot install ${missing[*]}: not root and no sudo." >&2
    echo "buurtkiosk: run as root, or: apt-get install ${missing[*]}" >&2
    exit 1
  fi
else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || { echo "buurtkiosk: apt-get update failed" >&2; exit 1; }
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  { echo "buurtkiosk: apt-get install ${missing[*]} failed" >&2; exit 1; }
