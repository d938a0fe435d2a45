# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Streams from MicroPython's Unix port on real sockets (the board's code path:
``wifi.radio`` -> adafruit_connection_manager -> ``socketpool``): an uplink into the host's
StreamReceiver and a downlink from its DownlinkServer, both verified by SHA-256."""

import hashlib
import json

from jotunheim_host.streams import DownlinkServer, StreamReceiver
from tests.mpunix import runner

SCRIPT = """
import json
import wifi

wifi.radio.connect("mpunix-loopback")
from jotunheim.streaming.handler import StreamingHandler

handler = StreamingHandler()
out = {}
up = handler.send_data_stream("signal", UP_URL, "mp-up", frames=64, chunk_size=1024)
down = handler.receive_data_stream("file_out", DOWN_URL, "mp-down", path=DOWN_PATH, chunk_size=2048)
for _ in range(200000):
    if not handler.running:
        break
    if not handler.step():
        import time
        time.sleep(0.001)
out["up"] = up.status()
out["down"] = down.status()
print("RESULT " + json.dumps(out))
"""


def test_micropython_streams_up_and_down_on_real_sockets(tmp_path):
    runner.require()
    source_file = tmp_path / "down.bin"
    data = bytes((i * 7 + i // 251) & 255 for i in range(100_000))
    source_file.write_bytes(data)
    copy = tmp_path / "copy.bin"
    with (
        StreamReceiver(str(tmp_path / "rx")) as rx,
        DownlinkServer(str(source_file), chunk_size=2048) as server,
    ):
        script = (
            SCRIPT.replace("UP_URL", json.dumps(rx.url("mp-up")))
            .replace("DOWN_URL", json.dumps(server.url("mp-down")))
            .replace("DOWN_PATH", json.dumps(str(copy)))
        )
        stdout = runner.run_script(tmp_path, script, timeout=90)
        lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
        assert lines, stdout
        out = json.loads(lines[-1][len("RESULT ") :])
        stored = rx.stream("mp-up")
        up_sha = stored.sha256()
        up_state = dict(stored.state)
    assert out["up"]["state"] == "done", out
    assert out["down"]["state"] == "done", out
    assert up_state["complete"] and up_state["bytes"] == 64 * 1024
    from jotunheim.streaming.handler import StreamingHandler

    tone = StreamingHandler().registry.load("signal").open({"frames": 64})
    expected = bytearray()
    for seq in range(64):
        buf = bytearray(1024)
        expected += buf[: tone.read_into(memoryview(buf), seq)]
    assert up_sha == hashlib.sha256(bytes(expected)).hexdigest()
    assert copy.read_bytes() == data
