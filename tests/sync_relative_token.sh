#!/usr/bin/env bash
# A token_file given relative to the configuration file is found (it is
# resolved once, against the configuration's folder, not twice).
# usage: sync_relative_token.sh BUURTKIOSK SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d /tmp/bk-token-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/etc" "$tmp/run"
(umask 077 && echo rel-token > "$tmp/etc/token")
# Port 9 on loopback: nothing listens, so the pass fails on the network.
sed -e "s|^base_url = .*|base_url = http://127.0.0.1:9/buurtkiosk|" \
    -e "s|^token_file = .*|token_file = token|" \
    -e "s|^directory = .*|directory = $src/config/surveys|" \
    -e "s|^database = .*|database = ../run/kiosk.db|" \
    "$src/config/buurtkiosk.ini" > "$tmp/etc/kiosk.ini"
rc=0
(cd "$tmp" && "$bin" sync --config etc/kiosk.ini) > "$tmp/out" 2>&1 || rc=$?
cat "$tmp/out"
# 2 would be a configuration error (the token not found); 0 or 1 mean the
# token was read and the pass went on to the network.
[ "$rc" != 2 ] || { echo "the relative token_file was not found"; exit 1; }
! grep -q "cannot open the token file" "$tmp/out" || exit 1
echo "1 passed, 0 failed"
