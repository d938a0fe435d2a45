# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Building the remote service: a :class:`~jotunheim.remote.handler.RemoteCommandHandler`
from its arguments, its access changed (settings hot reload), its RPCs registered on a
new server, the warning said at start, and a
:class:`~jotunheim.remote.signing.SignatureCheck` (made for the first signed request).
Their owners forget this module after each use
(:func:`jotunheim.compat.run_and_forget`): on a board its code goes back to the heap
while the device serves, and the next build imports it again. It defines no classes and
keeps no state (see :func:`jotunheim.compat.forget`)."""

from jotunheim.pb.jotunheim import ToolCallRequest


def build(
    handler,
    registry,
    device=None,
    token=None,
    owner_token=None,
    auth_mode="signed",
    open_access=False,
    signing=None,
    seal_results=False,
    rate_limit_per_minute=60,
    burst=None,
    max_params_bytes=4096,
    clock=None,
    logger=None,
):
    """Set up ``handler`` (the arguments of
    :class:`~jotunheim.remote.handler.RemoteCommandHandler`)."""
    # The device itself, not five of its bound methods: the RPC groups (remote.groups)
    # look up what they need on it when they are built.
    handler.device = device
    configure(
        handler, token, owner_token, auth_mode=auth_mode, open_access=open_access, signing=signing
    )
    handler.max_params_bytes = max_params_bytes
    handler.logger = logger
    handler.calls = 0
    handler.registry = registry
    if seal_results:
        handler.seal_results = True
    handler.tool_calls = 0
    handler.tool_failures = 0
    if clock is not None:
        handler.clock = clock
    if rate_limit_per_minute:
        limit(handler, rate_limit_per_minute, burst)


def configure(
    handler, token=None, owner_token=None, rate_limit_per_minute=None, burst=None, **auth
):
    """What :meth:`RemoteCommandHandler.configure
    <jotunheim.remote.handler.RemoteCommandHandler.configure>` does."""
    mode = auth.get("auth_mode", handler.mode)
    if mode not in ("signed", "bearer", "either"):
        raise ValueError("auth mode must be signed, bearer or either, not %r" % mode)
    handler.mode = mode
    handler.open_access = open_access = bool(auth.get("open_access", handler.open_access))
    handler.signing_options = auth.get("signing", handler.signing_options)
    handler.token = token = token or None
    handler.owner_token = owner_token or None
    handler.signatures = None  # the SignatureCheck, made on the first signed request
    handler.required = token is not None or not open_access
    if rate_limit_per_minute is not None:
        limit(handler, rate_limit_per_minute, burst)


def limit(handler, per_minute, burst=None):
    """What :meth:`RemoteCommandHandler.limit
    <jotunheim.remote.handler.RemoteCommandHandler.limit>` does."""
    handler.per_minute = per_minute = int(per_minute or 0)
    handler.burst = max(1, int(min(per_minute, 10) if burst is None else burst))
    handler.buckets = {}


def register(handler, server):
    """Serve every RPC of ``handler`` on ``server`` (a GrpcWebServer)."""
    group = handler.call_group
    name = "jotunheim.JotunheimService"
    server.register(name, "CallTool", ToolCallRequest, handler.call_tool)
    # Every other RPC: the handler stands as its request class (its decode keeps the
    # bytes) and its group decodes them, so a board that is never asked makes none of
    # their message classes.
    server.register(name, "SendDeviceCommand", handler, group)
    server.register(name, "GetDeviceStatus", handler, group)
    for path in (name, "einherjar.EinherjarProtocol"):
        server.register(path, "GetCapabilities", handler, group)


def warning(handler):
    """What to say loudly at start about who may call, or None."""
    if handler.required and handler.mode == "signed" and (handler.token or handler.owner_token):
        return None  # the default: nothing to warn of, and no texts to load
    from jotunheim.remote import refusals

    return refusals.warning(handler)


def signature_check(
    check, keys, equal, window=300, tolerance=30, max_nonces=64, clock=None, logger=None
):
    """Set up ``check`` (the arguments of :class:`~jotunheim.remote.signing.SignatureCheck`)."""
    import time
    from array import array

    from jotunheim.remote.signing import pads

    check.equal = equal
    # The padded keys (pads) of user and owner, None for a key not set.
    check.keys = tuple(pads(keys[key]) if keys.get(key) else None for key in ("user", "owner"))
    check.window = int(window * 1000)  # ms, like every time below
    check.tolerance = int(tolerance * 1000)
    check.clock = clock or time.time
    check.logger = logger
    # A ring of the requests seen: per request a 27-bit tag of its signature, then its
    # time in ms after ``base``. Small ints only, in one array made once: remembering a
    # request allocates nothing, so the table never grows the heap.
    check.ring = array("i", bytes(8 * max(1, max_nonces)))
    check.base = None  # set on the first request
    check.floor = -1  # requests signed at or before base + floor are refused
    check.signature = None  # the last one let in
    check.accepted = 0
    check.remembered = 0
