# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Hold connections outside the HTTP worker threads until their request head is in.

cheroot hands every new connection (and every kept-alive one that becomes readable) to
a worker thread, which then reads the head with a per-``recv`` timeout. A client that
sends one byte every few seconds, or nothing at all, holds that thread for as long as
it likes, and 32 such clients stop the server. The gate sits in front: a connection
reaches a worker only once its whole head (up to the blank line) and its body (up to
``BODY_WINDOW`` bytes: a request that big has shown it is sent fast) are in the
kernel's receive buffer, seen with ``MSG_PEEK`` so cheroot still reads every byte.

Bounds: the whole head must arrive within ``head_seconds`` (else ``408`` and close); at
most ``per_client`` connections of one client address wait at once, and at most
``max_pending`` in all — over either, the *oldest* waiting connection is closed, so a
flood of idle connections pushes out its own members and a client that sends its head
at once always gets through. Plain HTTP only: a TLS head cannot be peeked at.
"""

import logging
import re
import selectors
import socket
import threading
import time

log = logging.getLogger("jotunheim.loki")

HEAD_END = b"\r\n\r\n"
# A body is waited for too, up to this much: past it, the client has shown it sends
# fast (the kernel buffer fills), and the rest is read by the HTTP thread.
BODY_WINDOW = 64 * 1024
_LENGTH_RE = re.compile(rb"\r\ncontent-length:[ \t]*([0-9]{1,12})[ \t]*\r\n", re.IGNORECASE)
_CHUNKED_RE = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.IGNORECASE)
FIRST_RECHECK = 0.001  # s; a partial request is looked at again after this, then less often
LAST_RECHECK = 0.5
_TIMEOUT_BODY = b"request head took too long\n"
_TIMEOUT_REPLY = (
    b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\nConnection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


class _Waiting:
    __slots__ = ("conn", "sock", "client", "since", "deadline", "recheck", "step", "watched")

    def __init__(self, conn, client, deadline):
        self.conn = conn
        self.sock = conn.socket
        self.client = client
        self.since = time.monotonic()
        self.deadline = deadline
        self.recheck = 0.0
        self.step = FIRST_RECHECK
        self.watched = False


class HeadGate:
    """The gate (see the module doc).

    :param hand_over: ``hand_over(conn)`` gives a connection with a whole head to the
        HTTP workers
    :param float head_seconds: time allowed for the whole head (and the first
        ``BODY_WINDOW`` bytes of the body) to arrive
    :param int max_head: bytes peeked at; a longer head is handed over as it is (the
        HTTP server answers it as too large)
    :param int per_client: connections of one client address waiting at once
    :param int max_pending: connections waiting at once in all
    """

    def __init__(
        self,
        hand_over,
        *,
        head_seconds=10.0,
        max_head=65536 + BODY_WINDOW,
        per_client=64,
        max_pending=1024,
    ):
        self.hand_over = hand_over
        self.head_seconds = head_seconds
        self.max_head = max_head
        self.per_client = per_client
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._waiting = {}  # conn -> _Waiting, in arrival order
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._running = False
        self._thread = None
        self.counts = {"handed": 0, "timed_out": 0, "evicted": 0, "closed_by_peer": 0}

    # -- life ---------------------------------------------------------------------------

    def start(self) -> None:
        self._running = True
        self._thread = threading.Thread(target=self._loop, name="loki-headgate", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the gate and close every connection still waiting."""
        self._running = False
        self._wake()
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            waiting, self._waiting = list(self._waiting.values()), {}
        for entry in waiting:
            _close(entry.conn)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def pending(self) -> int:
        """Connections waiting for their head now."""
        with self._lock:
            return len(self._waiting)

    # -- admitting ----------------------------------------------------------------------

    def admit(self, conn, client: str) -> None:
        """Take ``conn`` (a cheroot connection); it reaches ``hand_over`` once its head
        is in, or is closed."""
        if _peek_state(conn.socket, self.max_head) == "head":
            self.counts["handed"] += 1
            self.hand_over(conn)
            return
        evicted = []
        with self._lock:
            mine = [e for e in self._waiting.values() if e.client == client]
            if len(mine) >= self.per_client:
                evicted.append(self._waiting.pop(mine[0].conn))
            if len(self._waiting) >= self.max_pending:
                oldest = next(iter(self._waiting))
                evicted.append(self._waiting.pop(oldest))
            self._waiting[conn] = _Waiting(conn, client, time.monotonic() + self.head_seconds)
        for entry in evicted:
            self.counts["evicted"] += 1
            self._forget(entry)
            _close(entry.conn)
        self._wake()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass  # already full of wake-ups, or closing

    # -- the loop -----------------------------------------------------------------------

    def _loop(self) -> None:
        while self._running:
            self._watch_new()
            timeout = self._next_timeout()
            try:
                events = self._selector.select(timeout)
            except (OSError, ValueError):
                events = []
            for key, _ in events:
                if key.data is None:
                    _drain(self._wake_r)
                else:
                    self._look(key.data)
            now = time.monotonic()
            with self._lock:
                due = [e for e in self._waiting.values() if not e.watched and e.recheck <= now]
                late = [e for e in self._waiting.values() if e.deadline <= now]
            for entry in due:
                self._look(entry)
            for entry in late:
                self._expire(entry)

    def _watch_new(self) -> None:
        with self._lock:
            fresh = [e for e in self._waiting.values() if not e.watched and e.recheck == 0.0]
        for entry in fresh:
            try:
                self._selector.register(entry.sock, selectors.EVENT_READ, entry)
                entry.watched = True
            except (KeyError, ValueError, OSError):
                self._drop(entry, "closed_by_peer")

    def _next_timeout(self) -> float:
        now = time.monotonic()
        with self._lock:
            times = [e.deadline for e in self._waiting.values()]
            times += [e.recheck for e in self._waiting.values() if not e.watched]
        return max(0.0, min([now + 1.0] + times) - now)

    def _look(self, entry) -> None:
        with self._lock:
            if self._waiting.get(entry.conn) is not entry:
                return  # evicted or expired meanwhile
        state = _peek_state(entry.sock, self.max_head)
        if state == "head":
            with self._lock:
                self._waiting.pop(entry.conn, None)
            self._forget(entry)
            self.counts["handed"] += 1
            self.hand_over(entry.conn)
        elif state == "closed":
            self._drop(entry, "closed_by_peer")
        else:  # "partial" (or a spurious wake-up): stop watching
            # Stop watching (the socket stays readable and would spin the loop) and
            # look again later, less often each time.
            self._forget(entry)
            entry.recheck = time.monotonic() + entry.step
            entry.step = min(LAST_RECHECK, entry.step * 2)

    def _expire(self, entry) -> None:
        with self._lock:
            if self._waiting.pop(entry.conn, None) is None:
                return
        self._forget(entry)
        self.counts["timed_out"] += 1
        try:
            entry.sock.settimeout(0.0)
            entry.sock.send(_TIMEOUT_REPLY)
        except OSError:
            pass
        _close(entry.conn)

    def _drop(self, entry, why: str) -> None:
        with self._lock:
            self._waiting.pop(entry.conn, None)
        self._forget(entry)
        self.counts[why] += 1
        _close(entry.conn)

    def _forget(self, entry) -> None:
        if entry.watched:
            entry.watched = False
            try:
                self._selector.unregister(entry.sock)
            except (KeyError, ValueError, OSError):
                pass
        if entry.recheck == 0.0:
            entry.recheck = time.monotonic()  # never re-registered by _watch_new


def _peek_state(sock, max_head: int) -> str:
    """``"head"`` (whole head in, or more than ``max_head`` bytes), ``"partial"``,
    ``"empty"`` (nothing yet) or ``"closed"``."""
    # A Python socket with a timeout waits for data before it reads, whatever the
    # flags: peek with the timeout off, then put it back for cheroot.
    try:
        timeout = sock.gettimeout()
        sock.settimeout(0.0)
        try:
            data = sock.recv(max_head, socket.MSG_PEEK)
        finally:
            sock.settimeout(timeout)
    except (BlockingIOError, InterruptedError):
        return "empty"
    except OSError:
        return "closed"
    if not data:
        return "closed"
    end = data.find(HEAD_END)
    if end < 0:
        return "head" if len(data) >= max_head else "partial"
    return "head" if _body_in(data, end + 4) else "partial"


def _body_in(data: bytes, body_at: int) -> bool:
    """Whether the body after the head (at ``body_at``) is in, or BODY_WINDOW of it."""
    head = data[:body_at]
    have = len(data) - body_at
    if have >= BODY_WINDOW:
        return True
    length = _LENGTH_RE.search(head)
    if length is not None:
        return have >= min(int(length.group(1)), BODY_WINDOW)
    if _CHUNKED_RE.search(head):
        return data.endswith(b"0\r\n\r\n")
    return True  # no body


def _drain(sock) -> None:
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


def _close(conn) -> None:
    try:
        conn.close()
    except OSError:
        pass
