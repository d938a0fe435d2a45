"""gRPC-Web (binary, HTTP/1.1) for CircuitPython: a client for unary and
server-streaming calls, and a small server for the device side.

Importing this package is cheap: the client and server modules load on first use::

    from jotunheim.grpc import GrpcWebClient, GrpcError, StatusCode
"""

__version__ = "0.0.0+auto.0"
__repo__ = "https://github.com/edda-platform/jotunheim.git"

from jotunheim.grpc.status import GrpcError, StatusCode  # noqa: F401


def __getattr__(name):
    # Lazy attributes (PEP 562; MicroPython supports module __getattr__ too).
    if name in ("GrpcWebClient", "ServerStream", "RetryPolicy", "NO_RETRY"):
        from jotunheim.grpc import client  # noqa: PLC0415

        return getattr(client, name)
    if name in ("GrpcWebServer", "CallContext"):
        from jotunheim.grpc import server  # noqa: PLC0415

        return getattr(server, name)
    if name in (
        "status",
        "framing",
        "http1",
        "client",
        "server",
        "server_extra",
        "status_decode",
        "frame_parser",
    ):
        # MicroPython asks module __getattr__ first for "from jotunheim.grpc import framing"
        # and does not fall back to importing the submodule.
        module = __import__("jotunheim.grpc." + name)
        return getattr(module.grpc, name)
    raise AttributeError(name)
