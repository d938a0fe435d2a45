# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The device's client side under MicroPython's Unix port, on real sockets to 127.0.0.1:
``LokiClient`` against the reference Loki (real Lua) and against connect-node's LokiService
(unary, server streaming, errors, deadlines), and the OTA fetcher downloading a signed
release from a local HTTP server that cuts responses short (Range resume).

Each test runs one MicroPython script (tests/mpunix/runner.run_script) that joins the fake
radio and uses the board's code path (``wifi.radio`` -> adafruit_connection_manager ->
``socketpool``); the script prints one ``RESULT {json}`` line the test checks.
"""

import json
import random

import pytest

from tests.interop import node_peer
from tests.mpunix import runner
from tests.test_ota_support import files_hash, make_key, publish, tree_hash

PRELUDE = """
import json
import time
import wifi

wifi.radio.connect("mpunix-loopback")
from jotunheim.grpc.status import GrpcError

from jotunheim.loki.client import LokiClient


def code_of(fn):
    try:
        fn()
    except GrpcError as e:
        return [e.code, e.message]
    return None


out = {}
"""


def run(tmp_path, body, **substitutions):
    source = PRELUDE + body
    for name, value in substitutions.items():
        source = source.replace(name, json.dumps(value))
    source += '\nprint("RESULT " + json.dumps(out))\n'
    stdout = runner.run_script(tmp_path, source, timeout=90)
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, stdout
    return json.loads(lines[-1][len("RESULT ") :])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    runner.require()
    return tmp_path_factory.mktemp("mpunix-client")


# ------------------------------------------------------------ Loki: connect-node


@pytest.fixture(scope="module")
def node_loki(workdir):
    runner.require_node()
    with node_peer.NodeServer(node_peer.descriptor_set(str(workdir))) as srv:
        yield srv


NODE_CALLS = """
loki = LokiClient(URL, token="tok", timeout=5)
out["service"] = loki.get_capabilities().service_name
out["children"] = loki.get_children_status().children[0].status_message
out["scripts"] = [s.name for s in loki.list_scripts()]
out["registered"] = loki.register_script("x", inline_script="return 1").script_name
out["echo"] = json.loads(loki.execute_script("echo", {"b": 2, "a": 1}).output)
out["whoami"] = loki.execute_script("whoami").output
out["fail"] = code_of(lambda: loki.execute_script("fail"))
t0 = time.monotonic()
stamps, kinds = [], []
for chunk in loki.stream_script_execution("count", {"n": 3, "delay": 150}):
    stamps.append(time.monotonic() - t0)
    kinds.append(chunk.which_oneof("chunk_type"))
out["stream"] = kinds
out["spread"] = stamps[2] - stamps[0]
got = []
try:
    for chunk in loki.stream_script_execution("fail_midway", {"n": 5, "delay": 10}):
        got.append(chunk.output.data)
    out["midway"] = None
except GrpcError as e:
    out["midway"] = [got, e.code, e.message]
out["after_stream"] = len(list(loki.stream_script_execution("count", {"n": 1, "delay": 0})))
loki.close()
short = LokiClient(URL, timeout=0.5)
n = 0
t0 = time.monotonic()
try:
    for _ in short.stream_script_execution("count", {"n": 50, "delay": 100}):
        n += 1
    out["deadline"] = None
except GrpcError as e:
    out["deadline"] = [e.code, n, time.monotonic() - t0]
short.close()
"""


def test_loki_client_against_connect_node(workdir, node_loki):
    out = run(workdir, NODE_CALLS, URL=node_loki.url)
    assert out["service"] == "loki-connect-node"
    assert out["children"] == "disk full"
    assert out["scripts"] == ["blink", "temperature_monitor"]
    assert out["registered"] == "x"
    assert out["echo"] == {"a": "1", "b": "2"}
    assert out["whoami"] == "Bearer tok"
    # FAILED_PRECONDITION, with the UTF-8 message percent-decoded under MicroPython.
    assert out["fail"] == [9, "script crashed: température ≥ 100% ✗"]
    assert out["stream"] == ["output", "output", "output", "result"]
    assert out["spread"] > 0.2, "the stream was buffered, not read as it came"
    assert out["midway"] == [["line 0", "line 1"], 10, "lost the sensor"]  # ABORTED
    assert out["after_stream"] == 2
    code, received, seconds = out["deadline"]
    assert code == 4 and received >= 2 and seconds < 2.0  # DEADLINE_EXCEEDED, in time


# ------------------------------------------------------------ Loki: the reference server


@pytest.fixture(scope="module")
def reference_loki(workdir):
    from jotunheim_host.loki import LokiServer

    with LokiServer(scripts_dir=str(workdir / "scripts"), host="127.0.0.1", port=0) as srv:
        yield srv


REFERENCE_CALLS = """
loki = LokiClient(URL, timeout=10)
out["service"] = loki.get_capabilities().service_name
reg = loki.register_script("mp_double", inline_script="return params.x * 2", language="lua",
                           parameters=[("x", "Number", True, "a number")])
out["registered"] = [reg.success, reg.script_name]
out["listed"] = [s.name for s in loki.list_scripts("mp_")]
r = loki.execute_script("mp_double", {"x": 21})
out["double"] = [r.success, r.output]
r = loki.execute_script("mp_double", {})
out["missing_param"] = [r.success, r.error]
loki.register_script("mp_broken", inline_script="error('broke')", language="lua")
r = loki.execute_script("mp_broken")
out["lua_error"] = [r.success, r.error]
r = loki.execute_script("mp_not_there")
out["unknown"] = [r.success, r.error]
src = "for i = 1, 3 do emit({step = i}) end return 'finished'"
loki.register_script("mp_steps", inline_script=src, language="lua")
kinds, data = [], []
for chunk in loki.stream_script_execution("mp_steps"):
    kind = chunk.which_oneof("chunk_type")
    kinds.append(kind)
    if kind == "output" and chunk.output.data:
        data.append(json.loads(chunk.output.data))
    if kind == "result":
        out["result"] = [chunk.result.success, chunk.result.output]
out["kinds"] = kinds
out["steps"] = data
out["fn"] = loki.scripts.mp_double(x=5)
loki.close()
"""


def test_loki_client_against_the_reference_loki(workdir, reference_loki):
    out = run(workdir, REFERENCE_CALLS, URL=reference_loki.url)
    assert out["service"]
    assert out["registered"] == [True, "mp_double"]
    assert out["listed"] == ["mp_double"]
    assert out["double"] == [True, "42"]
    assert out["missing_param"][0] is False and "x" in out["missing_param"][1]
    assert out["lua_error"][0] is False and "broke" in out["lua_error"][1]
    assert out["unknown"][0] is False and "mp_not_there" in out["unknown"][1], out["unknown"]
    assert out["steps"] == [{"step": 1}, {"step": 2}, {"step": 3}]
    assert out["kinds"][-1] == "result" and out["result"] == [True, "finished"]
    assert out["fn"] == "10"


# ------------------------------------------------------------ a unary deadline


class SilentServer:
    """Accepts connections, reads what comes, never answers (until closed, at most
    ``hold`` s per connection): a Loki that hangs."""

    def __init__(self, hold=5.0):
        import socket
        import threading

        self.hold = hold
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        import time

        held = []
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(self.hold)
            self.requests += 1
            held.append((conn, time.monotonic()))
            while held and time.monotonic() - held[0][1] >= self.hold:
                held.pop(0)[0].close()  # held long enough: let it go
        for conn, _ in held:
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


UNARY_DEADLINE = """
hasty = LokiClient(URL, timeout=0.3)
t0 = time.monotonic()
out["deadline"] = code_of(lambda: hasty.execute_script("anything"))
out["seconds"] = time.monotonic() - t0
hasty.close()
"""


def test_loki_client_unary_deadline_against_a_server_that_never_answers(workdir):
    server = SilentServer()
    try:
        out = run(workdir, UNARY_DEADLINE, URL=server.url)
    finally:
        server.close()
    assert server.requests >= 1
    assert out["deadline"] is not None and out["deadline"][0] == 4, out  # DEADLINE_EXCEEDED
    assert 0.25 <= out["seconds"] < 1.5, out


# ------------------------------------------------------------ OTA fetcher


class CuttingHandler:
    """A RangeHandler (jotunheim_host.ota_tools) that cuts file responses short."""

    @staticmethod
    def make():
        from jotunheim_host import ota_tools

        class Cutting(ota_tools.RangeHandler):
            rng = random.Random(5)
            cuts = []
            ranges = []

            def _serve(self, body):
                if "/files/" in self.path and body:
                    type(self).ranges.append(self.headers.get("Range"))
                    cut = self.rng.randrange(1, 40_000) if len(self.cuts) < 6 else None
                    if cut is not None:
                        self.cuts.append(cut)
                    type(self).drop_after = cut
                else:
                    type(self).drop_after = None
                super()._serve(body)

        return Cutting


FETCH = """
import binascii
from jotunheim.ota.fetcher import Fetcher

f = Fetcher(URL, [binascii.unhexlify(PUB)], root=ROOT, board_id="test_board",
            sleep=lambda s: None, retries=50)
state = f.apply()
out["resumed"] = f.resumed
out["restarted"] = f.restarted
out["version"] = state.get("version") if hasattr(state, "get") else None
"""


def test_ota_fetcher_resumes_with_range_under_micropython(workdir):
    from jotunheim_host import ota_tools

    key, pub = make_key()
    files = {"code.py": b"print('updated')\n", "lib/blob.bin": random.Random(3).randbytes(150_000)}
    www = workdir / "www"
    publish(www / "rel", key, files, 7)
    handler = CuttingHandler.make()
    server = ota_tools.serve_in_thread(www, handler=handler)
    root = workdir / "ota-root"
    root.mkdir()
    try:
        url = "http://127.0.0.1:%d/rel/manifest.json" % server.server_address[1]
        out = run(workdir, FETCH, URL=url, PUB=pub.hex(), ROOT=str(root))
    finally:
        server.shutdown()
        server.server_close()
    assert tree_hash(root) == files_hash(files)
    assert out["resumed"] >= 3, (out, handler.cuts, handler.ranges)
    assert any(r and r.startswith("bytes=") and r != "bytes=0-" for r in handler.ranges), (
        handler.ranges
    )
    assert out["version"] in (7, None), out


# ------------------------------------------------------------ a Device with a Loki link


def test_device_negotiates_with_the_reference_loki_and_serves_its_scripts(workdir, reference_loki):
    """The Device under the port registers its tools with the reference Loki as Lua
    forwarding stubs; running a stub in Loki calls the device's CallTool back."""
    import time

    from jotunheim.loki.client import LokiClient

    with runner.MpDevice(workdir / "with-loki", loki_url=reference_loki.url,
                         script_prefix="mpdev_") as device:  # fmt: skip
        deadline = time.monotonic() + 30
        state = device.command("state")
        while state["loki_state"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.2)
            state = device.command("state")
        assert state["loki_state"] == "ok", state
        client = LokiClient(reference_loki.url, timeout=20)
        try:
            names = [s.name for s in client.list_scripts("mpdev_")]
            assert "mpdev_read_dht22_sim_temperature" in names and "mpdev_set_led_sim" in names
            r = client.execute_script("mpdev_read_dht22_sim_temperature", {})
            assert r.success and 15.0 <= float(r.output) <= 27.0, r.error
            r = client.execute_script("mpdev_set_led_sim", {"on": True, "brightness": 0.5})
            assert r.success and json.loads(r.output) == {"on": True, "brightness": 0.5}, r.error
            r = client.execute_script("mpdev_set_led_sim", {"on": True, "brightness": 7})
            assert not r.success and "0..1" in r.error
            back = client.execute_script("mpdev_get_led_sim_state", {})
            assert json.loads(back.output) == {"on": True, "brightness": 0.5}
        finally:
            client.close()
        assert device.alive()
