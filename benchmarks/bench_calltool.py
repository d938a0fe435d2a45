# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CallTool benchmark: round trips per second against the simulated device (CPython, real
HTTP on 127.0.0.1) and, under MicroPython (tests/micropython/harness.py), the heap one call
allocates and the heap the handler and the Device keep.

    .venv/bin/python benchmarks/bench_calltool.py            # print the report
    .venv/bin/python benchmarks/bench_calltool.py --write    # also docs/benchmarks/remote.md
"""

import json
import os
import socket
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "micropython"))
os.environ.setdefault("BLINKA_OS_AGNOSTIC", "1")

N = 1000


def _timed(fn, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    total = sum(times)
    times.sort()
    return {
        "per_s": n / total,
        "p50_ms": times[n // 2] * 1000,
        "p95_ms": times[int(n * 0.95)] * 1000,
        "max_ms": times[-1] * 1000,
    }


def cpython_figures():
    from jotunheim.grpc.client import GrpcWebClient
    from jotunheim.pb import jotunheim as jpb
    from jotunheim_host.simulate import SimulatedDevice

    root = tempfile.mkdtemp(prefix="bench-calltool-")
    with open(os.path.join(root, "jotunheim.json"), "w") as f:
        # Bearer calls (signed is the default since): this measures the call path, not HMAC.
        json.dump({"remote": {"rate_limit_per_minute": 0, "auth_mode": "bearer"}}, f)
    out = {}
    with SimulatedDevice(root, token="bench-token", loki_url="", idle_sleep=0.0005) as sim:
        client = GrpcWebClient(
            sim.url, socket_pool=socket, timeout=5, metadata={"authorization": "Bearer bench-token"}
        )

        def call(name, params=""):
            r = client.unary(
                "/jotunheim.JotunheimService/CallTool",
                jpb.ToolCallRequest(tool_name=name, parameters=params),
                decode=jpb.ToolCallResponse.decode,
            )
            assert r.success, r.error_message

        for _ in range(50):
            call("get_led_sim_state")
        out["read"] = _timed(lambda: call("read_dht22_sim_temperature"), N)
        out["set"] = _timed(lambda: call("set_led_sim", '{"on": true, "brightness": 0.5}'), N)
        out["third_party"] = _connect_python(sim.url)
        # The handler alone (no HTTP): what a call costs the device's CPU.
        handler = sim.device.handler

        class Ctx:
            metadata = {"authorization": "Bearer bench-token"}
            client_address = ("127.0.0.1", 1)

        req = jpb.ToolCallRequest(tool_name="set_led_sim", parameters='{"on": true}')
        n = 5000
        t0 = time.perf_counter()
        for _ in range(n):
            handler.call_tool(req, Ctx)
        out["handler_us"] = (time.perf_counter() - t0) / n * 1e6
        sim.device.sample_resources()
        out["request_bytes"] = len(req.encode()) + 5
    return out


def _connect_python(url):
    from connectrpc.protocol import ProtocolType

    from tests.interop import stubs

    st = stubs.load(tempfile.mkdtemp(prefix="bench-stubs-"))
    client = st.jotunheim_connect.JotunheimServiceClientSync(
        url, protocol=ProtocolType.GRPC_WEB, send_compression=None, accept_compression=()
    )
    headers = {"authorization": "Bearer bench-token"}
    req = st.jotunheim_pb2.ToolCallRequest(tool_name="read_dht22_sim_temperature")
    return _timed(lambda: client.call_tool(req, headers=headers), N // 2)


MP_SETUP = """
import gc, json, fake_net, wifi, microcontroller
from jotunheim.pb import jotunheim as jpb
wifi.radio.add_network("home", "pw")
import os
try:
    os.mkdir("/bench_root")
except OSError:
    pass
with open("/bench_root/settings.toml", "w") as f:
    f.write('CIRCUITPY_WIFI_SSID = "home"\\nCIRCUITPY_WIFI_PASSWORD = "pw"\\nJOTUNHEIM_TOKEN = "t"\\n')
with open("/bench_root/jotunheim.json", "w") as f:
    f.write('{"remote": {"rate_limit_per_minute": 0, "auth_mode": "bearer"}}')
"""

MP_DEVICE = """
from jotunheim.device import Device
from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedLed
device = Device.from_settings("/bench_root", error_ring=False)
device.add_sensor("air", SimulatedClimateSensor())
device.add_actuator("status", SimulatedLed(pwm=True))
device.step()
"""

MP_HELPERS = """
class Ctx:
    metadata = {"authorization": "Bearer t"}
    client_address = ("10.0.0.2", 5000)
def frame(p):
    n = len(p)
    return bytes([0, n >> 24 & 255, n >> 16 & 255, n >> 8 & 255, n & 255]) + p
def http(name, params):
    body = frame(jpb.ToolCallRequest(tool_name=name, parameters=params).encode())
    return (b"POST /jotunheim.JotunheimService/CallTool HTTP/1.1\\r\\nHost: b\\r\\n"
            b"Content-Type: application/grpc-web+proto\\r\\nAuthorization: Bearer t\\r\\n"
            b"Content-Length: %d\\r\\n\\r\\n" % len(body)) + body
READ = http("read_dht22_sim_temperature", "")
SET = http("set_led_sim", '{"on": true, "brightness": 0.5}')
read_req = jpb.ToolCallRequest(tool_name="read_dht22_sim_temperature")
set_req = jpb.ToolCallRequest(tool_name="set_led_sim", parameters='{"on": true, "brightness": 0.5}')
bad_req = jpb.ToolCallRequest(tool_name="set_led_sim", parameters='{"on": true, "brightness": 5}')
h = device.handler
def refused():
    try:
        h.call_tool(bad_req, Ctx)
    except Exception:
        pass
def served(req):
    fake_net.accept_from(8080, req)
    assert device.step() == 1
    del fake_net.connections[:]
    del fake_net.sockets[:]
"""


def micropython_figures():
    from harness import MicroPython

    out = {}
    with MicroPython(timeout=300) as mp:
        mp.exec("import gc")
        out["version"] = mp.eval(
            "'.'.join(str(v) for v in __import__('sys').implementation.version[:3])"
        )
        out["import_handler"] = mp.heap_of("import jotunheim.remote.handler")
        out["import_device"] = mp.heap_of("import jotunheim.device")
        mp.exec(MP_SETUP)
        out["device"] = mp.heap_of(MP_DEVICE)
        mp.exec(MP_HELPERS)
        # warm up (first call builds lazy tables)
        mp.exec(
            "h.call_tool(read_req, Ctx)\nh.call_tool(set_req, Ctx)\nrefused()\nserved(READ)\nserved(SET)"
        )
        out["handler_read"] = mp.alloc_of("h.call_tool(read_req, Ctx)", repeat=10)
        out["handler_set"] = mp.alloc_of("h.call_tool(set_req, Ctx)", repeat=10)
        out["handler_refused"] = mp.alloc_of("refused()", repeat=10)
        out["served_read"] = mp.alloc_of("served(READ)", repeat=5)
        out["served_set"] = mp.alloc_of("served(SET)", repeat=5)
        out["after_calls"] = mp.heap_of("for _ in range(20):\n    served(SET)")
        out["handler_set_us"] = mp.time_of("h.call_tool(set_req, Ctx)", repeat=50)
        out["served_set_us"] = mp.time_of("served(SET)", repeat=20)
        # What each module a Device pulls in keeps, imported one after another in a fresh
        # interpreter (a row includes what it imports that earlier rows did not).
        mp.restart()
        mp.exec("import gc")
        out["modules"] = [(name, mp.heap_of("import " + name)) for name in MODULES]
    return out


MODULES = (
    "jotunheim.compat",
    "jotunheim.grpc.status",
    "jotunheim.remote.handler",
    "jotunheim.device",
    "jotunheim.log",
    "jotunheim.capability.registry",
    "jotunheim.capability.builder",
    "jotunheim.settings.loader",
    "jotunheim.net.wifi",
    "jotunheim.net.session",
    "jotunheim.http.server",
    "jotunheim.grpc.server",
    "jotunheim.pb.jotunheim",
    "jotunheim.pb.jotunheim_capability",
    "jotunheim.pb.einherjar",
)


def report(cp, mp):
    r, s, t = cp["read"], cp["set"], cp["third_party"]
    lines = [
        "# Remote calls: CallTool round trips and heap per call",
        "",
        "Regenerate with `.venv/bin/python benchmarks/bench_calltool.py --write`.",
        "",
        "## Host: the simulated device on 127.0.0.1",
        "",
        "`jotunheim_host.simulate.SimulatedDevice` (the real `jotunheim.Device` loop in a thread,"
        " `jotunheim.http.server` on CPython's socket module, token check on, rate limit off), "
        "%d sequential calls per row on one kept-alive connection. Before/after figures of "
        "the server change, and new-connection calls: "
        "[device-server.md](device-server.md)." % N,
        "",
        "| client, tool | calls/s | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        "| our GrpcWebClient, `read_dht22_sim_temperature` | %.0f | %.2f | %.2f | %.1f |"
        % (r["per_s"], r["p50_ms"], r["p95_ms"], r["max_ms"]),
        '| our GrpcWebClient, `set_led_sim` `{"on": true, "brightness": 0.5}` | %.0f | %.2f'
        " | %.2f | %.1f |" % (s["per_s"], s["p50_ms"], s["p95_ms"], s["max_ms"]),
        "| connect-python gRPC-Web client (third party), read | %.0f | %.2f | %.2f | %.1f |"
        % (t["per_s"], t["p50_ms"], t["p95_ms"], t["max_ms"]),
        "",
        "The handler alone (auth, device id, JSON parse, schema validation, rate-limit check, "
        "run, JSON result; no HTTP): %.0f us per `set_led_sim` call on CPython. A request is "
        "%d bytes of gRPC-Web body plus ~150 bytes of HTTP head."
        % (cp["handler_us"], cp["request_bytes"]),
        "",
    ]
    if mp is not None:
        lines += [
            "## MicroPython %s (WebAssembly): heap per call" % mp["version"],
            "",
            "A Device from settings with a simulated climate sensor and PWM LED on the fake "
            "board, WiFi and socket pool (tests/micropython). Allocated bytes include garbage "
            "(gc disabled around the call); retained bytes are measured after `gc.collect()`.",
            "",
            "| what | bytes |",
            "|---|---:|",
            "| import `jotunheim.remote.handler` (retained) | %d |" % mp["import_handler"],
            "| then import `jotunheim.device` (retained) | %d |" % mp["import_device"],
            "| everything else a Device imports, plus the Device with 2 parts, WiFi joined, "
            "server listening, first step (retained) | %d |" % mp["device"],
            "| `RemoteCommandHandler.call_tool`, sensor read (allocated) | %d |"
            % mp["handler_read"],
            "| `RemoteCommandHandler.call_tool`, `set_led_sim` with 2 validated params "
            "(allocated) | %d |" % mp["handler_set"],
            "| a refused call (brightness out of range) (allocated) | %d |" % mp["handler_refused"],
            "| whole request through `Device.step()`: accept, HTTP parse, gRPC frame, decode, "
            "handler, encode, send; sensor read (allocated) | %d |" % mp["served_read"],
            "| the same for `set_led_sim` (allocated) | %d |" % mp["served_set"],
            "| heap left after 20 more served calls (retained; ~0 = no leak) | %d |"
            % mp["after_calls"],
            "",
            "Where the Device's heap goes: almost all of it is code. Heap kept by importing "
            "each module, one after another (loaded from `.py`, docstrings left out as on a "
            "board):",
            "",
            "| module | bytes |",
            "|---|---:|",
        ]
        lines += ["| `%s` | %d |" % (name, size) for name, size in mp["modules"]]
        lines += [
            "",
            "Together about %d bytes of imports: nearly all of a Device's heap is code; its "
            "objects (parts, settings, the listening socket, caches) add a few KB. The whole "
            "Device's budget, and what it leaves of a Pico W's heap: "
            "[device-ram.md](device-ram.md) (this list also holds modules of the Loki path). "
            "`.mpy` files are loaded into RAM too, so only frozen modules would keep the code "
            "out of the heap." % sum(size for _, size in mp["modules"]),
            "",
            "Time under MicroPython/WebAssembly on this host: %.0f us per handler call, %.0f us "
            "per whole served request (a board is several times slower; the seed's target is "
            "under 100 ms for a simple tool on hardware)."
            % (mp["handler_set_us"], mp["served_set_us"]),
            "",
        ]
    return "\n".join(lines)


def main(argv):
    cp = cpython_figures()
    try:
        mp = micropython_figures()
    except Exception as exc:  # noqa: BLE001 - report without MicroPython when node is missing
        print("MicroPython figures unavailable: %s" % exc, file=sys.stderr)
        mp = None
    text = report(cp, mp)
    print(text)
    if "--write" in argv:
        with open(os.path.join(ROOT, "docs", "benchmarks", "remote.md"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
