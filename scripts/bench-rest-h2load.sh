#!/usr/bin/env bash
# REST API throughput and latency of a real `day2-orchestrator serve` process on a large fleet, loaded by h2load
# over HTTP/1.1 on loopback.
#
#   scripts/bench-rest-h2load.sh [HOSTS] [REQUESTS]      (defaults: 100000 hosts, 20000 requests per case)
#
# 1. seeds HOSTS hosts into a fresh SQLite store with `bench store` (1,000 sites, instances, half with a policy),
# 2. starts `serve` on it, 3. sends REQUESTS requests per case with 8 connections and a read-only project token:
#    - baseline: GET /livez (the same server and HTTP stack, a route that does nothing),
#    - GET /v1/projects/<p>/compute/hosts/<id> (one host with its site, region, instance, OS and policy),
#    - GET …/compute/hosts?filter=site.resourceId="<site>" AND NOT has(instance.osUpdatePolicy)&pageSize=100
#      (8 connections for throughput, then 1 connection for the latency one operator sees),
# and prints requests/s, p50/p99 (from h2load's per-request log), the ratio to the baseline, and the server's RSS.
# Needs: a release build, h2load (Debian nghttp2-client), sqlite3, python3. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${1:-100000}
REQUESTS=${2:-20000}
BIN=.build/release/day2-orchestrator
command -v h2load >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client; }
[ -x "$BIN" ] || swift build -c release --product day2-orchestrator

DIR=$(mktemp -d /tmp/day2-rest-bench.XXXXXX)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')

echo "seeding $HOSTS hosts..."
"$BIN" bench store --database "sqlite:$DIR/day2.sqlite" --hosts "$HOSTS" --seconds 1 --workers 1 > "$DIR/seed.log" 2>&1
read -r PROJECT NAME < <(sqlite3 -separator ' ' "$DIR/day2.sqlite" \
    "SELECT tenant_id, name FROM projects WHERE name LIKE 'bench-%' LIMIT 1")
HOST=$(sqlite3 "$DIR/day2.sqlite" "SELECT resource_id FROM hosts WHERE tenant_id='$PROJECT' ORDER BY uuid LIMIT 1 OFFSET $((HOSTS / 2))")
SITE=$(sqlite3 "$DIR/day2.sqlite" "SELECT site_id FROM hosts WHERE resource_id='$HOST'")

HTTP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
GRPC=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --data-dir "$DIR" --database "sqlite:$DIR/day2.sqlite" --http-port "$HTTP" --grpc-port "$GRPC" \
    --jwt-secret "$SECRET" --admin-password bench-password --log-level warning &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP/healthz" >/dev/null && break; sleep 0.1; done

TOKEN=$(python3 - "$PROJECT" "$SECRET" <<'PY'
import base64, hashlib, hmac, json, sys, time
project, secret = sys.argv[1], sys.argv[2]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": "bench", "exp": int(time.time()) + 86400,
                       "realm_access": {"roles": [f"{project}_im-r"]}}).encode())
print(f"{head}.{body}.{b64(hmac.new(secret.encode(), f'{head}.{body}'.encode(), hashlib.sha256).digest())}")
PY
)
API="http://127.0.0.1:$HTTP/v1/projects/$NAME"
FILTER=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' \
    "site.resourceId=\"$SITE\" AND NOT has(instance.osUpdatePolicy)")
# A sanity check that the requests answer what they should.
curl -sf "$API/compute/hosts/$HOST" -H "authorization: Bearer $TOKEN" | python3 -c \
    'import json,sys; h=json.load(sys.stdin); assert h["resourceId"] and h["instance"]["os"]["resourceId"], h'
curl -sf "$API/compute/hosts?filter=$FILTER&pageSize=100" -H "authorization: Bearer $TOKEN" | python3 -c \
    'import json,sys; p=json.load(sys.stdin); assert p["totalElements"] > 0, p; print("filtered page:", len(p["hosts"]), "of", p["totalElements"], "hosts")'

BASE_RPS=
run() {  # label url [connections]
    rm -f "$DIR/log"
    h2load --h1 -n "$REQUESTS" -c "${3:-8}" -t 1 --log-file="$DIR/log" -H "authorization: Bearer $TOKEN" "$2" > "$DIR/out" 2>&1 || { cat "$DIR/out"; exit 1; }
    python3 - "$1" "$DIR/out" "$DIR/log" "${BASE_RPS:-0}" <<'PY'
import re, sys
label, out, log, base = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3], float(sys.argv[4])
finished = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
if not finished:
    sys.exit(f"h2load did not finish:\n{out}")
rps = float(finished.group(1))
ok = re.search(r"(\d+) succeeded, (\d+) failed", out)
codes = re.search(r"status codes: (\d+) 2xx", out)
rows = [line.split("\t") for line in open(log) if line.strip()]
latencies = sorted(int(r[2]) / 1000 for r in rows)
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
ratio = f"   ratio to /livez {rps / base:.3f}" if base else ""
print(f"{label:<38} {rps:9.0f} req/s   p50 {pick(0.5):7.3f} ms   p99 {pick(0.99):7.3f} ms   "
      f"({ok.group(1)} ok, {codes.group(1) if codes else 0} 2xx){ratio}")
open(sys.argv[3] + ".rps", "w").write(str(rps))
PY
}
echo "== $HOSTS hosts, $REQUESTS requests per case, 8 connections unless said (HTTP/1.1)"
run "GET /livez (baseline: empty route)" "http://127.0.0.1:$HTTP/livez"
BASE_RPS=$(cat "$DIR/log.rps")
run "GET host by id" "$API/compute/hosts/$HOST"
run "GET filtered page of 100 hosts" "$API/compute/hosts?filter=$FILTER&pageSize=100"
run "  the same, one connection (latency)" "$API/compute/hosts?filter=$FILTER&pageSize=100" 1
echo "server RSS: $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status), peak $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$SERVER/status)"
