#!/usr/bin/env bash
# Installs what is missing, builds, and starts the kiosk with the demo configuration.
# Extra arguments go to the kiosk, e.g. ./run.sh --fullscreen
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target buurtkiosk
mkdir -p data
# The demo syncs to a local test receiver (tests/receiver/receiver.py) with
# a demo token; a real kiosk gets its own token from the municipality.
if [ ! -f data/token ]; then
  (umask 077 && echo "demo-token" > data/token)
fi
# Stand in for the municipality's collector on this machine, so "Nu versturen"
# in staff mode really sends (what it received: data/receiver.log).
receiver=
if command -v python3 >/dev/null 2>&1; then
  python3 tests/receiver/receiver.py --port 8443 --token "$(cat data/token)" \
      --idle 86400 >data/receiver.log 2>&1 &
  receiver=$!
fi
rc=0
build/buurtkiosk run --config config/buurtkiosk.ini --db data/buurtkiosk.db "$@" || rc=$?
[ -n "$receiver" ] && kill "$receiver" 2>/dev/null
exit $rc
