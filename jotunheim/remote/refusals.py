# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What a refused or failed JotunheimService call is told.

The texts of the refusals on the CallTool path (token, device id, parameters, tool), of
signed requests that do not verify, and of failed tools. The modules that decide
(:mod:`jotunheim.remote.handler`,
:mod:`jotunheim.remote.signing`) hold a refusal's number and values; this module turns
them into text, and loads with the first refusal. A device whose callers ask right never
holds these texts; a caller who gets refused makes the device load this module once (a
one-time cost in time, then this module's few hundred bytes), which a refusal can afford:
it is the rare path, and nothing runs after it.
"""

from jotunheim.grpc.status import GrpcError

# RemoteCommandHandler.refuse(code, number, *values): CALL[number] % values.
CALL = (
    "this is device %r, not %r",  # 0: NOT_FOUND
    "%s: parameters are %d bytes, the limit is %d",  # 1: RESOURCE_EXHAUSTED
    '%s parameters: %s; send a JSON object like {"on": true}',  # 2: INVALID_ARGUMENT
    "tool_name is empty",  # 3: INVALID_ARGUMENT
    "no tool named %r on this device (GetCapabilities lists them)",  # 4: NOT_FOUND
    "%s is user-only: call it with the owner token (JOTUNHEIM_OWNER_TOKEN)",  # 5
    "a sealed result needs a signed request (JH-HMAC)",  # 6: FAILED_PRECONDITION
    '%s parameters: got a %s; send a JSON object like {"on": true}',  # 7: INVALID_ARGUMENT
    # 8: RESOURCE_EXHAUSTED (the rate limit: RemoteCommandHandler.throttle)
    "rate limit: at most %d state-changing calls per minute per client; retry in %.1f s",
)

# SignatureError(number, *values): str() is SIGNATURE[number] % values.
SIGNATURE = (
    "header has no %s",  # 0
    "header has an empty %s",  # 1
    "nonce must be 16-64 characters",  # 2
    "ts must be Unix time in ms",  # 3
    "sig must be 64 hex digits",  # 4
    "keyid must be user or owner, not %r",  # 5
    "request signed %d s ago; the window is %d s: check the clock",  # 6
    "request signed %d s in the future; the tolerance is %d s: check the clock",  # 7
    "signature does not match (method, path, body or key)",  # 8
    "replayed request (older than those remembered)",  # 9
    "replayed request",  # 10
)

# How to sign (docs/security.md), and why a tokenless device refuses.
SIGNED_HOW = "'authorization: JH-HMAC ...' signed with JOTUNHEIM_TOKEN (docs/security.md)"
LOCKED = "remote control is locked: no JOTUNHEIM_TOKEN in settings.toml (or remote.open: true)"


def refuse(handler, code, message, values):
    """What :meth:`RemoteCommandHandler.refuse
    <jotunheim.remote.handler.RemoteCommandHandler.refuse>` does: count and log the
    refusal, and make its GrpcError (``message`` a text, or the number of one of
    :data:`CALL` filled in with ``values``)."""
    if not isinstance(message, str):
        message = CALL[message] % values
    refused = handler.refused
    if refused is None:
        refused = handler.refused = {}
    refused[code] = refused.get(code, 0) + 1
    if handler.logger is not None:
        handler.logger.info("refused (%d): %s" % (code, message))
    return GrpcError(code, message)


def unauthenticated(check, given, error):
    """Why ``check`` (the :class:`jotunheim.remote.handler.RemoteCommandHandler`) refused
    a caller.

    :param given: the bearer token sent (``""`` for none), or None for a ``JH-HMAC`` header
    :param error: the :class:`jotunheim.remote.signing.SignatureError` of a signature that
        did not verify, else None
    """
    if given is None:  # a JH-HMAC header
        if check.mode == "bearer":
            return "this device takes bearer tokens only (remote.auth_mode)"
        if error is None:
            return "JH-HMAC: no call to check the signature against"
        return "JH-HMAC: %s" % error
    if check.token is None and check.owner_token is None:
        return LOCKED
    if given and check.mode == "signed":
        return "this device takes signed requests only (remote.auth_mode): " + SIGNED_HOW
    if given:
        return "wrong token: check JOTUNHEIM_TOKEN in settings.toml"
    if check.mode == "bearer":
        return "this device needs a token: 'authorization: Bearer <JOTUNHEIM_TOKEN>'"
    return "this device needs a token: " + SIGNED_HOW


def warning(check):
    """What to say loudly at start about who may call ``check``'s device, or None."""
    if not check.required:
        return "REMOTE CONTROL IS OPEN (remote.open, no JOTUNHEIM_TOKEN): anyone may call"
    if check.token is None and check.owner_token is None:
        return LOCKED
    if check.mode != "signed":
        return "remote.auth_mode is %s: tokens cross plain HTTP in clear" % check.mode
    return None


def describe(exc):
    """A failure as a caller should read it (no class name for the everyday ones)."""
    text = str(exc)
    name = type(exc).__name__
    if not text:
        return name
    if name in ("DriverError", "ValueError", "RuntimeError", "ScriptFailed"):
        return text
    return "%s: %s" % (name, text)
