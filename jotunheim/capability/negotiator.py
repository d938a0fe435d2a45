# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Negotiation with Loki: the device's tools as ``RegisterScript`` requests, and registering
them, one each.

::

    from jotunheim.capability.negotiator import loki_register_requests, negotiate

    requests = loki_register_requests(registry.tools(), "192.168.1.42:8080", device_id=id)
    result = negotiate(loki.register, requests)  # a LokiClient's register
    result.registered, result.failed     # ["read_dht22_temperature", ...], [(name, reason)]

A request per model-callable tool: its script is a one-line Lua stub
(``return device.call("<host:port>", "<tool>", params, "<device id>")``) that makes Loki
forward a call of ``Script_<tool>`` to the device's ``CallTool``. Each registration has
its own timeout and is retried with exponential backoff when the failure is transient
(UNAVAILABLE, DEADLINE_EXCEEDED, a dropped connection; see ``jotunheim.resilience.errors``).
A refusal (``success=False`` or a non-transient status) is recorded and the next tool is
tried: the result lists what was registered and what failed, and why. A deadline bounds
the whole negotiation. The device's :class:`~jotunheim.loki.link.LokiLink` negotiates on
every (re)connection and after a change of its tools.

The module imports no other capability module (the Loki messages and the retry are
imported when used), so :mod:`jotunheim.capability.export` re-exports the requests from
here and a device that registers with Loki does not load ``export``.
"""


def lua_string(text: str) -> str:
    """A Lua double-quoted string literal for ``text``."""
    out = '"'
    for i in text:  # one character at a time
        if i in '"\\':
            i = "\\" + i
        elif i == "\n":
            i = "\\n"
        elif ord(i) < 32:
            i = "\\%03d" % ord(i)
        out += i
    return out + '"'


def loki_register_requests(tools, address: str, prefix: str = "", device_id: str = "") -> list:
    """One ``loki.RegisterScriptRequest`` per model-callable tool (user-only tools are left
    out). Its inline Lua script forwards the call to the device:
    ``return device.call("<address>", "<tool>", params[, "<device_id>"])``. Range, enum,
    unit and default of a parameter go into its description
    (:func:`jotunheim.capability.wording.summary`), since
    Loki's schema has no fields for them.

    :param tools: the tools
    :param str address: ``host:port`` Loki calls the device at
    :param str prefix: prepended to script names (Loki's are global: keeps two devices'
        ``set_led`` apart); the forwarded call uses the tool's own name
    :param str device_id: named in the forwarded call when given
    """
    from jotunheim.capability import wording
    from jotunheim.pb import loki

    head = "return device.call(" + lua_string(address) + ", "
    suffix = ", " + lua_string(device_id) + ")" if device_id else ")"
    out = []
    for tool in tools:
        if not tool.user_only:
            params = []  # a loop, not a comprehension: one code object less on the board
            for field in tool.params:
                params.append(
                    loki.ParameterDefinition(
                        name=field.name,
                        type=field.type,
                        required=field.required,
                        description=wording.summary(field),
                    )
                )
            out.append(
                loki.RegisterScriptRequest(
                    name=prefix + tool.name,
                    description=tool.description,
                    language="lua",
                    parameters=params,
                    return_type=tool.return_type,
                    inline_script=head + lua_string(tool.name) + ", params" + suffix,
                )
            )
    return out


class NegotiationResult:
    """What happened to each tool in one negotiation: ``registered`` (the script names Loki
    accepted), ``failed`` (``(script name, reason)`` pairs) and ``attempts`` (RegisterScript
    calls made, retries included), set by :func:`negotiate` (a class without methods:
    one ``def`` less on the board)."""

    attempts = 0


def negotiate(register, requests, timeout=5.0, retry=(3, 0.2, 2.0), deadline=60.0, clock=None):
    """Register every one of ``requests`` with Loki; returns a :class:`NegotiationResult`.
    Never raises for a failed registration: read ``result.failed``.

    :param register: ``register(request, timeout)`` sends one ``RegisterScriptRequest``
        and returns the ``RegisterScriptResponse``
        (:meth:`jotunheim.loki.client.LokiClient.register`)
    :param requests: the ``RegisterScriptRequest`` list (:func:`loki_register_requests`)
    :param float timeout: seconds per RegisterScript call
    :param retry: a :class:`~jotunheim.resilience.retry.RetryManager`, or the ``(attempts,
        base_delay, max_delay)`` of one made at the first failed call (by default 3
        attempts, 0.2 s .. 2 s backoff), so a negotiation where every call works never
        loads the retry module
    :param float deadline: seconds for the whole negotiation
    :param clock: seconds, monotonic (default :func:`jotunheim.compat.monotonic`)
    """
    if clock is None:
        from jotunheim.compat import monotonic as clock
    result = NegotiationResult()
    result.registered = []
    result.failed = []
    deadline += clock()  # from here on: the time the negotiation ends

    def call(request):  # one RegisterScript, within the deadline
        result.attempts += 1
        # no call may outlive the negotiation
        return register(request, max(0.1, min(timeout, deadline - clock())))

    for request in requests:
        reason = None  # registered
        if clock() >= deadline:
            reason = "not attempted: negotiation deadline passed"
        else:
            try:
                try:
                    reply = call(request)
                except Exception as exc:  # noqa: BLE001 - the retry decides, or re-raises
                    if isinstance(retry, tuple):
                        from jotunheim.resilience.retry import RetryManager

                        retry = RetryManager(*retry)
                    reply = retry.run(call, request, deadline_at=deadline, failed=exc)
                if not reply.success:
                    reason = "refused: " + (reply.error_message or "no reason given")
            except MemoryError:
                reason = "out of memory"
            except Exception as exc:  # noqa: BLE001 - recorded; the other tools get a try
                reason = "%s: %s" % (type(exc).__name__, exc)
        if reason is None:
            result.registered.append(request.name)
        else:
            result.failed.append((request.name, reason))
    return result
