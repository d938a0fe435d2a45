# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CapabilityService: JotunheimService.GetCapabilities and Einherjar's GetCapabilities."""

from jotunheim.grpc.status import StatusCode


class CapabilityService:
    """Answers a controller's capability request and Odin's Einherjar discovery.

    :param gate: the :class:`jotunheim.remote.handler.RemoteCommandHandler` (its checks)
    :param capabilities: callable returning the device's JotunheimCapabilities
    :param einherjar: callable returning an einherjar.CapabilityResponse, or None to
        build one from the capabilities and ``registry``
    :param registry: the device's ToolRegistry
    """

    def __init__(self, gate, capabilities, einherjar, registry) -> None:
        self.gate = gate
        self.capabilities = capabilities
        self.einherjar = einherjar
        self.registry = registry

    def get_capabilities(self, request, context):
        """GetCapabilities: the device's JotunheimCapabilities."""
        from jotunheim.pb import jotunheim_capability as cap

        self.gate.authorize(context)
        return cap.CapabilityResponse(capabilities=self._capabilities())

    def einherjar_capabilities(self, request, context):
        """Einherjar GetCapabilities: every model-callable tool as a function."""
        self.gate.authorize(context)
        if self.einherjar is not None:
            return self.einherjar()
        from jotunheim.capability.export import einherjar_functions
        from jotunheim.pb import einherjar

        caps = self._capabilities()
        return einherjar.CapabilityResponse(
            god_name=caps.device_name,
            purpose="%s device" % caps.device_type,
            functions=einherjar_functions(self.registry.tools()),
        )

    def _capabilities(self):
        if self.capabilities is None:
            raise self.gate.refuse(StatusCode.UNAVAILABLE, "capabilities are not ready yet")
        return self.capabilities()
