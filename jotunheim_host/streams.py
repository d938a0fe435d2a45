# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Host side of device streams (CPython): a resumable receiver, a downlink server, a sender.

- :class:`StreamReceiver` (``jotunheim stream receive --listen HOST:PORT --out DIR``): takes
  uplinks on ``POST /<name>``, stores each under ``DIR/<name>/`` (``data`` = the payloads in
  sequence order, ``state.json`` = last sequence, byte count, kind, format, complete) and
  answers ``GET /<name>`` with where to resume. It survives being killed at any moment:
  ``state.json`` is replaced atomically after the data it counts is written, and on start
  the data file is cut back to what the state counts.
- :class:`DownlinkServer` (``jotunheim stream send --serve HOST:PORT FILE``): serves FILE as
  frames on ``GET /<name>?from_sequence=N``.
- :func:`send_file` (``jotunheim stream send URL FILE``): uplinks FILE with the device's own
  streaming code (jotunheim.streaming), as a board would.
- :func:`sensor_stream_demo`: a short sensor stream into a receiver, for the demo.

The wire format is docs/streaming.md.
"""

import hashlib
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from jotunheim.http.wire import ChunkedDecoder
from jotunheim.streaming import frames

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CONTENT_TYPE = "application/x-jotunheim-stream"
READ_SIZE = 16384
SAVE_FRAMES = 64  # state.json is written at least every this many frames ...
SAVE_SECONDS = 0.25  # ... or this often, and before every answer
BUSY_WAIT = 10.0  # seconds a resume query or a new upload waits for a running upload


class QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that treats a peer gone mid-answer (a device that dropped
    its connection) as normal, not as a traceback on stderr."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        """Ignore connection errors; anything else is reported as usual."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class BackgroundHttpServer:
    """An HTTP server on ``host:port`` (a :class:`QuietServer` with ``handler``) that serves
    in a background thread (:meth:`start`, or ``with``) or in this one (:meth:`serve_forever`).
    """

    def __init__(self, host, port, handler):
        self.server = QuietServer((host, port), handler)
        self.thread = None

    @property
    def port(self) -> int:
        """The port listened on."""
        return self.server.server_address[1]

    def start(self):
        """Serve in a background thread."""
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self.server.serve_forever()

    def close(self) -> None:
        """Stop serving."""
        if self.thread is not None:
            self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


class StoredStream:
    """One stream's files under ``DIR/<name>/``; methods are called under the receiver's lock.

    :param str folder: the stream's folder (made if missing)
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.state_path = os.path.join(folder, "state.json")
        self.data_path = os.path.join(folder, "data")
        self.state = {"last_sequence": -1, "bytes": 0, "complete": False}
        try:
            with open(self.state_path, encoding="utf-8") as fh:
                self.state.update(json.load(fh))
        except FileNotFoundError:
            pass  # a new stream
        self.data = open(self.data_path, "ab")  # noqa: SIM115 - open while the receiver runs
        self.data.truncate(self.state["bytes"])  # bytes written after the last saved state
        self.busy = False  # a POST is writing this stream
        self.unsaved = 0  # frames stored since state.json was written
        self.saved_at = time.monotonic()

    def store(self, frame) -> None:
        """Append ``frame`` (the next in sequence); the state is saved every
        ``SAVE_FRAMES`` frames or ``SAVE_SECONDS`` and by :meth:`save` (before any answer).
        Frames after the last save are sent again after a crash: the data file is cut
        back to the saved state on start."""
        self.data.write(frame.payload)
        st = self.state
        st["last_sequence"] = frame.sequence
        st["bytes"] += len(frame.payload)
        if frame.kind:
            st["kind"], st["sample_format"], st["rate"] = (
                frame.kind,
                frame.sample_format,
                frame.rate,
            )
        if frame.stream_id:
            st["stream_id"] = frame.stream_id
        if frame.end_of_stream:
            st["complete"] = True
        self.unsaved += 1
        if self.unsaved >= SAVE_FRAMES or time.monotonic() - self.saved_at >= SAVE_SECONDS:
            self.save()

    def save(self) -> None:
        """Flush the data, then write ``state.json`` atomically (it counts only data that
        is in the file)."""
        if not self.unsaved:
            return
        self.data.flush()
        self.unsaved = 0
        self.saved_at = time.monotonic()
        tmp = self.state_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.state, fh)
        os.replace(tmp, self.state_path)

    def answer(self) -> dict:
        """What GET and the end of a POST answer."""
        st = self.state
        return {
            "stream_id": st.get("stream_id", ""),
            "last_sequence": st["last_sequence"],
            "complete": st["complete"],
            "bytes": st["bytes"],
        }

    def sha256(self) -> str:
        """SHA-256 of the stored payloads."""
        self.data.flush()
        digest = hashlib.sha256()
        with open(self.data_path, "rb") as fh:
            for block in iter(lambda: fh.read(65536), b""):
                digest.update(block)
        return digest.hexdigest()

    def close(self) -> None:
        """Close the data file."""
        self.data.close()


class Progress:
    """Prints ``name: frames, KB, KB/s`` at most once per ``interval`` seconds per stream."""

    def __init__(self, printer=print, interval: float = 1.0) -> None:
        self.printer = printer
        self.interval = interval
        self.seen = {}  # name -> [start time, bytes at start, last print time]

    def update(self, name, state, force=False) -> None:
        """Report ``state`` (a StoredStream state dict) of stream ``name``."""
        now = time.monotonic()
        entry = self.seen.setdefault(name, [now, state["bytes"], 0.0])
        if not force and now - entry[2] < self.interval:
            return
        entry[2] = now
        rate = (state["bytes"] - entry[1]) / max(now - entry[0], 1e-6) / 1024
        self.printer(
            "%s: %d frames, %.1f KB, %.1f KB/s%s"
            % (
                name,
                state["last_sequence"] + 1,
                state["bytes"] / 1024,
                rate,
                ", complete" if state["complete"] else "",
            )
        )


class StreamReceiver(BackgroundHttpServer):
    """Receives uplinks over HTTP on ``host:port`` into ``out_dir``.

    :param str out_dir: where streams are stored (one folder per stream name)
    :param printer: called with progress lines (None: quiet)
    :param int max_frame: largest frame accepted

    Example::

        with StreamReceiver("streams", port=8090) as rx:
            print(rx.url("kitchen"))  # POST here
    """

    def __init__(self, out_dir, host="127.0.0.1", port=0, printer=None, max_frame=65536):
        self.out_dir = out_dir
        self.max_frame = max_frame
        self.streams = {}
        self.lock = threading.Lock()
        self.idle = threading.Condition()  # signalled when an upload ends
        self.progress = Progress(printer) if printer is not None else None
        super().__init__(host, port, _receiver_handler(self))

    def url(self, name: str) -> str:
        """The URL a device streams ``name`` to."""
        return "http://%s:%d/%s" % (self.server.server_address[0], self.port, name)

    def stream(self, name: str) -> StoredStream:
        """The stored stream ``name`` (opened on first use); ValueError for a bad name."""
        if not NAME.match(name):
            raise ValueError("stream name %r: use letters, digits, . _ - (64 at most)" % name)
        with self.lock:
            stored = self.streams.get(name)
            if stored is None:
                stored = StoredStream(os.path.join(self.out_dir, name))
                self.streams[name] = stored
            return stored

    def close(self) -> None:
        """Stop serving and close every stream's files."""
        super().close()
        with self.lock:
            for stored in self.streams.values():
                stored.close()

    def receive(self, name, read, chunked, length) -> tuple:
        """Take one POST body (``read(n)`` reads it); returns ``(status, answer dict)``.
        An upload of the same stream still running (its device reconnected before this
        server saw the old connection end) is waited for, up to ``BUSY_WAIT`` seconds."""
        stored = self.stream(name)
        with self.idle:
            if not self.idle.wait_for(lambda: not stored.busy, BUSY_WAIT):
                return 409, dict(stored.answer(), error="another upload of this stream is running")
            stored.busy = True
        try:
            return self._take(name, stored, read, chunked, length)
        finally:
            stored.save()
            with self.idle:
                stored.busy = False
                self.idle.notify_all()

    def resume_point(self, name) -> dict:
        """What ``GET /<name>`` answers: asked once any upload of it has ended, so the
        answer counts every frame that upload delivered."""
        stored = self.stream(name)
        with self.idle:
            self.idle.wait_for(lambda: not stored.busy, BUSY_WAIT)
            return stored.answer()

    def _take(self, name, stored, read, chunked, length):
        outcome = {"status": 200, "error": ""}

        def on_frame(frame):
            if outcome["status"] != 200:
                return
            last = stored.state["last_sequence"]
            if frame.sequence <= last:
                return  # a frame resent after a reconnect: stored already
            if frame.sequence != last + 1:
                outcome["status"] = 409
                outcome["error"] = "frame %d after %d: a gap" % (frame.sequence, last)
                return
            stored.store(frame)
            if self.progress is not None:
                self.progress.update(name, stored.state, frame.end_of_stream)

        decoder = frames.FrameDecoder(on_frame, self.max_frame)
        body = ChunkedDecoder(decoder.feed) if chunked else None
        left = length
        while outcome["status"] == 200:
            want = READ_SIZE if left is None else min(READ_SIZE, left)
            if body is not None and body.done or want == 0:
                break
            data = read(want)
            if not data:
                if body is not None or (left or 0) > 0:
                    return 400, dict(stored.answer(), error="body ended early")
                break
            try:
                (body or decoder).feed(memoryview(data))
            except ValueError as exc:
                return 400, dict(stored.answer(), error=str(exc))
            if left is not None:
                left -= len(data)
        stored.save()
        answer = stored.answer()
        if outcome["error"]:
            answer["error"] = outcome["error"]
        return outcome["status"], answer


def _receiver_handler(receiver):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # progress lines are printed instead
            return

        def _name(self):
            name = urlsplit(self.path).path.strip("/").split("/")[-1]
            if not NAME.match(name):
                self._json(400, {"error": "bad stream name %r" % name}, close=True)
                return None
            return name

        def _json(self, status, doc, close=False):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's name
            name = self._name()
            if name is not None:
                self._json(200, receiver.resume_point(name))

        def do_POST(self):  # noqa: N802 - http.server's name
            name = self._name()
            if name is None:
                return
            chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
            length = None if chunked else int(self.headers.get("Content-Length", "0"))
            status, answer = receiver.receive(name, self.rfile.read1, chunked, length)
            self._json(status, answer, close=status != 200)

    return Handler


class DownlinkServer(BackgroundHttpServer):
    """Serves ``path`` as a downlink: ``GET /<name>?from_sequence=N`` answers a chunked body
    of frames N.. (``chunk_size`` payload bytes each), the last one with end_of_stream.

    :param int rate: frames per second at most (0 = as fast as the device takes them)
    """

    def __init__(
        self,
        path,
        host="127.0.0.1",
        port=0,
        chunk_size=4096,
        rate=0,
        printer=None,
        kind="data",
        sample_format="raw",
    ):
        self.path = path
        self.chunk_size = chunk_size
        self.rate = rate
        self.printer = printer
        self.meta = (kind, sample_format, rate)
        self.size = os.path.getsize(path)
        self.frames_sent = 0
        self.requests = []  # from_sequence of every request
        super().__init__(host, port, _downlink_handler(self))

    def url(self, name="downlink") -> str:
        """The URL a device receives this downlink from."""
        return "http://%s:%d/%s" % (self.server.server_address[0], self.port, name)

    @property
    def last_sequence(self) -> int:
        """Sequence of the end-of-stream frame."""
        return -(-self.size // self.chunk_size)

    def frames_from(self, name, first):
        """Yield the encoded frames ``first``.. of the file (for the handler)."""
        with open(self.path, "rb") as fh:
            fh.seek(first * self.chunk_size)
            seq = first
            while True:
                payload = fh.read(self.chunk_size)
                meta = self.meta if seq == first else None
                yield frames.encode_frame(
                    name, seq, payload, int(time.monotonic() * 1000), end=not payload, meta=meta
                )
                seq += 1
                if not payload:
                    return


def _downlink_handler(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            return

        def do_GET(self):  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            name = parts.path.strip("/").split("/")[-1] or "downlink"
            try:
                first = int(parse_qs(parts.query).get("from_sequence", ["0"])[0])
            except ValueError:
                first = -1
            if not NAME.match(name) or not 0 <= first <= server.last_sequence:
                self.send_error(400, "bad stream name or from_sequence")
                return
            server.requests.append(first)
            if server.printer is not None:
                server.printer("%s: serving from frame %d" % (name, first))
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            gap = 1.0 / server.rate if server.rate else 0
            for frame in server.frames_from(name, first):
                self.wfile.write(b"%x\r\n" % len(frame) + frame + b"\r\n")
                server.frames_sent += 1
                if gap:
                    time.sleep(gap)
            self.wfile.write(b"0\r\n\r\n")

    return Handler


def run_handler(handler, timeout: float, idle_s: float = 0.001) -> bool:
    """Step a StreamingHandler until no stream runs or ``timeout`` seconds pass; True when
    every stream ended before the deadline."""
    end = time.monotonic() + timeout
    while handler.running:
        if time.monotonic() > end:
            return False
        if not handler.step():
            time.sleep(idle_s)
    return True


def send_file(url, path, stream_id=None, chunk_size=4096, rate=0, timeout=600.0, printer=print):
    """Uplink ``path`` to ``url`` with jotunheim's own streaming code; returns its status."""
    import socket

    from jotunheim.streaming.handler import StreamingHandler

    handler = StreamingHandler(pool=socket)
    name = stream_id or os.path.basename(path).replace(" ", "_") or "file"
    stream = handler.send_data_stream(
        "file", url, name, path=path, chunk_size=chunk_size, rate=rate
    )
    last = time.monotonic()
    end = time.monotonic() + timeout
    while stream.active and time.monotonic() < end:
        if not handler.step():
            time.sleep(0.001)
        if printer is not None and time.monotonic() - last >= 1.0:
            last = time.monotonic()
            info = stream.status()
            printer(
                "%s: %d frames, %d KB, %s"
                % (name, info["sequence"], info["bytes"] // 1024, info["state"])
            )
    if stream.active:
        stream.finish("failed", "timed out after %.0f s" % timeout)
    return stream.status()


def sensor_stream_demo(out_dir, device=None, frames_count=24, rate=12, printer=print, timeout=30.0):
    """A short sensor stream (the ``signal`` plugin: a generated tone, as a sensor would
    sample it) from ``device`` (or a bare StreamingHandler) into a local receiver.

    With ``device``, its own loop must be running (``device.run()`` in a thread, or the
    simulator); the stream is started through ``device.streams``. Returns ``{"frames",
    "bytes", "sha256", "path", "state"}``.
    """
    with StreamReceiver(out_dir, printer=printer) as receiver:
        url = receiver.url("sensor")
        if device is not None:
            stream = device.streams.send_data_stream(
                "signal", url, "sensor", frames=frames_count, rate=rate
            )
            end = time.monotonic() + timeout
            while stream.active and time.monotonic() < end:
                time.sleep(0.02)
        else:
            import socket

            from jotunheim.streaming.handler import StreamingHandler

            handler = StreamingHandler(pool=socket)
            stream = handler.send_data_stream(
                "signal", url, "sensor", frames=frames_count, rate=rate
            )
            run_handler(handler, timeout)
        stored = receiver.stream("sensor")
        result = {
            "frames": stored.state["last_sequence"] + 1,
            "bytes": stored.state["bytes"],
            "sha256": stored.sha256(),
            "path": stored.data_path,
            "state": stream.state,
        }
    if printer is not None:
        printer("sensor stream: %(frames)d frames, %(bytes)d bytes, %(state)s" % result)
    return result
