# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``ssl`` on the MicroPython Unix port: ``create_default_context()`` over
the port's ``tls`` module (the tests use plain http on 127.0.0.1; this is for imports)."""

import tls


class SSLContext:
    """``ssl.SSLContext``: ``wrap_socket(sock, server_hostname=...)`` over ``tls``."""

    def __init__(self):
        self._ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)

    def load_verify_locations(self, cadata=None):
        self._ctx.load_verify_locations(cadata)

    def wrap_socket(self, sock, server_side=False, server_hostname=None):
        return self._ctx.wrap_socket(sock, server_side=server_side,
                                     server_hostname=server_hostname)  # fmt: skip


def create_default_context():
    return SSLContext()
