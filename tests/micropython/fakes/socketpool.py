# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fake of CircuitPython's ``socketpool``: ``SocketPool(radio)`` is a ``fake_net`` pool.

All pools share ``fake_net``'s scripted network, so a test scripts servers with
``fake_net.serve(...)`` and device code opens sockets through ``socketpool`` as on a board.
"""

import fake_net


class SocketPool(fake_net.FakeSocketPool):
    def __init__(self, radio):
        super().__init__(radio)


Socket = fake_net.FakeSocket
