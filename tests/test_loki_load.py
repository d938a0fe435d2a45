# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Load: 50 simulated devices, each on one kept-alive connection, register and execute
scripts (and stream one) through one reference Loki on 127.0.0.1. Bounded in count
(50 devices x 5 rounds) and time (120 s); asserts correctness, not speed — the
figures are in docs/benchmarks/loki.md (benchmarks/bench_loki_load.py)."""

import os

from benchmarks.bench_loki_load import run_load
from jotunheim_host.loki import Limits, LokiServer

DEVICES = 50
ROUNDS = 5


def test_fifty_devices_at_once(tmp_path):
    with LokiServer(str(tmp_path / "scripts"), port=0, limits=Limits(max_seconds=20)) as srv:
        result = run_load(srv.port, clients=DEVICES, rounds=ROUNDS, time_limit=120.0)
        names = set(srv.service.store.names())
    assert result["failures"] == []
    # register x2 + executes + one stream, per device, all answered.
    assert result["requests"] == DEVICES * (ROUNDS + 3)
    # Every device kept its one connection for the whole run.
    assert result["reconnects"] == 0
    if os.path.exists("/proc/net/tcp"):
        assert result["peak_established"] >= DEVICES
    assert {f"dev_{i:03d}" for i in range(DEVICES)} <= names
    assert len(names) == DEVICES * 2
