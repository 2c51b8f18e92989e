#!/usr/bin/env bash
# Stop the throw-away PostgreSQL server started by scripts/postgres-start.sh and delete its data.
set -uo pipefail
PORT=${1:-55432}
STATE=${DAY2_PG_STATE:-/tmp/day2-pg-$PORT}
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -d "$STATE/data" ] || exit 0
RUN=()
[ "$(id -u)" = "0" ] && RUN=(runuser -u postgres --)
"${RUN[@]}" "$BIN/pg_ctl" -D "$STATE/data" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$STATE"
