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
exec build/buurtkiosk run --config config/buurtkiosk.ini --db data/buurtkiosk.db "$@"
