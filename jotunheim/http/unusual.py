# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The unusual requests of :class:`jotunheim.http.server.HttpServer`, loaded on first use.

A device's clients send a head and a Content-Length body in one piece and get 200 back;
what only other requests need lives here, so it does not stay in a board's heap until
one arrives: the reads of a body that arrives in pieces or of a closing connection,
heads that arrive in pieces, are malformed or unusual (the careful parser,
:func:`read_head`), bodies that arrive in pieces (a buffer from the pool, or its refusal),
bodies over ``max_body``, ``Expect: 100-continue``, chunked bodies, a newcomer when
every slot is taken (reclaiming one, or 503), headers given as pairs, the error answers
(400, 408, 413, 431, 501, 505) and the reason phrases of every status but 200.
A hostile client can make this module load once; it then stays, like any module.
"""

import errno


class Refusal:
    """An error answer as :meth:`jotunheim.http.server.HttpServer.respond` takes it (the
    fields of a :class:`jotunheim.http.server.Response`): ``message`` as text/plain, and
    the connection closes after it."""

    headers = b"Content-Type: text/plain\r\n"
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
    oldest = 0  # when the one found went quiet
    for other in server.slots:
        # When it went quiet: its deadline less the wait it was given then.
        if other.state == "linger":
            since = other.deadline - 2000
        elif other.state == "head" and not other.data:
            since = other.deadline - (server.head_ms if other.method is None else server.idle_ms)
            if other.method is None and now - since < 500:
                continue  # connected less than 0.5 s ago: its request may be on its way
        else:
            continue
        if found is None or since < oldest:
            found, oldest = other, since
    if found is not None:
        server.reclaimed += 1
        server.close(found, False)
    elif now - slot.deadline >= 1000:  # a newcomer's deadline is when it arrived
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


def head_lines(response):
    """The status line (with its reason phrase) and the header lines of ``response``
    (pairs made into lines), as bytes ending in CRLF: what
    :meth:`jotunheim.http.server.HttpServer.respond` does not take as it is."""
    # Reason phrases as one string, read on use (a dict of them would stay in RAM).
    text = (
        "200 OK\n204 No Content\n400 Bad Request\n404 Not Found\n405 Method Not Allowed\n"
        "408 Request Timeout\n413 Content Too Large\n415 Unsupported Media Type\n"
        "431 Request Header Fields Too Large\n500 Internal Server Error\n"
        "501 Not Implemented\n503 Service Unavailable\n505 HTTP Version Not Supported\n"
    )
    status = response.status
    pos = text.find(str(status) + " ")
    reason = text[pos : text.find("\n", pos)] if pos >= 0 else "%d OK" % status
    lines = response.headers
    if not isinstance(lines, bytes):
        lines = "".join(["%s: %s\r\n" % entry for entry in lines or ()]).encode()
    return ("HTTP/1.1 %s\r\n" % reason).encode(), lines


def refuse(server, slot, exc, now):
    """Answer ``slot``'s request with the HTTP error ``exc`` names (a ``ValueError`` of
    ``(status, message)``, a chunked decoder's words: 400, a ``UnicodeError``: a head
    that is not text, 408: a head not complete in time) and close the connection after
    it. Returns requests answered."""
    if exc == 408:
        status, message = 408, "head not complete in time"
    elif isinstance(exc, UnicodeError):  # a ValueError too: checked first
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


def read_head(server, slot, data, size, now):
    """The careful parser of a request head in ``data[:size]`` (the receive buffer, or
    ``slot.data``), for every head the usual one of
    :meth:`jotunheim.http.server.HttpServer._advance` does not take: still arriving (kept
    in ``slot.data``), blank lines before it, another method or HTTP version, headers
    repeated or with blanks, chunked bodies, ``Expect``, and the malformed ones (a
    ``ValueError(status, message)``: 400, 431, 505). Sets the request's fields on
    ``slot`` and starts its body; returns where the unparsed bytes start, or -1 while
    the head or body is still arriving."""
    p = 0  # where the unparsed bytes start
    while p + 1 < size and data[p] == 13 and data[p + 1] == 10:
        p += 2  # blank lines before a request line are allowed
    end = data.find(b"\r\n\r\n", p, min(size, p + server.max_head + 4))
    if end < 0:
        if size - p > server.max_head:
            raise ValueError(431, "head over %d bytes" % server.max_head)
        if data is not slot.data or p:
            slot.data = data[p:size]
        return -1
    # The request line and header lines, read in place: header names are
    # lower-cased where they lie, and each name and value becomes one str.
    view = server.view if data is server.buf else memoryview(data)
    stop = data.find(b"\r\n", p, end)  # the end of the request line
    if stop < 0:
        stop = end
    # METHOD SP target SP version; the usual method and versions are taken as
    # constants, so only the target becomes a new str (a method other than POST too).
    i = data.find(b" ", p, stop)
    n = data.find(b" ", i + 1, stop)
    if i <= p or n < 0 or data.find(b" ", n + 1, stop) >= 0 or data[i + 1] not in (47, 42):
        raise ValueError(400, "malformed request line")  # (47, 42: "/" or "*")
    if i == p + 4 and data.find(b"POST", p, i) == p:
        method = "POST"
    else:
        method = str(view[p:i], "utf-8")
        if not method.isalpha():
            raise ValueError(400, "malformed request line")
    path = str(view[i + 1 : n], "utf-8")
    if stop == n + 9 and data.find(b"HTTP/1.", n, stop) == n + 1 and data[n + 8] in (48, 49):
        version = "HTTP/1.1" if data[n + 8] == 49 else "HTTP/1.0"  # (49: "1")
    else:
        version = str(view[n + 1 : stop], "utf-8")
        raise ValueError(505 if version[:5] == "HTTP/" else 400, "bad HTTP version")
    headers = {}
    count = 0
    length = encoding = expect = None
    connection = 0  # 1: "close" said, 2: "keep-alive" said
    pos = stop + 2
    while pos < end:
        stop = data.find(b"\r\n", pos, end)  # the end of this line
        if stop < 0:
            stop = end
        count += 1
        if count > server.max_headers:
            raise ValueError(431, "over %d header lines" % server.max_headers)
        i = data.find(b":", pos, stop)
        for n in range(pos, i):
            if data[n] in (32, 9):  # a space or tab in a name
                i = -1
            elif 65 <= data[n] <= 90:
                data[n] += 32
        if i <= pos:
            raise ValueError(400, "malformed header line")
        n = pos  # where the name starts
        pos = i + 1
        while pos < stop and data[pos] in (32, 9):
            pos += 1
        # The framing headers the server acts on itself are not kept (the
        # handler sees what they did: body, keep_alive), and the two every
        # request has are read in place; every other header is one entry.
        # Repeated ones are joined by "," (a repeated Content-Length is bad).
        if i - n == 14 and data.find(b"content-length", n, i) == n:
            k = stop
            while k > pos and data[k - 1] in (32, 9):
                k -= 1  # blanks after the digits
            length = 0 if length is None and k - pos <= 12 else -1  # -1: bad
            for n in range(pos, k):
                if length >= 0:
                    c = data[n] - 48
                    length = length * 10 + c if 0 <= c <= 9 else -1
            if length < 0:
                raise ValueError(400, "bad Content-Length")
            pos = stop + 2
            continue
        if i - n == 10 and data.find(b"connection", n, i) == n:
            for n in range(pos, stop):  # its words are case-insensitive
                if 65 <= data[n] <= 90:
                    data[n] += 32
            if data.find(b"close", pos, stop) >= 0:
                connection |= 1
            if data.find(b"keep-alive", pos, stop) >= 0:
                connection |= 2
            pos = stop + 2
            continue
        value = str(view[pos:stop], "utf-8").strip()
        if i - n == 17 and data.find(b"transfer-encoding", n, i) == n:
            encoding = value if encoding is None else encoding + "," + value
        elif i - n == 6 and data.find(b"expect", n, i) == n:
            expect = value if expect is None else expect + "," + value
        else:
            name = str(view[n:i], "utf-8")
            headers[name] = headers[name] + "," + value if name in headers else value
        pos = stop + 2
    slot.method = method
    slot.path = path
    if version != slot.version:
        slot.version = version
    slot.headers = headers
    if connection & 1 if version == "HTTP/1.1" else not connection & 2:
        slot.keep_alive = False
    p = end + 4
    if slot.data:
        slot.data = b""
    slot.deadline = now + server.body_ms
    return start_body(server, slot, view, p, size, length, encoding, expect)


def read_rest(server, slot):
    """One read for a slot in state ``body`` (the rest of a body that arrives in pieces,
    into its buffer) or ``linger`` (a closing connection: read and dropped, up to
    ``drop_left`` bytes). Returns True once the body is complete; closes the connection
    at EOF, a reset or once enough was dropped."""
    try:
        if slot.state == "body":
            n = slot.sock.recv_into(memoryview(slot.body)[slot.pos :], len(slot.body) - slot.pos)
        else:
            n = slot.sock.recv_into(server.buf, len(server.buf))
    except OSError as exc:
        code = exc.args[0] if exc.args else 0
        if code == errno.EAGAIN:
            return False  # nothing ready yet
        if code != errno.ENOTCONN:
            raise
        n = 0  # CircuitPython's espressif port says EOF this way when non-blocking
    if not n:
        server.close(slot, True)  # EOF: the client went away
        return False
    server.rx_bytes += n
    slot.rx += n
    if slot.state == "linger":
        slot.drop_left -= n
        if slot.drop_left <= 0:
            server.close(slot, False)
        return False
    slot.pos += n
    return slot.pos >= len(slot.body)


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
