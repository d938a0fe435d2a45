# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Streams up and down: frames on HTTP/1.1 chunked bodies, plugins loaded on first use.

Nothing here is imported on a Device's base path: ``device.streams`` (or a
``stream_start`` command) builds the :class:`jotunheim.streaming.handler.StreamingHandler`
the first time it is needed. docs/streaming.md describes the wire format.
"""
