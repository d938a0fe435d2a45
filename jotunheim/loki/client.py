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

Errors are :class:`jotunheim.grpc.GrpcError` (``.code``, ``.message``, ``.trailers``);
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


def _text(value) -> str:
    """Parameter values travel as strings (``map<string, string>``)."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        import json  # noqa: PLC0415

        return json.dumps(value)
    return str(value)


def _params(parameters) -> dict:
    if not parameters:
        return {}
    return {str(k): _text(v) for k, v in parameters.items()}


def _parameter_definition(item):
    if isinstance(item, pb.ParameterDefinition):
        return item
    if isinstance(item, dict):
        return pb.ParameterDefinition(**item)
    if isinstance(item, (tuple, list)):
        fields = ("name", "type", "required", "description")
        return pb.ParameterDefinition(**dict(zip(fields, item)))
    raise TypeError("parameter definitions are ParameterDefinition, dict or tuple")


def _decoder(cls, limit):
    def decode(payload):
        return cls.decode(payload, limit)

    return decode


class LokiClient:
    """Client for Loki at ``url`` (``http://`` or ``https://``, port and path prefix
    allowed).

    :param str token: sent as ``authorization: Bearer <token>``
    :param float timeout: deadline of each call in seconds (``None``: none)
    :param str ca_cert: PEM certificate to trust for ``https://`` (self-signed Loki)

    Other keyword arguments go to :class:`jotunheim.grpc.GrpcWebClient`.
    """

    def __init__(self, url: str, *, token=None, timeout=10, ca_cert=None, **kwargs):
        metadata = dict(kwargs.pop("metadata", None) or {})
        if token:
            metadata["authorization"] = "Bearer " + token
        self.grpc = GrpcWebClient(
            url, timeout=timeout, ca_cert=ca_cert, metadata=metadata, **kwargs
        )
        self.scripts = Scripts(self)

    def close(self) -> None:
        """Close idle connections."""
        self.grpc.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def _unary(self, method, request, response_cls, idempotent, timeout):
        kwargs = {} if timeout is _DEFAULT else {"timeout": timeout}
        return self.grpc.unary(
            SERVICE + method,
            request,
            decode=_decoder(response_cls, self.grpc.max_message_size),
            idempotent=idempotent,
            **kwargs,
        )

    def get_capabilities(self, *, timeout=_DEFAULT):
        """``GetCapabilitiesResponse``: service name, purpose, scripts, children."""
        return self._unary(
            "GetCapabilities",
            pb.GetCapabilitiesRequest(),
            pb.GetCapabilitiesResponse,
            True,
            timeout,
        )

    def get_children_status(self, *, timeout=_DEFAULT):
        """``GetChildrenStatusResponse`` (Fenrir, Jörmungandr, Hel ...)."""
        return self._unary(
            "GetChildrenStatus",
            pb.GetChildrenStatusRequest(),
            pb.GetChildrenStatusResponse,
            True,
            timeout,
        )

    def list_scripts(self, name_pattern: str = "", *, timeout=_DEFAULT) -> list:
        """The registered scripts (a list of ``ScriptInfo``)."""
        response = self._unary(
            "ListScripts",
            pb.ListScriptsRequest(name_pattern=name_pattern),
            pb.ListScriptsResponse,
            True,
            timeout,
        )
        self.scripts._names = [info.name for info in response.scripts]
        return response.scripts

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
        """Register a script given inline or by path; returns ``RegisterScriptResponse``."""
        if (inline_script is None) == (script_path is None):
            raise ValueError("give exactly one of inline_script and script_path")
        request = pb.RegisterScriptRequest(
            name=name,
            description=description,
            language=language,
            parameters=[_parameter_definition(p) for p in parameters],
            return_type=return_type,
        )
        if inline_script is not None:
            request.inline_script = inline_script
        else:
            request.script_path = script_path
        return self._unary("RegisterScript", request, pb.RegisterScriptResponse, False, timeout)

    def execute_script(
        self,
        script_id: str,
        parameters=None,
        *,
        script_content: str = "",
        script_type: str = "",
        timeout=_DEFAULT,
    ):
        """Run a script; returns ``ExecuteScriptResponse`` (success, output, error).
        Parameter values that are not strings are converted (numbers with ``str``,
        booleans as ``true``/``false``, lists and dicts as JSON)."""
        request = pb.ExecuteScriptRequest(
            script_id=script_id,
            script_content=script_content,
            script_type=script_type,
            parameters=_params(parameters),
        )
        return self._unary("ExecuteScript", request, pb.ExecuteScriptResponse, False, timeout)

    def stream_script_execution(self, script_name: str, parameters=None, *, timeout=_DEFAULT):
        """Run a script and iterate over its ``ScriptChunk`` messages as they come.

        The iterator stops at the trailer frame and raises :class:`GrpcError` for a
        non-OK status; ``close()`` it (or use ``with``) to abandon the stream early.
        """
        request = pb.StreamScriptExecutionRequest(
            script_name=script_name, input=pb.ScriptInput(parameters=_params(parameters))
        )
        kwargs = {} if timeout is _DEFAULT else {"timeout": timeout}
        return self.grpc.server_stream(
            SERVICE + "StreamScriptExecution",
            request,
            decode=_decoder(pb.ScriptChunk, self.grpc.max_message_size),
            **kwargs,
        )


class ScriptFunction:
    """``client.scripts.<name>``: call it to run the script, ``.stream()`` to stream it."""

    def __init__(self, client: LokiClient, name: str) -> None:
        self._client = client
        self.name = name

    def __call__(self, **parameters) -> str:
        """Run the script; returns its output, raises :class:`ScriptFailed` if it
        reported failure."""
        response = self._client.execute_script(self.name, parameters)
        if not response.success:
            raise ScriptFailed(self.name, response)
        return response.output

    def stream(self, **parameters):
        """Run the script and iterate over its ``ScriptChunk`` messages
        (:meth:`LokiClient.stream_script_execution`)."""
        return self._client.stream_script_execution(self.name, parameters)

    def __repr__(self) -> str:
        return "<Loki script " + self.name + ">"


class Scripts:
    """Dynamic access to Loki's scripts: ``scripts.<name>(**params)``; ``dir()`` lists
    the names from the last :meth:`LokiClient.list_scripts` (fetched on first use)."""

    def __init__(self, client: LokiClient) -> None:
        self._client = client
        self._names = None

    def __getattr__(self, name: str) -> ScriptFunction:
        if name.startswith("__"):
            raise AttributeError(name)
        if name.startswith("Script_"):  # Loki's own spelling of the same function
            name = name[7:]
        return ScriptFunction(self._client, name)

    def __getitem__(self, name: str) -> ScriptFunction:
        return self.__getattr__(name)

    def refresh(self) -> list:
        """Fetch the script names again."""
        self._client.list_scripts()
        return list(self._names)

    def __dir__(self):
        if self._names is None:
            self._client.list_scripts()
        return list(self._names)

    def __iter__(self):
        return iter(self.__dir__())
