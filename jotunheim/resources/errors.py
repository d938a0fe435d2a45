# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""ResourceExhausted: work refused because a resource is below its line (a leaf)."""


class ResourceExhausted(Exception):
    """Work refused for want of a resource; the message names the resource and the
    figure (``"heap: 9 KB free, below the 12 KB exhaustion line; CallTool refused"``).
    :func:`jotunheim.grpc.status.status_of` answers it as ``RESOURCE_EXHAUSTED``."""
