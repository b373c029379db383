#!/usr/bin/env bash
# The whole test suite on a fresh machine: a virtual environment, the package with its
# test extras, then ruff, mypy --strict and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]' --config-settings editable_mode=strict
.venv/bin/ruff check .
.venv/bin/mypy src plugins importers tests
.venv/bin/python -m pytest "$@"
