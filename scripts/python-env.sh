#!/usr/bin/env bash
# Create (once) the Python virtual environment the conformance tests use, and print its folder.
# It installs Tests/conformance/requirements.txt from PyPI; nothing is installed outside .venv-tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-tests
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c "import grpc, grpc_tools, pytest" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet -r Tests/conformance/requirements.txt >&2
fi
echo "$VENV"
