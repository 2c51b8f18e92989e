#!/usr/bin/env bash
# Create (once) the Python virtual environment the conformance tests use, and print its folder.
# It installs Tests/conformance/requirements.txt from PyPI; nothing is installed outside .venv-tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-tests
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
# Reinstall whenever the requirements change (the stamp holds the requirements that were installed).
if ! cmp -s Tests/conformance/requirements.txt "$VENV/installed-requirements.txt"; then
    "$VENV/bin/pip" install --quiet -r Tests/conformance/requirements.txt >&2
    cp Tests/conformance/requirements.txt "$VENV/installed-requirements.txt"
fi
echo "$VENV"
