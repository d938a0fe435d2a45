# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Negotiator: answers capability requests and registers the device's tools with Loki.

::

    negotiator = Negotiator(registry, builder, device_address="192.168.1.42:8080")
    negotiator.capability_response()     # jotunheim.capability.CapabilityResponse
    negotiator.einherjar_response()      # einherjar.CapabilityResponse
    result = negotiator.negotiate(loki)  # on every connect to Loki
    result.registered, result.failed     # ["read_dht22_temperature", ...], [(name, reason)]

``negotiate`` registers every model-callable tool with ``RegisterScript``; the script is a
one-line Lua stub (``return device.call("<host:port>", "<tool>", params, "<device id>")``)
that makes Loki forward a call of ``Script_<tool>`` to the device's ``CallTool``. Each registration has
its own timeout and is retried with exponential backoff when the failure is transient
(UNAVAILABLE, DEADLINE_EXCEEDED, a dropped connection; see
``jotunheim.resilience.errors``). A refusal (``success=False`` or a non-transient status)
is recorded and the next tool is tried: the result lists what was registered and what
failed, and why. A deadline bounds the whole negotiation.

``negotiate(loki, address, requests=...)`` sends the given requests instead of making them
(the LokiLink makes them once to know what Loki holds). ``loki`` is anything with ``register_script(name, *, inline_script, language,
description, parameters, return_type, timeout)`` returning a ``RegisterScriptResponse``,
i.e. :class:`jotunheim.loki.client.LokiClient`.
"""

from jotunheim import compat
from jotunheim.resilience.retry import RetryManager


class NegotiationResult:
    """What happened to each tool in one negotiation."""

    def __init__(self):
        self.registered = []  # script names Loki accepted
        self.failed = []  # (script name, reason)
        self.attempts = 0  # RegisterScript calls made, retries included

    @property
    def ok(self) -> bool:
        """True when every tool was registered."""
        return not self.failed

    def failed_names(self) -> list:
        """Script names that were not registered."""
        return [name for name, _ in self.failed]

    def __repr__(self):
        return "NegotiationResult(registered=%d, failed=%r)" % (len(self.registered), self.failed)


class Negotiator:
    """:param registry: the device's :class:`~jotunheim.capability.registry.ToolRegistry`
    :param builder: a :class:`~jotunheim.capability.builder.DeviceCapabilityBuilder`, or
        None when ``capabilities`` is given
    :param capabilities: callable() -> ``JotunheimCapabilities`` (e.g. a propagator's
        cached ``capabilities``); default ``builder.build(registry)``
    :param loki: default Loki client for :meth:`negotiate`
    :param str device_address: ``host:port`` Loki calls the device at
    :param str script_prefix: prepended to Loki script names (Loki's names are global)
    :param float timeout: seconds per RegisterScript call
    :param retry: a :class:`~jotunheim.resilience.retry.RetryManager` (default: 3 attempts,
        0.2 s .. 2 s backoff)
    :param float deadline: seconds for the whole negotiation
    :param str purpose: text for Einherjar's ``purpose``
    """

    def __init__(
        self,
        registry,
        builder=None,
        *,
        capabilities=None,
        loki=None,
        device_address="",
        script_prefix="",
        timeout=5.0,
        retry=None,
        deadline=60.0,
        purpose=None,
        clock=None,
    ):
        if builder is None and capabilities is None:
            raise ValueError("Negotiator needs a builder or a capabilities callable")
        self.registry = registry
        self.builder = builder
        self.given = capabilities
        self.loki = loki
        self.device_address = device_address
        self.script_prefix = script_prefix
        self.timeout = timeout
        self.retry = retry or RetryManager(attempts=3, base_delay=0.2, max_delay=2.0)
        self.deadline = deadline
        self.purpose = purpose
        self.clock = clock or compat.monotonic
        self.last_result = None

    # ------------------------------------------------------------ answers

    def capabilities(self):
        """The device's current ``JotunheimCapabilities``."""
        if self.given is not None:
            return self.given()
        return self.builder.build(self.registry)

    def capability_response(self):
        """Answer to ``CapabilityRequest`` (the JotunheimService capability RPC)."""
        from jotunheim.pb import jotunheim_capability as cap

        return cap.CapabilityResponse(capabilities=self.capabilities())

    def einherjar_response(self):
        """Answer to Einherjar's ``GetCapabilities``: every model-callable tool as a
        ``FunctionDefinition``; domains and keywords from the device's parts."""
        from jotunheim.capability.export import einherjar_answer

        return einherjar_answer(self.capabilities(), self.registry.tools(), self.purpose)

    # ------------------------------------------------------------ Loki

    def negotiate(self, loki=None, device_address=None, *, requests=None) -> NegotiationResult:
        """Register every model-callable tool with Loki; returns a NegotiationResult.
        Never raises for a failed registration: read ``result.failed``.

        :param requests: the ``RegisterScriptRequest`` list to send (default: made from
            the registry's tools, :func:`~jotunheim.capability.forwarding.loki_register_requests`)
        """
        loki = loki or self.loki
        if loki is None:
            raise ValueError("negotiate needs a Loki client")
        address = device_address or self.device_address
        if not address:
            raise ValueError("negotiate needs the device address Loki should call")
        if requests is None:
            from jotunheim.capability.forwarding import loki_register_requests

            requests = loki_register_requests(
                self.registry.tools(),
                address,
                prefix=self.script_prefix,
                device_id=self.capabilities().device_id,
            )
        result = NegotiationResult()
        clock = self.clock
        deadline = None if self.deadline is None else clock() + self.deadline

        def attempt(request):
            result.attempts += 1
            timeout = self.timeout
            if deadline is not None:  # no call may outlive the negotiation
                timeout = max(0.1, min(timeout, deadline - clock()))
            return loki.register_script(
                request.name,
                inline_script=request.inline_script,
                language=request.language,
                description=request.description,
                parameters=request.parameters,
                return_type=request.return_type,
                timeout=timeout,
            )

        for request in requests:
            reason = None  # registered
            if deadline is not None and clock() >= deadline:
                reason = "not attempted: negotiation deadline passed"
            else:
                try:
                    reply = self.retry.run(attempt, request, deadline_at=deadline)
                    if not getattr(reply, "success", False):
                        reason = "refused: " + (
                            getattr(reply, "error_message", "") or "refused without a reason"
                        )
                except MemoryError:
                    reason = "out of memory"
                except Exception as exc:  # noqa: BLE001 - recorded; the other tools get a try
                    reason = "%s: %s" % (type(exc).__name__, exc)
            if reason is None:
                result.registered.append(request.name)
            else:
                result.failed.append((request.name, reason))
        self.last_result = result
        return result
