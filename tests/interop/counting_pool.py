# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A socket pool for client tests that remembers the sockets it made (are any left open?)."""

import socket


class CountingPool:
    """The ``socket`` module as a socket pool that remembers the sockets it made."""

    def __init__(self):
        self.made = []

    def __getattr__(self, name):
        return getattr(socket, name)

    def socket(self, *args):
        sock = socket.socket(*args)
        self.made.append(sock)
        return sock

    def open(self) -> int:
        """How many of its sockets are still open."""
        return sum(1 for sock in self.made if sock.fileno() != -1)
