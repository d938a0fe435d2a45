# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A receiver written only from docs/streaming.md, with Python's http.server and nothing of
ours (the RECEIVER section imports the standard library only), accepts a device uplink;
and a stream resumes from where that receiver says it stands."""

# ---------------------------------------------------------------- RECEIVER (stdlib only)
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def decode_chunk(msg):
    out = {"stream_id": "", "sequence": 0, "payload": b"", "end_of_stream": False, "kind": ""}
    names = {1: "stream_id", 2: "sequence", 3: "timestamp_ms", 4: "payload",
             5: "end_of_stream", 6: "kind", 7: "sample_format", 8: "rate"}  # fmt: skip
    i = 0
    while i < len(msg):
        key, i = varint(msg, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(msg, i)
        elif wire == 2:
            size, i = varint(msg, i)
            value, i = bytes(msg[i : i + size]), i + size
        elif wire == 1:
            value, i = None, i + 8
        elif wire == 5:
            value, i = None, i + 4
        else:
            raise ValueError("bad wire type")
        name = names.get(number)
        if name in ("stream_id", "kind", "sample_format"):
            value = value.decode()
        elif name == "end_of_stream":
            value = bool(value)
        if name:
            out[name] = value
    return out


class Store:
    def __init__(self):
        self.frames = []  # decoded frames in sequence order
        self.requests = []
        self.lock = threading.Lock()

    @property
    def last(self):
        return len(self.frames) - 1


def make_handler(store, stop_after=None):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, doc):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            store.requests.append(("GET", self.path))
            self.answer(200, {"last_sequence": store.last})

        def read_chunked(self):
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()

        def do_POST(self):
            store.requests.append(("POST", self.path, self.headers.get("Transfer-Encoding")))
            body = self.read_chunked()
            i = 0
            while i + 5 <= len(body):
                assert body[i] == 0
                size = int.from_bytes(body[i + 1 : i + 5], "big")
                frame = decode_chunk(body[i + 5 : i + 5 + size])
                i += 5 + size
                with store.lock:
                    if frame["sequence"] == store.last + 1:
                        store.frames.append(frame)
                        if stop_after is not None and len(store.frames) == stop_after:
                            break  # "crash": keep only the first frames
            self.answer(200, {"last_sequence": store.last})

    return Handler


# ---------------------------------------------------------------- the test (our code)
import socket  # noqa: E402
import time  # noqa: E402

from jotunheim.streaming.handler import StreamingHandler  # noqa: E402


def serve(store, **kwargs):
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(store, **kwargs))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(handler, stream, timeout=30):
    end = time.monotonic() + timeout
    while stream.active and time.monotonic() < end:
        if not handler.step():
            time.sleep(0.001)
    return stream.status()


def expected_tone(frames, chunk):
    handler = StreamingHandler()
    source = handler.registry.load("signal").open({"frames": frames})
    out = bytearray()
    for seq in range(frames):
        view = bytearray(chunk)
        out += view[: source.read_into(memoryview(view), seq)]
    return bytes(out)


def test_a_receiver_written_from_the_docs_accepts_an_uplink():
    store = Store()
    server = serve(store)
    try:
        handler = StreamingHandler(pool=socket)
        url = "http://127.0.0.1:%d/tone" % server.server_address[1]
        stream = handler.send_data_stream("signal", url, "tone", frames=40, chunk_size=256)
        status = run(handler, stream)
    finally:
        server.shutdown()
        server.server_close()
    assert status["state"] == "done", status
    assert [r[0] for r in store.requests] == ["GET", "POST"]
    assert store.requests[1][2] == "chunked"
    assert [f["sequence"] for f in store.frames] == list(range(41))
    assert store.frames[0]["kind"] == "sensor" and store.frames[0]["stream_id"] == "tone"
    assert store.frames[-1]["end_of_stream"] and not store.frames[-1]["payload"]
    got = b"".join(f["payload"] for f in store.frames)
    assert hashlib.sha256(got).digest() == hashlib.sha256(expected_tone(40, 256)).digest()


def test_an_uplink_resumes_where_the_docs_receiver_stood():
    store = Store()
    server = serve(store, stop_after=10)  # stores frames 0..9, answers last_sequence 9
    try:
        handler = StreamingHandler(pool=socket)
        url = "http://127.0.0.1:%d/tone" % server.server_address[1]
        stream = handler.send_data_stream("signal", url, "tone", frames=30, chunk_size=128)
        status = run(handler, stream)
    finally:
        server.shutdown()
        server.server_close()
    # It answered 9 after the first POST: the device asked again and sent 10.. once more.
    assert status["state"] == "done", status
    assert [r[0] for r in store.requests] == ["GET", "POST", "GET", "POST"]
    assert [f["sequence"] for f in store.frames] == list(range(31))
    got = b"".join(f["payload"] for f in store.frames)
    assert got == expected_tone(30, 128)
