#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Quick checks before a commit (seconds): lint and format, and the static checks that catch
# what only a board would show: CPython-only constructs in jotunheim/ (tests/test_portability.py)
# and the layout rule (tests/test_layout.py: no import cycle, no private names across modules).
# Install as a git hook with: ln -s ../../scripts/precommit.sh .git/hooks/pre-commit
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."  # also when run as .git/hooks/pre-commit (a link)
.venv/bin/ruff check .
.venv/bin/ruff format --check .
BLINKA_OS_AGNOSTIC=1 .venv/bin/python -m pytest -q -p no:cacheprovider \
  tests/test_portability.py tests/test_layout.py
