#!/usr/bin/env bash
# Installs what is missing, builds, starts a local collector (the
# municipality's server, on SQLite under data/) and the kiosk with the demo
# configuration. Extra arguments go to the kiosk, e.g. ./run.sh --fullscreen
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target buurtkiosk buurtkiosk-collector
mkdir -p data
collector=(build/buurtkiosk-collector)
ccfg=config/collector.ini
# First start: the demo kiosk gets its token from the collector (only a hash
# of it is kept there), and the demo surveys are published to every kiosk.
if [ ! -s data/token ] || ! "${collector[@]}" kiosk list --config "$ccfg" | grep -q '^demo-kiosk-01 '; then
  rm -f data/token
  token=$("${collector[@]}" kiosk add demo-kiosk-01 --config "$ccfg" | tail -n 1)
  (umask 077 && printf '%s\n' "$token" > data/token)
fi
for s in config/surveys/*.json; do
  "${collector[@]}" survey publish "$s" --all --config "$ccfg" >/dev/null
done
# The symposium survey is the demo's live survey; the kiosk's own
# configuration chooses which survey it shows.
"${collector[@]}" survey publish config/surveys/buurtpeiling.json --all --config "$ccfg" >/dev/null
# The demo account of the dashboard: a wijkmakelaar for every area of the
# demo (so the answers of whichever wijk a resident taps show up), with a
# random password made once and kept in data/demo-login (readable only by
# you); the collector keeps only its argon2id hash.
if [ ! -s data/demo-login ] || ! "${collector[@]}" user list --config "$ccfg" | grep -q '^wijkmakelaar '; then
  "${collector[@]}" user remove wijkmakelaar --config "$ccfg" >/dev/null 2>&1 || true
  password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)
  areas=$(sed -n '/^\[areas\]/,/^\[/{s/^\([a-z0-9_-]*\) *=.*/\1/p}' "$ccfg" | paste -sd, -)
  printf '%s\n' "$password" |
    "${collector[@]}" user add wijkmakelaar --role wijkmakelaar --areas "$areas" --config "$ccfg" >/dev/null
  (umask 077 && printf 'wijkmakelaar %s\n' "$password" > data/demo-login)
fi
"${collector[@]}" serve --config "$ccfg" >data/collector.out 2>data/collector.log &
cpid=$!
trap 'kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' data/collector.out 2>/dev/null && break
  kill -0 "$cpid" 2>/dev/null || { cat data/collector.log >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' data/collector.out)
read -r demo_user demo_password < data/demo-login
echo "collector: $url/buurtkiosk (log: data/collector.log, database: data/collector.db)"
echo "  what it holds: build/buurtkiosk-collector status --config $ccfg"
echo "dashboard: $url/"
echo "  demo login: user name $demo_user, password $demo_password (kept in data/demo-login)"
echo "  an admin of your own: build/buurtkiosk-collector user add NAME --role admin --config $ccfg"
echo "kiosk: staff mode: hold the top-left corner 3 s, PIN 1234; \"Nu versturen\" sends to the collector"
build/buurtkiosk run --config config/buurtkiosk.ini --db data/buurtkiosk.db "$@"
