# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Streams under MicroPython: frames encoded and decoded, an uplink through the fake socket
# pool (resume query, chunked POST, answer), a resumed uplink, a downlink, plugins loaded
# lazily.
import json
import sys

import adafruit_connection_manager
import fake_net

from jotunheim.http.wire import ChunkedDecoder
from jotunheim.streaming import frames
from jotunheim.streaming.handler import StreamingHandler

HOST = "rx.local"
PORT = 8090


def setup_function():
    fake_net.add_host(HOST, "192.168.4.20")


def _raises(exc_type, fn, text=None):
    try:
        fn()
    except exc_type as exc:
        if text is not None:
            assert text in str(exc), str(exc)
        return exc
    raise AssertionError("%s not raised" % exc_type.__name__)


def _decode_post(sent):
    head_end = bytes(sent).find(b"\r\n\r\n")
    head = bytes(sent[:head_end])
    got = []

    def keep(frame):
        got.append((frame.sequence, bytes(frame.payload), frame.end_of_stream, frame.kind))

    decoder = frames.FrameDecoder(keep, 4096)
    body = ChunkedDecoder(decoder.feed)
    body.feed(memoryview(bytes(sent[head_end + 4 :])))
    return head, got, body.done


def _answer(doc):
    return fake_net.http_response(200, json.dumps(doc), {"Content-Type": "application/json"})


def _run(handler, stream, steps=2000):
    for _ in range(steps):
        if not stream.active:
            return
        handler.step()
    raise AssertionError("stream still %s after %d steps" % (stream.state, steps))


def _tone(count, chunk):
    source = StreamingHandler().registry.load("signal").open({"frames": count})
    out = bytearray()
    for seq in range(count):
        buf = bytearray(chunk)
        out.extend(buf[: source.read_into(memoryview(buf), seq)])
    return bytes(out)


def test_frames_round_trip_byte_by_byte():
    wire = frames.encode_frame(
        "mic", 300, b"abc" * 50, ts=123456, meta=("audio", "pcm16le/1/8000", 16)
    )
    wire += frames.encode_frame("mic", 301, b"", end=True)
    got = []
    decoder = frames.FrameDecoder(
        lambda f: got.append(
            (f.stream_id, f.sequence, bytes(f.payload), f.end_of_stream, f.kind, f.rate)
        ),
        1024,
    )
    for i in range(len(wire)):
        decoder.feed(wire[i : i + 1])
    assert got == [
        ("mic", 300, b"abc" * 50, False, "audio", 16),
        ("mic", 301, b"", True, "", 0),
    ], got
    _raises(
        ValueError,
        lambda: frames.FrameDecoder(lambda f: None, 16).feed(b"\x00\x00\x00\x01\x00"),
        "over the 16",
    )


def test_uplink_through_the_fake_pool():
    posts = []

    def on_post(conn):
        head, got, done = _decode_post(conn.sent)
        posts.append((head, got, done))
        return _answer({"last_sequence": got[-1][0]})

    fake_net.serve(HOST, PORT, fake_net.respond(_answer({"last_sequence": -1})))
    fake_net.serve(HOST, PORT, fake_net.respond(on_post, chunks=9))
    pool = fake_net.FakeSocketPool()
    handler = StreamingHandler(pool=pool)
    stream = handler.send_data_stream(
        "signal", "http://%s:%d/s1" % (HOST, PORT), "s1", frames=12, chunk_size=128
    )
    _run(handler, stream)
    assert stream.state == "done", stream.status()
    get = bytes(fake_net.connections[0].sent)
    assert get.startswith(b"GET /s1 HTTP/1.1\r\n") and b"X-Stream-Id: s1" in get
    head, got, done = posts[0]
    assert head.startswith(b"POST /s1 HTTP/1.1") and b"Transfer-Encoding: chunked" in head and done
    assert [g[0] for g in got] == list(range(13)) and got[0][3] == "sensor" and got[-1][2]
    assert b"".join(g[1] for g in got) == _tone(12, 128)
    adafruit_connection_manager.connection_manager_close_all(pool)
    fake_net.assert_no_leaks()


def test_uplink_resumes_after_a_reset():
    posts = []

    def on_post(conn):
        head, got, done = _decode_post(conn.sent)
        posts.append([g[0] for g in got])
        return _answer({"last_sequence": got[-1][0]})

    fake_net.serve(HOST, PORT, fake_net.respond(_answer({"last_sequence": 4})))  # frames 0-4 stored
    fake_net.serve(HOST, PORT, fake_net.reset())  # the POST's connection breaks
    fake_net.serve(HOST, PORT, fake_net.refuse())  # the receiver is down a moment
    fake_net.serve(HOST, PORT, fake_net.respond(_answer({"last_sequence": 4})))
    fake_net.serve(HOST, PORT, fake_net.respond(on_post))
    pool = fake_net.FakeSocketPool()
    clock = [0]
    handler = StreamingHandler(pool=pool, clock=lambda: clock[0])
    stream = handler.send_data_stream(
        "signal", "http://%s:%d/s2" % (HOST, PORT), "s2", frames=10, chunk_size=64
    )
    for _ in range(3000):
        if not stream.active:
            break
        handler.step()
        clock[0] += 50  # backoffs of 200 ms .. pass
    assert stream.state == "done", stream.status()
    assert posts == [list(range(5, 11))], posts  # resumed at 5: none lost, none twice
    assert stream.reconnects >= 2
    adafruit_connection_manager.connection_manager_close_all(pool)
    fake_net.assert_no_leaks()


def test_downlink_through_the_fake_pool():
    body = b""
    for seq in range(6):
        frame = frames.encode_frame("d", seq, bytes([65 + seq]) * 40, end=seq == 5)
        body += ("%x\r\n" % len(frame)).encode() + frame + b"\r\n"
    body += b"0\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    fake_net.serve(HOST, PORT, fake_net.respond(head + body, chunks=17))
    pool = fake_net.FakeSocketPool()
    handler = StreamingHandler(pool=pool)
    stream = handler.receive_video_stream(
        "pixels", "http://%s:%d/d?x=1" % (HOST, PORT), "d", count=20, simulate=True
    )
    _run(handler, stream)
    assert stream.state == "done", stream.status()
    assert bytes(fake_net.connections[0].sent).startswith(b"GET /d?x=1&from_sequence=0 HTTP/1.1")
    sink = stream.sink
    assert sink.shown == 6 and bytes(sink.frame[:40]) == b"F" * 40
    adafruit_connection_manager.connection_manager_close_all(pool)
    fake_net.assert_no_leaks()


def test_plugins_load_on_first_use():
    handler = StreamingHandler()
    assert "jotunheim.streaming.plugins.pdm_mic" not in sys.modules
    names = [p["name"] for p in handler.plugins()]
    assert "mic" in names and "jotunheim.streaming.plugins.pdm_mic" not in sys.modules
    _raises(
        ValueError, lambda: handler.send_audio_stream("mic", "http://%s/x" % HOST), "no audiobusio"
    )
    assert "jotunheim.streaming.plugins.pdm_mic" in sys.modules
