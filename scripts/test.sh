#!/usr/bin/env bash
# The whole test suite on a fresh machine: Debian's Chromium for the browser tests (with
# apt-get when it is missing), a virtual environment with the package and its test
# extras, then ruff, mypy --strict and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ -z "${COOPLEDGER_CHROMIUM:-}" ]; then
    echo "scripts/test.sh: installing Debian's chromium for the browser tests" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq chromium >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]' --config-settings editable_mode=strict
.venv/bin/ruff check .
.venv/bin/mypy src tests
.venv/bin/python -m pytest "$@"
