# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Resources: what the device has (heap, buffers, CPU time, bandwidth) and the rules that
keep it inside its limits. Priorities of work and traffic, smaller first:
``SYSTEM`` (the device's own upkeep), ``HIGH`` (tool calls, OTA confirm), ``USER`` (a
code.py's own tasks), ``LOW`` (announcements, telemetry, OTA downloads: deferred first);
and :class:`ResourceExhausted`, what work refused for want of one raises (a leaf)."""

SYSTEM = 0
HIGH = 1
USER = 2
LOW = 3


class ResourceExhausted(Exception):
    """Work refused for want of a resource; the message names the resource and the
    figure (``"heap: 9 KB free, below the 12 KB exhaustion line; CallTool refused"``).
    :func:`jotunheim.grpc.trailers.status_of` answers it as ``RESOURCE_EXHAUSTED``."""
