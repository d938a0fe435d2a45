# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Gate: the checks every JotunheimService call passes before anything runs."""

# Every check happens before anything runs, so a refused call changes nothing. Refusals
# are gRPC statuses whose grpc-message tells a human what to fix:
#   UNAUTHENTICATED    token required and missing or wrong
#   PERMISSION_DENIED  user-only tool / owner command without the owner token
#   NOT_FOUND          unknown tool, or a device_id that is not this device
#   INVALID_ARGUMENT   malformed JSON, parameters that do not match the schema
#   RESOURCE_EXHAUSTED parameters over the size limit, rate limit hit (retry-after given)

import json

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.remote.auth import TokenCheck
from jotunheim.safejson import JSONError, loads


class Gate:
    """Authentication, device-id check and parameter parsing, with refusal counts.

    :param device_id: this device's id, or a callable returning it
    :param token: token every caller must send (None: open)
    :param owner_token: token that also unlocks user-only tools and owner commands
    :param int max_params_bytes: longest JSON parameter text accepted
    :param logger: a jotunheim.log logger for refusals
    :param auth: keyword arguments of :class:`~jotunheim.remote.auth.TokenCheck`
        (``mode``, ``open_access``, ``signing``)

    ``auth`` is the TokenCheck in force, ``calls`` counts the calls, ``refused`` the
    refusals by status code.
    """

    def __init__(
        self, device_id, token, owner_token, max_params_bytes, logger=None, **auth
    ) -> None:
        self.device_id_source = device_id
        self.auth = TokenCheck(token, owner_token, **auth)
        self.max_params_bytes = max_params_bytes
        self.logger = logger
        self.calls = 0
        self.refused = {}  # status code -> count

    @property
    def device_id(self) -> str:
        """This device's id."""
        source = self.device_id_source
        return source() if callable(source) else source

    def refuse(self, code: int, message: str) -> GrpcError:
        """Count and log a refusal; returns the GrpcError to raise."""
        self.refused[code] = self.refused.get(code, 0) + 1
        if self.logger is not None:
            self.logger.info("refused (%d): %s" % (code, message))
        return GrpcError(code, message)

    def authorize(self, context):
        """The caller's level (``auth.OWNER`` or ``auth.USER``); refuses without a token."""
        self.calls += 1
        level, problem = self.auth.decide(context.metadata if context is not None else {}, context)
        if level is None:
            raise self.refuse(StatusCode.UNAUTHENTICATED, problem)
        return level

    def check_device(self, device_id: str) -> None:
        """Refuse a call addressed to another device id (empty means this one)."""
        if device_id and device_id != self.device_id:
            raise self.refuse(
                StatusCode.NOT_FOUND, "this is device %r, not %r" % (self.device_id, device_id)
            )

    def params(self, text: str, what: str) -> dict:
        """The JSON object in ``text`` (``{}`` when empty); refuses anything else."""
        size = len(text)
        if size > self.max_params_bytes:
            raise self.refuse(
                StatusCode.RESOURCE_EXHAUSTED,
                "%s: parameters are %d bytes, the limit is %d"
                % (what, size, self.max_params_bytes),
            )
        if not text or not text.strip():
            return {}
        try:
            # 32: the nesting levels accepted in tool and command parameters
            value = loads(text, what, 32, self.max_params_bytes)
        except JSONError as exc:  # not JSON, too deep, NaN/Infinity: named in the message
            problem = exc.problem
        else:
            if isinstance(value, dict):
                return value
            problem = "got a " + type(value).__name__
        raise self.refuse(
            StatusCode.INVALID_ARGUMENT,
            '%s parameters: %s; send a JSON object like {"on": true}' % (what, problem),
        )


def json_bytes(value) -> bytes:
    """``value`` as UTF-8 JSON."""
    return json.dumps(value).encode("utf-8")


def describe(exc) -> str:
    """A failure as a caller should read it (no class name for the everyday ones)."""
    text = str(exc)
    name = type(exc).__name__
    if not text:
        return name
    if name in ("DriverError", "ValueError", "RuntimeError", "ScriptFailed"):
        return text
    return "%s: %s" % (name, text)
