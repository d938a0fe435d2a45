# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Errors of tool calls: no such tool, a user-only tool refused, parameters that do not fit.

A leaf: imports nothing. :mod:`jotunheim.capability.schema` raises
:class:`ToolParameterError`, :class:`~jotunheim.capability.registry.ToolRegistry` the other
two; callers (the remote handler, tests) catch them from here.
"""


class UnknownToolError(KeyError):
    """No tool of that name is registered."""

    # CPython's KeyError shows its message quoted, as a key; MicroPython's and
    # CircuitPython's do not, and their Exception has no __str__ to borrow (nor a def to pay).
    if hasattr(Exception, "__str__"):
        __str__ = Exception.__str__


class ToolPermissionError(Exception):
    """A user-only tool was called without ``allow_user_only``."""


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
