# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Downlink: frames from a chunked HTTP response into a sink, resumable by sequence.

``GET <url>?from_sequence=N`` (``&from_sequence`` when the URL has a query); the sender
answers 200 with a chunked body of frames N, N+1, ... up to one with ``end_of_stream``.
Bytes are read only while the sink is ready, so a slow sink slows the sender (TCP's window
fills), and at most one frame is buffered. A dropped connection reconnects with the next
sequence wanted; a frame already delivered is skipped, a gap is an error (and a retry).
"""

from jotunheim.http.wire import ChunkedDecoder
from jotunheim.streaming import frames
from jotunheim.streaming.connection import Answer, request_head
from jotunheim.streaming.stream import ANSWER_MS, Stream


class Downlink(Stream):
    """Receives frames from ``url`` into ``sink`` (arguments as :class:`Stream`, plus
    ``sink``)."""

    direction = "down"

    def __init__(
        self, stream_id, plugin, plugin_info, url, options, budget, conn, sink, clock=None
    ):
        super().__init__(stream_id, plugin, plugin_info, url, options, budget, conn, sink, clock)
        self.sink = sink
        size = options["chunk_size"] + frames.HEAD_ROOM
        self.buf = budget.acquire(2 * size)
        self.recv_size = len(self.buf) - size if len(self.buf) > size else len(self.buf) // 2
        self.frame_buf = memoryview(self.buf)[self.recv_size :]
        self.next_seq = 0  # the sequence this stream wants next
        self.pending = memoryview(b"")
        self.body = None  # ChunkedDecoder, or None when the body is not chunked
        self.decoder = None
        self.state = "connect"

    def drop_connection(self) -> None:
        """Forget the broken connection's answer and body decoders (a frame half read is
        asked for again by sequence)."""
        self.answer = None
        self.pending = memoryview(b"")
        self.body = None
        self.decoder = None

    def retry_state(self) -> str:
        """A downlink retries from a new GET."""
        return "connect"

    def status(self) -> dict:
        """Stream figures plus the next sequence wanted."""
        info = super().status()
        info["sequence"] = self.next_seq
        return info

    def advance(self) -> bool:
        """Connect, read the answer head, or take frames from the body."""
        if self.state == "connect":
            return self._connect()
        if self.state == "head":
            return self._head()
        return self._body()

    def _connect(self) -> bool:
        hostport, path = self.conn.open(self.url, self.options["connect_timeout"])
        path += ("&" if "?" in path else "?") + "from_sequence=%d" % self.next_seq
        head = request_head("GET", hostport, path, (("Accept", "application/x-jotunheim-stream"),))
        self.pending = memoryview(head)
        self.answer = Answer(head_only=True)
        self.wait_until = self.clock() + ANSWER_MS
        self.state = "head"
        return True

    def _head(self) -> bool:
        if len(self.pending):
            n = self.conn.send_some(self.pending)
            self.budget.count(self.endpoint, sent=n)
            self.pending = self.pending[n:]
            return bool(n)
        answer = self.answer
        if not answer.poll(self.conn):
            return False
        self.answer = None
        if answer.status != 200:
            self.finish("failed", "sender answered HTTP %d" % answer.status)
            return True
        self.decoder = frames.FrameDecoder(self.on_frame, len(self.frame_buf), self.frame_buf)
        chunked = "chunked" in answer.headers.get("transfer-encoding", "").lower()
        self.body = ChunkedDecoder(self.decoder.feed) if chunked else None
        self.state = "body"
        rest = answer.rest()
        if len(rest):
            self._feed(rest)
        return True

    def _body(self) -> bool:
        worked = False
        view = memoryview(self.buf)[: self.recv_size]
        for _ in range(self.options["frames_per_step"]):
            if self.state != "body":
                return True
            if not self.sink.ready():
                self.deferred += 1
                return worked
            if not self.budget.allow(self.endpoint, self.recv_size, self.options["priority"]):
                self.deferred += 1
                return worked
            n = self.conn.recv_some(view)
            if n < 0:
                return worked
            if n == 0:
                raise OSError(104, "sender closed the stream before its last frame")
            self.budget.count(self.endpoint, received=n)
            self._feed(view[:n])
            worked = True
        return worked

    def _feed(self, view) -> None:
        if self.body is not None:
            self.body.feed(view)
            if self.body.done and self.state == "body":
                raise OSError(104, "chunked body ended before the last frame")
        else:
            self.decoder.feed(view)

    def on_frame(self, frame) -> None:
        """Deliver ``frame`` to the sink if it is the next one (a resent one is skipped,
        a gap raises ValueError)."""
        if self.state != "body":
            return  # bytes after the end frame: ignored
        seq = frame.sequence
        if seq < self.next_seq:
            return  # already delivered before a reconnect
        if seq > self.next_seq:
            raise ValueError("frame %d arrived, %d was expected" % (seq, self.next_seq))
        if len(frame.payload):
            self.sink.write(frame.payload, frame)
        self.healthy()  # a frame arrived whole: the sender works
        self.frames += 1
        self.bytes += len(frame.payload)
        self.next_seq = seq + 1
        if frame.end_of_stream:
            self.finish("done")
