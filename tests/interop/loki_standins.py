# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""LokiService stand-ins built on third-party gRPC-Web servers.

* sonora's ``grpcWSGI`` (grpc servicer API) and
* connect-python's generated ``LokiServiceWSGIApplication``,

each under a threaded ``wsgiref`` server on 127.0.0.1 (HTTP/1.0, close-delimited
bodies, every yielded WSGI chunk flushed at once). Both share one behaviour, so the
same client tests run against either. Script names choose the scenario:

ExecuteScript: ``echo`` (parameters as JSON), ``whoami`` (the authorization header),
``fail`` (FAILED_PRECONDITION with a non-ASCII message), ``lua_error`` (success=False),
``slow`` (sleeps ``seconds``), registered names, anything else NOT_FOUND.
StreamScriptExecution: ``count`` (``n`` outputs ``delay`` s apart, then a result),
``fail_midway`` (two outputs then ABORTED), ``fail_first`` (error before any message),
``forever`` (an output every 0.2 s, for at most 30 s).
"""

import io
import json
import socketserver
import threading
import time
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

FAIL_MESSAGE = "script crashed: température ≥ 100% ✗"


class Abort(Exception):
    """Ends a call with a gRPC status (by name)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message


class LokiBehaviour:
    def __init__(self, pb) -> None:
        self.pb = pb
        self.lock = threading.Lock()
        self.scripts = {}
        self.calls = []  # (method, metadata dict)
        self.stream_closed = threading.Event()
        self.register(
            pb.RegisterScriptRequest(
                name="temperature_monitor",
                description="reads a sensor",
                language="lua",
                inline_script="return 21.5",
                parameters=[pb.ParameterDefinition(name="sensor", type="String", required=True)],
                return_type="Number",
            )
        )

    def note(self, method: str, metadata: dict) -> None:
        with self.lock:
            self.calls.append((method, dict(metadata)))

    def capabilities(self):
        pb = self.pb
        return pb.GetCapabilitiesResponse(
            service_name="loki-standin",
            purpose="lightweight script execution",
            capabilities=[
                pb.ScriptCapability(
                    script_name=name,
                    description=info.description,
                    parameters=list(info.parameters),
                    return_type=info.return_type,
                    supports_streaming=True,
                )
                for name, info in sorted(self.scripts.items())
            ],
            children=[
                pb.ChildServiceInfo(name="fenrir", purpose="hardware", enabled=True),
                pb.ChildServiceInfo(name="jormungandr", purpose="network", enabled=True),
                pb.ChildServiceInfo(name="hel", purpose="storage", enabled=False),
            ],
        )

    def children(self):
        pb = self.pb
        return pb.GetChildrenStatusResponse(
            children=[
                pb.ChildStatus(name="fenrir", available=True, last_check_timestamp=1700000000),
                pb.ChildStatus(name="hel", available=False, status_message="disk full"),
            ]
        )

    def list_scripts(self, pattern: str):
        infos = [info for name, info in sorted(self.scripts.items()) if pattern in name]
        return self.pb.ListScriptsResponse(scripts=infos)

    def register(self, request):
        pb = self.pb
        if not request.name:
            return pb.RegisterScriptResponse(success=False, error_message="name is empty")
        info = pb.ScriptInfo(
            name=request.name,
            description=request.description,
            language=request.language,
            parameters=list(request.parameters),
            return_type=request.return_type,
            has_inline_script=request.WhichOneof("script_source") == "inline_script",
            script_path=request.script_path,
        )
        with self.lock:
            self.scripts[request.name] = info
        return pb.RegisterScriptResponse(success=True, script_name=request.name)

    def execute(self, request, metadata: dict):
        pb = self.pb
        params = dict(request.parameters)
        name = request.script_id
        if name == "echo":
            return pb.ExecuteScriptResponse(success=True, output=json.dumps(params, sort_keys=True))
        if name == "whoami":
            return pb.ExecuteScriptResponse(success=True, output=metadata.get("authorization", ""))
        if name == "fail":
            raise Abort("FAILED_PRECONDITION", FAIL_MESSAGE)
        if name == "lua_error":
            return pb.ExecuteScriptResponse(success=False, error="attempt to index a nil value")
        if name == "slow":
            time.sleep(float(params.get("seconds", "1")))
            return pb.ExecuteScriptResponse(success=True, output="slept")
        if name == "inline":
            return pb.ExecuteScriptResponse(
                success=True, output=request.script_type + ":" + request.script_content
            )
        if name in self.scripts:
            return pb.ExecuteScriptResponse(
                success=True, output="ran " + name + " " + json.dumps(params, sort_keys=True)
            )
        raise Abort("NOT_FOUND", "no script named " + name)

    def stream(self, request):
        pb = self.pb
        params = dict(request.input.parameters)
        name = request.script_name
        try:
            if name == "count":
                n = int(params.get("n", "3"))
                delay = float(params.get("delay", "0.05"))
                for i in range(n):
                    if i:
                        time.sleep(delay)
                    yield pb.ScriptChunk(
                        output=pb.ScriptOutput(data="line %d" % i, is_final=False),
                        timestamp=int(time.time() * 1000),
                    )
                yield pb.ScriptChunk(
                    result=pb.ScriptResult(success=True, output="done", metadata={"n": str(n)}),
                    timestamp=int(time.time() * 1000),
                )
            elif name == "fail_midway":
                for i in range(2):
                    yield pb.ScriptChunk(output=pb.ScriptOutput(data="part %d" % i))
                    time.sleep(0.05)
                raise Abort("ABORTED", "lost the sensor")
            elif name == "fail_first":
                raise Abort("PERMISSION_DENIED", "not allowed to stream")
            elif name == "forever":
                end = time.monotonic() + 30
                i = 0
                while time.monotonic() < end:
                    yield pb.ScriptChunk(output=pb.ScriptOutput(data="tick %d" % i))
                    i += 1
                    time.sleep(0.2)
            else:
                raise Abort("NOT_FOUND", "no script named " + name)
        finally:
            self.stream_closed.set()


# -- sonora (grpc servicer API) ---------------------------------------------------------


def sonora_app(stubs, behaviour: LokiBehaviour):
    import grpc
    from sonora.wsgi import grpcWSGI

    def meta(context) -> dict:
        return {k: v for k, v in context.invocation_metadata()}

    def guard(context, fn):
        try:
            return fn()
        except Abort as exc:
            context.abort(getattr(grpc.StatusCode, exc.code), exc.message)

    class Servicer(stubs.loki_pb2_grpc.LokiServiceServicer):
        def GetCapabilities(self, request, context):
            behaviour.note("GetCapabilities", meta(context))
            return behaviour.capabilities()

        def GetChildrenStatus(self, request, context):
            behaviour.note("GetChildrenStatus", meta(context))
            return behaviour.children()

        def ListScripts(self, request, context):
            behaviour.note("ListScripts", meta(context))
            return behaviour.list_scripts(request.name_pattern)

        def RegisterScript(self, request, context):
            behaviour.note("RegisterScript", meta(context))
            return behaviour.register(request)

        def ExecuteScript(self, request, context):
            behaviour.note("ExecuteScript", meta(context))
            return guard(context, lambda: behaviour.execute(request, meta(context)))

        def StreamScriptExecution(self, request, context):
            behaviour.note("StreamScriptExecution", meta(context))
            try:
                yield from behaviour.stream(request)
            except Abort as exc:
                context.abort(getattr(grpc.StatusCode, exc.code), exc.message)

    app = grpcWSGI(None, enable_cors=False)
    stubs.loki_pb2_grpc.add_LokiServiceServicer_to_server(Servicer(), app)
    return app


# -- connect-python ---------------------------------------------------------------------


def connect_app(stubs, behaviour: LokiBehaviour):
    from connectrpc.code import Code
    from connectrpc.errors import ConnectError

    def meta(ctx) -> dict:
        return {k.lower(): v for k, v in ctx.request_headers().items()}

    def guard(fn):
        try:
            return fn()
        except Abort as exc:
            raise ConnectError(getattr(Code, exc.code), exc.message) from None

    class Service:
        def get_capabilities(self, request, ctx):
            behaviour.note("GetCapabilities", meta(ctx))
            return behaviour.capabilities()

        def get_children_status(self, request, ctx):
            behaviour.note("GetChildrenStatus", meta(ctx))
            return behaviour.children()

        def list_scripts(self, request, ctx):
            behaviour.note("ListScripts", meta(ctx))
            return behaviour.list_scripts(request.name_pattern)

        def register_script(self, request, ctx):
            behaviour.note("RegisterScript", meta(ctx))
            return behaviour.register(request)

        def execute_script(self, request, ctx):
            behaviour.note("ExecuteScript", meta(ctx))
            return guard(lambda: behaviour.execute(request, meta(ctx)))

        def stream_script_execution(self, request, ctx):
            behaviour.note("StreamScriptExecution", meta(ctx))
            try:
                yield from behaviour.stream(request)
            except Abort as exc:
                raise ConnectError(getattr(Code, exc.code), exc.message) from None

    return stubs.loki_connect.LokiServiceWSGIApplication(Service())


# -- threaded WSGI server ---------------------------------------------------------------


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def terminated_input(app):
    """Give the app a ``wsgi.input`` that ends at Content-Length (``wsgi.input_terminated``),
    as gunicorn or waitress do; connect-python reads request bodies to EOF."""

    def wrapped(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length))
        environ["wsgi.input_terminated"] = True
        return app(environ, start_response)

    return wrapped


class WsgiServer:
    """A WSGI app served on 127.0.0.1 by wsgiref in threads; use as a context manager."""

    def __init__(self, app) -> None:
        self.httpd = _ThreadingWSGIServer(("127.0.0.1", 0), _QuietHandler)
        self.httpd.set_app(terminated_input(app))
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
