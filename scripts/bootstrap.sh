#!/usr/bin/env bash
# Installs everything the demo and the tests need: a virtualenv in .venv with pinned
# packages, and the MicroPython WebAssembly interpreter under tests/micropython.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements-dev.sha
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$want" > "$stamp"
fi
if [ ! -d tests/micropython/node_modules ] || [ tests/micropython/package-lock.json -nt tests/micropython/node_modules ]; then
  (cd tests/micropython && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/micropython/node_modules
fi
