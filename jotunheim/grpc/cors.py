# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CORS for the device's gRPC-Web server: the header lines that let a web page read an
answer, the answer to a preflight, and the answers to requests that are no gRPC-Web
call (a method other than POST, a content type other than gRPC-Web). Loaded when the
server is given a ``cors_origin`` (the Device's ``remote.cors_origin``) or by the
first request that is no call (or whose content type is not spelled in one of the two
usual ways): a device without CORS that only serves calls never
holds these texts.
"""

from jotunheim.http.server import Response


def allow_lines(origin):
    """The header lines every answer carries so that a page from ``origin`` (``"*"``: any)
    may read it and its status."""
    return (
        "Access-Control-Allow-Origin: %s\r\n"
        "Access-Control-Expose-Headers: grpc-status, grpc-message\r\n" % origin
    ).encode()


def preflight_lines(cors):
    """The header lines of the answer (204) to an ``OPTIONS`` preflight, given the lines
    of :func:`allow_lines`: the method, the request headers a gRPC-Web call sends, and for
    how long a browser may keep the answer."""
    return (
        b"Access-Control-Allow-Methods: POST, OPTIONS\r\n"
        + cors
        + b"Access-Control-Allow-Headers: content-type, x-grpc-web, x-user-agent, "
        b"authorization, grpc-timeout\r\nAccess-Control-Max-Age: 600\r\n"
    )


def not_a_call(server, request):
    """The answer of :class:`jotunheim.grpc.server.GrpcWebServer` ``server`` to a
    ``request`` that is no gRPC-Web call: a CORS preflight (204) when CORS is on, 405
    to a method other than POST, 415 to a POST of another content type; None to a POST
    whose content type is gRPC-Web after all (with parameters, or in capitals)."""
    if request.method == "POST":
        # The server took only the two usual spellings: parameters or capitals are fine.
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in ("application/grpc-web+proto", "application/grpc-web"):
            return None
        return Response(415, b"Accept-Post: application/grpc-web+proto\r\n" + server.cors)
    if request.method == "OPTIONS" and server.cors_origin:
        return Response(204, preflight_lines(server.cors))
    allow = b"Allow: POST, OPTIONS\r\n" if server.cors_origin else b"Allow: POST\r\n"
    return Response(405, allow, b"gRPC-Web calls are POST")
