# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The host's calls of a device's ``JotunheimService`` (``jotunheim call`` / ``command``):
parameters from the command line, the request headers, and the answers as text or JSON.

Exit codes (documented in docs/cli.md): :data:`OK` 0, :data:`FAILED` 1 (the device answered
with a non-OK gRPC status, or the tool/command ran and failed), :data:`USAGE` 2 (bad
arguments), :data:`UNREACHABLE` 3 (no connection, or no answer before the deadline).
"""

import json

OK = 0
FAILED = 1
USAGE = 2
UNREACHABLE = 3

SERVICE = "/jotunheim.JotunheimService/"


class UsageError(ValueError):
    """The command line is wrong (exit code :data:`USAGE`)."""


def request_signer(token, scheme="signed"):
    """How each call proves the token: a ``signer(path, body)`` for
    :class:`jotunheim.grpc.client.GrpcWebClient` (HMAC request signing by default, the
    device's ``remote.auth_mode``; ``bearer`` sends the token itself), None without one.

    :param token: the device's JOTUNHEIM_TOKEN (or owner token), or None/""
    :param scheme: ``signed`` or ``bearer``
    """
    from jotunheim_host.signing import client_signer

    return client_signer(token, scheme=scheme)


def parse_value(text):
    """``key=value`` values: JSON when they parse (``3``, ``true``, ``[1,2]``), else text.

    :param text: the part after ``=``
    """
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_params(pairs, json_params=None):
    """The parameters dict of ``--json-params`` then each ``key=value`` (later wins).

    :param pairs: ``["key=value", ...]``
    :param json_params: a JSON object as text, or None
    :raises UsageError: a pair without ``=``, or ``--json-params`` not a JSON object
    """
    params = {}
    if json_params:
        try:
            params = json.loads(json_params)
        except ValueError as exc:
            raise UsageError("--json-params is not JSON: %s" % exc) from None
        if not isinstance(params, dict):
            raise UsageError("--json-params must be a JSON object, e.g. '{\"on\": true}'")
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError("%r is not key=value (e.g. brightness=0.5)" % pair)
        params[key] = parse_value(value)
    return params


def unreachable(err):
    """True when ``err`` (a GrpcError) means no answer from the device at all: the client
    made it up (no ``grpc-status`` came back) for a failed connection or an expired deadline.

    :param err: a :class:`jotunheim.grpc.status.GrpcError`
    """
    from jotunheim.grpc.status import StatusCode

    codes = (StatusCode.UNAVAILABLE, StatusCode.DEADLINE_EXCEEDED)
    return err.code in codes and "grpc-status" not in err.trailers


def decode_result(data):
    """A response's ``result`` bytes: the JSON value the device sent, else the text.

    :param data: ``ToolCallResponse.result`` / ``DeviceCommandResponse.result``
    """
    if not data:
        return None
    text = bytes(data).decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def value_text(value):
    """One JSON value as a person reads it: ``true``, ``20.9``, ``hello`` (no quotes).

    :param value: a decoded JSON value
    """
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def result_lines(value, unit=""):
    """The lines a result prints as: a scalar with its unit, an object one key per line.

    :param value: the decoded result
    :param unit: the tool's unit (from its capabilities), or ""
    """
    if isinstance(value, dict):
        if not value:
            return ["(empty)"]
        return ["%s: %s" % (key, value_text(item)) for key, item in value.items()]
    if isinstance(value, list):
        return ["- %s" % value_text(item) for item in value] or ["(empty list)"]
    if value is None:
        return ["(no result)"]
    return [value_text(value) + (" " + unit if unit else "")]


def error_line(code_name, message):
    """``error: PERMISSION_DENIED: <message>``.

    :param code_name: a gRPC status name, or a word such as ``FAILED``
    :param message: what the device said
    """
    return "error: %s: %s" % (code_name, message) if message else "error: " + code_name


class DeviceCaller:
    """Unary calls of one device's JotunheimService.

    :param url: ``http://host:port`` of the device
    :param token: the device's token (see :func:`request_signer`)
    :param timeout: seconds per call
    :param scheme: ``signed`` (default) or ``bearer``
    """

    def __init__(self, url, token=None, timeout=10.0, scheme="signed"):
        import socket

        from jotunheim.grpc.client import GrpcWebClient

        self.client = GrpcWebClient(
            url, socket_pool=socket, timeout=timeout, signer=request_signer(token, scheme)
        )

    def call_tool(self, name, params):
        """CallTool; returns the ToolCallResponse (GrpcError on a non-OK status).

        :param name: the tool's name
        :param params: dict of its parameters
        """
        from jotunheim.pb import jotunheim as jpb

        request = jpb.ToolCallRequest(tool_name=name, parameters=json.dumps(params))
        return self.client.unary(SERVICE + "CallTool", request, decode=jpb.ToolCallResponse.decode)

    def send_command(self, name, params):
        """SendDeviceCommand; returns the DeviceCommandResponse.

        :param name: the command (``ping``, ``reboot``, ``ota_check``, ...)
        :param params: dict of its parameters
        """
        from jotunheim.pb import jotunheim as jpb

        request = jpb.DeviceCommandRequest(command=name, parameters=json.dumps(params))
        return self.client.unary(
            SERVICE + "SendDeviceCommand", request, decode=jpb.DeviceCommandResponse.decode
        )

    def tool_unit(self, name):
        """The unit a tool's capabilities declare ("" when none or not known).

        :param name: the tool's name
        """
        from jotunheim.grpc.status import GrpcError
        from jotunheim.pb import jotunheim_capability as cap

        try:
            caps = self.client.unary(
                SERVICE + "GetCapabilities",
                cap.CapabilityRequest(),
                decode=cap.CapabilityResponse.decode,
                idempotent=True,
            ).capabilities
        except GrpcError:
            return ""  # the result is still worth printing without its unit
        for tool in caps.tools if caps is not None else ():
            if tool.name == name:
                return tool.unit or ""
        return ""

    def close(self):
        """Close the connection."""
        self.client.close()


def run_rpc(kind, name, fn, args, out):
    """Run ``fn()`` (one call), print its answer, return the exit code.

    :param kind: ``"tool"`` or ``"command"`` (the JSON key naming ``name``)
    :param name: the tool or command
    :param fn: callable returning ``(response, unit)``
    :param args: parsed args with ``json`` and ``url``
    :param out: stream to print the answer to (errors go to stderr unless ``--json``)
    """
    import sys

    from jotunheim.grpc.status import GrpcError, StatusCode

    doc = {"url": args.url, kind: name}
    try:
        response, unit = fn()
    except GrpcError as err:
        far = unreachable(err)
        name = StatusCode.name(err.code)
        doc.update(ok=False, code=name, message=err.message, unreachable=far)
        text = error_line(name, err.message)
        if far:
            text += " (is the device running at %s?)" % args.url
        return _emit(args, sys.stderr, doc, [text], UNREACHABLE if far else FAILED, out)
    value = decode_result(response.result)
    if not response.success:
        doc.update(ok=False, code="FAILED", message=response.error_message)
        lines = [error_line("FAILED", response.error_message)]
        return _emit(args, sys.stderr, doc, lines, FAILED, out)
    doc.update(ok=True, result=value)
    if unit:
        doc["unit"] = unit
    return _emit(args, out, doc, result_lines(value, unit), OK, out)


def _emit(args, stream, doc, lines, code, json_stream):
    if args.json:  # one JSON object on stdout, whatever happened
        print(json.dumps(doc, ensure_ascii=False), file=json_stream)
    else:
        print("\n".join(lines), file=stream)
    return code
