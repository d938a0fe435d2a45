#!/usr/bin/env bash
# Runs every test: lint, pytest on CPython + Blinka (which includes the MicroPython suite,
# the interop tests against third-party peers and the end-to-end runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export BLINKA_OS_AGNOSTIC=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$rc"
