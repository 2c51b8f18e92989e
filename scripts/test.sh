#!/usr/bin/env bash
# Run every test: starts what the tests need (a throw-away PostgreSQL and Debian's docker-registry, both on
# loopback), runs `swift test`, then the conformance tests driven by third-party clients (Python grpcio and oras,
# in .venv-tests/ from PyPI).
# Extra arguments go to `swift test` only (for example: scripts/test.sh --filter Inventory).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${DAY2_TEST_PG_PORT:-55432}
REGISTRY_PORT=${DAY2_TEST_REGISTRY_PORT:-55000}
CLEANUP=()
cleanup() { for step in "${CLEANUP[@]}"; do eval "$step"; done; }
trap cleanup EXIT
if [ -z "${DAY2_TEST_POSTGRES_URL:-}" ]; then
    DAY2_TEST_POSTGRES_URL=$(scripts/postgres-start.sh "$PORT")
    export DAY2_TEST_POSTGRES_URL
    CLEANUP+=('scripts/postgres-stop.sh "$PORT"')
fi
echo "tests use PostgreSQL at $DAY2_TEST_POSTGRES_URL"
# The OCI registry the Release Service tests push OS profiles to (Tests/conformance/test_release_osrm.py).
if [ -z "${DAY2_TEST_REGISTRY:-}" ]; then
    DAY2_TEST_REGISTRY=$(scripts/registry-start.sh "$REGISTRY_PORT")
    DAY2_TEST_REGISTRY_STATE=${DAY2_REGISTRY_STATE:-/tmp/day2-registry-$REGISTRY_PORT}
    export DAY2_TEST_REGISTRY DAY2_TEST_REGISTRY_STATE
    CLEANUP+=('scripts/registry-stop.sh "$REGISTRY_PORT"')
fi
echo "tests use docker-registry at $DAY2_TEST_REGISTRY"

swift build --build-tests
swift test --skip-build --disable-xctest "$@"

# Conformance driven by clients that are not ours (Python grpcio stubs generated from our .proto files).
if [ $# -eq 0 ]; then
    VENV=$(scripts/python-env.sh)
    DAY2_ORCHESTRATOR="$(swift build --show-bin-path)/day2-orchestrator" "$VENV/bin/python" -m pytest Tests/conformance -q
fi

# The Web UI in headless Chromium (Debian's chromium and chromium-driver, Selenium from PyPI): sign in, hosts with
# updates available, policies, maintenance windows, a simulated agent's update followed live. Screenshots are saved
# under artifacts/ui/ (the test prints the folder).
if [ $# -eq 0 ]; then
    UI_VENV=$(scripts/ui-test-setup.sh)
    DAY2_ORCHESTRATOR="$(swift build --show-bin-path)/day2-orchestrator" "$UI_VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/ui
fi

# The agent's Debian package: a release build with the Swift runtime linked in, its fields, files and postinst (in a
# private mount namespace), then the packaged binary updating simulated nodes over TLS.
if [ $# -eq 0 ]; then
    DAY2_ORCHESTRATOR="$(swift build --show-bin-path)/day2-orchestrator" scripts/test-agent-deb.sh
fi
