#!/usr/bin/env bash
# The long versions of the hardening tests of tests/hardening.cmake (issue
# 8): 2,000 power cuts, 10,000 responses of network chaos, the monkey's
# 300,000 events under ASan + UBSan (and 1,000,000 in the normal build),
# 200 random bit flips, 500 rounds of I/O errors, and the clock and disk
# tests as they are. tests/long/run.sh calls it; it can also run alone.
#
# usage: long.sh BUILD_DIR ASAN_BUILD_DIR OUT_FILE
# Both build directories must be built (with their tests). Each test's
# summary lines are appended to OUT_FILE; the exit status is non-zero when
# any test failed (each test's whole output is in OUT_FILE.<N>-<test>.log).
set -uo pipefail
build=$1 asan=$2 out=$3
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy BK_LOG=warn
failed=0

# run NAME BUILD [VAR=VALUE...]: one test binary, its summary kept.
n=0
run() {
    local name=$1 dir=$2
    shift 2
    n=$((n + 1))
    local log="$out.$n-$name.log" start end rc
    start=$(date +%s)
    env "$@" "$dir/tests/$name" > "$log" 2>&1
    rc=$?
    end=$(date +%s)
    {
        echo "== $name ($*) in $(basename "$dir"): exit $rc, $((end - start)) s"
        grep -v -e '^info ' -e '^warning ' -e '^error ' -e '^debug ' -e '^\[' -e '^  [0-9]* still' \
            "$log" | grep -v '^$' | head -40
    } >> "$out"
    [ "$rc" = 0 ] || failed=1
}

asan_env=(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)

run test_powercut "$build" BK_POWERCUT_KILLS=2000
run test_chaos_net "$build" BK_CHAOS_RESPONSES=10000 BK_CHAOS_LIMIT_S=3600
run test_monkey "$asan" "${asan_env[@]}" BK_MONKEY_EVENTS=300000
run test_monkey "$build" BK_MONKEY_EVENTS=1000000
run test_corruption_ui "$build" BK_CORRUPT_CASES=200
run test_diskfull "$build" BK_IO_ERROR_ROUNDS=500
run test_clock_chaos "$build"
exit $failed
