"""RAM budget of a whole Device under the MicroPython interpreter (tests/micropython).

From an interpreter that holds only the firmware fakes (what a board's firmware provides),
to a Device that has joined WiFi, listens, holds 3 sensors and 2 actuators and has served
one CallTool; modules loaded from ``.py`` with docstrings blanked, as on a board. Then the
heap one more served CallTool allocates, and what 100 more calls leave behind. Two paths:
the base path (no Loki configured) and with a Loki URL (plain http, negotiation done
against a scripted Loki on the fake network).

    .venv/bin/python benchmarks/bench_device_ram.py            # print the table
    .venv/bin/python benchmarks/bench_device_ram.py --write    # also docs/benchmarks/device-ram.md
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))

# json and re are C modules on a board; here the runner wraps them in small .py fakes.
FIRMWARE = "import gc, sys, json, re, board, microcontroller, wifi, socketpool, supervisor, storage"

SETUP = """
import fake_net, os
wifi.radio.add_network("home", "pw")
try:
    os.mkdir("/ram_root")
except OSError:
    pass
with open("/ram_root/settings.toml", "w") as f:
    f.write('CIRCUITPY_WIFI_SSID = "home"\\nCIRCUITPY_WIFI_PASSWORD = "pw"\\nJOTUNHEIM_TOKEN = "t"\\n')
with open("/ram_root/jotunheim.json", "w") as f:
    f.write(%r)
def _frame(p):
    n = len(p)
    return bytes([0, n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255]) + p
# Signed requests (remote.auth_mode signed, the default), one per call: a signature works
# once. Made on the host (signed_calls below) and handed in before the Device is built.
_n = [0]
def _next_call():
    _n[0] += 1
    return _SIGNED[_n[0] - 1]
def serve_one():
    fake_net.accept_from(8080, _next_call())
    served = 0
    for _ in range(3):
        served += device.step()
    assert served == 1, served
    reply = bytes(fake_net.connections[-1].sent)
    assert reply.startswith(b"HTTP/1.1 200") and b"grpc-status: 0" in reply, reply[:300]
    del fake_net.connections[:]
    del fake_net.sockets[:]
"""

LOKI = r"""
# A scripted Loki on the fake network: GetCapabilities answers an empty list, every
# RegisterScript success=true (gRPC-Web frames written out by hand).
_TRAILER = b"\x80\x00\x00\x00\x10grpc-status: 0\r\n"
def _loki_answer(conn):
    message = b"\x08\x01" if b"RegisterScript" in bytes(conn.sent) else b""
    body = _frame(message) + _TRAILER
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/grpc-web+proto\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
fake_net.add_host("loki.local", "10.0.0.9")
fake_net.serve("loki.local", 50051, *[fake_net.respond(_loki_answer) for _ in range(40)])
"""

DEVICE = """
from jotunheim import Device
from jotunheim.capability.drivers.simulated import (
    SimulatedButton, SimulatedClimateSensor, SimulatedLed, SimulatedRelay)
device = Device.from_settings("/ram_root", error_ring=False)
device.add_sensor("kitchen", SimulatedClimateSensor(seed=1))
device.add_sensor("garden", SimulatedClimateSensor(seed=2))
device.add_sensor("door", SimulatedButton())
device.add_actuator("status", SimulatedLed(pwm=True))
device.add_actuator("pump", SimulatedRelay())
for _ in range(%d):
    device.step()
serve_one()
"""

BASE_SETTINGS = '{"remote": {"rate_limit_per_minute": 0}}'
LOKI_SETTINGS = (
    '{"remote": {"rate_limit_per_minute": 0}, "network": {"loki_url": "http://loki.local:50051"}}'
)


# A ToolCallRequest{tool_name="set_led_sim", parameters='{"on": true}'}, encoded by hand so
# that no codec module is loaded before the Device loads its own.
SET_LED = b'\x12\x0bset_led_sim\x1a\x0c{"on": true}'


def signed_calls(count):
    """``count`` CallTool requests, each signed anew with the token ``t`` of SETUP, 10 ms
    apart (as if sent one by one: the device remembers 64, and refuses one signed before
    the oldest it forgot)."""
    import time

    from jotunheim_host.signing import Signer, grpc_web_body

    body = grpc_web_body(SET_LED)
    signer = Signer("t")
    path = "/jotunheim.JotunheimService/CallTool"
    start = int(time.time() * 1000)
    return tuple(
        b"POST " + path.encode() + b" HTTP/1.1\r\nHost: b\r\n"
        b"Content-Type: application/grpc-web+proto\r\nAuthorization: "
        + signer.header(path, body, ts=start + 10 * i).encode()
        + b"\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
        + body
        for i in range(count)
    )


def measure(mp, settings, loki):
    """Retained bytes of the whole Device, allocation of one more call, leak over 100."""
    mp.restart()
    mp.exec(FIRMWARE)
    empty = mp.mem_alloc()
    mp.exec(SETUP % settings)
    mp.exec("_SIGNED = %r" % (signed_calls(130),))
    if loki:
        mp.exec(LOKI)
    setup = mp.mem_alloc()
    mp.exec(DEVICE % (8 if loki else 1))
    device = mp.mem_alloc()
    out = {"setup": setup - empty, "device": device - setup}
    if loki:
        out["loki_state"] = mp.eval("device.loki_state")
        out["registered"] = mp.eval("len(device.loki_link.last_negotiation.registered)")
    mp.exec("serve_one()")
    out["per_call_alloc"] = mp.alloc_of("serve_one()", repeat=5)
    before = mp.mem_alloc()
    mp.exec("for _ in range(100):\n    serve_one()")
    out["after_100"] = mp.mem_alloc() - before
    out["modules"] = sorted(mp.eval("[k for k in sys.modules]"))
    return out


def module_rows(mp, names):
    """``(module, bytes, modules it loaded)``: heap kept by importing each module in turn on
    a fresh interpreter; a row also holds the modules it pulled in that were not loaded."""
    mp.restart()
    mp.exec(FIRMWARE)
    rows = []
    loaded = set(mp.eval("list(sys.modules)"))
    for name in names:
        if name in loaded or not name.startswith(("jotunheim", "adafruit")):
            continue
        size = mp.heap_of("import " + name)
        now = set(mp.eval("list(sys.modules)"))
        rows.append((name, size, sorted(m for m in now - loaded if m != name)))
        loaded = now
    return rows


def figures():
    from harness import MicroPython

    with MicroPython(timeout=600) as mp:
        base = measure(mp, BASE_SETTINGS, loki=False)
        loki = measure(mp, LOKI_SETTINGS, loki=True)
        base["rows"] = module_rows(mp, _import_order(base["modules"]))
    return base, loki


def _import_order(names):
    # Deepest first, so a row holds mostly its own module.
    return sorted(names, key=lambda n: (-n.count("."), n))


def report(base, loki):
    rows = base["rows"]
    ours = sum(size for name, size, _ in rows if name.startswith("jotunheim"))
    adafruit = sum(size for name, size, _ in rows if name.startswith("adafruit"))
    lines = [
        "# RAM budget of a whole Device (MicroPython interpreter)",
        "",
        "Regenerate with `.venv/bin/python benchmarks/bench_device_ram.py --write`; the budgets",
        "are asserted by `tests/test_device_ram.py`. From an interpreter holding only the",
        "firmware fakes to a Device that joined WiFi, listens, holds 3 sensors and 2 actuators",
        "and served one CallTool. Modules load from `.py` with docstrings blanked, as on a",
        "board. The WebAssembly build is 32-bit like a board's MicroPython.",
        "",
        "| path | retained | budget | one more CallTool (allocated) | left after 100 calls |",
        "|---|---:|---:|---:|---:|",
        "| base (no Loki) | %d | 64 KB (goal 48 KB) | %d | %d |"
        % (base["device"], base["per_call_alloc"], base["after_100"]),
        "| Loki URL set, negotiation done (%s, %d scripts) | %d | 96 KB | %d | %d |"
        % (
            loki["loki_state"],
            loki["registered"],
            loki["device"],
            loki["per_call_alloc"],
            loki["after_100"],
        ),
        "",
        "## Where the base path's bytes are",
        "",
        "Each module imported in turn on a fresh interpreter (a row includes the names it",
        "interns: MicroPython never frees them).",
        "",
        "| part | bytes |",
        "|---|---:|",
        "| our modules | %d |" % ours,
        "| Adafruit modules | %d |" % adafruit,
        "| runtime objects (Device, parts, settings, sockets, buffers, caches) | %d |"
        % (base["device"] - ours - adafruit),
        "",
        "| module | bytes | also loaded by it |",
        "|---|---:|---|",
    ]
    lines += ["| `%s` | %d | %s |" % (n, size, ", ".join(more)) for n, size, more in rows]
    return "\n".join(lines) + "\n"


def main(argv):
    base, loki = figures()
    text = report(base, loki)
    print(text)
    if "--write" in argv:
        with open(os.path.join(ROOT, "docs", "benchmarks", "device-ram.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
