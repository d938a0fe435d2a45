# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The ``grpc-timeout`` header of a gRPC-Web call (the client's deadline), read by
:class:`jotunheim.grpc.server.GrpcWebServer`; loaded by the first call that carries one.
"""


def parse_grpc_timeout(value):
    """Milliseconds in a ``grpc-timeout`` header, or None if absent or malformed."""
    if not value or len(value) < 2 or len(value) > 9 or not value[:-1].isdigit():
        return None
    unit = "HMSmun".find(value[-1])  # hours, minutes, seconds, milli-, micro-, nanoseconds
    if unit < 0:
        return None
    return int(value[:-1]) * (3600000, 60000, 1000, 1, 0.001, 0.000001)[unit]


def deadline(value):
    """When a call whose ``grpc-timeout`` header says ``value`` runs out
    (:func:`jotunheim.compat.monotonic_ms` time), or None if malformed."""
    from jotunheim.compat import monotonic_ms

    value = parse_grpc_timeout(value)
    return None if value is None else monotonic_ms() + int(value)
