#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# The main job: a reference Loki and a simulated device, end to end, on free local ports.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export BLINKA_OS_AGNOSTIC=1
exec .venv/bin/jotunheim demo "$@"
