#!/usr/bin/env bash
# Run every test: starts what the tests need (a throw-away PostgreSQL on loopback), runs `swift test`, then the
# conformance tests driven by third-party clients (Python grpcio, in .venv-tests/ from PyPI).
# Extra arguments go to `swift test` only (for example: scripts/test.sh --filter Inventory).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${DAY2_TEST_PG_PORT:-55432}
if [ -z "${DAY2_TEST_POSTGRES_URL:-}" ]; then
    DAY2_TEST_POSTGRES_URL=$(scripts/postgres-start.sh "$PORT")
    export DAY2_TEST_POSTGRES_URL
    trap 'scripts/postgres-stop.sh "$PORT"' EXIT
fi
echo "tests use PostgreSQL at $DAY2_TEST_POSTGRES_URL"

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
