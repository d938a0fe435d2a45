# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What each module of a Device's path keeps on the heap (MicroPython interpreter).

The same Device as ``bench_device_ram.py`` (3 sensors, 2 actuators, one CallTool served) is
built once with an import hook that records the order in which modules finish importing.
Then, on a fresh interpreter, the modules are imported one by one in that order, each
measured at top level: a module's row is its own code, tables and interned names, since
everything it imports was loaded before it. The interpreter's interned-name pool grows in
steps (each new pool twice the last, 7 bytes an entry): the row whose names crossed a step
is marked, and its bytes are shown without the pool.

    .venv/bin/python benchmarks/bench_module_ram.py          # base path
    .venv/bin/python benchmarks/bench_module_ram.py --loki   # Loki URL set, negotiated
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))

import bench_device_ram as device_ram  # noqa: E402

RECORD_ORDER = """
import builtins
_jh_import = builtins.__import__
_jh_order = []
def _jh_recording_import(name, *args):
    new = name not in sys.modules
    try:
        return _jh_import(name, *args)
    finally:
        if new and name in sys.modules and name not in _jh_order:
            _jh_order.append(name)
builtins.__import__ = _jh_recording_import
"""

# A package's __init__ runs before its submodule: they share one row.
NOTE_ROW = """
_jh_now = set(sys.modules)
if _jh_now != _jh_loaded:
    _jh_rows.append([" + ".join(sorted(_jh_now - _jh_loaded)), %d - %d, %d, %d, 0])
_jh_loaded = _jh_now
"""

# A module the Device forgets once used (jotunheim.compat.forget: it only builds things) is
# forgotten again right after its import: its row is what stays (the names it interned),
# and what forgetting gave back is noted.
FORGET = """
import gc
from jotunheim.compat import forget
forget(%r)
gc.collect()
_jh_loaded = set(sys.modules)
"""
NOTE_FORGOTTEN = """
_jh_rows[-1][1] -= %d
_jh_rows[-1][4] = %d
"""


def _prepare(mp, loki):
    mp.restart()
    mp.exec(device_ram.FIRMWARE)
    settings = device_ram.LOKI_SETTINGS if loki else device_ram.BASE_SETTINGS
    mp.exec(device_ram.SETUP % device_ram.deployed(settings))
    mp.exec("_SIGNED = %r" % (device_ram.signed_calls(3),))
    if loki:
        mp.exec(device_ram.LOKI)


def _names(mp):
    text = mp.exec("import micropython\nmicropython.qstr_info()")
    return int(re.search(r"n_qstr=(\d+)", text).group(1))


def _pool_bytes(before, after):
    """Bytes of the name pools allocated while the name count went from before to after."""
    total = 0
    for index, step in enumerate(device_ram.POOL_STEPS):
        if before <= step < after:
            total += 7 * 640 * 2**index
    return total


def rows(loki=False):
    """``(rows, runtime_bytes, names_total)``; a row is ``(module, bytes, names, pool,
    given_back)``: ``given_back`` is what forgetting a build-only module returned (0 for a
    module that stays), already taken from ``bytes``."""
    from harness import MicroPython

    with MicroPython(timeout=600) as mp:
        _prepare(mp, loki)
        mp.exec(RECORD_ORDER)
        mp.exec(device_ram.DEVICE % (8 if loki else 1))
        order = mp.eval("_jh_order")
        kept = set(mp.eval("sorted(sys.modules)"))
        _prepare(mp, loki)
        start = mp.mem_alloc()
        # Which modules an import brought in is noted inside the interpreter and read once
        # at the end: every value read out (mp.eval) stays referenced from JavaScript.
        mp.exec("_jh_loaded = set(sys.modules)\n_jh_rows = []")
        for name in order:
            names = _names(mp)
            size = mp.heap_of("import " + name)
            added = _names(mp) - names
            pool = _pool_bytes(names, names + added)
            mp.exec(NOTE_ROW % (size, pool, added, pool))
            if name not in kept:
                before = mp.mem_alloc()
                mp.exec(FORGET % name)
                back = before - mp.mem_alloc()
                mp.exec(NOTE_FORGOTTEN % (back, back))
        modules = mp.mem_alloc() - start
        out = [tuple(row) for row in mp.eval("_jh_rows")]
        mp.exec(device_ram.DEVICE % (8 if loki else 1))
        total = mp.mem_alloc() - start
        if loki:
            assert mp.eval("device.loki_state") == "ok", mp.eval("device.loki_state")
        return out, total - modules, _names(mp)


def main(argv):
    table, runtime, names = rows(loki="--loki" in argv)
    print("%8s %6s  %s" % ("bytes", "names", "module"))
    for name, size, added, pool, back in sorted(table, key=lambda row: -row[1]):
        mark = "  (+%d B name pool)" % pool if pool else ""
        if back:
            mark += "  (forgotten once used: %d B given back)" % back
        print("%8d %6d  %s%s" % (size, added, name, mark))
    code = sum(row[1] for row in table)
    pools = sum(row[3] for row in table)
    print("%8d %6d  modules" % (code, sum(row[2] for row in table)))
    print("%8d         name pools" % pools)
    print("%8d         runtime objects (Device, parts, buffers)" % runtime)
    print(
        "%8d %6d  total (names: all interned names in the interpreter)"
        % (code + pools + runtime, names)
    )


if __name__ == "__main__":
    main(sys.argv[1:])
