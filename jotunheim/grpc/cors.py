# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CORS for the device's gRPC-Web server: the header lines that let a web page read an
answer, and the answer to a preflight. Loaded only when the server is given a
``cors_origin`` (the Device's ``remote.cors_origin``): a device without CORS never holds
these texts.
"""


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
