# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Capabilities and tools: what a device can do, described so a controller or an AI can use it.

The package itself is a leaf: it imports nothing, and holds only the errors of tool calls
(:class:`UnknownToolError`, :class:`ToolPermissionError`, :class:`ToolParameterError`) and
of parts (:class:`DriverError`), which the modules below raise or catch; a module of their
own would cost a board a module's RAM for four classes. ``jotunheim.capability.errors``
still names the first three, ``jotunheim.capability.drivers`` the last (the same classes).

Modules (import the one you need, so a board pays RAM only for what ``code.py`` uses).
Imports point one way: this package <- wording, textinput <- schema <- registry <-
providers, export <- builder, negotiator, propagator.

- ``jotunheim.capability.wording``: fields, values and tools in words (refusal texts,
  summaries, part tool descriptions); ``.textinput``: values and parameters given as text
  (Loki's strings, JSON text). Both load on first use.
- ``jotunheim.capability.schema``: :class:`Field` (a typed reading, setting or tool
  parameter with range, enum, unit), :class:`Tool`, and the validation behind every tool
  call.
- ``jotunheim.capability.registry``: :class:`ToolRegistry`, every sensor and actuator as a
  typed tool, and the provider hook (``add_provider``).
- ``jotunheim.capability.custom``: the checks and the Tool behind ``add_tool`` (loaded by
  its first call); ``.tooltable``: the checks of an addition and the tool table made from
  the registry's parts, providers and custom tools (run by the registry, which forgets it
  after each use).
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


class UnknownToolError(KeyError):
    """No tool of that name is registered."""

    # CPython's KeyError shows its message quoted, as a key; MicroPython's and
    # CircuitPython's do not, and their Exception has no __str__ to borrow (nor a def to pay).
    if hasattr(Exception, "__str__"):
        __str__ = Exception.__str__


class ToolPermissionError(Exception):
    """A user-only tool was called without ``allow_user_only``."""


class DriverError(RuntimeError):
    """A part could not be read or driven (wiring, checksum, bus error)."""


class ToolParameterError(ValueError):
    """A tool call's parameters do not match the tool's schema.

    :param str tool: the tool's name ("" when validating outside a tool)
    :param parameter: the parameter's name, or None for the whole parameter object
    :param str expected: short text of what was expected ("Number in 0..180 deg")
    :param str found: short text of what was found ("String 'x'")

    The same four values are kept as attributes.
    """

    def __init__(self, tool, parameter, expected, found):
        self.tool = tool
        self.parameter = parameter
        self.expected = expected
        self.found = found
        text = tool or "tool"
        if parameter is not None:
            text = "%s: parameter %r" % (text, parameter)
        super().__init__("%s expected %s, found %s" % (text, expected, found))
