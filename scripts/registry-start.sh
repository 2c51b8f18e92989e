#!/usr/bin/env bash
# Start Debian's docker-registry (the CNCF distribution registry, OCI distribution API v2) on loopback for the tests,
# with its storage in a throw-away folder, and print its address (127.0.0.1:PORT).
# Usage: scripts/registry-start.sh [PORT]   (default 55000)     Stop it with: scripts/registry-stop.sh [PORT]
set -euo pipefail
PORT=${1:-55000}
STATE=${DAY2_REGISTRY_STATE:-/tmp/day2-registry-$PORT}

if ! command -v docker-registry >/dev/null 2>&1; then
    echo "docker-registry is not installed; installing Debian's docker-registry package" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-registry >&2
fi

answers() { curl -fsS -o /dev/null "http://127.0.0.1:$PORT/v2/" 2>/dev/null; }

if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null && answers; then
    echo "127.0.0.1:$PORT"
    exit 0
fi

rm -rf "$STATE"
mkdir -p "$STATE/data"
cat >"$STATE/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
  secret: day2-test-registry-$PORT
YAML
# setsid: the registry outlives this script but not the test run (registry-stop.sh ends it by its process ID).
setsid docker-registry serve "$STATE/config.yml" >"$STATE/registry.log" 2>&1 < /dev/null &
echo $! >"$STATE/pid"
for _ in $(seq 1 150); do
    if answers; then
        echo "docker-registry $(docker-registry --version 2>/dev/null | awk '{print $3}') on 127.0.0.1:$PORT, data in $STATE" >&2
        echo "127.0.0.1:$PORT"
        exit 0
    fi
    if ! kill -0 "$(cat "$STATE/pid")" 2>/dev/null; then
        echo "docker-registry exited:" >&2
        cat "$STATE/registry.log" >&2
        exit 1
    fi
    sleep 0.2
done
echo "docker-registry did not answer on 127.0.0.1:$PORT within 30 s:" >&2
cat "$STATE/registry.log" >&2
exit 1
