# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The HTTP side: sonora's gRPC-Web WSGI app behind a small dispatcher, on cheroot.

Why cheroot and not wsgiref: wsgiref answers HTTP/1.0, closes every connection and
cannot send chunked responses, so a device could not keep its connection alive and
streamed frames would only be delimited by the socket closing. cheroot (CherryPy's
pure-Python threaded WSGI server) speaks HTTP/1.1 with keep-alive, flushes each frame
of a stream as its own chunk, de-chunks request bodies, and parks idle keep-alive
connections outside its worker threads.

The dispatcher in front of sonora:

* serves ``/ota/…`` from the OTA folder (Range support, see :mod:`.ota_files`);
* buffers the request body (bounded) and checks the gRPC-Web framing before sonora
  sees it — sonora would misread a body without Content-Length, crash on a malformed
  one and ignores the compressed bit — inflating gzip frames, and answers bad input
  as a trailers-only gRPC error;
* fixes the response content type (sonora echoes ``Accept``, which may be ``*/*``);
* answers unknown ``/pkg.Service/Method`` paths with grpc-status 12 (UNIMPLEMENTED);
* parses ``grpc-timeout`` itself (sonora's parser raises on every value and so ignores
  it) and hands the deadline to the handlers, which cut the script's wall time to it.
"""

import io
import logging
import re
import struct
import threading
import time
import zlib
from urllib.parse import quote

from sonora.wsgi import grpcWSGI

from .access import AccessError
from .headgate import HeadGate
from .ota_files import OtaFiles
from .service import LokiRpcHandler, request_deadline

log = logging.getLogger("jotunheim.loki")

MAX_REQUEST_BYTES = 1024 * 1024
GRPC_WEB = "application/grpc-web"
# A whole request body must arrive within this (a head is bounded by the head gate).
BODY_SECONDS = 10.0
BODY_BLOCK = 64 * 1024
# cheroot's per-recv/per-send timeout, and how long an idle kept-alive connection stays.
SOCKET_TIMEOUT = 15


def _trailers_only(start_response, code: int, message: str, http_status="200 OK"):
    start_response(
        http_status,
        [
            ("Content-Type", "application/grpc-web+proto"),
            ("grpc-status", str(code)),
            ("grpc-message", quote(message.encode("utf-8"))),
            ("Content-Length", "0"),
        ],
    )
    return []


_TIMEOUT_RE = re.compile(r"^([0-9]{1,8})([HMSmun])$")
_TIMEOUT_UNITS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


def parse_grpc_timeout(value):
    """Monotonic deadline for a ``grpc-timeout`` header (None if absent)."""
    if value is None:
        return None
    match = _TIMEOUT_RE.match(value.strip())
    if not match:
        raise ValueError(f"malformed grpc-timeout {value!r} (want 1-8 digits + H/M/S/m/u/n)")
    return time.monotonic() + int(match.group(1)) * _TIMEOUT_UNITS[match.group(2)]


def _single_frame(body: bytes, encoding: str):
    """The request's one message frame, uncompressed: (frame, None) or (None, (code, why)).

    A frame with the compressed bit is accepted when ``grpc-encoding`` is gzip (clients
    such as connect-python compress by default); any other encoding is UNIMPLEMENTED.
    """
    if len(body) < 5:
        return None, (3, f"request body is {len(body)} bytes; a gRPC-Web frame needs at least 5")
    flags, length = struct.unpack_from(">BI", body, 0)
    if flags & 0x80:
        return None, (3, "request starts with a trailer frame")
    if flags & ~0x01:
        return None, (3, f"unknown frame flags 0x{flags:02x}")
    if length != len(body) - 5:
        return None, (3, f"frame says {length} bytes but the body carries {len(body) - 5}")
    if not flags & 0x01:
        return body, None
    if encoding != "gzip":
        return None, (12, f"compressed frame with grpc-encoding {encoding or 'identity'!r}")
    try:
        inflater = zlib.decompressobj(wbits=31)
        payload = inflater.decompress(body[5:], MAX_REQUEST_BYTES + 1)
    except zlib.error as exc:
        return None, (13, f"bad gzip payload: {exc}")
    if len(payload) > MAX_REQUEST_BYTES or inflater.unconsumed_tail:
        return None, (8, "request too large once decompressed")
    return struct.pack(">BI", 0, len(payload)) + payload, None


class LokiWSGIApp:
    """WSGI entry point: OTA files, then sonora's gRPC-Web app for ``loki.LokiService``."""

    def __init__(self, service, ota_dir=None):
        self.service = service
        self.grpc = grpcWSGI(enable_cors=True)
        self.handler = LokiRpcHandler(service)
        self.grpc.add_generic_rpc_handlers([self.handler])
        self.ota = OtaFiles(ota_dir) if ota_dir else None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if self.ota is not None and self.ota.handles(path):
            return self.ota(environ, start_response)
        if path in self.handler.methods:
            if method == "OPTIONS":
                return self.grpc(environ, start_response)  # CORS preflight
            if method != "POST":
                return _trailers_only(start_response, 12, "use POST", "405 Method Not Allowed")
            return self._grpc_call(environ, start_response)
        if method == "POST" and environ.get("CONTENT_TYPE", "").startswith(GRPC_WEB):
            return _trailers_only(start_response, 12, f"unknown method {path}")
        if path in ("/", "/healthz") and method in ("GET", "HEAD"):
            body = b"jotunheim reference Loki: gRPC-Web loki.LokiService\n"
            start_response(
                "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
            )
            return [body] if method == "GET" else []
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"not found\n"]

    def _grpc_call(self, environ, start_response):
        content_type = environ.get("CONTENT_TYPE", "")
        if not content_type.startswith(GRPC_WEB):
            return _trailers_only(
                start_response,
                3,
                f"content-type {content_type!r} is not gRPC-Web",
                "415 Unsupported Media Type",
            )
        try:
            declared = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            declared = -1
        if declared > MAX_REQUEST_BYTES:
            return _trailers_only(start_response, 8, "request too large")
        body = _read_body(environ["wsgi.input"], declared)
        if body is None:
            return _trailers_only(
                start_response, 4, f"request body took longer than {BODY_SECONDS:.3g} s"
            )
        if len(body) > MAX_REQUEST_BYTES:
            return _trailers_only(start_response, 8, "request too large")
        if not content_type.startswith(GRPC_WEB + "-text"):
            encoding = environ.get("HTTP_GRPC_ENCODING", "identity").strip().lower()
            body, problem = _single_frame(body, encoding)
            if problem:
                code, why = problem
                return _trailers_only(start_response, code, f"malformed request: {why}")
        try:
            deadline = parse_grpc_timeout(environ.pop("HTTP_GRPC_TIMEOUT", None))
        except ValueError as exc:
            return _trailers_only(start_response, 3, str(exc))
        try:
            caller = self.service.access.authenticate(environ.get("HTTP_AUTHORIZATION", ""))
        except AccessError as exc:
            return _trailers_only(start_response, exc.code, exc.message)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        accept = environ.get("HTTP_ACCEPT", "")
        if not accept.startswith(GRPC_WEB):
            environ["HTTP_ACCEPT"] = content_type.split(";")[0].strip()
        request_deadline.value = deadline
        request_deadline.caller = caller
        try:
            return self._guarded(environ, start_response)
        finally:
            request_deadline.value = None
            request_deadline.caller = None

    def _guarded(self, environ, start_response):
        """Run sonora; a failure before it answered (e.g. undecodable protobuf)
        becomes a trailers-only INVALID_ARGUMENT instead of an HTTP 500."""
        started = []

        def tracking_start_response(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, headers, exc_info)

        result = self.grpc(environ, tracking_start_response)
        iterator = iter(result)
        try:
            first = next(iterator)
        except StopIteration:
            first = None
        except Exception as exc:
            _close(result)
            if started:
                raise
            return _trailers_only(start_response, 3, f"malformed request: {exc}")
        return _Body(first, iterator, result)


def _read_body(stream, declared: int):
    """The request body, or None when it did not arrive within ``BODY_SECONDS``
    (a client trickling its body would otherwise hold an HTTP thread for ever)."""
    # cheroot de-chunks a chunked body itself; read to EOF when no length is given.
    want = declared if declared >= 0 else MAX_REQUEST_BYTES + 1
    deadline = time.monotonic() + BODY_SECONDS
    parts = []
    got = 0
    while got < want:
        if time.monotonic() > deadline:
            return None
        try:
            block = stream.read(min(BODY_BLOCK, want - got))
        except OSError:  # the per-recv timeout
            return None
        if not block:
            break
        parts.append(block)
        got += len(block)
    return b"".join(parts)


def _close(result):
    close = getattr(result, "close", None)
    if close is not None:
        close()


class _Body:
    """The rest of sonora's response, with ``close`` passed through (a client that
    hangs up mid-stream closes the generators, which stops the script)."""

    def __init__(self, first, iterator, result):
        self._first = first
        self._iterator = iterator
        self._result = result

    def __iter__(self):
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        yield from self._iterator

    def close(self):
        _close(self._result)


class LokiServer:
    """A reference Loki on ``host:port`` (``port=0`` picks a free port).

    ``with LokiServer(scripts_dir) as srv:`` starts it on a background thread and stops
    it on exit; ``srv.url`` is ``http://host:port``, ``srv.address`` is ``host:port``,
    ``srv.service`` the in-process :class:`~.service.LokiService`.

    :param policy: :class:`~.access.AccessPolicy` (None: open mode, logged loudly)
    :param limits: :class:`~.sandbox.Limits` per run
    :param int threads: HTTP worker threads
    :param int workers: script worker processes alive at most
    :param int max_connections: idle keep-alive connections held
    :param dict gate: :class:`~.headgate.HeadGate` options (``head_seconds``,
        ``per_client``, ``max_pending``, ``max_head``)
    :param tls_cert: / :param tls_key: PEM files of the server certificate (chain) and its
        key: serve HTTPS (``url`` is then ``https://``). The head gate peeks at plain
        bytes, so it stays off under TLS (cheroot's own per-recv timeout still applies).
    """

    def __init__(
        self,
        scripts_dir,
        host="127.0.0.1",
        port=0,
        *,
        ota_dir=None,
        policy=None,
        limits=None,
        threads=32,
        workers=8,
        max_connections=512,
        device_timeout=10.0,
        gate=None,
        tls_cert=None,
        tls_key=None,
    ):
        from .service import LokiService

        self.service = LokiService(
            scripts_dir,
            limits=limits,
            policy=policy,
            workers=workers,
            device_timeout=device_timeout,
        )
        self.app = LokiWSGIApp(self.service, ota_dir=ota_dir)
        self._bind = (host, port)
        self._threads = threads
        self._max_connections = max_connections
        self._gate_options = dict(gate or {})
        if bool(tls_cert) != bool(tls_key):
            raise ValueError("TLS needs both a certificate and its key (tls_cert, tls_key)")
        self._tls = (tls_cert, tls_key) if tls_cert else None
        self.gate = None
        self._server = None
        self._thread = None

    @property
    def host(self):
        return self._bind[0]

    @property
    def port(self):
        return self._bind[1]

    @property
    def address(self):
        host = self._bind[0]
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    @property
    def url(self):
        return f"{'https' if self._tls else 'http'}://{self.address}"

    def start(self):
        server = _gated_server_class()(
            self._bind,
            self.app,
            numthreads=self._threads,
            request_queue_size=128,
            timeout=SOCKET_TIMEOUT,
            shutdown_timeout=0.5,  # then idle keep-alive sockets are shut down
        )
        server.keep_alive_conn_limit = self._max_connections
        if self._tls:
            from cheroot.ssl.builtin import BuiltinSSLAdapter

            server.ssl_adapter = BuiltinSSLAdapter(*self._tls)
        else:
            self.gate = HeadGate(server.hand_over, **self._gate_options)
            server.gate = self.gate
            self.gate.start()
        server.prepare()  # binds now, so port 0 is known before start() returns
        self._bind = (self._bind[0], server.bind_addr[1])
        self._server = server
        self._thread = threading.Thread(target=server.serve, name="loki-http", daemon=True)
        self._thread.start()
        log.info("Loki listening on %s (scripts in %s)", self.url, self.service.store.root)
        return self

    def stop(self):
        if self._server is not None:
            self._server.stop()
            self._thread.join(5)
            self._server = None
            if self.gate is not None:
                self.gate.stop()
        self.service.close()

    def serve_forever(self):
        """Start (unless started) and block until interrupted (Ctrl-C)."""
        if self._server is None:
            self.start()
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _gated_server_class():
    """cheroot's WSGI server with every connection passed through a :class:`HeadGate`
    before it may take a worker thread (cheroot imported only when serving)."""
    from cheroot import wsgi

    class GatedServer(wsgi.Server):
        gate = None

        def process_conn(self, conn):
            # Bytes already buffered (a pipelined request) are cheroot's to read now.
            if self.gate is None or conn.rfile.has_data():
                super().process_conn(conn)
                return
            self.gate.admit(conn, getattr(conn, "remote_addr", None) or "?")

        def hand_over(self, conn):
            super().process_conn(conn)

    return GatedServer
