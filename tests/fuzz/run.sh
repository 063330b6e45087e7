#!/usr/bin/env bash
# Runs the libFuzzer targets one after another, BK_FUZZ_SECONDS (default 40)
# each, and prints one line of figures per target.
#
#   tests/fuzz/run.sh BIN_DIR WORK_DIR [TARGET...]
#
# BIN_DIR holds fuzz_survey, fuzz_config, fuzz_replay, fuzz_server_reply,
# fuzz_batch, fuzz_gunzip
# (built by tests/fuzz.cmake into <build>/fuzz). WORK_DIR keeps the corpus the
# fuzzers grow (kept between runs), the logs, crash inputs (artifacts/) and
# summary.txt. The seeds in tests/fuzz/corpus/TARGET and the regression
# inputs in tests/fuzz/regressions/TARGET are read, never written.
#
# Exit status 0 when no target found a problem. A found input is in
# WORK_DIR/artifacts/; reproduce it with `BIN_DIR/fuzz_TARGET FILE`, fix the
# code, and copy it into tests/fuzz/regressions/TARGET/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 2 ]; then
  echo "usage: $0 BIN_DIR WORK_DIR [TARGET...]" >&2
  exit 2
fi
bin=$1
work=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(survey config replay server_reply batch gunzip)
seconds=${BK_FUZZ_SECONDS:-40}
mkdir -p "$work/artifacts"
summary="$work/summary.txt"
: >"$summary"
# Leaks are errors; the targets' own checks abort. A smaller quarantine than
# ASan's 256 MiB makes fuzz_server_reply a third faster.
export ASAN_OPTIONS=${BK_FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:quarantine_size_mb=16:malloc_context_size=10}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=0
for t in "${targets[@]}"; do
  exe="$bin/fuzz_$t"
  if [ ! -x "$exe" ]; then
    echo "fuzz: $exe is missing (build the main project with clang installed)" >&2
    failed=1
    continue
  fi
  corpus="$work/corpus/$t"
  log="$work/$t.log"
  mkdir -p "$corpus"
  rm -f "$work/artifacts/$t-"*
  dict=()
  [ -f "$here/dict/$t.dict" ] && dict=(-dict="$here/dict/$t.dict")
  "$exe" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$work/artifacts/$t-" \
    "$corpus" "$here/corpus/$t" "$here/regressions/$t" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  # The instrumented edges of the code linked into this target.
  edges=$(sed -n 's/^INFO: Loaded 1 modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -1)
  line="fuzz_$t: ${seconds} s, ${runs:-?} runs, ${speed:-?} exec/s, coverage ${cov:-?} of ${edges:-?} edges, ${ft:-?} features, corpus ${corp:-?}"
  if [ $rc -ne 0 ]; then
    line="$line: FAILED (exit $rc)"
    failed=1
    echo "---- fuzz_$t: the end of $log" >&2
    tail -n 60 "$log" >&2
    for a in "$work/artifacts/$t-"*; do [ -e "$a" ] && echo "  input: $a" >&2; done
  fi
  echo "$line"
  echo "$line" >>"$summary"
done
exit $failed
