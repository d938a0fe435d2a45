# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``loki.LokiService``: the six RPCs, on betterproto messages.

:class:`LokiService` holds the logic and works on messages only (callable in-process);
:func:`rpc_handler` adapts it to grpc-style method handlers, which is what sonora's
WSGI app serves.
"""

import json
import logging
import queue
import threading
import time

try:
    from typing import Optional
except ImportError:  # pragma: no cover
    pass

import betterproto
import grpc

from jotunheim_host.reference_pb import loki as pb

from . import access, children, device_client, endpoints, mailbox, sandbox, store
from . import workers as worker_pool

log = logging.getLogger("jotunheim.loki")

SERVICE = "loki.LokiService"
SERVICE_NAME = "loki"
PURPOSE = "Runs sandboxed Lua scripts for Jotunheim devices (reference Loki)"
STREAM_QUEUE = 256
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off", "")


def now_ms() -> int:
    return int(time.time() * 1000)


class ParamError(ValueError):
    """A parameter is missing or does not match its declared type."""


def coerce_params(raw: dict, definitions: list) -> dict:
    """Typed ``params`` for the script, from the wire's strings and the definitions.

    Declared ``number``/``float`` -> Lua number, ``integer`` -> Lua integer,
    ``boolean`` -> true/false (true/1/yes/on, false/0/no/off), ``object``/``array`` ->
    table (JSON text); everything else and every undeclared parameter stays a string.
    """
    out = dict(raw)
    for definition in definitions:
        name = definition["name"]
        kind = definition["type"].lower()
        if name not in raw:
            if definition["required"]:
                raise ParamError(f"missing required parameter {name!r}")
            continue
        text = raw[name]
        try:
            if kind == "integer":
                out[name] = int(text.strip())
            elif kind in ("number", "float"):
                value = float(text.strip())
                is_int = value.is_integer() and kind == "number" and "." not in text
                out[name] = int(value) if is_int and "e" not in text.lower() else value
            elif kind == "boolean":
                word = text.strip().lower()
                if word not in TRUE_WORDS + FALSE_WORDS:
                    raise ValueError("not a boolean")
                out[name] = word in TRUE_WORDS
            elif kind in ("object", "array"):
                value = json.loads(text)
                want = dict if kind == "object" else list
                if not isinstance(value, want):
                    raise ValueError(f"not a JSON {kind}")
                out[name] = value
        except RecursionError:
            raise ParamError(f"parameter {name!r}: JSON nested too deep") from None
        except ValueError as exc:
            shown = text if len(text) <= 80 else text[:80] + "..."
            raise ParamError(f"parameter {name!r} must be {kind}: {shown!r} ({exc})") from None
    return out


def owner_device(owner: str) -> str:
    """The device id in an owner string ("device:<id>"), else ""."""
    return access.Caller(owner).device_id


def _pb_params(params: list) -> list:
    return [
        pb.ParameterDefinition(
            name=p["name"], type=p["type"], required=p["required"], description=p["description"]
        )
        for p in params
    ]


class LokiService:
    """The reference Loki's behaviour, independent of the transport.

    :param str scripts_dir: the scripts folder (the only state)
    :param limits: :class:`~.sandbox.Limits` of each run
    :param policy: the :class:`~.access.AccessPolicy`; None = open mode (logged)
    :param int workers: most script worker processes alive at once
    :param float device_timeout: longest single ``device.call``
    Call :meth:`close` to stop the worker processes.
    """

    def __init__(
        self,
        scripts_dir: str,
        *,
        limits: Optional[sandbox.Limits] = None,
        policy: Optional[access.AccessPolicy] = None,
        workers: int = 8,
        device_timeout: float = 10.0,
    ):
        self.store = store.ScriptStore(scripts_dir)
        self.limits = limits or sandbox.Limits()
        if policy is None:
            log.warning("Loki in OPEN MODE: no caller authentication (local demos only)")
            policy = access.AccessPolicy.open()
        self.access = policy
        self.device_timeout = device_timeout
        self.devices = children.DeviceBook()
        self.directory = endpoints.DeviceDirectory(self.store, self.access)
        self.mailbox = mailbox.CommandMailbox()  # for devices that deep-sleep
        # Running + waiting stays well under the 32 HTTP threads, so other RPCs always get one.
        self.pool = worker_pool.WorkerPool(self.limits, size=workers, max_waiting=2 * workers)
        self._register_lock = threading.Lock()

    def close(self) -> None:
        """Stop the worker processes."""
        self.pool.close()

    # -- helpers ----------------------------------------------------------------------

    def _limits_for(self, time_remaining: Optional[float]) -> sandbox.Limits:
        """The configured limits, with the wall time cut to the caller's deadline."""
        seconds = self.limits.max_seconds
        if time_remaining is not None:
            seconds = max(0.01, min(seconds, time_remaining))
        return sandbox.Limits(
            self.limits.max_instructions, seconds, self.limits.max_memory, self.limits.max_output
        )

    def _device_call(self, target, tool, params, device_id, seconds_left):
        """Backs Lua ``device.call``: a real gRPC-Web CallTool to a registered device,
        at an address it declared, with its own credential (see :mod:`.endpoints`)."""
        timeout = min(self.device_timeout, seconds_left)
        if timeout <= 0:
            raise device_client.DeviceCallError("device.call: no time left for the call")
        device_id, address, token = self.directory.resolve(target, device_id)
        try:
            resp = device_client.call_tool(
                address,
                tool,
                params,
                device_id=device_id,
                token=token,
                timeout=timeout,
            )
        except device_client.DeviceCallError as exc:
            self.devices.record(address, False, str(exc))
            raise
        self.devices.record(address, True)
        if not resp.success:
            raise device_client.DeviceCallError(
                f"device.call: {tool} on {address} failed: {resp.error_message or 'no message'}"
            )
        return device_client.decode_result(resp.result)

    def _resolve(self, script_id: str, content: str, script_type: str):
        """(source, chunkname, definitions) for an ExecuteScript request."""
        if script_id and content:
            raise store.StoreError("give script_id or script_content, not both")
        if script_id:
            record = self.store.get(script_id)
            if record is None:
                raise store.StoreError(f"script {script_id!r} is not registered")
            return self.store.source(record), record.name, record.parameters
        if content:
            kind = (script_type or "lua").lower()
            if kind not in store.LANGUAGES:
                raise store.StoreError(f"unsupported script_type {script_type!r}: use 'lua'")
            if len(content.encode("utf-8")) > store.MAX_SCRIPT_BYTES:
                raise store.StoreError(f"script_content is over {store.MAX_SCRIPT_BYTES} bytes")
            return content, "script", []
        raise store.StoreError("give script_id (a registered script) or script_content")

    def _run_in_worker(self, source, chunkname, params, raw, limits, on_output=None, cancel=None):
        """Run a script in a worker process; returns ("done", RunResult) or ("fail",
        ScriptFailure). The worker is killed at the deadline or once ``cancel`` is set."""
        limit_args = (
            limits.max_instructions,
            limits.max_seconds,
            limits.max_memory,
            limits.max_output,
        )
        job = ("run", source, chunkname, params, raw, limit_args, on_output is not None)
        try:
            answer = self.pool.run(
                job, limits, on_output=on_output, device_call=self._device_call, cancel=cancel
            )
        except worker_pool.WorkerBusy as exc:
            return "fail", sandbox.ScriptFailure("busy", f"Loki is busy: {exc}")
        if answer[0] == "fail":
            return "fail", sandbox.ScriptFailure(answer[1], answer[2])
        _, value, text, printed, stats = answer
        return "done", sandbox.RunResult(value, text, printed, stats)

    # -- the six RPCs -----------------------------------------------------------------

    def get_capabilities(
        self, request: pb.GetCapabilitiesRequest, time_remaining=None, caller=None
    ):
        caps = [
            pb.ScriptCapability(
                script_name=r.name,
                description=r.description,
                parameters=_pb_params(r.parameters),
                return_type=r.return_type,
                supports_streaming=True,
            )
            for r in self.store.list()
        ]
        kids = [
            pb.ChildServiceInfo(name=name, purpose=purpose, enabled=True, address="in-process")
            for name, purpose in children.CHILDREN
        ]
        return pb.GetCapabilitiesResponse(
            service_name=SERVICE_NAME, purpose=PURPOSE, capabilities=caps, children=kids
        )

    def get_children_status(
        self, request: pb.GetChildrenStatusRequest, time_remaining=None, caller=None
    ):
        writable = self.store.is_writable()
        return pb.GetChildrenStatusResponse(
            children=[
                pb.ChildStatus(
                    name=name, available=ok, status_message=msg, last_check_timestamp=stamp
                )
                for name, ok, msg, stamp in children.check_all(
                    self.devices, self.store.root, writable
                )
            ]
        )

    def list_scripts(self, request: pb.ListScriptsRequest, time_remaining=None, caller=None):
        return pb.ListScriptsResponse(
            scripts=[
                pb.ScriptInfo(
                    name=r.name,
                    description=r.description,
                    language=r.language,
                    parameters=_pb_params(r.parameters),
                    return_type=r.return_type,
                    has_inline_script=r.inline,
                    script_path=r.script_path,
                )
                for r in self.store.list(request.name_pattern)
            ]
        )

    def register_script(self, request: pb.RegisterScriptRequest, time_remaining=None, caller=None):
        """Check and store a script, owned by ``caller`` (in-process: the operator).

        Raises :class:`~.access.AccessError` when the caller may not replace the script
        (PERMISSION_DENIED) or is over its quota (RESOURCE_EXHAUSTED); everything the
        request itself gets wrong is ``success=false`` with ``error_message``.
        """
        caller = caller or access.OPERATOR
        which, _ = betterproto.which_one_of(request, "script_source")
        try:
            code = self._checked_code(request, which)
            with self._register_lock:
                owner = self._admit(caller, request, code if which == "inline_script" else "")
                record = self.store.register(
                    request.name,
                    description=request.description,
                    language=request.language,
                    parameters=[
                        {
                            "name": p.name,
                            "type": p.type,
                            "required": p.required,
                            "description": p.description,
                        }
                        for p in request.parameters
                    ],
                    return_type=request.return_type,
                    inline_script=request.inline_script if which == "inline_script" else None,
                    script_path=request.script_path if which == "script_path" else None,
                    owner=owner,
                    devices=endpoints.declarations(code, owner_device(owner)),
                )
        except (store.StoreError, OSError) as exc:
            return pb.RegisterScriptResponse(
                success=False, script_name=request.name, error_message=str(exc)
            )
        log.info("registered script %s for %s", record.name, caller.owner)
        return pb.RegisterScriptResponse(success=True, script_name=record.name)

    def _checked_code(self, request, which) -> str:
        """The request's Lua code, once the cheap checks and a compile passed."""
        # Cheap checks first, so the error names the real problem.
        store.validate_name(request.name)
        if (request.language or "lua").lower() not in store.LANGUAGES:
            raise store.StoreError(
                f"unsupported language {request.language!r}: this Loki runs 'lua'"
            )
        if which == "inline_script":
            code = request.inline_script
            where = ""
        elif which == "script_path":
            path = self.store.resolve_inside(request.script_path)
            with open(path, "rb") as handle:
                code = handle.read(store.MAX_SCRIPT_BYTES + 1).decode("utf-8", "replace")
            where = f" in {request.script_path}"
        else:
            raise store.StoreError("give inline_script or script_path")
        if len(code.encode("utf-8")) > store.MAX_SCRIPT_BYTES:
            raise store.StoreError(f"script is larger than {store.MAX_SCRIPT_BYTES} bytes")
        error = sandbox.check_syntax(code, request.name or "script")
        if error:
            raise store.StoreError(f"Lua syntax error{where}: {error}")
        return code

    def _admit(self, caller, request, code: str) -> None:
        """Ownership and quota checks for registering ``request`` (under the lock);
        ``code`` is what will be stored in the folder ("" for a script by path).
        Returns the owner to record: the caller's, or the earlier owner's when the
        operator replaces someone's script (the device keeps its script)."""
        existing = self.store.get(request.name)
        if existing is not None and existing.name != request.name:
            existing = None  # found through the Script_ prefix: a different name
        self.access.check_write(caller, request.name, existing.owner if existing else None)
        if request.name.startswith(store.SCRIPT_PREFIX):
            # "Script_<name>" is also how callers ask for <name>: registering it would
            # shadow <name>, so it takes the right to replace <name> as well.
            shadowed = self.store.get(request.name[len(store.SCRIPT_PREFIX) :])
            if shadowed is not None:
                self.access.check_write(caller, shadowed.name, shadowed.owner)
        if existing is not None and caller.is_admin:
            return existing.owner
        owned = [r for r in self.store.list() if r.owner == caller.owner]
        others = [r for r in owned if r.name != request.name]
        used = sum(self.store.stored_bytes(r.name) for r in others)
        meta = len(request.description) + len(request.return_type) + 512
        meta += sum(len(p.name) + len(p.type) + len(p.description) + 64 for p in request.parameters)
        used += len(code.encode("utf-8"))
        self.access.check_quota(caller, len(others) + 1, used + meta)
        return caller.owner

    def execute_script(self, request: pb.ExecuteScriptRequest, time_remaining=None, caller=None):
        raw = dict(request.parameters)
        try:
            source, chunkname, definitions = self._resolve(
                request.script_id, request.script_content, request.script_type
            )
            params = coerce_params(raw, definitions)
        except (store.StoreError, ParamError, OSError) as exc:
            return pb.ExecuteScriptResponse(success=False, error=str(exc))
        limits = self._limits_for(time_remaining)
        kind, value = self._run_in_worker(
            source, chunkname, params, raw, limits, cancel=threading.Event()
        )
        if kind == "fail":
            return pb.ExecuteScriptResponse(success=False, error=value.message)
        # The return value is the output; a script that returns nothing gives its prints.
        output = value.text if value.value is not None else "\n".join(value.printed)
        return pb.ExecuteScriptResponse(success=True, output=output)

    def stream_script_execution(
        self, request: pb.StreamScriptExecutionRequest, time_remaining=None, caller=None
    ):
        """Yield ScriptChunks: one ``output`` per print/emit while the script runs, then
        an empty ``output`` with ``is_final`` and a ``result`` — or one ``error``."""
        raw = dict(request.input.parameters) if request.input else {}
        record = self.store.get(request.script_name)
        if record is None:
            yield _error_chunk(f"script {request.script_name!r} is not registered", "not_found")
            return
        try:
            source = self.store.source(record)
            params = coerce_params(raw, record.parameters)
        except ParamError as exc:
            yield _error_chunk(str(exc), "invalid_params")
            return
        except (store.StoreError, OSError) as exc:
            yield _error_chunk(str(exc), "not_found")
            return
        limits = self._limits_for(time_remaining)
        chunks = queue.Queue(maxsize=STREAM_QUEUE)
        cancel = threading.Event()
        # A client that stops reading without hanging up stops the run at its deadline.
        stall_deadline = time.monotonic() + limits.max_seconds + worker_pool.GRACE_SECONDS

        def on_output(kind, text):
            chunk = pb.ScriptChunk(output=pb.ScriptOutput(data=text), timestamp=now_ms())
            _put(chunks, ("chunk", chunk), cancel, stall_deadline)

        def work():
            kind, value = self._run_in_worker(
                source, record.name, params, raw, limits, on_output=on_output, cancel=cancel
            )
            try:
                _put(chunks, (kind, value), cancel)
            except RuntimeError:
                pass  # nobody is listening any more

        threading.Thread(target=work, name=f"loki-stream-{record.name}", daemon=True).start()
        try:
            while True:
                kind, value = chunks.get()
                if kind == "chunk":
                    yield value
                    continue
                if kind == "done":
                    yield pb.ScriptChunk(
                        output=pb.ScriptOutput(data="", is_final=True), timestamp=now_ms()
                    )
                    meta = {k: str(v) for k, v in value.stats.items()}
                    meta["script"] = record.name
                    meta["output_lines"] = str(len(value.printed))
                    yield pb.ScriptChunk(
                        result=pb.ScriptResult(success=True, output=value.text, metadata=meta),
                        timestamp=now_ms(),
                    )
                else:
                    yield _error_chunk(value.message, value.error_type)
                return
        finally:
            cancel.set()  # client gone or stream done: stop the script at its next check


def _put(chunks: queue.Queue, item, cancel: threading.Event, deadline=None) -> None:
    """Queue an item, giving up (with an error for the script) once the client left
    or, with ``deadline`` (monotonic), once it is past."""
    while True:
        try:
            chunks.put(item, timeout=0.1)
            return
        except queue.Full:
            if cancel.is_set():
                raise RuntimeError("stream consumer went away") from None
            if deadline is not None and time.monotonic() > deadline:
                raise RuntimeError("stream consumer stopped reading") from None


def _error_chunk(message: str, error_type: str) -> pb.ScriptChunk:
    return pb.ScriptChunk(
        error=pb.ScriptError(error_message=message, error_type=error_type), timestamp=now_ms()
    )


# -- grpc-style handlers for sonora ------------------------------------------------------


class _Reply:
    """Always-truthy holder: sonora drops a unary reply that is falsy, and an empty
    betterproto message is falsy (e.g. ListScriptsResponse with no scripts)."""

    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


def _serialize_reply(reply) -> bytes:
    return bytes(reply.message if isinstance(reply, _Reply) else reply)


def _parser(message_cls):
    def parse(data: bytes):
        return message_cls().parse(data)

    return parse


# The WSGI dispatcher parses grpc-timeout itself (sonora's parser fails on every value:
# it looks str units up in a bytes-keyed table) and authenticates the caller, and
# leaves both here (``.value``, ``.caller``) for the handler, which sonora runs on the
# same thread.
request_deadline = threading.local()
_STATUS = {code.value[0]: code for code in grpc.StatusCode}


def _time_remaining(context):
    remaining = context.time_remaining()
    deadline = getattr(request_deadline, "value", None)
    if deadline is not None:
        mine = max(0.0, deadline - time.monotonic())
        remaining = mine if remaining is None else min(remaining, mine)
    return remaining


def _caller():
    return getattr(request_deadline, "caller", None)


def _unary(method):
    def handle(request, context):
        refused = None
        try:
            return _Reply(method(request, _time_remaining(context), _caller()))
        except access.AccessError as exc:
            refused = exc
        except Exception as exc:
            log.exception("%s failed", method.__name__)
            context.abort(grpc.StatusCode.INTERNAL, f"internal error: {exc}")
        context.abort(_STATUS[refused.code], refused.message)
        return None

    return handle


def _server_stream(method):
    def handle(request, context):
        try:
            yield from method(request, _time_remaining(context), _caller())
        except GeneratorExit:
            raise
        except Exception as exc:
            log.exception("%s failed", method.__name__)
            yield _error_chunk(f"internal error: {exc}", "internal")

    return handle


class LokiRpcHandler(grpc.GenericRpcHandler):
    """Routes ``/loki.LokiService/<Method>`` to a :class:`LokiService`."""

    def __init__(self, service: LokiService):
        unary = (
            ("GetCapabilities", service.get_capabilities, pb.GetCapabilitiesRequest),
            ("GetChildrenStatus", service.get_children_status, pb.GetChildrenStatusRequest),
            ("ListScripts", service.list_scripts, pb.ListScriptsRequest),
            ("RegisterScript", service.register_script, pb.RegisterScriptRequest),
            ("ExecuteScript", service.execute_script, pb.ExecuteScriptRequest),
        )
        self.methods = {
            f"/{SERVICE}/{name}": grpc.unary_unary_rpc_method_handler(
                _unary(fn), request_deserializer=_parser(req), response_serializer=_serialize_reply
            )
            for name, fn, req in unary
        }
        for name, fn, req in service.mailbox.methods():
            self.methods[f"/{mailbox.SERVICE}/{name}"] = grpc.unary_unary_rpc_method_handler(
                _unary(fn), request_deserializer=_parser(req), response_serializer=_serialize_reply
            )
        self.methods[f"/{SERVICE}/StreamScriptExecution"] = grpc.unary_stream_rpc_method_handler(
            _server_stream(service.stream_script_execution),
            request_deserializer=_parser(pb.StreamScriptExecutionRequest),
            response_serializer=bytes,
        )

    def service(self, handler_call_details):
        return self.methods.get(handler_call_details.method)
