#!/usr/bin/env bash
# Valgrind memcheck of the real kiosk (issue 8): a full replay of the demo
# survey (tests/replays/demo-nl.replay) under SDL_VIDEODRIVER=offscreen, with
# the sync worker uploading the response to the test receiver (wait-sync),
# then a clean exit. Pass: the replay holds, the response is stored and
# delivered, 0 memcheck errors and 0 bytes definitely lost. Suppressions for
# third-party libraries only: tests/valgrind.supp.
#
# usage: memcheck.sh BUURTKIOSK SOURCE_DIR [LOG_DIR]
set -euo pipefail
bin=$1 src=$2
logdir=${3:-}
command -v valgrind >/dev/null ||
  { echo "memcheck: valgrind is not installed (apt-get install valgrind, or scripts/deps.sh test)"; exit 1; }
tmp=$(mktemp -d /tmp/bk-memcheck-XXXXXX)
receiver_pid=
cleanup() { [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy

python3 "$src/tests/receiver/receiver.py" --port 0 --token memcheck-token --idle 600 \
  > "$tmp/receiver.out" 2> "$tmp/receiver.err" &
receiver_pid=$!
for _ in $(seq 100); do grep -q '^PORT' "$tmp/receiver.out" && break; sleep 0.1; done
port=$(awk '/^PORT/ {print $2}' "$tmp/receiver.out")
[ -n "$port" ] || { echo "memcheck: the receiver did not start"; cat "$tmp/receiver.err"; exit 1; }

(umask 077 && echo memcheck-token > "$tmp/token")
sed -e "s|^base_url = .*|base_url = http://127.0.0.1:$port/buurtkiosk|" \
    -e "s|^token_file = .*|token_file = $tmp/token|" \
    -e "s|^directory = .*|directory = $src/config/surveys|" \
    -e "s|^database = .*|database = $tmp/kiosk.db|" \
    -e "s|^interval_s = .*|interval_s = 10|" \
    "$src/config/buurtkiosk.ini" > "$tmp/kiosk.ini"
# The demo replay, then wait (real time) until the worker has sent it: a
# pass runs at start and interval_s (10 s, real time) after each good one.
{ cat "$src/tests/replays/demo-nl.replay"; echo "wait-sync 120000"; } > "$tmp/demo.replay"

start=$(date +%s)
rc=0
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
  --errors-for-leak-kinds=definite --num-callers=40 --error-exitcode=99 \
  --suppressions="$src/tests/valgrind.supp" --log-file="$tmp/valgrind.log" \
  "$bin" run --config "$tmp/kiosk.ini" --size 1280x800 --replay "$tmp/demo.replay" \
  > "$tmp/kiosk.out" 2> "$tmp/kiosk.err" || rc=$?
elapsed=$(( $(date +%s) - start ))
[ -n "$logdir" ] && mkdir -p "$logdir" && cp "$tmp/valgrind.log" "$tmp/kiosk.err" "$logdir/"

errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$tmp/valgrind.log" | tail -1)
lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$tmp/valgrind.log" | tail -1 | tr -d ,)
grep -q "All heap blocks were freed" "$tmp/valgrind.log" && lost=0
heap=$(sed -n 's/.*total heap usage: \(.*\)/\1/p' "$tmp/valgrind.log" | tail -1)
suppressed=$(sed -n 's/.*suppressed: \([0-9,]* bytes in [0-9,]* blocks\).*/\1/p' "$tmp/valgrind.log" | tail -1)
complete=$(sqlite3 "$tmp/kiosk.db" "select count(*) from responses where status='complete'")
delivered=$(sqlite3 "$tmp/kiosk.db" \
  "select count(*) from responses r join batches b on b.batch_id = r.batch_id where b.state = 'delivered'")
echo "memcheck: ${elapsed} s, exit ${rc}, ${errors:-?} errors, ${lost:-?} bytes definitely lost;" \
  "heap: ${heap:-?}; suppressed (third-party): ${suppressed:-0 bytes}"
echo "memcheck: ${complete} complete response(s) stored, ${delivered} delivered to the receiver"

fail=0
[ "$rc" = 0 ] || { echo "memcheck: the kiosk exited with $rc"; fail=1; }
[ "${errors:-x}" = 0 ] || { echo "memcheck: memcheck errors"; fail=1; }
[ "${lost:-x}" = 0 ] || { echo "memcheck: memory definitely lost"; fail=1; }
[ "$complete" = 1 ] || { echo "memcheck: expected 1 complete response"; fail=1; }
[ "$delivered" = 1 ] || { echo "memcheck: expected it delivered"; fail=1; }
if [ $fail != 0 ]; then
  echo "---- kiosk stderr"; tail -n 40 "$tmp/kiosk.err"
  echo "---- valgrind"; grep -v '^==[0-9]*== *$' "$tmp/valgrind.log" | tail -n 200
fi
exit $fail
