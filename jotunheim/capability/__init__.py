"""Capabilities and tools: what a device can do, described so a controller or an AI can use it.

Modules (import the one you need; this package imports nothing on its own, so a board pays
RAM only for what ``code.py`` uses):

- ``jotunheim.capability.schema``: :class:`Field` (a typed reading, setting or tool
  parameter with range, enum, unit) and the validation behind every tool call.
- ``jotunheim.capability.drivers``: the :class:`Sensor` / :class:`Actuator` adapter interface
  and adapters for common parts (``drivers.environment``, ``drivers.io``,
  ``drivers.simulated``).
- ``jotunheim.capability.registry``: :class:`ToolRegistry`, every sensor and actuator as a
  typed tool; export to Loki ``RegisterScriptRequest`` and Einherjar ``FunctionDefinition``.
- ``jotunheim.capability.builder``: :class:`DeviceCapabilityBuilder`, detects board, pins,
  interfaces and memory and builds ``JotunheimCapabilities``.
- ``jotunheim.capability.negotiator``: :class:`Negotiator`, capability answers and tool
  registration with Loki.
- ``jotunheim.capability.propagator``: :class:`CapabilityPropagator`, announcements on
  connect and on change, content hash, cache.
- ``jotunheim.capability.conflicts``: :class:`AnnouncementCounter` (device side) and
  :class:`CapabilityStore` (controller side): newest announcement wins, id clashes reported.
- ``jotunheim.capability.resolver``: :class:`DeviceResolver` / :class:`JsonFileDeviceResolver`,
  cryptic ids to display names and capabilities.
"""

__version__ = "0.0.0+auto.0"
__repo__ = "https://github.com/edda-platform/jotunheim.git"

PROTOCOL_VERSION = "1.0"
