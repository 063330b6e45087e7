#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: once in a normal
# build, then again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh test
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
jobs=$(nproc)
echo "== normal build =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
echo "== Release build (-O3: every target, tests included, must build under -Werror) =="
# gcc's -O3 sees format truncations and other warnings the -O2 build does
# not; building it here keeps every build type warning-free.
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$jobs" >/dev/null
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBK_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Mesa's EGL (loaded by SDL's offscreen driver) leaks at exit: draw with the
# dummy driver under the sanitizers (see tests/CMakeLists.txt).
export SDL_VIDEODRIVER=dummy
(cd build-asan && ctest --output-on-failure -j"$jobs" -LE no-asan)
