#!/usr/bin/env bash
# Run every test: starts what the tests need (a throw-away PostgreSQL on loopback), then `swift test`.
# Extra arguments go to `swift test` (for example: scripts/test.sh --filter Inventory).
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
