#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the collector's tests, from Debian's
# postgresql package: its own folder under /tmp, reached only through a
# Unix socket in that folder (no TCP port, so it never meets another
# server), trust authentication, superuser "postgres".
#
#   tests/pg/cluster.sh start FILE     makes and starts a cluster; writes its
#                                      socket folder into FILE (BK_TEST_PG)
#   tests/pg/cluster.sh restart FILE   fast restart: clients are cut off
#   tests/pg/cluster.sh pause FILE     stops the server, keeping its data
#   tests/pg/cluster.sh resume FILE    starts it again
#   tests/pg/cluster.sh stop FILE      stops it and removes everything
#
# The server refuses to run as root, so as root (CI) it runs as the
# postgres user that the package made. fsync is off: a test cluster
# need not survive a power cut, and the collector's commits still wait
# for the server (synchronous_commit stays on). BK_PG_FSYNC=on (the
# benchmarks) makes it a durable server as in production.
set -euo pipefail
cmd=${1:?usage: cluster.sh start|restart|pause|resume|stop FILE}
file=${2:?usage: cluster.sh start|restart|pause|resume|stop FILE}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "cluster.sh: no PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ -f "$file" ] && [ -d "$(cat "$file")/data" ]; then
    "$0" stop "$file" || true
  fi
  dir=$(mktemp -d /tmp/bk-pg.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
max_connections = 300
fsync = ${BK_PG_FSYNC:-off}
full_page_writes = ${BK_PG_FSYNC:-off}
synchronous_commit = on
shared_buffers = 128MB
CONF
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  mkdir -p "$(dirname "$file")"
  echo "$dir" >"$file"
  echo "cluster.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') at $dir"
  ;;
restart)
  dir=$(cat "$file")
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
  ;;
pause)
  dir=$(cat "$file")
  as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null
  ;;
resume)
  dir=$(cat "$file")
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
  ;;
stop)
  [ -f "$file" ] || exit 0
  dir=$(cat "$file")
  if [ -d "$dir/data" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -m fast stop >/dev/null 2>&1 || true
  fi
  case "$dir" in /tmp/bk-pg.*) rm -rf "$dir" ;; esac
  rm -f "$file"
  ;;
*)
  echo "cluster.sh: unknown command $cmd (start, restart, pause, resume or stop)" >&2
  exit 2
  ;;
esac
