# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HttpServer: a small non-blocking HTTP/1.1 server with a fixed number of connection slots.

Made for a board's few KB of heap and a hostile network: each connection has a slot with
its own state and deadline, so one slow, idle or half-open client never delays another;
:meth:`HttpServer.poll` never blocks (every socket is non-blocking) and an idle server
costs one ``accept`` attempt per poll. Works on a CircuitPython ``socketpool.SocketPool``
and on CPython's ``socket`` module::

    def handler(request):
        return Response(200, [("Content-Type", "text/plain")], b"hello")

    server = HttpServer(pool, handler)
    server.start("0.0.0.0", 8080)
    while True:
        server.poll()  # serves what is ready, returns at once
        do_other_work()

Every limit is named and answered: a head over ``max_head`` bytes or ``max_headers`` lines
gets 431, a malformed head 400, a head not complete within ``head_timeout`` 408; a body
over ``max_body`` reaches the handler as ``request.too_large`` with no body (the rest is
read and dropped, bounded by ``drain_limit``; a chunked body is measured after each read);
EOF or a reset mid-request frees the slot at once; a keep-alive connection idle for
``idle_timeout`` is closed; with every slot taken, a newcomer reclaims the slot of a
lingering or the longest-idle connection, or gets 503 after waiting a second.
``Expect: 100-continue`` is answered, chunked request bodies are decoded
(:func:`jotunheim.http.wire.feed_request_body`, loaded on the first one), pipelined
requests are answered in order.

A request that arrives whole in one read is parsed where it landed, in the one receive
buffer all slots share: its body is a view into that buffer, valid while the handler runs.
Only a request that arrives in pieces is copied into a buffer of its slot.

Out of heap anywhere on a request's way (head, body, handler, response), the client gets
``out_of_memory`` (a 503 made once, so sending it allocates nothing) and
the connection is closed; the server goes on serving the others. Given a ``buffers``
pool, the receive buffer and request bodies that arrive in pieces come from it; given a
``meter``, each answered request and closed connection adds its bytes to
``meter.count("client:<ip>", sent, received)``.
"""

import errno

from jotunheim.compat import monotonic_ms, run_and_forget

SETUP = "jotunheim.http.setup"


class Request:
    """One request as received: ``method``, ``path``, ``version``, ``headers`` (dict with
    lower-case names; repeated headers joined by ``,``; not the framing headers the server
    acts on itself: Content-Length, Transfer-Encoding, Connection, Expect), ``body`` (bytes-like, valid while
    the handler runs; empty when ``too_large`` or ``refusal``: the buffer pool's reason the
    body could not be held), ``client_address`` and ``keep_alive``.

    It is also the connection's slot: the server reuses it for the next request on the
    same connection, and its other fields are the server's own."""

    # Defaults as class attributes: a connection's object holds only what its requests
    # changed (each attribute an instance holds costs heap, per connection). too_large,
    # refusal and a cleared keep_alive are never reset: such a connection is closed.
    state = "head"  # head, body, chunked (reading), send, linger (closing)
    data = b""  # bytes received and not parsed yet (a head in pieces, a next request)
    method = None  # set once a request line was read (the slot has served)
    version = "HTTP/1.1"
    body = b""
    too_large = False
    keep_alive = True  # cleared once the server decides to close after the answer
    # Set where first due: out, what is left of the response to send; pos, the body
    # bytes received of a body that arrives in pieces; refusal, why the buffer pool
    # refused to hold the body.
    stream = None  # the response's further pieces, or the chunked body's decoder
    drop_left = 0  # body bytes to read and drop before closing
    pooled = None  # the pool buffer holding the body, given back after the handler
    rx = tx = 0  # bytes not yet handed to the meter

    def __init__(self, sock, address, now):
        self.sock = sock
        self.client_address = address
        self.deadline = now  # when it arrived, until it has a slot


class Response:
    """What a handler returns.

    :param int status: HTTP status code
    :param headers: list of ``(name, value)`` pairs (made into lines by
        :func:`jotunheim.http.unusual.head_lines`), or bytes: the header lines as they
        go out, each ending in ``\\r\\n`` (made once by a server that always sends them)
    :param body: bytes sent with a ``Content-Length``
    :param stream: an iterator of bytes-like pieces instead of ``body``; each is sent as
        one HTTP chunk in one ``send``, and the next is taken only once it is out
    :param bool close: close the connection after this response
    """

    # Defaults as class attributes: a response holds only the rare ones it was given.
    stream = None
    close = False

    def __init__(self, status=200, headers=b"", body=b"", stream=None, close=False):
        self.status = status
        self.headers = headers
        self.body = body
        if stream is not None:
            self.stream = stream
        if close:
            self.close = close


class HttpServer:
    """Serves ``handler(request) -> Response`` on a few non-blocking connection slots.

    :param socket_pool: ``socketpool.SocketPool(wifi.radio)`` or CPython's ``socket``
    :param handler: called with each complete :class:`Request`
    :param int slots: connections served at once
    :param int max_head: bytes of request line and headers accepted (431 beyond)
    :param int max_headers: header lines accepted (431 beyond)
    :param int max_body: body bytes buffered; a larger body sets ``request.too_large``
    :param float head_timeout: seconds for a whole head to arrive (408 after)
    :param float body_timeout: seconds for a whole body to arrive after its head
    :param float idle_timeout: seconds a keep-alive connection may wait for a request
    :param float send_timeout: seconds a response may make no progress
    :param int drain_limit: bytes of an oversized body read and dropped before closing
    :param int buffer_size: bytes of the one receive buffer all slots share
    :param int backlog: connections the network stack queues before we accept them (a
        burst beyond it waits for the client's SYN retry, about 1 s)
    :param buffers: a :class:`jotunheim.resources.pool.BufferPool` for the receive
        buffer and request bodies (None: allocate them)
    :param meter: an object with ``count(endpoint, sent, received)`` (a
        :class:`jotunheim.resources.bandwidth.Bandwidth`), or None

    The limits are given by name (``slots=2``). They are set by
    :func:`jotunheim.http.setup.build`, and :meth:`start` runs
    :func:`jotunheim.http.setup.start`: a module forgotten after each use, so the code
    that only builds a server does not stay on the heap while it serves.

    ``port`` is the bound port once started (the OS's choice after ``start(port=0)``,
    where the socket can say: CircuitPython's cannot, so a board listens on a fixed
    port); ``slots`` the open connections; ``requests``, ``refused`` (answered with an
    HTTP error), ``dropped`` (closed mid-request), ``reclaimed``, ``busy`` (answered 503),
    ``out_of_memory_answers``, ``rx_bytes`` and ``tx_bytes`` count what happened.
    """

    def __init__(self, socket_pool, handler, **limits):
        # Built by jotunheim.http.setup, forgotten once done: the code that only builds
        # does not stay on the heap while the server serves.
        run_and_forget(SETUP, "build", self, socket_pool, handler, **limits)

    def start(self, host="0.0.0.0", port=8080):
        """Listen on ``host:port`` (port 0: the OS picks one, see ``port``)."""
        run_and_forget(SETUP, "start", self, host, port)

    def stop(self):
        """Close every connection and the listening socket."""
        run_and_forget(SETUP, "stop", self)

    def poll(self, max_requests=0):
        """Accept and serve what is ready without blocking; returns requests answered
        (at most ``max_requests`` when given: the other slots wait for the next poll)."""
        if self.sock is None:
            return 0
        now = monotonic_ms()
        slots = self.slots
        waiting = self.waiting
        pool = self.pool
        # Newcomers wait in arrival order (at most one queue of ``slots``; more stay in the
        # listen backlog) for a free slot; with every slot taken, jotunheim.http.unusual
        # makes room or answers 503.
        while True:
            while waiting:
                slot = waiting[0]
                if len(slots) >= self.max_slots:
                    from jotunheim.http.unusual import make_room

                    if make_room(self, slot, now):
                        continue
                    break
                waiting.pop(0)
                # A response goes out in one send; without TCP_NODELAY, Nagle may hold it
                # back until the client ACKs (up to ~40 ms with delayed ACK).
                try:
                    slot.sock.setsockopt(pool.IPPROTO_TCP, pool.TCP_NODELAY, 1)
                except (OSError, AttributeError):
                    pass
                slot.deadline = now + self.head_ms
                slots.append(slot)
            if len(waiting) >= self.max_slots:
                break
            try:
                sock, address = self.sock.accept()
            except OSError:
                break  # nothing pending (EAGAIN), or the firmware is out of sockets
            sock.setblocking(False)
            waiting.append(Request(sock, address, now))
        count = 0
        # By index: serving a slot may close it (and only it), and copying the list
        # would allocate on every poll of an idle server.
        i = 0
        while i < len(slots) and not (max_requests and count >= max_requests):
            slot = slots[i]
            try:
                count += self._serve(slot, now)
            except OSError:  # reset, broken pipe, a socket the firmware closed
                self.close(slot, True)
            except MemoryError:
                # This request cannot be held; the others go on. The answer is bytes made
                # before, unless part of a response already went out.
                slot.body = slot.out = None
                if slot.state != "linger" and (slot.state != "send" or not slot.tx):
                    self.out_of_memory_answers += 1
                    try:
                        slot.sock.send(self.out_of_memory)
                    except Exception:  # noqa: BLE001 - closing is all that is left
                        pass
                self.close(slot, True)
            if i < len(slots) and slots[i] is slot:
                i += 1  # still open: on to the next (a closed one left its place)
        return count

    def _serve(self, slot, now):
        # One slot's turn: send what is pending, or read what arrived and act on it.
        # Returns the requests answered.
        state = slot.state
        if state == "send":
            return self._write(slot, now)
        if now >= slot.deadline:
            if state == "head" and slot.data:
                from jotunheim.http.unusual import refuse

                return refuse(self, slot, 408, now)
            self.close(slot, True)  # idle keep-alive, stalled body, or linger over
            return 0
        if state == "body" or state == "linger":
            # The rest of a body that arrives in pieces, or a closing connection's bytes
            # read and dropped: read by jotunheim.http.unusual.
            from jotunheim.http.unusual import read_rest

            return self._advance(slot, b"", 0, now) if read_rest(self, slot) else 0
        try:
            n = slot.sock.recv_into(self.buf, len(self.buf))
        except OSError as exc:
            code = exc.args[0] if exc.args else 0
            if code == errno.EAGAIN:
                return 0  # nothing ready yet
            if code != errno.ENOTCONN:
                raise
            n = 0  # CircuitPython's espressif port says EOF this way when non-blocking
        if not n:
            self.close(slot, True)  # EOF: the client went away (or never sent anything)
            return 0
        self.rx_bytes += n
        slot.rx += n
        if not slot.data:
            return self._advance(slot, self.buf, n, now)  # parsed where it landed
        slot.data.extend(self.view[:n])
        return self._advance(slot, slot.data, len(slot.data), now)

    def _advance(self, slot, data, size, now):
        # Move the slot on as far as ``data[:size]`` (bytes that arrived and are not parsed
        # yet, in the receive buffer or slot.data) allows, up to answering the request.
        # What must wait for more bytes is copied into slot.data.
        p = 0  # where the unparsed bytes start
        try:
            if slot.state == "head":
                # The usual head, read in place: "POST /target HTTP/1.1", header lines with
                # no blank in a name, a Content-Length of digits, no header twice, no
                # chunked body, no Expect. Anything else (a head still arriving, too
                # large or malformed, another method or version) is read by the careful
                # parser of jotunheim.http.unusual: headers stays None.
                headers = None
                end = data.find(b"\r\n\r\n", 0, min(size, self.max_head + 4))
                stop = data.find(b"\r\n", 0, end + 2)  # the end of the request line
                n = stop - 9  # where " HTTP/1.1" starts
                if (
                    end > 0
                    and data.find(b"POST /", 0, n) == 0
                    and data.find(b" ", 6, stop) == n
                    and data.find(b" HTTP/1.1", n, stop) == n
                    and slot.version == "HTTP/1.1"
                ):
                    view = self.view if data is self.buf else memoryview(data)
                    path = str(view[5:n], "utf-8")
                    headers = {}
                    count = 0
                    length = None
                    close = False  # "close" said in a Connection header
                    pos = stop + 2
                    while pos < end:
                        stop = data.find(b"\r\n", pos, end)  # the end of this line
                        if stop < 0:
                            stop = end
                        count += 1
                        # The name lower-cased where it lies.
                        i = data.find(b":", pos, stop)
                        for n in range(pos, i):
                            if data[n] < 33:
                                i = -1  # a blank (or a control byte) in a name
                            elif 64 < data[n] < 91:
                                data[n] += 32
                        if i <= pos or count > self.max_headers:
                            headers = None
                            break
                        n = pos  # where the name starts
                        pos = i + 1
                        while pos < stop and data[pos] in (32, 9):
                            pos += 1
                        # The framing headers the server acts on itself are read in place
                        # and not kept (the handler sees what they did: body, keep_alive).
                        if i - n == 14 and data.find(b"content-length", n, i) == n:
                            if length is not None or stop - pos > 12:
                                headers = None
                                break
                            length = 0
                            for n in range(pos, stop):
                                if length >= 0:
                                    c = data[n] - 48
                                    length = length * 10 + c if 0 <= c <= 9 else -1
                            if length < 0:
                                headers = None
                                break
                        elif i - n == 10 and data.find(b"connection", n, i) == n:
                            for n in range(pos, stop):  # its words are case-insensitive
                                if 64 < data[n] < 91:
                                    data[n] += 32
                            if data.find(b"close", pos, stop) >= 0:
                                close = True
                        else:
                            name = str(view[n:i], "utf-8")
                            if name in headers or name == "transfer-encoding" or name == "expect":
                                headers = None
                                break
                            headers[name] = str(view[pos:stop], "utf-8").strip()
                        pos = stop + 2
                if headers is None:
                    from jotunheim.http.unusual import read_head

                    p = read_head(self, slot, data, size, now)
                    if p < 0:
                        return 0
                else:
                    slot.method = "POST"
                    slot.path = path
                    slot.headers = headers
                    if close:
                        slot.keep_alive = False
                    p = end + 4
                    if slot.data:
                        slot.data = b""
                    slot.deadline = now + self.body_ms
                    # The usual body: Content-Length bytes (none without one) that all
                    # arrived with the head; else read by jotunheim.http.unusual.
                    if (length or 0) <= min(self.max_body, size - p):
                        if length:
                            slot.body = view[p : p + length]  # read where it landed
                            p += length
                    else:
                        from jotunheim.http.unusual import start_body

                        p = start_body(self, slot, view, p, size, length, None, None)
                        if p < 0:
                            return 0
            elif slot.state == "chunked":
                from jotunheim.http.unusual import feed_chunked

                view = self.view if data is self.buf else memoryview(data)
                p = feed_chunked(self, slot, view, 0, size)
                if p < 0:
                    return 0
        except ValueError as exc:  # a head or body refused (a UnicodeError too: not text)
            from jotunheim.http.unusual import refuse

            return refuse(self, slot, exc, now)
        if p < size:
            slot.data = data[p:size]  # a pipelined next request, parsed after the answer
        # The request is complete: the handler answers it.
        if slot.too_large:
            slot.keep_alive = False  # the rest of the body is dropped, not parsed
            slot.drop_left = max(slot.drop_left, 0)
            slot.body = b""
        try:
            response = self.handler(slot)
        except MemoryError:
            raise  # poll() answers out_of_memory, made before: nothing more to allocate
        except Exception:  # noqa: BLE001 - a handler bug must not take the server down
            from jotunheim.http.unusual import Refusal

            response = Refusal(500, "internal error")
        finally:
            slot.body = b""  # the handler is done with it: its buffer goes back
            if slot.pooled is not None:
                self.buffers.release(slot.pooled)
                slot.pooled = None
        self.requests += 1
        return 1 + self.respond(slot, response, now)

    def respond(self, slot, response, now):
        """Start sending ``response`` on ``slot`` (a :class:`Request`), head and body as
        one piece (one send when the socket takes it all); returns requests answered
        meanwhile (a pipelined one, after this response)."""
        reason = b"HTTP/1.1 200 OK\r\n"
        lines = response.headers
        if response.status != 200 or not isinstance(lines, bytes):
            from jotunheim.http.unusual import head_lines

            reason, lines = head_lines(response)
        if response.close:
            slot.keep_alive = False
        body = response.body
        size = 0  # digits of the Content-Length, written in place
        if response.stream is None:
            line = b"Content-Length: "
            size = n = 1
            while n * 10 <= len(body):
                n *= 10
                size += 1
        else:
            slot.stream = response.stream
            line = b"Transfer-Encoding: chunked"
            body = b""
        close = b"\r\n\r\n" if slot.keep_alive else b"\r\nConnection: close\r\n\r\n"
        # One buffer made to measure, the pieces copied in: no head or number made apart.
        pos = len(reason) + len(lines) + len(line)
        out = bytearray(pos + size + len(close) + len(body))
        out[0 : len(reason)] = reason
        out[len(reason) : pos - len(line)] = lines
        out[pos - len(line) : pos] = line
        n = len(body)
        pos += size
        for i in range(1, size + 1):
            out[pos - i] = 48 + n % 10
            n //= 10
        out[pos : pos + len(close)] = close
        out[pos + len(close) :] = body
        slot.out = out
        slot.state = "send"
        slot.deadline = now + self.send_ms
        return self._write(slot, now)

    def _write(self, slot, now):
        # Send what is pending. A stream's next piece is taken once the last one is out,
        # one piece per poll and slot, so the other slots get their turn. Returns the
        # requests answered meanwhile (a pipelined one, after this response).
        if not slot.out and slot.stream is not None:
            try:
                piece = next(slot.stream)
            except StopIteration:
                slot.stream = None
                slot.out = b"0\r\n\r\n"  # the last chunk
            else:
                out = slot.out = bytearray(b"%x\r\n" % len(piece))
                out.extend(piece)
                out.extend(b"\r\n")
        # slot.out is what is left to send: a view of the rest after a partial send.
        out = slot.out
        while out:
            try:
                n = slot.sock.send(out)
            except OSError as exc:
                if not exc.args or exc.args[0] != errno.EAGAIN:
                    raise
                n = 0
            if n is None:  # some CircuitPython sockets return None for "all of it"
                n = len(out)
            if not n:
                if now >= slot.deadline:
                    self.close(slot, True)  # the client stopped reading
                return 0
            self.tx_bytes += n
            slot.tx += n
            out = slot.out = memoryview(out)[n:] if n < len(out) else b""
            slot.deadline = now + self.send_ms
        if slot.stream is not None:
            return 0  # its next piece on the next poll
        # The response is out: wait for the next request, or close (lingering first so
        # a client still sending does not get a reset instead of our answer).
        slot.out = slot.headers = None
        self._count(slot)
        if slot.keep_alive:
            slot.state = "head"
            if slot.data:
                slot.deadline = now + self.head_ms
                data, slot.data = slot.data, b""
                return self._advance(slot, data, len(data), now)  # a pipelined request
            slot.deadline = now + self.idle_ms
        elif slot.drop_left > 0:
            slot.state = "linger"
            slot.deadline = now + 2000
        else:
            self.close(slot, False)
        return 0

    def _count(self, slot):
        # Once per answered request (and at close): the meter's cost is per call, not
        # per recv or send. Reset without a meter too: tx then says whether a response
        # started going out.
        if slot.rx or slot.tx:
            if self.meter is not None:
                host = slot.client_address
                if isinstance(host, tuple) or isinstance(host, list):  # (no tuple made per call)
                    host = host[0]
                self.meter.count("client:" + str(host), slot.tx, slot.rx)
            slot.rx = slot.tx = 0

    def close(self, slot, dropped):
        """Close ``slot``'s connection (a :class:`Request`) and free its slot. ``dropped``:
        closed by a failure (EOF, reset, timeout), counted unless the slot had nothing
        under way (idle between requests, or lingering)."""
        if dropped and slot.state != "linger" and (slot.state != "head" or slot.data):
            self.dropped += 1
        if slot.pooled is not None:
            self.buffers.release(slot.pooled)
            slot.pooled = None
        self._count(slot)
        if slot.stream is not None:
            close = getattr(slot.stream, "close", None)
            slot.stream = None
            if close is not None:
                close()  # runs the handler's cleanup when a client left mid-stream
        try:
            slot.sock.close()
        except OSError:
            pass
        if slot in self.slots:
            self.slots.remove(slot)
