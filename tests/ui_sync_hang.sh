#!/usr/bin/env bash
# The UI never waits on the network: while the receiver hangs on an upload,
# a resident completes a whole survey (replayed) and it is stored, and the
# kiosk exits promptly, aborting the stuck transfer without losing anything.
# usage: ui_sync_hang.sh BUURTKIOSK SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d /tmp/bk-hang-XXXXXX)
receiver_pid=
cleanup() { [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export SDL_VIDEODRIVER=${SDL_VIDEODRIVER:-offscreen} SDL_AUDIODRIVER=dummy

python3 "$src/tests/receiver/receiver.py" --port 0 --token hang-token --fault hang \
    --hang-s 60 --idle 120 > "$tmp/receiver.out" 2> "$tmp/receiver.err" &
receiver_pid=$!
for _ in $(seq 100); do grep -q '^PORT' "$tmp/receiver.out" && break; sleep 0.1; done
port=$(awk '/^PORT/ {print $2}' "$tmp/receiver.out")
control=$(awk '/^PORT/ {print $4}' "$tmp/receiver.out")
[ -n "$port" ] || { echo "receiver did not start"; cat "$tmp/receiver.err"; exit 1; }

(umask 077 && echo hang-token > "$tmp/token")
sed -e "s|^base_url = .*|base_url = http://127.0.0.1:$port/buurtkiosk|" \
    -e "s|^token_file = .*|token_file = $tmp/token|" \
    -e "s|^directory = .*|directory = $src/config/surveys|" \
    -e "s|^database = .*|database = $tmp/kiosk.db|" \
    "$src/config/buurtkiosk.ini" > "$tmp/kiosk.ini"

cat > "$tmp/survey.replay" <<'SCRIPT'
tap-text "Doe mee"
wait 2000
tap-text "Dorst"
wait 2000
tap-text "Mee eens"
wait 2000
tap-text "Neutraal"
wait 2000
tap-text "Mee oneens"
wait 2000
tap-text "Mee eens"
wait 2000
tap-text "Goed"
wait 2000
tap-text "Buurtfeest"
tap-text "Volgende"
wait 2000
tap-text "Ja"
wait 2000
type "Een bankje bij de bushalte"
tap-text "Klaar"
expect-text "Bedankt!"
wait 9000
expect-text "Doe mee"
SCRIPT

# First run: one response finished and queued.
"$bin" run --config "$tmp/kiosk.ini" --replay "$tmp/survey.replay" 2> "$tmp/run1.err" ||
    { cat "$tmp/run1.err"; exit 1; }
# Second run: the worker starts uploading that response at once and the
# receiver hangs; the resident must not notice.
start=$(date +%s%N)
"$bin" run --config "$tmp/kiosk.ini" --replay "$tmp/survey.replay" 2> "$tmp/run2.err" ||
    { cat "$tmp/run2.err"; exit 1; }
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))

complete=$(sqlite3 "$tmp/kiosk.db" "select count(*) from responses where status='complete'")
answers=$(sqlite3 "$tmp/kiosk.db" "select count(*) from answers")
echo "second run took ${elapsed_ms} ms while the receiver hung; complete=$complete answers=$answers"
[ "$complete" = 2 ] || { echo "expected 2 complete responses"; exit 1; }
[ "$answers" = 16 ] || { echo "expected 16 answers (8 per response; the area is a field)"; exit 1; }
areas=$(sqlite3 "$tmp/kiosk.db" "select count(*) from responses where area='dorst'")
[ "$areas" = 2 ] || { echo "expected the area dorst twice"; exit 1; }
# The hang lasts 60 s: finishing well before proves nothing waited for it.
[ "$elapsed_ms" -lt 20000 ] || { echo "the kiosk waited for the network"; exit 1; }
# The worker really was stuck in an upload during the second run.
posts=$(python3 -c "import json,urllib.request;print(json.load(urllib.request.urlopen('http://127.0.0.1:$control/_dump'))['batch_requests'])")
echo "uploads the receiver hung on: $posts"
[ "$posts" -ge 1 ] || { echo "the sync worker never tried to upload"; cat "$tmp/run2.err"; exit 1; }
echo "1 passed, 0 failed"
