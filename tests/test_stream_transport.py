# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Stream transport pieces: frames against betterproto (both ways) and malformed input,
back-pressure from a receiver that stops reading, the resource budget (bandwidth deferral,
memory refusal, pooled buffers), a live source resumed, downlink duplicates and gaps, and
an uplink over TLS."""

import os
import socket
import ssl
import struct
import threading
import time

import pytest

from jotunheim.streaming import frames
from jotunheim.streaming.handler import StreamingHandler
from jotunheim_host.reference_pb.jotunheim.stream import StreamChunk
from jotunheim_host.streams import DownlinkServer, StreamReceiver, run_handler

# ---------------------------------------------------------------- frames


def test_encoded_frames_decode_with_betterproto():
    meta = ("audio", "pcm16le/1/8000", 16)
    for seq, payload, end in ((0, b"", True), (1, b"\x00" * 5, False), (2**40, b"ab" * 700, False)):
        data = frames.encode_frame("mic-1", seq, payload, ts=987654321, end=end, meta=meta)
        assert data[0] == 0 and struct.unpack(">I", data[1:5])[0] == len(data) - 5
        m = StreamChunk().parse(data[5:])
        assert (m.stream_id, m.sequence, m.payload, m.end_of_stream) == ("mic-1", seq, payload, end)
        assert (m.kind, m.sample_format, m.rate, m.timestamp_ms) == (*meta, 987654321)


def test_betterproto_frames_decode_incrementally_byte_by_byte():
    msgs = [
        StreamChunk(stream_id="s", sequence=i, payload=bytes([i]) * i, end_of_stream=i == 4)
        for i in range(5)
    ]
    wire = b"".join(b"\x00" + struct.pack(">I", len(bytes(m))) + bytes(m) for m in msgs)
    got = []
    decoder = frames.FrameDecoder(
        lambda f: got.append((f.sequence, bytes(f.payload), f.end_of_stream))
    )
    for i in range(len(wire)):
        decoder.feed(wire[i : i + 1])
    assert got == [(i, bytes([i]) * i, i == 4) for i in range(5)]
    assert decoder.idle


def test_chunked_frame_layout_is_one_http_chunk():
    buf = bytearray(frames.HEAD_ROOM + 302)
    buf[frames.HEAD_ROOM : frames.HEAD_ROOM + 300] = b"z" * 300
    start = frames.write_frame(buf, frames.HEAD_ROOM, 300, b"id", 7, 99)
    wire = bytes(buf[start:])
    size_line, rest = wire.split(b"\r\n", 1)
    assert int(size_line, 16) == len(rest) - 2 and rest.endswith(b"\r\n")
    assert StreamChunk().parse(rest[5:-2]).payload == b"z" * 300


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (b"\x80\x00\x00\x00\x00", "flag 0x80"),
        (b"\x00\x00\x01\x00\x00", "over the 1024 allowed"),
        (b"\x00\x00\x00\x00\x02\x22\x05", "runs past the message"),
        (b"\x00\x00\x00\x00\x02\x0b\x00", "wire type 3"),
        (b"\x00\x00\x00\x00\x02\x10\xff", "varint cut short"),
        (b"\x00\x00\x00\x00\x03\x0a\x01\xff", "not UTF-8"),
    ],
)
def test_malformed_frames_are_refused_by_name(wire, message):
    decoder = frames.FrameDecoder(lambda f: None, max_frame=1024)
    with pytest.raises(ValueError, match=message):
        decoder.feed(wire)


def test_names_too_long_for_a_frame_are_refused():
    with pytest.raises(ValueError, match="stream id 'x+' is longer than 32 bytes"):
        StreamingHandler().send_data_stream("signal", "http://127.0.0.1:9/x", "x" * 33)


# ---------------------------------------------------------------- back-pressure


class CountingTone:
    """The signal plugin's source, counting what the stream asked of it."""

    KIND, DIRECTION, SAMPLE_FORMAT, NAME = "sensor", "up", "pcm16le/1/8000", "counted"

    def __init__(self, frames_count=0):
        self.asked = 0
        self.frames_count = frames_count

    def open(self, options):
        return self

    def read_into(self, view, sequence):
        if self.frames_count and sequence >= self.frames_count:
            return 0
        self.asked += 1
        for i in range(len(view)):
            view[i] = (sequence + i) & 255
        return len(view)

    def seek(self, sequence):
        return True

    def close(self):
        return None


class StallingReceiver:
    """Answers the resume GET, then reads the POST body only when told to."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.reading = threading.Event()
        self.received = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        conn, _ = self.listener.accept()
        conn.recv(4096)
        body = b'{"last_sequence": -1}'
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        conn.close()
        post, _ = self.listener.accept()
        self.reading.wait(20)
        post.settimeout(2)
        try:
            while True:
                data = post.recv(65536)
                if not data:
                    break
                self.received += len(data)
        except OSError:
            pass
        post.close()

    def close(self):
        self.reading.set()
        self.listener.close()


class SmallBufferPool:
    """CPython's socket module as a pool whose sockets have a small send buffer (so the
    kernel's buffers fill after a few frames, as a board's lwIP buffers do)."""

    def __getattr__(self, name):
        return getattr(socket, name)

    def socket(self, *args, **kwargs):
        sock = socket.socket(*args, **kwargs)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
        return sock


def test_a_receiver_that_stops_reading_stops_the_producer():
    rx = StallingReceiver()
    source = CountingTone()
    handler = StreamingHandler(pool=SmallBufferPool())
    stream = handler.send_data_stream(source, "http://127.0.0.1:%d/bp" % rx.port, chunk_size=1024)
    try:
        asked = []
        for _ in range(3):
            end = time.monotonic() + 0.4
            while time.monotonic() < end:
                handler.step()
                time.sleep(0.001)
            asked.append(source.asked)
        # The kernel's socket buffers fill, then the producer is not asked again.
        assert 0 < asked[0] == asked[1] == asked[2] < 200, asked
        assert len(stream.pending) <= 1024 + frames.HEAD_ROOM + 2  # one frame held, no queue
        rx.reading.set()
        end = time.monotonic() + 0.5
        while time.monotonic() < end:
            handler.step()
            time.sleep(0.001)
        assert source.asked > asked[2]  # the receiver reads again: the producer goes on
    finally:
        handler.stop()
        rx.close()


# ---------------------------------------------------------------- resource budget


class FakeBandwidth:
    def __init__(self, allow_after=0):
        self.counted = {}
        self.allow_after = allow_after
        self.asked = 0
        self.deferred = 0

    def count(self, endpoint, sent=0, received=0):
        s, r = self.counted.get(endpoint, (0, 0))
        self.counted[endpoint] = (s + sent, r + received)

    def allow(self, endpoint, nbytes, priority):
        self.asked += 1
        if self.asked <= self.allow_after:
            self.deferred += 1
            return False
        return True


class FakeBuffers:
    def __init__(self, size=None):
        self.out = []
        self.back = []
        self.size = size

    def acquire(self, size):
        buf = bytearray(self.size or size)
        self.out.append(buf)
        return buf

    def release(self, buf):
        self.back.append(buf)


class FakeMemory:
    def __init__(self, exhausted=False, shed=False):
        self.exhausted = exhausted
        self.shedding = shed
        self.required = []

    def require(self, what):
        self.required.append(what)
        if self.exhausted:
            raise MemoryError("heap: 9 KB free, below the 12 KB exhaustion line")

    def shed(self):
        return self.shedding


class FakeResources:
    def __init__(self, **kw):
        self.memory = kw.get("memory", FakeMemory())
        self.buffers = kw.get("buffers", FakeBuffers())
        self.bandwidth = kw.get("bandwidth", FakeBandwidth())


def test_streams_use_the_pool_the_budget_and_the_memory_monitor(tmp_path):
    res = FakeResources(bandwidth=FakeBandwidth(allow_after=5), buffers=FakeBuffers(size=700))
    with StreamReceiver(str(tmp_path)) as rx:
        handler = StreamingHandler(resources=res, pool=socket)
        stream = handler.send_data_stream("signal", rx.url("b1"), "b1", frames=20, chunk_size=1024)
        assert run_handler(handler, 20)
        stored = rx.stream("b1").state
    assert stream.state == "done" and res.memory.required == ["stream"]
    # The degraded pool gave 700 bytes: frames shrank to fit, the buffer went back.
    assert stream.chunk == 700 - frames.HEAD_ROOM - 2 and res.buffers.back == res.buffers.out
    assert stored["bytes"] == 20 * (stream.chunk // 2 * 2)
    assert stream.deferred == 5 and res.bandwidth.deferred == 5
    sent, _ = res.bandwidth.counted["stream:b1"]
    assert sent > stored["bytes"]  # payloads plus frame heads and HTTP


def test_a_real_bandwidth_budget_paces_a_user_stream(tmp_path):
    from jotunheim.resources.monitor import Bandwidth

    bandwidth = Bandwidth(budget=16384, window=0.2)
    res = FakeResources(bandwidth=bandwidth)
    with StreamReceiver(str(tmp_path)) as rx:
        handler = StreamingHandler(resources=res, pool=socket)
        start = time.monotonic()
        stream = handler.send_data_stream("signal", rx.url("bw"), "bw", frames=64, chunk_size=1024)
        assert run_handler(handler, 30)
        took = time.monotonic() - start
        assert rx.stream("bw").state["bytes"] == 64 * 1024
    # 64 KB at 16 KB per 0.2 s window: at least three windows waited for.
    assert stream.state == "done" and stream.deferred > 0 and bandwidth.deferred > 0
    assert took >= 0.6, took
    assert bandwidth.endpoints["stream:bw"][0] > 64 * 1024


def test_a_stream_does_not_start_below_the_exhaustion_line():
    res = FakeResources(memory=FakeMemory(exhausted=True))
    handler = StreamingHandler(resources=res)
    with pytest.raises(MemoryError, match="exhaustion line"):
        handler.send_data_stream("signal", "http://127.0.0.1:9/x")
    assert not handler.streams and not res.buffers.out


def test_a_shedding_device_holds_the_producer_back(tmp_path):
    memory = FakeMemory(shed=True)
    with StreamReceiver(str(tmp_path)) as rx:
        handler = StreamingHandler(resources=FakeResources(memory=memory), pool=socket)
        source = CountingTone(frames_count=5)
        stream = handler.send_data_stream(source, rx.url("shed"))
        for _ in range(200):
            handler.step()
            time.sleep(0.001)
        assert source.asked == 0 and stream.deferred > 0
        memory.shedding = False
        assert run_handler(handler, 20) and stream.state == "done" and source.asked == 5


# ---------------------------------------------------------------- live source, downlink


class LiveSource(CountingTone):
    NAME = "live"

    def seek(self, sequence):
        return False


def test_a_live_source_continues_under_the_receivers_sequence(tmp_path):
    with StreamReceiver(str(tmp_path)) as rx:
        handler = StreamingHandler(pool=socket)
        source = LiveSource(frames_count=0)
        stream = handler.send_data_stream(source, rx.url("live"), chunk_size=512)
        end = time.monotonic() + 5
        while rx.stream("live").state["last_sequence"] < 50 and time.monotonic() < end:
            handler.step()
        stream.network_failed(OSError(104, "test: the link broke"))  # as a reset would
        stored = rx.stream("live").state["last_sequence"]
        source.frames_count = stream.seq + 10  # then the live source ends
        assert run_handler(handler, 20), stream.status()
        final = rx.stream("live").state
    status = stream.status()
    assert status["state"] == "done" and status["reconnects"] == 1
    assert final["last_sequence"] == status["sequence"] - 1
    # Every sample chunk taken was either stored (data frames 0..last-1) or lost in flight.
    assert source.asked == final["last_sequence"] + status["dropped"]
    assert stored >= 50


def test_a_downlink_skips_resent_frames_and_refuses_gaps(tmp_path):
    from jotunheim.streaming.budget import StreamBudget
    from jotunheim.streaming.downlink import Downlink
    from jotunheim.streaming.frames import Frame
    from jotunheim.streaming.stream import options_of

    class Sink:
        def __init__(self):
            self.got = []

        def ready(self):
            return True

        def write(self, payload, frame):
            self.got.append(frame.sequence)

        def close(self):
            return None

    sink = Sink()
    options = options_of({"chunk_size": 64})
    info = ("data", "down", "raw")
    stream = Downlink("d", "x", info, "http://127.0.0.1:9/d", options, StreamBudget(), None, sink)
    stream.state = "body"
    f = Frame()
    for seq in (0, 1, 1, 0, 2):
        f.sequence, f.payload = seq, memoryview(b"p")
        stream.on_frame(f)
    assert sink.got == [0, 1, 2]
    f.sequence = 4
    with pytest.raises(ValueError, match="frame 4 arrived, 3 was expected"):
        stream.on_frame(f)


def test_downlink_server_resumes_from_a_sequence(tmp_path):
    path = tmp_path / "d.bin"
    path.write_bytes(bytes(range(256)) * 40)  # 10240 bytes: frames 0..2, end frame 3
    out = tmp_path / "copy.bin"
    with DownlinkServer(str(path), chunk_size=4096) as server:
        handler = StreamingHandler(pool=socket)
        stream = handler.receive_data_stream("file_out", server.url("d"), path=str(out))
        assert run_handler(handler, 20)
    assert stream.state == "done" and out.read_bytes() == path.read_bytes()
    assert server.requests == [0] and server.last_sequence == 3


# ---------------------------------------------------------------- TLS


def test_an_https_uplink_goes_through_tls(tmp_path):
    from jotunheim.net.session import get_ssl_context
    from tests.test_net_tcp import make_cert

    cert_pem, cert_path, key_path = make_cert(tmp_path)
    with StreamReceiver(str(tmp_path / "rx")) as rx:
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert_path, key_path)
        rx.server.socket = server_ctx.wrap_socket(rx.server.socket, server_side=True)
        # The session's context for a custom CA, as a device with JOTUNHEIM_CA_CERT gets.
        handler = StreamingHandler(pool=socket, ssl_context=get_ssl_context(cert_pem))
        url = "https://localhost:%d/tls" % rx.port
        stream = handler.send_data_stream("signal", url, "tls", frames=200, chunk_size=1024)
        assert run_handler(handler, 20), stream.status()
        state = rx.stream("tls").state
    assert stream.state == "done", stream.status()
    assert state["complete"] and state["bytes"] == 200 * 1024


def test_an_https_stream_refuses_an_untrusted_certificate(tmp_path):
    from tests.test_net_tcp import make_cert

    _, cert_path, key_path = make_cert(tmp_path)
    with StreamReceiver(str(tmp_path / "rx")) as rx:
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert_path, key_path)
        rx.server.socket = server_ctx.wrap_socket(rx.server.socket, server_side=True)
        handler = StreamingHandler(pool=socket)  # the default context: public roots only
        url = "https://localhost:%d/tls" % rx.port
        stream = handler.send_data_stream("signal", url, "tls", frames=5, retry_for=0)
        assert run_handler(handler, 20)
    assert stream.state == "failed" and "CERTIFICATE_VERIFY_FAILED" in stream.error


@pytest.mark.parametrize(
    "answer", [b'{"last_sequence": -7}', b'{"last_sequence": "3"}', b"[1]", b"nope"]
)
def test_a_bad_resume_answer_fails_the_stream_by_name(answer):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(answer) + answer)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        handler = StreamingHandler(pool=socket)
        url = "http://127.0.0.1:%d/bad" % listener.getsockname()[1]
        stream = handler.send_data_stream("signal", url, "bad", frames=3, retry_for=0.3)
        assert run_handler(handler, 20)
    finally:
        stop.set()
        listener.close()
    assert stream.state == "failed"
    assert "last_sequence" in stream.error or "JSON" in stream.error, stream.error


@pytest.mark.parametrize("direction", ["up", "down"])
def test_a_peer_that_never_answers_fails_the_stream_by_name(direction):
    # Accepts every connection and reads the request, but never answers nor closes.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    threading.Thread(target=serve, daemon=True).start()
    now = [0]

    def clock():  # milliseconds; every look at the clock is 250 ms later
        now[0] += 250
        return now[0]

    try:
        handler = StreamingHandler(pool=socket, clock=clock)
        url = "http://127.0.0.1:%d/silent" % listener.getsockname()[1]
        if direction == "up":
            stream = handler.send_data_stream("signal", url, "silent", frames=3, retry_for=30)
        else:
            stream = handler.receive_data_stream(
                "file_out", url, "silent", retry_for=30, path=os.devnull
            )
        assert run_handler(handler, 20)
    finally:
        stop.set()
        listener.close()
        for conn in held:
            conn.close()
    assert stream.state == "failed"
    assert "no answer" in stream.error, stream.error
