#!/usr/bin/env bash
# The scale run: N simulated nodes (default 100,000) at the upstream 20 s cadence against one `day2-orchestrator
# serve` (release build), on SQLite or PostgreSQL, with one region-wide maintenance window.
#
#   scripts/scale-run.sh [sqlite|postgres]
#   scripts/scale-run.sh --report OUT [sqlite|postgres]     # the figures of a run already made
#
# 1. starts the orchestrator on loopback (PostgreSQL: a throw-away server from scripts/postgres-start.sh),
# 2. `day2-fleetsim --register` registers the fleet through the REST API (region, sites, two OS resources, a TARGET
#    policy, a host and an instance per node), starts the agents (first polls spread over one interval) and opens a
#    window on the region WINDOW_IN after the agents start; it stops once every node is done,
# 3. samples CPU and RSS of the orchestrator, the simulator (and PostgreSQL) every 5 s,
# 4. prints the figures BENCHMARKS.md reports; everything stays in the output folder.
#
# Knobs (environment): NODES (100000), INTERVAL (20s), WINDOW_IN (300s), IMMEDIATE_DOWNLOAD_WINDOW (60s),
# DOWNLOAD_WINDOW (180s), DOWNLOAD_TIME (30s), REBOOT_TIME (30s),
# CONNECTIONS (day2-fleetsim's default), RAMP_UP (120s), IMAGE_SIZE (64KiB), FAILURE_RATE (0), OUT (artifacts/scale/<store>-<time>), PG_PORT (55439),
# SKIP_BUILD=1 (use the release binaries as they are).
# Needs: Swift, python3, curl; PostgreSQL's binaries for `postgres` (installed by scripts/postgres-start.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
REPORT_ONLY=""
if [ "${1:-}" = "--report" ]; then
    # scripts/scale-run.sh --report OUT [sqlite|postgres]: print the figures of a run already made.
    REPORT_ONLY=1; OUT=${2:?usage: $0 --report OUT [sqlite|postgres]}; shift 2
fi
STORE=${1:-sqlite}
case "$STORE" in sqlite|postgres) ;; *) echo "usage: $0 [sqlite|postgres] | --report OUT [sqlite|postgres]" >&2; exit 64 ;; esac
NODES=${NODES:-100000}
INTERVAL=${INTERVAL:-20s}
WINDOW_IN=${WINDOW_IN:-300s}
# The agents pre-download for the window: at a random moment between 4 and 1 minutes before it (upstream: 6 h
# and 10 min), so the downloads are spread as a fleet's are, not all at once.
IMMEDIATE_DOWNLOAD_WINDOW=${IMMEDIATE_DOWNLOAD_WINDOW:-60s}
DOWNLOAD_WINDOW=${DOWNLOAD_WINDOW:-180s}
DOWNLOAD_TIME=${DOWNLOAD_TIME:-30s}
REBOOT_TIME=${REBOOT_TIME:-30s}
CONNECTIONS=${CONNECTIONS:-}           # empty: day2-fleetsim's default, one HTTP/2 connection per 100 nodes
# The agents come online over RAMP_UP (their first polls, each a write of the host's status, spread over it); after
# that every agent polls every INTERVAL.
RAMP_UP=${RAMP_UP:-120s}
IMAGE_SIZE=${IMAGE_SIZE:-64KiB}
FAILURE_RATE=${FAILURE_RATE:-0}
PG_PORT=${PG_PORT:-55439}
OUT=${OUT:-artifacts/scale/$STORE-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ -z "$REPORT_ONLY" ]; then  # the run itself
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product day2-orchestrator
    swift build -c release --product day2-fleetsim
fi
BIN=$(swift build -c release --show-bin-path)

# 100,000 agents share a few connections, but the REST registration and the server's own files need descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

SERVER=""; SAMPLER=""; PG_STARTED=""
cleanup() {
    # Every step may find its process gone already; none of that may keep the next step from running.
    if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; fi
    if [ -n "${FLEETSIM:-}" ]; then kill -KILL "$FLEETSIM" 2>/dev/null || true; fi
    if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    [ -n "$PG_STARTED" ] && scripts/postgres-stop.sh "$PG_PORT"
    true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP_PORT=$(free_port)
GRPC_PORT=$(free_port)
python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > "$OUT/password"
python3 -c 'import secrets; print(secrets.token_hex(32))' > "$OUT/jwt-secret"
chmod 600 "$OUT/password" "$OUT/jwt-secret"

DATABASE=sqlite
PG_PID=""
if [ "$STORE" = postgres ]; then
    DATABASE=$(scripts/postgres-start.sh "$PG_PORT")
    PG_STARTED=1
    PG_PID=$(head -1 "/tmp/day2-pg-$PG_PORT/data/postmaster.pid")
fi

"$BIN/day2-orchestrator" serve --data-dir "$OUT/data" --database "$DATABASE" \
    --http-port "$HTTP_PORT" --grpc-port "$GRPC_PORT" --admin-password "$(cat "$OUT/password")" \
    --jwt-secret "$(cat "$OUT/jwt-secret")" --log-level warning > "$OUT/orchestrator.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null || { cat "$OUT/orchestrator.log"; exit 1; }

# CPU seconds and RSS (KiB) of a process tree root (PostgreSQL: the postmaster and its children).
sample() {
    local now tree
    now=$(date +%s.%N)
    printf '%s' "$now"
    for pid in "$SERVER" "${FLEETSIM:-}" "$PG_PID"; do
        if [ -z "$pid" ] || [ ! -d "/proc/$pid" ]; then printf ',,'; continue; fi
        tree="$pid"
        [ "$pid" = "$PG_PID" ] && tree="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
        python3 - $tree <<'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK"); cpu = 0.0; rss = 0
for pid in sys.argv[1:]:
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / tick
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"): rss += int(line.split()[1])
    except OSError:
        pass
print(f",{cpu:.2f},{rss}", end="")
PY
    done
    echo
}

echo "time,orchestrator_cpu_s,orchestrator_rss_kib,fleetsim_cpu_s,fleetsim_rss_kib,postgres_cpu_s,postgres_rss_kib" > "$OUT/samples.csv"
"$BIN/day2-fleetsim" --nodes "$NODES" --url "http://127.0.0.1:$HTTP_PORT" --grpc-address "127.0.0.1:$GRPC_PORT" \
    --password-file "$OUT/password" --jwt-secret-file "$OUT/jwt-secret" --register \
    --poll-interval "$INTERVAL" --window-in "$WINDOW_IN" --download-time "$DOWNLOAD_TIME" \
    --reboot-time "$REBOOT_TIME" --immediate-download-window "$IMMEDIATE_DOWNLOAD_WINDOW" \
    --download-window "$DOWNLOAD_WINDOW" ${CONNECTIONS:+--connections "$CONNECTIONS"} --ramp-up "$RAMP_UP" --image-size "$IMAGE_SIZE" \
    --failure-rate "$FAILURE_RATE" --register-concurrency 8 --progress-interval 10s \
    --exit-when-settled --duration 3600s --summary-file "$OUT/summary.json" > "$OUT/fleetsim.log" 2>&1 &
FLEETSIM=$!
( while kill -0 "$FLEETSIM" 2>/dev/null; do FLEETSIM=$FLEETSIM sample >> "$OUT/samples.csv"; sleep 5; done ) &
SAMPLER=$!
tail -F "$OUT/fleetsim.log" --pid "$FLEETSIM" 2>/dev/null &
# The summary is written when the agents stop being measured; closing 100,000 agents' calls into an overloaded server
# can take minutes after that, so give the simulator one minute, then stop it.
while kill -0 "$FLEETSIM" 2>/dev/null; do
    if [ -f "$OUT/summary.json" ]; then
        for _ in $(seq 60); do kill -0 "$FLEETSIM" 2>/dev/null || break; sleep 1; done
        kill -TERM "$FLEETSIM" 2>/dev/null || true; sleep 10; kill -KILL "$FLEETSIM" 2>/dev/null || true
        break
    fi
    sleep 2
done
wait "$FLEETSIM" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=""

fi  # the run; what follows reports it
echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the machine count too)"
echo "== machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); store: $STORE"
python3 - "$OUT" "$STORE" <<'PY'
import csv, json, sys
out, store = sys.argv[1], sys.argv[2]
summary = json.load(open(f"{out}/summary.json"))
rows = [r for r in csv.DictReader(open(f"{out}/samples.csv"))]
start = summary["agentsStartedAt"]
window = start + (summary.get("windowOpensAfter") or 0)
end = start + summary["agentSeconds"]
steady_from = start + summary["rampUpSeconds"] + summary["pollInterval"]   # every agent polling

def col(row, name):
    value = row.get(name) or ""
    return float(value) if value else None

def rate(name, t0, t1):
    inside = [r for r in rows if t0 <= float(r["time"]) <= t1 and col(r, name) is not None]
    if len(inside) < 2: return None
    a, b = inside[0], inside[-1]
    return (col(b, name) - col(a, name)) / (float(b["time"]) - float(a["time"]))

def peak(name, t0, t1):
    values = [col(r, name) for r in rows if t0 <= float(r["time"]) <= t1 and col(r, name) is not None]
    return max(values) / 1024 if values else None

def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)

print(f"nodes {summary['nodes']}, poll interval {summary['pollInterval']:.0f} s, offered {summary['offeredPollsPerSecond']:.0f} polls/s")
if summary.get("registrationSeconds"):
    print(f"registration through REST: {summary['registrationSeconds']:.0f} s ({summary['hostsCreated']} hosts + instances)")
steady = [i for i in summary["intervals"] if steady_from - start <= i["seconds"] <= window - start]
if steady:
    rates = sorted(i["pollsPerSecond"] for i in steady)
    p99s = sorted(i["p99Milliseconds"] for i in steady)
    print(f"steady state ({steady[0]['seconds']:.0f}-{steady[-1]['seconds']:.0f} s): polls/s median {rates[len(rates)//2]:.0f} "
          f"(min {rates[0]:.0f}, max {rates[-1]:.0f}); interval p99 median {p99s[len(p99s)//2]:.1f} ms, worst {p99s[-1]:.1f} ms")
b = summary["beforeWindow"]; a = summary.get("afterWindow") or {}
print(f"poll latency before the window: p50 {b['p50Milliseconds']:.1f} ms, p99 {b['p99Milliseconds']:.1f} ms, max {b['maxMilliseconds']:.0f} ms ({b['polls']} polls)")
if a:
    print(f"poll latency after it opened:   p50 {a['p50Milliseconds']:.1f} ms, p99 {a['p99Milliseconds']:.1f} ms, max {a['maxMilliseconds']:.0f} ms ({a['polls']} polls)")
print(f"failed polls: {summary['failedPolls']}")
for label, t0, t1 in [("steady state", steady_from, window), ("rollout", window, end)]:
    parts = [f"orchestrator {fmt(rate('orchestrator_cpu_s', t0, t1), '.2f')} cores",
             f"fleetsim {fmt(rate('fleetsim_cpu_s', t0, t1), '.2f')} cores"]
    if store == "postgres": parts.append(f"PostgreSQL {fmt(rate('postgres_cpu_s', t0, t1), '.2f')} cores")
    print(f"CPU, {label}: " + ", ".join(parts))
print(f"orchestrator RSS: peak {fmt(peak('orchestrator_rss_kib', start, end), '.0f')} MiB while the agents ran "
      f"(peak over the whole run incl. registration {fmt(peak('orchestrator_rss_kib', 0, 1e12), '.0f')} MiB)")
if store == "postgres":
    print(f"PostgreSQL RSS (sum of its processes, shared buffers counted in each): peak {fmt(peak('postgres_rss_kib', start, end), '.0f')} MiB")
steady_rss = sorted(i["residentBytes"] for i in steady) if steady else []
if steady_rss:
    median = steady_rss[len(steady_rss)//2]
    print(f"fleetsim RSS in the steady state: {median/1048576:.0f} MiB = {(median - summary['residentBytesBeforeNodes'])/summary['nodes']/1024:.1f} KiB per node above its start")
print(f"fleetsim: peak RSS {summary['peakResidentBytes']/1048576:.0f} MiB = {summary['residentBytesPerNode']/1024:.1f} KiB per node "
      f"({summary['residentBytesBeforeNodes']/1048576:.0f} MiB before the nodes started); "
      f"CPU {summary['cpuCores']:.2f} cores on average, {summary['cpuMicrosecondsPerPoll']:.0f} µs per poll")
print(f"window opened {summary.get('windowOpensAfter', 0):.0f} s after the agents started; first STARTED after "
      f"{fmt(summary.get('firstStartedAfterWindow'), '.1f')} s; last UPDATED after {fmt(summary.get('lastUpdatedAfterWindow'), '.1f')} s; "
      f"every node done after {fmt(summary.get('settledAfterWindow'), '.1f')} s")
print(f"UPDATED {summary['updatedNodes']}, FAILED {summary['failedNodes']}, never polled {summary['neverPolled']}, of {summary['nodes']}")
PY
echo "output: $OUT"
