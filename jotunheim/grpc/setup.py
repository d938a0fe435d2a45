# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Building a :class:`~jotunheim.grpc.server.GrpcWebServer`: its HTTP server, and the
header lines of its answers made once. The server forgets this module once built
(:func:`jotunheim.compat.run_and_forget`): on a board its code goes back to the heap
while the server serves, and the next server (a new link) imports it again. It defines
no classes and keeps no state (see :func:`jotunheim.compat.forget`)."""

from jotunheim.http.server import HttpServer


def build(server, socket_pool, max_request_size=16384, cors_origin=None, **limits):
    """Set up ``server`` (the arguments of :class:`~jotunheim.grpc.server.GrpcWebServer`)."""
    HttpServer.__init__(server, socket_pool, server.handle, max_body=max_request_size, **limits)
    # (service, method, request class, handler, streaming) per method: the caller's
    # strings, no path string made per method.
    server.methods = []
    server.cors_origin = cors_origin = cors_origin or None
    server.admission = None
    # The header lines of every answer, made once: what a browser needs to read the
    # answer when CORS is on, and the content type.
    server.cors = b""
    if cors_origin:
        from jotunheim.grpc.cors import allow_lines

        server.cors = allow_lines(cors_origin)
    server.head = b"Content-Type: application/grpc-web+proto\r\n" + server.cors
    server.out_of_memory = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/grpc-web+proto\r\ngrpc-status: 8\r\n"
        b"grpc-message: out of memory\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
