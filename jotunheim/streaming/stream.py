# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Stream: what an uplink and a downlink share (options, state, retry with a deadline).

A stream is driven by :meth:`Stream.step`, which does a bounded piece of work (a few
frames, or until the socket would block) and returns; the device calls it once per step,
so tool calls keep being served while a stream runs. A network failure closes the
connection and retries after a backoff (0.2 s doubling to 2 s) for at most
``retry_for`` seconds; then the stream is ``failed`` with the reason. A peer that takes
the request but does not answer within :data:`ANSWER_MS` counts as such a failure.
"""

import errno

from jotunheim.compat import monotonic_ms

DEFAULTS = {
    "chunk_size": 1024,  # payload bytes per frame
    "rate": 0,  # frames per second the producer is asked for (0 = as fast as allowed)
    "retry_for": 60,  # seconds of failing connections before the stream gives up
    "connect_timeout": 5.0,  # seconds for one connect
    "frames_per_step": 8,  # frames one step may send or receive at most
    "priority": 2,  # bandwidth priority (jotunheim.resources.USER)
}
MAX_CHUNK = 32768
ANSWER_MS = 10000  # a resume answer, a receiver's last answer, a sender's head: this long
RUNNING = ("resume", "post", "send", "answer", "connect", "head", "body", "wait")


def options_of(given, plugin=None) -> dict:
    """The stream options: :data:`DEFAULTS`, then the plugin's ``CHUNK_SIZE``/``RATE``,
    then ``given``; ValueError naming a bad or unknown option."""
    options = dict(DEFAULTS)
    if plugin is not None:
        options["chunk_size"] = getattr(plugin, "CHUNK_SIZE", options["chunk_size"])
        options["rate"] = getattr(plugin, "RATE", options["rate"])
    for key, value in (given or {}).items():
        if key in DEFAULTS:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError("stream option %s must be a number >= 0, not %r" % (key, value))
        options[key] = value
    size = options["chunk_size"]
    if not 1 <= int(size) <= MAX_CHUNK:
        raise ValueError("chunk_size must be 1..%d bytes, not %r" % (MAX_CHUNK, size))
    options["chunk_size"] = int(size)
    return options


class Stream:
    """State shared by :class:`jotunheim.streaming.uplink.Uplink` and the downlink.

    :param str stream_id: the stream's id (frames carry it)
    :param str plugin: the plugin's name (for status)
    :param plugin_info: ``(kind, direction, sample_format)``
    :param str url: where the stream goes to or comes from
    :param dict options: see :func:`options_of`
    :param budget: a :class:`jotunheim.streaming.budget.StreamBudget`
    :param conn: a :class:`jotunheim.streaming.connection.Connection`
    :param device_side: the plugin's source (uplink) or sink (downlink)
    :param clock: milliseconds, monotonic
    """

    direction = ""

    def __init__(
        self, stream_id, plugin, plugin_info, url, options, budget, conn, device_side, clock=None
    ):
        self.stream_id = stream_id
        self.device_side = device_side  # the plugin's source (uplink) or sink (downlink)
        self.plugin = plugin
        self.kind, _, self.sample_format = plugin_info
        self.url = url
        self.options = options
        self.budget = budget
        self.conn = conn
        self.clock = clock or monotonic_ms
        self.endpoint = "stream:" + stream_id
        self.state = "resume"
        self.error = ""
        self.frames = 0  # frames sent or received (this run, resends included)
        self.bytes = 0  # payload bytes
        self.reconnects = 0
        self.deferred = 0  # steps the bandwidth budget or the memory monitor held us back
        self.started_ms = self.clock()
        self.failing_since = None
        self.wait_until = 0  # ms: the end of a retry's backoff, or an answer's deadline
        self.backoff_ms = 200
        self.buf = None
        self.answer = None  # the Answer being read (subclasses), due by wait_until

    @property
    def active(self) -> bool:
        """True until the stream is done, failed or stopped."""
        return self.state in RUNNING

    def status(self) -> dict:
        """Figures for ``stream_status`` and GetDeviceStatus."""
        elapsed = max(1, self.clock() - self.started_ms)
        return {
            "id": self.stream_id,
            "plugin": self.plugin,
            "direction": self.direction,
            "kind": self.kind,
            "sample_format": self.sample_format,
            "url": self.url,
            "state": self.state,
            "error": self.error,
            "frames": self.frames,
            "bytes": self.bytes,
            "bytes_per_s": self.bytes * 1000 // elapsed,
            "reconnects": self.reconnects,
            "deferred": self.deferred,
        }

    def step(self) -> bool:
        """One bounded piece of work; True when something was done."""
        if not self.active:
            return False
        if self.state == "wait":
            if self.clock() < self.wait_until:
                return False
            self.state = self.retry_state()
            self.reconnects += 1
        try:
            if self.answer is not None and self.clock() > self.wait_until:
                raise OSError(
                    getattr(errno, "ETIMEDOUT", 110),
                    "no answer from %s within %d s" % (self.url, ANSWER_MS // 1000),
                )
            return self.advance()
        except (OSError, ValueError) as exc:
            self.network_failed(exc)
            return True

    def advance(self) -> bool:
        """The stream's own work (subclasses); errors are handled by :meth:`step`."""
        raise NotImplementedError

    def retry_state(self) -> str:
        """The state a retry starts in (subclasses)."""
        return "resume"

    def network_failed(self, exc) -> None:
        """Close the connection; retry after a backoff, or fail once ``retry_for`` ran out."""
        self.conn.close()
        self.drop_connection()
        now = self.clock()
        self.error = "%s: %s" % (type(exc).__name__, exc)
        if self.failing_since is None:
            self.failing_since = now
        if now - self.failing_since > self.options["retry_for"] * 1000:
            self.finish("failed")
            return
        self.state = "wait"
        self.wait_until = now + self.backoff_ms
        self.backoff_ms = min(self.backoff_ms * 2, 2000)

    def drop_connection(self) -> None:
        """Forget what belonged to the closed connection (subclasses: half-sent bytes, a
        half-read answer), so a retry starts clean."""
        self.answer = None

    def healthy(self) -> None:
        """A connection worked: the next failure starts a fresh retry window."""
        self.failing_since = None
        self.backoff_ms = 200

    def finish(self, state: str, error: str = "") -> None:
        """End the stream in ``state`` (done, failed, stopped), freeing what it holds."""
        self.state = state
        if error:
            self.error = error
        elif state == "done":
            self.error = ""
        self.conn.close()
        self.budget.release(self.buf)
        self.buf = None
        self.device_side.close()
