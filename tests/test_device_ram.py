"""RAM budget of a whole Device under the MicroPython interpreter (benchmarks/bench_device_ram.py).

The issue's budgets are 64 KB retained on the base path (goal 48 KB), 96 KB with a Loki URL,
and at most 4 KB allocated per served CallTool. They are not met yet (see
docs/benchmarks/device-ram.md): these ceilings hold today's figures with ~3% headroom so a
change that costs RAM fails here, and they are lowered as the RAM work lands.
"""

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "micropython"))

from harness import check_installed  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

# Signed requests by default (issue 19: remote.auth_mode signed, HMAC-SHA256 on every call)
# cost ~10.7 KB retained (signing module, nonce ring, padded keys, auth wiring) and ~2.1 KB
# per call (three SHA-256 objects, the string to sign): 142,544 -> 153,248 B,
# 214,144 -> 225,040 B, 5,900 -> 8,012 B per call.
# Each ceiling rose by about what signing measured (+10.7 KB, +10.9 KB, +2,112 B). The per-call
# figure also jumps by ~1,088 B in some runs, before signing too (6,988 B on main).
BASE_RETAINED = 155 * 1024  # target 64 KB (goal 48 KB); 153,248 B measured
LOKI_RETAINED = 229 * 1024  # target 96 KB; 225,040 B measured
PER_CALL_ALLOCATED = 8420  # target 4 KB; 8,000-8,012 B measured (was 9.4 KB before the server)
LEFT_AFTER_100_CALLS = (
    1024  # target 0; the measurement moves by up to ~500 B; a leak of 16 B a call fails
)


@pytest.fixture(scope="module")
def figures():
    import bench_device_ram

    check_installed()
    return bench_device_ram.figures()


def test_base_path_device_fits_its_budget(figures):
    base, _ = figures
    print(base["device"], base["per_call_alloc"], base["after_100"])
    assert base["device"] <= BASE_RETAINED, base["device"]
    assert base["per_call_alloc"] <= PER_CALL_ALLOCATED, base["per_call_alloc"]
    assert base["after_100"] <= LEFT_AFTER_100_CALLS, base["after_100"]


def test_device_with_loki_negotiated_fits_its_budget(figures):
    _, loki = figures
    assert loki["loki_state"] == "ok" and loki["registered"] >= 5, loki
    assert loki["device"] <= LOKI_RETAINED, loki["device"]
    assert loki["per_call_alloc"] <= PER_CALL_ALLOCATED, loki["per_call_alloc"]
    assert loki["after_100"] <= LEFT_AFTER_100_CALLS, loki["after_100"]


def test_base_path_never_imports_loki_ota_or_the_grpc_client(figures):
    base, loki = figures
    unwanted = ("jotunheim.loki", "jotunheim.ota.agent", "jotunheim.grpc.client")
    assert not [m for m in base["modules"] if m.startswith(unwanted)], base["modules"]
    assert "jotunheim.loki.link" in loki["modules"]
