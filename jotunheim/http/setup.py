# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Building an :class:`~jotunheim.http.server.HttpServer`: its limits from the
constructor's arguments, its listening socket and receive buffer at ``start``, and
their closing at ``stop``. The
server forgets this module after each use (:func:`jotunheim.compat.run_and_forget`): on
a board its code goes back to the heap while the server serves, and the next server (a
new link) imports it again. It defines no classes and keeps no state (see
:func:`jotunheim.compat.forget`)."""


def build(
    server,
    socket_pool,
    handler,
    slots=4,
    max_head=4096,
    max_headers=32,
    max_body=4096,
    head_timeout=5.0,
    body_timeout=10.0,
    idle_timeout=30.0,
    send_timeout=10.0,
    drain_limit=1024 * 1024,
    buffer_size=1024,
    backlog=16,
    buffers=None,
    meter=None,
):
    """Set ``server``'s limits and counters (the arguments of
    :class:`~jotunheim.http.server.HttpServer`)."""
    server.pool = socket_pool
    server.handler = handler
    server.max_slots = slots
    server.max_head = max_head
    server.max_headers = max_headers
    server.max_body = max_body
    server.head_ms = int(head_timeout * 1000)
    server.body_ms = int(body_timeout * 1000)
    server.idle_ms = int(idle_timeout * 1000)
    server.send_ms = int(send_timeout * 1000)
    server.drain_limit = drain_limit
    server.buffer_size = buffer_size
    server.backlog = backlog
    server.buffers = buffers
    server.meter = meter
    server.port = 0
    server.slots = []
    server.waiting = []  # accepted connections (their slots) waiting for a place
    server.requests = server.refused = server.dropped = server.reclaimed = server.busy = 0
    server.rx_bytes = server.tx_bytes = server.out_of_memory_answers = 0
    # Sent as it is (no allocation) when the heap is out.
    server.out_of_memory = (
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    server.sock = None  # the listening socket
    server.buf = server.view = None  # the receive buffer, and a view of it


def start(server, host, port):
    """Make ``server`` listen on ``host:port`` (port 0: the OS picks one) and take its
    receive buffer."""
    pool = server.pool
    sock = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
    try:
        sock.setsockopt(pool.SOL_SOCKET, pool.SO_REUSEADDR, 1)
    except (OSError, AttributeError):
        pass  # not every port has it; a quick restart may then wait for the old port
    sock.bind(pool.getaddrinfo(host, port)[0][-1])
    sock.listen(server.backlog)
    sock.setblocking(False)
    if not port:
        try:
            port = sock.getsockname()[1]
        except AttributeError:
            pass
    server.port = port
    server.sock = sock
    if server.buf is None:
        buffers = server.buffers
        if buffers is not None:
            server.buf = buffers.acquire(server.buffer_size, minimum=128)
        else:
            server.buf = bytearray(server.buffer_size)
        server.view = memoryview(server.buf)  # made once: requests are parsed through it


def stop(server):
    """Close every connection of ``server`` and its listening socket, and give its
    receive buffer back."""
    for slot in server.slots + server.waiting:
        server.close(slot, False)
    server.waiting = []
    if server.sock is not None:
        server.sock.close()
        server.sock = None
    if server.buffers is not None and server.buf is not None:
        server.buffers.release(server.buf)
    server.buf = server.view = None
