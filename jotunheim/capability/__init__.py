# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Capabilities and tools: what a device can do, described so a controller or an AI can use it.

Modules (import the one you need; this package imports nothing on its own, so a board pays
RAM only for what ``code.py`` uses). Imports point one way: errors <- wording, textinput <- schema <-
registry <- providers, export <- builder, negotiator, propagator.

- ``jotunheim.capability.errors``: :class:`UnknownToolError`, :class:`ToolPermissionError`,
  :class:`ToolParameterError` (a leaf).
- ``jotunheim.capability.wording``: fields, values and tools in words (refusal texts,
  summaries, part tool descriptions); ``.textinput``: values and parameters given as text
  (Loki's strings, JSON text). Both load on first use.
- ``jotunheim.capability.schema``: :class:`Field` (a typed reading, setting or tool
  parameter with range, enum, unit), :class:`Tool`, and the validation behind every tool
  call.
- ``jotunheim.capability.registry``: :class:`ToolRegistry`, every sensor and actuator as a
  typed tool, and the provider hook (``add_provider``).
- ``jotunheim.capability.custom``: the checks and the Tool behind ``add_tool`` and
  ``add_provider`` (loaded by their first call).
- ``jotunheim.capability.removal``: ``remove`` / ``remove_provider``, taking parts, custom
  tools and providers out of a registry again (a serving device never loads it).
- ``jotunheim.capability.gpio``, ``.system``: providers of raw GPIO tools
  (:class:`GpioTools`) and reboot/OTA tools (:class:`SystemTools`); ``.generic``: the
  shared tools of parts that declare nothing.
- ``jotunheim.capability.export``: tools as ``JotunheimCapabilities`` tools, Loki
  ``RegisterScriptRequest`` and Einherjar ``FunctionDefinition``.
- ``jotunheim.capability.drivers``: the :class:`Sensor` / :class:`Actuator` adapter
  interface and adapters for common parts, one module per part family.
- ``jotunheim.capability.builder``: :class:`DeviceCapabilityBuilder`, board, pins,
  interfaces and memory (``detect``) as ``JotunheimCapabilities``; ``pins``: pin numbers.
- ``jotunheim.capability.negotiator``: :class:`Negotiator`, capability answers and tool
  registration with Loki.
- ``jotunheim.capability.propagator``: :class:`CapabilityPropagator`, announcements on
  connect and on change, content hash, cache.
- ``jotunheim.capability.conflicts``: the rule (newest announcement wins, id clashes
  reported) and its device side, :class:`AnnouncementCounter`; ``.store``:
  :class:`CapabilityStore`, the controller side (a device never loads it).
- ``jotunheim.capability.resolver``: :class:`DeviceResolver` / :class:`JsonFileDeviceResolver`,
  cryptic ids to display names and capabilities.
"""

# The bundle's __repo__ is read from jotunheim/__init__.py alone.
PROTOCOL_VERSION = "1.0"
