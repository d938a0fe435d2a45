# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""gRPC-Web (binary, HTTP/1.1) for CircuitPython: a client for unary and
server-streaming calls, and a small server for the device side.

Importing this package costs nothing; import what you use from its modules::

    from jotunheim.grpc.client import GrpcWebClient
    from jotunheim.grpc.status import GrpcError, StatusCode
"""
