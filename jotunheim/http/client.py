# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HTTP/1.1 request heads for the streaming transports (:mod:`jotunheim.streaming`).

The gRPC-Web client writes its own requests and reads its responses itself
(:mod:`jotunheim.grpc.client`).
"""


def build_request_head(method: str, host: str, path: str, headers) -> bytes:
    """``POST`` request line plus headers (list of (name, value)), ending in a blank line."""
    parts = [method, " ", path, " HTTP/1.1\r\nHost: ", host, "\r\n"]
    for name, value in headers:
        parts += (name, ": ", value, "\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8")
