#!/usr/bin/env bash
# Benchmarks of Buurtkiosk side by side with a browser kiosk (Chromium
# headless on bench/peer/question.html) and with minimal baseline programs
# (bench/*.c). Installs what it needs from Debian, builds in build-bench/,
# runs every figure several times and writes docs/benchmarks.md.
# Not part of ./test.sh. About 30 minutes on 2 cores, the wijkdashboard
# figure (collector-dashboard) about 16 of them (the first run also
# generates the backlogs and the collector databases, cached in
# build-bench/bench-cache/).
#
# usage: bench/run.sh [--only startup|memory|idle|frames|store|upload|sync-memory|bytes|
#                            collector-ingest|collector-memory|collector-pg-ingest|
#                            collector-fleet|collector-export|collector-dashboard]
#                     [--quick]
#   --only NAME   measure one figure and print it (docs/benchmarks.md is left alone)
#   --quick       fewer repetitions, to try the script out
# BK_BENCH_WORK=DIR: scratch directory (default /tmp/bk-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

scripts/deps.sh build
want=(chromium fonts-noto-core hyperfine curl time python3 xvfb sqlite3 postgresql)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBK_TESTS=OFF -DBK_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" >/dev/null

work=${BK_BENCH_WORK:-/tmp/bk-bench}
mkdir -p "$work"
exec /usr/bin/python3 bench/lib/driver.py --repo "$repo" --build "$repo/build-bench" \
  --work "$work" --notes bench/NOTES.md "$@"
