# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The unusual requests of :class:`jotunheim.http.server.HttpServer`, loaded on first use.

A device's clients send a head and a Content-Length body in one piece and get 200 back;
what only other requests need lives here, so it does not stay in a board's heap until
one arrives: bodies that arrive in pieces (a buffer from the pool, or its refusal),
bodies over ``max_body``, ``Expect: 100-continue``, chunked bodies, a newcomer when
every slot is taken (reclaiming one, or 503), the error answers
(400, 408, 413, 431, 501, 505) and the reason phrases of every status but 200.
A hostile client can make this module load once; it then stays, like any module.
"""

import errno


class Refusal:
    """An error answer as :meth:`jotunheim.http.server.HttpServer.respond` takes it (the
    fields of a :class:`jotunheim.http.server.Response`): ``message`` as text/plain, and
    the connection closes after it."""

    headers = (("Content-Type", "text/plain"),)
    stream = None
    close = True

    def __init__(self, status, message):
        self.status = status
        self.body = message.encode()


def make_room(server, slot, now):
    """With every slot taken, make room for ``slot``, the first connection waiting: take
    the slot of a lingering connection, one idle between requests or one silent for
    0.5 s since it connected (the longest-idle first), or answer 503 to a newcomer that
    has waited a second. Returns False while it has to wait on."""
    found = None
    for other in server.slots:
        if other.state == "linger" or (
            other.state == "head"
            and not other.data
            and (other.method is not None or now - other.since >= 500)
        ):
            if found is None or other.since < found.since:
                found = other
    if found is not None:
        server.reclaimed += 1
        server.close(found, False)
    elif now - slot.since >= 1000:
        server.waiting.pop(0)
        server.busy += 1
        try:
            slot.sock.send(server.out_of_memory)  # the server's one bare 503
        except OSError:
            pass
        slot.sock.close()
    else:
        return False
    return True


def status_line(status):
    """The status line of ``status`` (bytes ending in CRLF) with its reason phrase."""
    # Reason phrases as one string, read on use (a dict of them would stay in RAM).
    text = (
        "204 No Content\n400 Bad Request\n404 Not Found\n405 Method Not Allowed\n"
        "408 Request Timeout\n413 Content Too Large\n415 Unsupported Media Type\n"
        "431 Request Header Fields Too Large\n500 Internal Server Error\n"
        "501 Not Implemented\n503 Service Unavailable\n505 HTTP Version Not Supported\n"
    )
    pos = text.find(str(status) + " ")
    reason = text[pos : text.find("\n", pos)] if pos >= 0 else "%d OK" % status
    return ("HTTP/1.1 %s\r\n" % reason).encode()


def refuse(server, slot, exc, now):
    """Answer ``slot``'s request with the HTTP error ``exc`` names (a ``ValueError`` of
    ``(status, message)``, a chunked decoder's words: 400, a ``UnicodeError``: a head
    that is not text) and close the connection after it. Returns requests answered."""
    if isinstance(exc, UnicodeError):  # a ValueError too: checked first
        status, message = 400, "head is not text"
    elif len(exc.args) == 2:
        status, message = exc.args
    else:
        status, message = 400, str(exc)
    server.refused += 1
    slot.keep_alive = False
    slot.drop_left = max(slot.drop_left, server.drain_limit)
    slot.body = slot.data = b""
    slot.stream = None
    return server.respond(slot, Refusal(status, message), now)


def start_body(server, slot, view, pos, size, length, encoding, expect):
    """The body of a request whose head was read, when it is not simply there: chunked,
    over ``max_body``, announced with ``Expect`` or not all arrived yet. ``view[pos:size]``
    are the bytes after the head; ``length``, ``encoding`` and ``expect`` what the head
    said (None: not said). Returns where the unparsed bytes start, or -1 while the body
    is still arriving (the slot is then in state ``body`` or ``chunked``)."""
    if encoding is not None:
        if length is not None:
            raise ValueError(400, "Transfer-Encoding with Content-Length")
        if encoding.strip().lower() != "chunked":
            raise ValueError(501, "unsupported Transfer-Encoding")
        length = 0
    elif length is None:
        length = 0
    if length > server.max_body:
        # Answered as too large; the rest is read and dropped after the answer.
        slot.too_large = True
    elif expect is not None and expect.lower() == "100-continue":
        # curl and others wait for this before sending a body they announced.
        try:
            slot.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            server.tx_bytes += 25
            slot.tx += 25
        except OSError as exc:
            if not exc.args or exc.args[0] != errno.EAGAIN:
                raise
    if encoding is not None:
        slot.state = "chunked"
        return feed_chunked(server, slot, view, pos, size)
    if size - pos >= length:
        if length:
            slot.body = view[pos : pos + length]  # read where it landed
        pos += length
    elif not slot.too_large:
        # Arriving in pieces: copied into a buffer of the slot as it comes.
        if server.buffers is None:
            slot.body = bytearray(length)
        else:
            try:
                slot.pooled = server.buffers.acquire(length)
            except MemoryError:
                raise
            except Exception as exc:  # noqa: BLE001 - the pool refused
                # ResourceExhausted says why; the handler answers it as it answers
                # too_large, and the body is dropped.
                slot.refusal = str(exc)
                slot.too_large = True
            else:
                slot.body = memoryview(slot.pooled)[:length]
        if not slot.too_large:
            slot.body[: size - pos] = view[pos:size]
            slot.pos = size - pos
            slot.state = "body"
            return -1
    if slot.too_large:
        slot.drop_left = min(length, server.drain_limit) - (size - pos)
        slot.keep_alive = False
        pos = size
    return pos


def feed_chunked(server, slot, view, pos, size):
    """Decode the chunked body's bytes in ``view[pos:size]`` (:mod:`jotunheim.http.wire`).
    Returns where the unparsed bytes start once the body is complete, or -1 before."""
    from jotunheim.http.wire import feed_request_body

    pos += feed_request_body(slot, view[pos:size], server.max_body, server.drain_limit)
    if not slot.stream.done:
        return -1
    slot.stream = None
    return pos
