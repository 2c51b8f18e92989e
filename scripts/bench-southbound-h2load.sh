#!/usr/bin/env bash
# Southbound throughput of a real `day2-orchestrator serve` process, loaded by h2load (nghttp2's C load client,
# which leaves the cores to the server) over plaintext HTTP/2 on loopback.
#
#   scripts/bench-southbound-h2load.sh [HOSTS] [REQUESTS]      (defaults: 100000 hosts, 200000 polls)
#
# 1. seeds HOSTS hosts into a fresh SQLite store with `bench store` (instances provisioned, policies, inherited
#    schedules), 2. starts `serve` on it, 3. lets h2load send REQUESTS polls (PlatformUpdateStatus, UP_TO_DATE,
#    a valid agent token; each connection polls a different host), 4. sends the same number of health checks
#    (grpc.health.v1.Health/Check: the same server stack with a trivial handler) as the baseline, and prints both
#    with the ratio, plus the server's CPU time and peak memory.
# Needs: a release build (swift build -c release --product day2-orchestrator), h2load (Debian nghttp2-client),
# sqlite3, python3. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-100000}
REQUESTS=${2:-200000}
BIN=.build/release/day2-orchestrator
command -v h2load >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client; }
[ -x "$BIN" ] || swift build -c release --product day2-orchestrator

DIR=$(mktemp -d /tmp/day2-h2load.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')

echo "seeding $HOSTS hosts..."
"$BIN" bench store --database "sqlite:$DIR/day2.sqlite" --hosts "$HOSTS" --seconds 1 --workers 1 > "$DIR/seed.log" 2>&1
PROJECT=$(sqlite3 "$DIR/day2.sqlite" "SELECT tenant_id FROM projects WHERE name LIKE 'bench-%' LIMIT 1")

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HTTP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --data-dir "$DIR" --grpc-port "$PORT" --http-port "$HTTP" --jwt-secret "$SECRET" --log-level warning &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done

python3 - "$DIR" "$PROJECT" "$SECRET" "$HOSTS" <<'PY'
import base64, hashlib, hmac, json, struct, sys, time
folder, project, secret, hosts = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": "bench", "exp": int(time.time()) + 86400,
                       "realm_access": {"roles": [f"{project}_en-agent-rw"]}}).encode())
sig = b64(hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
open(f"{folder}/token", "w").write(f"{head}.{body}.{sig}")
# PlatformUpdateStatusRequest{host_guid=1: uuid, update_status=2: {status_type=1: UP_TO_DATE(1)}} in a gRPC frame.
guid = "%08x-0000-4000-8000-%012x" % (hosts // 2, hosts // 2)
message = b"\x0a" + bytes([len(guid)]) + guid.encode() + b"\x12\x02\x08\x01"
open(f"{folder}/poll.bin", "wb").write(b"\x00" + struct.pack(">I", len(message)) + message)
open(f"{folder}/health.bin", "wb").write(b"\x00\x00\x00\x00\x00")
PY

run() {  # path body
    h2load -n "$REQUESTS" -c 4 -m 16 -t 1 -d "$2" -H 'content-type: application/grpc' -H 'te: trailers' \
        -H "authorization: Bearer $(cat "$DIR/token")" "http://127.0.0.1:$PORT$1" 2>&1 \
        | grep -E "^finished in|^requests:|^time for request:"
}
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$SERVER/stat"; }

echo "== baseline: grpc.health.v1.Health/Check (same server, trivial handler)"
BEFORE=$(cpu); run /grpc.health.v1.Health/Check "$DIR/health.bin"; AFTER=$(cpu)
echo "server CPU seconds: $(python3 -c "print(round($AFTER - $BEFORE, 1))")"
echo "== Maintenance Manager: maintmgr.v1.MaintmgrService/PlatformUpdateStatus ($HOSTS hosts in SQLite)"
BEFORE=$(cpu); run /maintmgr.v1.MaintmgrService/PlatformUpdateStatus "$DIR/poll.bin"; AFTER=$(cpu)
echo "server CPU seconds: $(python3 -c "print(round($AFTER - $BEFORE, 1))")"
echo "server peak RSS: $(awk '/VmHWM/ {print $2/1024 " MiB"}' /proc/$SERVER/status)"
# Correctness: the polled host's instance must now show the status the polls reported.
sqlite3 "$DIR/day2.sqlite" "SELECT 'polled instance update status: ' || update_status FROM instances i JOIN hosts h ON h.resource_id = i.host_id WHERE h.uuid = printf('%08x-0000-4000-8000-%012x', $HOSTS / 2, $HOSTS / 2)"
