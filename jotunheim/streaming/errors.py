# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Errors of the streaming package (a leaf module)."""


class StreamError(Exception):
    """A stream cannot start or went wrong; the message says which stream and why."""


class PluginError(StreamError):
    """A stream plugin is unknown, does not import, or does not implement the interface."""
