# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.resources: what watching resources costs.

1. Scheduler overhead per step (``run_due``) with the Device's usual 4 tasks, nothing due
   and one due, on CPython and under the MicroPython interpreter.
2. Byte counting per call, before/after: CallTool round trips on the simulated device
   over one keep-alive connection with the server's meter off (before: only the
   server's two totals) and on (per-client counting), alternating runs; and under
   MicroPython the bytes allocated and time per served call with and without it.
3. Heap held by the resources package on the base path under MicroPython: its modules and
   a ResourceMonitor built from default settings (pooled buffers included).

    .venv/bin/python benchmarks/bench_resources.py            # print the figures
    .venv/bin/python benchmarks/bench_resources.py --write    # also docs/benchmarks/resources.md
"""

import http.client
import os
import struct
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))

SCHEDULER_SETUP = """
from jotunheim.device.scheduler import Scheduler
from jotunheim.resources import SYSTEM
now = [0.0]
s = Scheduler(lambda: now[0])
for name, every in (("settings", 1.0), ("sample", 5.0), ("loki", 0.5), ("ota", 5.0)):
    s.every(name, every, lambda: False, first=every, priority=SYSTEM)
due = Scheduler(lambda: now[0])
due.every("tick", 0.0, lambda: True, priority=SYSTEM)
for name, every in (("settings", 1.0), ("sample", 5.0), ("loki", 0.5)):
    due.every(name, every, lambda: False, first=every, priority=SYSTEM)
"""


def scheduler_cpython(repeat=20000):
    """Microseconds per run_due: (nothing due, one task due)."""
    scope = {}
    exec(SCHEDULER_SETUP, scope)
    out = []
    for name in ("s", "due"):
        run = scope[name].run_due
        t0 = time.perf_counter()
        for _ in range(repeat):
            run()
        out.append((time.perf_counter() - t0) / repeat * 1e6)
    return out


def _call(conn, body):
    conn.request(
        "POST",
        "/jotunheim.JotunheimService/CallTool",
        body,
        {"Content-Type": "application/grpc-web+proto"},
    )
    response = conn.getresponse()
    data = response.read()
    assert response.status == 200 and b"grpc-status:0" in data.replace(b" ", b""), data[-60:]


def count_cost_cpython(repeat=200000):
    """Microseconds of the work counting adds to one answered request."""
    from jotunheim.resources.monitor import Bandwidth

    bw = Bandwidth()
    count = bw.count
    t0 = time.perf_counter()
    for _ in range(repeat):
        count("client:127.0.0.1", 300, 200)
    return (time.perf_counter() - t0) / repeat * 1e6


def counting_cpython(calls=1000, rounds=5):
    """CallTool round trips/s with the server's meter off and on (best of ``rounds``)."""
    from jotunheim.pb import jotunheim as jpb
    from jotunheim_host.simulate import SimulatedDevice

    payload = jpb.ToolCallRequest(tool_name="read_dht22_sim_temperature").encode()
    body = struct.pack(">BI", 0, len(payload)) + payload
    best = {"off": 0.0, "on": 0.0}
    # Open access: what is measured is the meter on the server path, not the auth check.
    with SimulatedDevice(tempfile.mkdtemp(), open_access=True, idle_sleep=0.0005) as sim:
        for task in sim.device.scheduler.tasks:
            task[0] = 1e12  # no periodic work during the measurement
        http_server = sim.device.server
        meter = http_server.meter
        host, port = sim.address.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        for _ in range(100):
            _call(conn, body)  # warm
        for i in range(rounds):
            for mode in ("off", "on") if i % 2 else ("on", "off"):
                http_server.meter = meter if mode == "on" else None
                t0 = time.perf_counter()
                for _ in range(calls):
                    _call(conn, body)
                rate = calls / (time.perf_counter() - t0)
                best[mode] = max(best[mode], rate)
        http_server.meter = meter
        conn.close()
    return best


def micropython_figures():
    """Scheduler µs per step, per-call bytes/µs with and without the meter, package heap."""
    import bench_device_ram as ram
    from harness import MicroPython

    out = {}
    with MicroPython(timeout=600) as mp:
        mp.exec(ram.FIRMWARE)
        mp.exec("import jotunheim.compat")
        mp.exec(SCHEDULER_SETUP)
        out["sched_idle_us"] = mp.time_of("s.run_due()", repeat=2000)
        out["sched_due_us"] = mp.time_of("due.run_due()", repeat=2000)

        mp.restart()
        mp.exec(ram.FIRMWARE)
        mp.exec(ram.SETUP % ram.BASE_SETTINGS)
        mp.exec("_SIGNED = %r" % (ram.signed_calls(1000),))  # one signed request a call
        mp.exec(ram.DEVICE % 1)
        mp.exec(ram.LIFT_RATE_LIMIT)
        mp.exec("for _ in range(10):\n    serve_one()")
        mp.exec("for _t in device.scheduler.tasks:\n    _t[0] = 1e12")  # no periodic work
        mp.exec("_meter = device.server.meter")
        for mode, value in (("on", "_meter"), ("off", "None"), ("on", "_meter"), ("off", "None")):
            mp.exec("device.server.meter = " + value)
            alloc = mp.alloc_of("serve_one()", repeat=20)
            took = mp.time_of("serve_one()", repeat=200)
            out["alloc_" + mode] = min(out.get("alloc_" + mode, alloc), alloc)
            out["time_" + mode] = min(out.get("time_" + mode, took), took)
        mp.exec("device.server.meter = _meter")

        mp.restart()
        mp.exec(ram.FIRMWARE)
        mp.exec(ram.SETUP % ram.BASE_SETTINGS)
        # Modules the base path loads anyway, first: sys.modules then has room, so its
        # table growing (~4 KB, once) is not charged to the modules measured.
        mp.exec(
            "import jotunheim.compat, jotunheim.log, jotunheim.http.wire, jotunheim.pb\n"
            "from jotunheim.settings.loader import SettingsLoader"
        )
        mp.exec("settings = SettingsLoader(root='/ram_root'); settings.load()")
        out["modules"] = mp.heap_of("from jotunheim.resources.monitor import ResourceMonitor")
        out["monitor"] = mp.heap_of("monitor = ResourceMonitor(settings.settings)")
        out["pool_bytes"] = mp.eval("monitor.buffers.size * len(monitor.buffers.pooled)")
    return out


def report(sched, counting, mp):
    package = mp["modules"] + mp["monitor"]
    lines = [
        "# jotunheim.resources: what watching resources costs",
        "",
        "Regenerate with `.venv/bin/python benchmarks/bench_resources.py --write`. One run on",
        "the development machine (2 shared cores; CPython 3.11.7; MicroPython 1.27.0",
        "WebAssembly under Node 20). Timings vary with the machine's load; heap figures under",
        "MicroPython are stable to a few dozen bytes.",
        "",
        "## Scheduler overhead per step",
        "",
        "`run_due()` with the Device's four system tasks (settings, sample, loki, ota):",
        "",
        "| | nothing due | one task due (it works) |",
        "|---|---:|---:|",
        "| CPython | %.2f µs | %.2f µs |" % (sched[0], sched[1]),
        "| MicroPython (WebAssembly) | %d µs | %d µs |" % (mp["sched_idle_us"], mp["sched_due_us"]),
        "",
        "## Byte counting per call, before/after",
        "",
        "Before: the server kept only its two totals (`rx_bytes`, `tx_bytes`). After: each",
        "answered request also hands its bytes to `Bandwidth.count('client:<ip>', ...)`, once",
        "per request, not per `recv`/`send`. Same device and connection, meter switched off",
        "and on, alternating rounds, best of each:",
        "",
        "| | meter off (before) | meter on (after) |",
        "|---|---:|---:|",
        "| CPython: CallTool round trips/s, keep-alive | %d | %d |"
        % (counting["off"], counting["on"]),
        "| MicroPython: bytes allocated per served call | %d | %d |"
        % (mp["alloc_off"], mp["alloc_on"]),
        "| MicroPython: µs per served call | %d | %d |" % (mp["time_off"], mp["time_on"]),
        "",
        "Under MicroPython the counting allocates per call the endpoint name of a new",
        "connection (`client:<ip>`, the benchmark opens one per call) and a float from the",
        "window clock; the per-call allocation figures also move by up to ~1 KB from run to",
        "run (the fake network's buffers), so compare them over a few runs.",
        "",
        "The work counting adds to one answered request, alone: `Bandwidth.count()` takes",
        "%.2f µs on CPython (round trips above differ by more than that from run to run)."
        % counting["count_us"],
        "",
        "## Heap held by the resources package (base path, MicroPython)",
        "",
        "| part | bytes |",
        "|---|---:|",
        "| modules (`resources`, `errors`, `memory`, `pool`, `bandwidth`, `monitor`) | %d |"
        % mp["modules"],
        "| a ResourceMonitor from default settings | %d |" % mp["monitor"],
        "| of which pooled buffers (`buffer_count` x `buffer_size`) | %d |" % mp["pool_bytes"],
        "| total | %d |" % package,
        "| total less the 1 KB receive buffer the server no longer allocates itself | %d "
        "(budget 6144) |" % (package - 1024),
        "",
        "One pooled buffer is the server's receive buffer (the server allocated its own",
        "1 KB before); the other holds request bodies up to `buffer_size` (larger bodies are",
        "allocated per request, as before). `jotunheim.resources.report` and `jotunheim.resources.host` are not on the",
        "base path (status calls and CPython only).",
        "",
    ]
    return "\n".join(lines)


def main(argv):
    sched = scheduler_cpython()
    counting = counting_cpython()
    counting["count_us"] = count_cost_cpython()
    mp = micropython_figures()
    text = report(sched, counting, mp)
    print(text)
    if "--write" in argv:
        with open(os.path.join(ROOT, "docs", "benchmarks", "resources.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
