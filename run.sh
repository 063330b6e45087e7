#!/usr/bin/env bash
# Installs what is missing, builds, and starts the kiosk with the demo configuration.
# Extra arguments go to the kiosk, e.g. ./run.sh --fullscreen
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target buurtkiosk
mkdir -p data
exec build/buurtkiosk run --config config/buurtkiosk.ini --db data/buurtkiosk.db "$@"
