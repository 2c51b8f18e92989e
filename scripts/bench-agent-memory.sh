#!/usr/bin/env bash
# Measures the agent's resident memory while it polls: a `day2-orchestrator serve` on loopback with the example
# fleet, and a release `day2-agent` in simulated mode polling it every second (the example Ubuntu node: every poll
# carries its policy, its window and the upgradable-packages report). Prints the peak and final RSS.
# Usage: scripts/bench-agent-memory.sh [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-60}

swift build -c release --static-swift-stdlib --product day2-agent >&2
AGENT="$(swift build -c release --static-swift-stdlib --show-bin-path)/day2-agent"
ORCH="$(swift build --show-bin-path)/day2-orchestrator"
[ -x "$ORCH" ] || swift build --product day2-orchestrator >&2

WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
"$ORCH" seed example --data-dir "$WORK/data" > "$WORK/seed.json" 2>/dev/null
PORT=$((20000 + RANDOM % 20000))
"$ORCH" serve --data-dir "$WORK/data" --jwt-secret "$SECRET" --grpc-port "$PORT" --http-port 0 --log-level error &
PIDS+=($!)

read -r PROJECT GUID < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["projectId"], d["mutableHostUUID"])' "$WORK/seed.json")
python3 - "$SECRET" "$PROJECT" > "$WORK/token" <<'PY'
import base64, hashlib, hmac, json, sys, time
secret, project = sys.argv[1], sys.argv[2]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
claims = b64(json.dumps({"sub": "agent", "exp": int(time.time()) + 86400, "realm_access": {"roles": [project + "_en-agent-rw"]}}).encode())
signature = b64(hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest())
print(f"{header}.{claims}.{signature}")
PY
cat > "$WORK/agent.yaml" <<YAML
GUID: $GUID
updateServiceURL: http://127.0.0.1:$PORT
metadataPath: /var/lib/day2-agent/metadata.json
tickerInterval: 1s
jwt:
  accessTokenPath: $WORK/token
bootBackend: simulated
logLevel: error
YAML
# The simulated node's repositories offer what the example policy installs, so its window runs the whole chain.
mkdir -p "$WORK/node"
echo '{"installed":{"curl":"7.88.1-10"},"available":{"curl":"7.88.1-10+deb12u1","tree":"2.1.0-1"},"downloaded":[]}' \
    > "$WORK/node/packages.json"
sleep 2
"$AGENT" run --config "$WORK/agent.yaml" --simulate "$WORK/node" --os ubuntu &
AGENT_PID=$!
PIDS+=($AGENT_PID)

PEAK=0
for _ in $(seq "$SECONDS_TO_RUN"); do
    sleep 1
    RSS=$(awk '/^VmRSS/ {print $2}' "/proc/$AGENT_PID/status")
    [ "$RSS" -gt "$PEAK" ] && PEAK=$RSS
done
HWM=$(awk '/^VmHWM/ {print $2}' "/proc/$AGENT_PID/status")
ANON=$(awk '/^RssAnon/ {print $2}' "/proc/$AGENT_PID/status")
FILE=$(awk '/^RssFile/ {print $2}' "/proc/$AGENT_PID/status")
POLLS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["updateStatus"])' "$WORK/node/var/lib/day2-agent/metadata.json")
echo "agent polling every 1 s for $SECONDS_TO_RUN s: RSS now $(awk '/^VmRSS/ {print $2}' "/proc/$AGENT_PID/status") KiB, peak sampled $PEAK KiB, kernel high-water mark $HWM KiB; now $ANON KiB anonymous + $FILE KiB file-backed (pages of the binary); last status reported: $POLLS"
