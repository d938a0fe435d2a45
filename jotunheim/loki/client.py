# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""LokiClient: the device's client for ``loki.LokiService`` over gRPC-Web.

::

    loki = LokiClient("http://192.168.1.20:8080", token=os.getenv("LOKI_TOKEN"))
    caps = loki.get_capabilities()
    result = loki.execute_script("temperature_monitor", {"sensor": "dht22"})
    for chunk in loki.stream_script_execution("long_job"):
        print(chunk.which_oneof("chunk_type"))
    print(loki.scripts.temperature_monitor(sensor="dht22"))  # Loki's Script_<name>

Errors are :class:`jotunheim.grpc.status.GrpcError` (``.code``, ``.message``, ``.trailers``);
a dynamic script call whose response says ``success=False`` raises :class:`ScriptFailed`.
The read-only RPCs (GetCapabilities, GetChildrenStatus, ListScripts) are retried on
UNAVAILABLE; the others never are, since running a script twice may not be harmless.
"""

from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.status import GrpcError, StatusCode  # noqa: F401  (re-exported)
from jotunheim.pb import loki as pb

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

SERVICE = "/loki.LokiService/"
_DEFAULT = object()


class ScriptFailed(Exception):
    """A script ran but reported failure; ``response`` is the ExecuteScriptResponse."""

    def __init__(self, name: str, response) -> None:
        super().__init__(name + ": " + (response.error or "script failed"))
        self.name = name
        self.response = response


def _params(parameters) -> dict:
    # Parameter values travel as strings (``map<string, string>``).
    out = {}
    for key in parameters or ():
        value = parameters[key]
        if value is True:
            value = "true"
        elif value is False:
            value = "false"
        elif value is None:
            value = ""
        elif isinstance(value, (dict, list, tuple)):
            import json

            value = json.dumps(value)
        out[str(key)] = value if isinstance(value, str) else str(value)
    return out


class LokiClient:
    """Client for Loki at ``url`` (``http://`` or ``https://``, port and path prefix
    allowed).

    :param str token: sent as ``authorization: Bearer <token>``
    :param float timeout: deadline of each call in seconds (``None``: none)
    :param str ca_cert: PEM certificate to trust for ``https://`` (self-signed Loki)
    :param grpc: a :class:`jotunheim.grpc.GrpcWebClient` to call through (a device's
        LokiLink connection); ``url`` and the other arguments are then not used

    Other keyword arguments go to :class:`jotunheim.grpc.GrpcWebClient`.
    """

    def __init__(self, url: str, *, token=None, timeout=10, ca_cert=None, grpc=None, **kwargs):
        if grpc is None:
            metadata = dict(kwargs.pop("metadata", None) or {})
            if token:
                metadata["authorization"] = "Bearer " + token
            grpc = GrpcWebClient(url, timeout=timeout, ca_cert=ca_cert, metadata=metadata, **kwargs)
        self.grpc = grpc
        self._scripts = None

    @property
    def scripts(self):
        """Loki's scripts as functions, ``client.scripts.<name>(**params)``
        (:class:`jotunheim.loki.scripts.Scripts`, made on first use)."""
        if self._scripts is None:
            from jotunheim.loki.scripts import Scripts

            self._scripts = Scripts(self)
        return self._scripts

    def close(self) -> None:
        """Close idle connections."""
        self.grpc.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def _call(self, method, request, response_cls, timeout, idempotent=False, stream=False):
        kwargs = {} if timeout is _DEFAULT else {"timeout": timeout}
        if not stream:
            kwargs["idempotent"] = idempotent
        return (self.grpc.server_stream if stream else self.grpc.unary)(
            SERVICE + method,
            request,
            decode=response_cls.decode,  # called with the message size limit
            **kwargs,
        )

    def get_capabilities(self, *, timeout=_DEFAULT):
        """``GetCapabilitiesResponse``: service name, purpose, scripts, children."""
        return self._call(
            "GetCapabilities",
            pb.GetCapabilitiesRequest(),
            pb.GetCapabilitiesResponse,
            timeout,
            True,
        )

    def get_children_status(self, *, timeout=_DEFAULT):
        """``GetChildrenStatusResponse`` (Fenrir, Jörmungandr, Hel ...)."""
        return self._call(
            "GetChildrenStatus",
            pb.GetChildrenStatusRequest(),
            pb.GetChildrenStatusResponse,
            timeout,
            True,
        )

    def list_scripts(self, name_pattern: str = "", *, timeout=_DEFAULT) -> list:
        """The registered scripts (a list of ``ScriptInfo``)."""
        scripts = self._call(
            "ListScripts",
            pb.ListScriptsRequest(name_pattern=name_pattern),
            pb.ListScriptsResponse,
            timeout,
            True,
        ).scripts
        names = self.scripts.names = []
        for info in scripts:
            names.append(info.name)
        return scripts

    def register_script(
        self,
        name: str,
        *,
        inline_script=None,
        script_path=None,
        language: str = "lua",
        description: str = "",
        parameters=(),
        return_type: str = "",
        timeout=_DEFAULT,
    ):
        """Register a script given inline or by path; returns ``RegisterScriptResponse``.
        ``parameters``: ``ParameterDefinition``, dict or ``(name, type, required,
        description)`` items."""
        if (inline_script is None) == (script_path is None):
            raise ValueError("give exactly one of inline_script and script_path")
        request = pb.RegisterScriptRequest(
            name=name,
            description=description,
            language=language,
            return_type=return_type,
            inline_script=inline_script,
            script_path=script_path,
        )
        for item in parameters:
            if isinstance(item, dict):
                item = pb.ParameterDefinition(**item)
            elif isinstance(item, (tuple, list)):
                keys = ("name", "type", "required", "description")
                item = pb.ParameterDefinition(**dict(zip(keys, item)))
            elif not isinstance(item, pb.ParameterDefinition):
                raise TypeError("parameter definitions are ParameterDefinition, dict or tuple")
            request.parameters.append(item)
        return self.register(request, timeout)

    def register(self, request, timeout=_DEFAULT):
        """Send a ready ``RegisterScriptRequest``; returns the ``RegisterScriptResponse``
        (what :func:`jotunheim.capability.negotiator.negotiate` calls)."""
        return self._call("RegisterScript", request, pb.RegisterScriptResponse, timeout)

    def execute_script(
        self,
        script_id: str,
        parameters=None,
        *,
        script_content: str = "",
        script_type: str = "",
        timeout=_DEFAULT,
        check=False,
    ):
        """Run a script; returns ``ExecuteScriptResponse`` (success, output, error).
        Parameter values that are not strings are converted (numbers with ``str``,
        booleans as ``true``/``false``, lists and dicts as JSON). With ``check``, a
        response that says ``success=False`` raises :class:`ScriptFailed`."""
        request = pb.ExecuteScriptRequest(
            script_id=script_id,
            script_content=script_content,
            script_type=script_type,
            parameters=_params(parameters),
        )
        response = self._call("ExecuteScript", request, pb.ExecuteScriptResponse, timeout)
        if check and not response.success:
            raise ScriptFailed(script_id, response)
        return response

    def run_script(self, script: str, values: dict):
        """ExecuteScript ``script`` with ``values``; its output, parsed as JSON if it is
        (a Loki tool's answer); a failed script raises RuntimeError."""
        import json

        reply = self.execute_script(script, values)
        if not reply.success:
            raise RuntimeError("Loki script %s failed: %s" % (script, reply.error))
        try:
            return json.loads(reply.output)
        except ValueError:
            return reply.output

    def stream_script_execution(self, script_name: str, parameters=None, *, timeout=_DEFAULT):
        """Run a script and iterate over its ``ScriptChunk`` messages as they come.

        The iterator stops at the trailer frame and raises :class:`GrpcError` for a
        non-OK status; ``close()`` it (or use ``with``) to abandon the stream early.
        """
        request = pb.StreamScriptExecutionRequest(
            script_name=script_name, input=pb.ScriptInput(parameters=_params(parameters))
        )
        return self._call("StreamScriptExecution", request, pb.ScriptChunk, timeout, stream=True)
