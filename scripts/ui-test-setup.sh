#!/usr/bin/env bash
# Install what the Web UI's browser tests need and print the Python environment's folder:
# Debian's chromium and chromium-driver (apt), and Tests/ui/requirements.txt (Selenium, grpcio, pytest from PyPI)
# into the tests' virtual environment (.venv-tests/, shared with the conformance tests).
# Nothing is downloaded at test time: Selenium is pointed at /usr/bin/chromium and /usr/bin/chromedriver.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ui-test-setup: chromium and chromium-driver are missing; run as root or: apt-get install chromium chromium-driver" >&2
        exit 1
    fi
    echo "ui-test-setup: installing chromium and chromium-driver" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2
fi

VENV=$(scripts/python-env.sh)
# Reinstall whenever the UI requirements change (the stamp holds the requirements that were installed).
if ! cmp -s Tests/ui/requirements.txt "$VENV/installed-ui-requirements.txt"; then
    "$VENV/bin/pip" install --quiet -r Tests/ui/requirements.txt >&2
    cp Tests/ui/requirements.txt "$VENV/installed-ui-requirements.txt"
fi
echo "$VENV"
