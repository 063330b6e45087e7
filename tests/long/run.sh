#!/usr/bin/env bash
# The long versions of the hardening tests of issue 8, one after another.
# ./test.sh runs the short versions; this takes hours. The figures of the
# last run are written down in docs/reliability.md.
#
#   tests/long/run.sh            (as root on a fresh machine: installs what is missing)
#
# Environment: BK_BUILD_DIR (default build-long), BK_LONG_FUZZ_SECONDS (per
# fuzz target, default 900), BK_LONG_SOAK_DAYS (default 7).
# Every step's output goes to BUILD/long/STEP.log; the summary lines to
# BUILD/long/summary.txt. Exit status 0 when every step passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
scripts/deps.sh test || exit 1
build=${BK_BUILD_DIR:-build-long}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
cmake --build "$build" -j"$(nproc)" || exit 1
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy
out=$build/long
mkdir -p "$out"
summary=$out/summary.txt
: >"$summary"
failed=0

# step NAME COMMAND...: runs it, keeps its output, notes the time and result.
step() {
  local name=$1
  shift
  echo "== $name: $*"
  local start
  start=$(date +%s)
  "$@" >"$out/$name.log" 2>&1
  local rc=$?
  local took=$(($(date +%s) - start))
  local result=passed
  [ $rc -eq 0 ] || { result="FAILED (exit $rc)"; failed=1; tail -n 40 "$out/$name.log"; }
  echo "$name: $result in ${took} s" | tee -a "$summary"
}

# ---- Fuzzing: each target BK_LONG_FUZZ_SECONDS, continuing the corpus. ----
step fuzz env BK_FUZZ_SECONDS="${BK_LONG_FUZZ_SECONDS:-900}" \
  tests/fuzz/run.sh "$build/fuzz" "$build/fuzz-work"
sed 's/^/  /' "$build/fuzz-work/summary.txt" >>"$summary" 2>/dev/null

# ---- Memory: Valgrind memcheck of a full replay with the sync worker. ----
step memcheck bash tests/memcheck.sh "$build/buurtkiosk" "$PWD" "$out/memcheck"
grep '^memcheck:' "$out/memcheck.log" | sed 's/^/  /' >>"$summary"

# ---- Memory: the soak, 7 virtual days, headless and drawing every frame. ----
step soak env BK_SOAK_DAYS="${BK_LONG_SOAK_DAYS:-7}" "$build/tests/test_soak"
grep '^soak:' "$out/soak.log" | sed 's/^/  /' >>"$summary"
step soak-render env BK_SOAK_DAYS="${BK_LONG_SOAK_DAYS:-7}" BK_SOAK_RENDER=1 \
  "$build/tests/test_soak"
grep '^soak:' "$out/soak-render.log" | sed 's/^/  /' >>"$summary"

# ---- Hardening: 2,000 power cuts, 10,000 responses of network chaos, the
# monkey under ASan + UBSan, random bit flips, I/O errors, clock jumps. ----
asan_build=${BK_ASAN_BUILD_DIR:-$build-asan}
step hardening-asan-build bash -c "cmake -S . -B '$asan_build' -DCMAKE_BUILD_TYPE=Debug \
  -DBK_SANITIZE=ON >/dev/null && cmake --build '$asan_build' -j$(nproc)"
step hardening tests/data/hardening/long.sh "$build" "$asan_build" "$out/hardening.txt"
sed 's/^/  /' "$out/hardening.txt" >>"$summary" 2>/dev/null

echo
echo "== summary ($summary)"
cat "$summary"
exit $failed
