# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Uplink: a source's chunks as frames in one chunked HTTP POST, resumable.

1. ``resume``: ``GET <url>`` (``Connection: close``); the receiver answers
   ``{"last_sequence": N}`` (-1 or 404: nothing stored yet). The stream continues at N+1:
   a seekable source goes back there; a live one continues with fresh samples under N+1.
2. ``post``: ``POST <url>`` with ``Transfer-Encoding: chunked``; each HTTP chunk is one frame.
3. ``send``: the producer is asked for the next chunk only once the socket took the whole
   previous frame (back-pressure: a slow receiver slows the producer, nothing queues).
4. ``answer``: after the end-of-stream frame and the last chunk, the receiver's answer
   ``{"last_sequence": N}`` must name the end frame; else the stream resumes again.
"""

from jotunheim.streaming import frames
from jotunheim.streaming.connection import Answer, request_head
from jotunheim.streaming.stream import ANSWER_MS, Stream

CONTENT_TYPE = "application/x-jotunheim-stream"
_LAST_CHUNK = b"0\r\n\r\n"


class Uplink(Stream):
    """Sends ``source``'s chunks to ``url`` (arguments as :class:`Stream`, plus ``source``)."""

    direction = "up"

    def __init__(
        self, stream_id, plugin, plugin_info, url, options, budget, conn, source, clock=None
    ):
        super().__init__(stream_id, plugin, plugin_info, url, options, budget, conn, source, clock)
        self.source = source
        self.sid = stream_id.encode("utf-8")
        kind, _, fmt = plugin_info
        self.meta = (kind.encode("utf-8"), fmt.encode("utf-8"), int(options["rate"]))
        frames.check_meta(self.sid, self.meta[0], self.meta[1])
        size = options["chunk_size"] + frames.HEAD_ROOM + 2
        self.buf = budget.acquire(size)
        self.chunk = min(options["chunk_size"], len(self.buf) - frames.HEAD_ROOM - 2)
        if self.chunk < 1:
            raise ValueError("stream buffer of %d bytes is too small" % len(self.buf))
        self.view = memoryview(self.buf)
        self.seq = 0  # sequence of the next frame to produce
        self.source_at = 0  # sequence the source will produce next
        self.last_stored = -1  # the receiver's last stored sequence, as last answered
        self.pending = None  # memoryview still to send
        self.after_pending = None  # what follows when pending is out
        self.frame_out = False  # pending is a frame (not a request head)
        self.answer_for = ""
        self.with_meta = True
        self.ended = False  # the end-of-stream frame was produced
        self.next_due = 0
        self.dropped = 0  # live frames lost in flight when a connection broke

    def status(self) -> dict:
        """Stream figures plus the sequence position and frames lost by a live source."""
        info = super().status()
        info["sequence"] = self.seq
        info["last_stored"] = self.last_stored
        info["dropped"] = self.dropped
        return info

    def advance(self) -> bool:
        """Ask where to resume, open the POST, send frames, or read an answer."""
        state = self.state
        if state == "resume":
            return self._ask_resume()
        if state == "post":
            return self._post()
        if self.answer is not None:
            return self._read_answer()
        return self._send()

    def drop_connection(self) -> None:
        """Forget the half-sent frame and the half-read answer of a broken connection
        (the frame is made again from the resume point)."""
        self.answer = None
        self.pending = None
        self.after_pending = None

    # ------------------------------------------------------------ resume

    def _ask_resume(self) -> bool:
        hostport, path = self.conn.open(self.url, self.options["connect_timeout"])
        head = request_head(
            "GET",
            hostport,
            path,
            (("X-Stream-Id", self.stream_id), ("Connection", "close")),
        )
        self.pending = memoryview(head)
        self.frame_out = False
        self.after_pending = "resume-answer"
        self.state = "send"
        return True

    def _resumed(self, answer) -> None:
        if answer.status == 404:
            last = -1
        elif answer.status == 200:
            last = last_sequence(answer)
        else:
            raise ValueError("resume query answered HTTP %d" % answer.status)
        self.conn.close()
        self.healthy()  # a valid answer: the receiver works
        self.last_stored = last
        if answer.status == 200 and answer.json().get("complete") is True:
            self.seq = last + 1
            self.finish("done")  # the receiver holds the whole stream already
            return
        nxt = last + 1
        if nxt != self.seq or nxt != self.source_at:
            self._reposition(nxt)
        self.state = "post"

    def _reposition(self, nxt) -> None:
        # A seekable source goes back (or forward, after a restart) to nxt; a live one
        # cannot: its fresh samples go under nxt and the frames lost in flight are counted.
        if self.source.seek(nxt):
            self.source_at = nxt
        elif nxt < self.source_at:
            self.dropped += self.source_at - nxt
        self.seq = nxt
        self.ended = False

    # ------------------------------------------------------------ post and frames

    def _post(self) -> bool:
        hostport, path = self.conn.open(self.url, self.options["connect_timeout"])
        head = request_head(
            "POST",
            hostport,
            path,
            (
                ("Content-Type", CONTENT_TYPE),
                ("Transfer-Encoding", "chunked"),
                ("X-Stream-Id", self.stream_id),
            ),
        )
        self.pending = memoryview(head)
        self.frame_out = False
        self.after_pending = None
        self.with_meta = True
        self.state = "send"
        return True

    def _send(self) -> bool:
        worked = False
        for _ in range(self.options["frames_per_step"] + 1):
            if self.pending is not None:
                n = self.conn.send_some(self.pending)
                if n:
                    worked = True
                    self.budget.count(self.endpoint, sent=n)
                    self.pending = self.pending[n:]
                if len(self.pending):
                    return worked  # the socket is full: the receiver sets the pace
                self.pending = None
                if self.frame_out:
                    self.healthy()  # a frame went out whole: the link works
                if self._after_send():
                    return True
            if not self._produce():
                return worked
            worked = True
        return worked

    def _after_send(self) -> bool:
        after, self.after_pending = self.after_pending, None
        if after == "resume-answer" or after == "answer":
            self.answer_for = after
            self.answer = Answer()
            self.wait_until = self.clock() + ANSWER_MS
            self.state = "answer"
            return True
        return False

    def _produce(self) -> bool:
        """Put the next frame into ``pending``; False when it is not time yet."""
        if self.ended:
            self.pending = memoryview(_LAST_CHUNK)
            self.frame_out = False
            self.after_pending = "answer"
            return True
        rate = self.options["rate"]
        now = self.clock()
        if rate and now < self.next_due:
            return False
        budget = self.budget
        if budget.shed() or not budget.allow(self.endpoint, self.chunk, self.options["priority"]):
            self.deferred += 1
            return False
        at = frames.HEAD_ROOM
        n = self.source.read_into(self.view[at : at + self.chunk], self.seq)
        if n is None:
            return False  # a live source with nothing ready yet
        end = not n
        meta = self.meta if self.with_meta else None
        start = frames.write_frame(self.buf, at, n, self.sid, self.seq, now, end, meta)
        self.with_meta = False
        self.pending = self.view[start : at + n + 2]
        self.frame_out = True
        self.frames += 1
        self.bytes += n
        self.seq += 1
        self.source_at = self.seq
        self.ended = end
        if rate:
            self.next_due = max(now, self.next_due) + 1000 // rate
        return True

    # ------------------------------------------------------------ answers

    def _read_answer(self) -> bool:
        if not self.answer.poll(self.conn):
            return False
        answer, self.answer = self.answer, None
        if self.answer_for == "resume-answer":
            self._resumed(answer)
            return True
        self.conn.close()
        if answer.status != 200:
            raise ValueError("receiver answered HTTP %d" % answer.status)
        self.last_stored = last_sequence(answer)
        if self.last_stored == self.seq - 1:
            self.finish("done")
        else:
            self.state = "resume"  # it stored less than we sent: ask and send the rest
        return True


def last_sequence(answer) -> int:
    """The ``last_sequence`` of a receiver's JSON answer; ValueError naming a bad one."""
    value = answer.json().get("last_sequence", -1)
    if not isinstance(value, int) or isinstance(value, bool) or value < -1:
        raise ValueError("receiver answered last_sequence %r, not an integer >= -1" % (value,))
    return value
