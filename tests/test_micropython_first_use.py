# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Heap after first use, not only after import (MicroPython interpreter).

A module can be cheap to import and costly once used: the pb modules parse their field
tables on the first use of each message class. Each row: a fresh interpreter with the
firmware fakes, the module imported, then every message class used once (an empty message
encoded and decoded), retained heap after collection. The whole Device after first use is
tests/test_device_ram.py. With JOTUNHEIM_WRITE_BENCH=1 the table is appended to
docs/benchmarks/micropython-heap.md (after tests/test_micropython_heap.py wrote it).
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "micropython"))

from harness import MicroPython, check_installed  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

FIRMWARE = "import gc, sys, json, re, board, microcontroller, wifi, socketpool, supervisor, storage"
# Message classes are made on first lookup (a module __getattr__), so dir() does not list
# them: their names are the first word of each line of the module's TABLES.
USE_ALL = """
for _line in %(m)s.TABLES.split("\\n"):
    if _line:
        _cls = getattr(%(m)s, _line.split(":")[0])
        _cls.decode(_cls().encode())
del _line, _cls
"""
# module -> (after import, after first use) ceilings: ~10% over the measured figures.
BUDGETS = {
    "jotunheim.pb.loki": (12400, 26800),  # measured 11,280 / 24,400
    "jotunheim.pb.jotunheim": (9100, 13000),  # 8,304 / 11,792
    "jotunheim.pb.jotunheim_capability": (10300, 20000),  # 9,392 / 18,240
    "jotunheim.pb.einherjar": (8900, 12600),  # 8,112 / 11,440
}


def measure(mp, module):
    mp.restart()
    mp.exec(FIRMWARE)
    start = mp.mem_alloc()
    mp.exec("import %s as m" % module)
    imported = mp.mem_alloc()
    mp.exec(USE_ALL % {"m": "m"})
    used = mp.mem_alloc()
    return imported - start, used - start


def test_pb_modules_after_first_use_stay_in_budget():
    check_installed()
    rows = []
    with MicroPython(timeout=300) as mp:
        for module, (import_cap, use_cap) in BUDGETS.items():
            imported, used = measure(mp, module)
            rows.append((module, imported, used))
            assert imported <= import_cap, (module, imported)
            assert used <= use_cap, (module, used)
            assert used > imported, "first use must parse the tables: %s" % module
    table = ["| module | after import | after first use |", "|---|---:|---:|"]
    table += ["| `%s` | %d | %d |" % row for row in rows]
    print("\n".join(table))
    if os.environ.get("JOTUNHEIM_WRITE_BENCH") == "1":
        out = ROOT / "docs" / "benchmarks" / "micropython-heap.md"
        text = out.read_text() if out.exists() else ""
        marker = "\n## After first use\n"
        text = text.split(marker)[0].rstrip("\n") + "\n" + marker + "\n"
        text += (
            "Every message class of the module used once (tests/test_micropython_first_use.py).\n\n"
        )
        out.write_text(text + "\n".join(table) + "\n")
