#!/usr/bin/env bash
# Stop the docker-registry that scripts/registry-start.sh started on PORT (default 55000) and remove its data.
set -euo pipefail
PORT=${1:-55000}
STATE=${DAY2_REGISTRY_STATE:-/tmp/day2-registry-$PORT}
if [ -f "$STATE/pid" ]; then
    PID=$(cat "$STATE/pid")
    if kill -0 "$PID" 2>/dev/null; then
        kill "$PID"
        for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    fi
fi
rm -rf "$STATE"
