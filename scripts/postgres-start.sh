#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the tests and print its URL.
# Usage: scripts/postgres-start.sh [PORT]   (default 55432; the data folder is printed on stderr)
# Stop it with: scripts/postgres-stop.sh
set -euo pipefail
PORT=${1:-55432}
STATE=${DAY2_PG_STATE:-/tmp/day2-pg-$PORT}

find_bin() {
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    echo "$dir"
}

BIN=$(find_bin)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
    echo "PostgreSQL is not installed; installing Debian's postgresql package" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BIN=$(find_bin)
fi

if [ -f "$STATE/data/postmaster.pid" ] && "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -q 2>/dev/null; then
    echo "postgres://postgres@127.0.0.1:$PORT/postgres"
    exit 0
fi

rm -rf "$STATE"
mkdir -p "$STATE"
RUN=()
if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$STATE"
    RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$BIN/initdb" -D "$STATE/data" -U postgres -A trust -E UTF8 --no-sync >"$STATE/initdb.log" 2>&1
"${RUN[@]}" "$BIN/pg_ctl" -D "$STATE/data" -l "$STATE/server.log" -w -t 30 \
    -o "-p $PORT -k $STATE -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT, data in $STATE" >&2
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
