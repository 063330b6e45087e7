#!/usr/bin/env bash
# Line coverage that the fuzz corpora reach in the code each target is for:
# builds every target with clang's source-based coverage and the plain
# driver (standalone_main.c), runs it once over the grown corpus, the seeds
# and the regression inputs, and prints llvm-cov's report per file.
#
#   tests/fuzz/coverage.sh OUT_DIR [GROWN_CORPUS_ROOT]
#
# GROWN_CORPUS_ROOT holds one folder per target, as run.sh leaves in
# WORK_DIR/corpus. Writes OUT_DIR/coverage.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=$1
grown=${2:-}
mkdir -p "$out/obj"
cc=${BK_CLANG:-clang}
profdata=$(command -v llvm-profdata || command -v llvm-profdata-14)
llvmcov=$(command -v llvm-cov || command -v llvm-cov-14)
flags=(-std=c11 -O0 -g -fprofile-instr-generate -fcoverage-mapping
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DBK_VERSION=\"coverage\"
  -I"$src/core" -I"$src/kiosk/core" -I"$src/sync" -I"$src/collector/ingest" -I"$here")
read -r -a libs <<<"$(pkg-config --libs sqlite3 jansson inih uuid libsodium libsystemd libcurl zlib)"

objs=()
for f in "$src"/core/*.c "$src"/kiosk/core/*.c "$src"/sync/*.c "$src"/collector/ingest/*.c; do
  o="$out/obj/$(basename "$(dirname "$f")")-$(basename "$f" .c).o"
  "$cc" "${flags[@]}" $(pkg-config --cflags jansson libcurl) -c "$f" -o "$o"
  objs+=("$o")
done
ar rcs "$out/libcov.a" "${objs[@]}"

declare -A files=(
  [survey]="core/survey.c"
  [config]="kiosk/core/config.c"
  [replay]="kiosk/core/replay.c"
  [server_reply]="sync/sync_pass.c sync/sync_surveys.c sync/sync_heartbeat.c sync/sync_backoff.c"
  [batch]="collector/ingest/ingest_batch.c collector/ingest/ingest_check.c"
  [gunzip]="collector/ingest/ingest_gunzip.c"
)
report="$out/coverage.txt"
: >"$report"
for t in survey config replay server_reply batch gunzip; do
  "$cc" "${flags[@]}" "$here/fuzz_$t.c" "$here/standalone_main.c" "$out/libcov.a" \
    "${libs[@]}" -lpthread -lm -o "$out/cov_$t"
  dirs=("$here/corpus/$t" "$here/regressions/$t")
  [ -n "$grown" ] && [ -d "$grown/$t" ] && dirs=("$grown/$t" "${dirs[@]}")
  rm -f "$out/$t".profraw
  LLVM_PROFILE_FILE="$out/$t.profraw" "$out/cov_$t" "${dirs[@]}" >"$out/$t.run.txt" 2>&1
  "$profdata" merge -sparse -o "$out/$t.profdata" "$out/$t.profraw"
  paths=()
  for f in ${files[$t]}; do paths+=("$src/$f"); done
  {
    echo "== fuzz_$t: $(tail -n 1 "$out/$t.run.txt")"
    "$llvmcov" report "$out/cov_$t" -instr-profile="$out/$t.profdata" "${paths[@]}" |
      sed "s|$src/||"
  } | tee -a "$report"
done
