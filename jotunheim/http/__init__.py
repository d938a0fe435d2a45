# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HTTP/1.1 for the device: wire helpers, the one-send client, the slot-based server.

Nothing is imported here: ``from jotunheim.http.server import HttpServer`` loads only
what a device that serves needs.
"""
