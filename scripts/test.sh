#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Runs every test: lint, pytest on CPython + Blinka (which includes the MicroPython suite,
# the interop tests against third-party peers and the end-to-end runs), under coverage.
# Line and branch coverage of jotunheim/ is measured in pytest and in every Python process it
# starts (pyproject.toml [tool.coverage]); the combined report fails the run below the floor.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export BLINKA_OS_AGNOSTIC=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m coverage erase
set +e
.venv/bin/python -m coverage run -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
.venv/bin/python -m coverage combine -q
if [ "$rc" -ne 0 ]; then
  .venv/bin/python -m coverage report --fail-under=0 | tail -n 1
  exit "$rc"
fi
# A subset of the tests (arguments given) cannot be held to the whole suite's floor.
if [ "$#" -gt 0 ]; then
  .venv/bin/python -m coverage report --fail-under=0
else
  .venv/bin/python -m coverage report
fi
