# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fields, values and tools in words: what a field accepts, values as schemas write them,
and the one-line summaries and descriptions of the exports.

A tool call that fits its schema needs none of this, so a serving device loads it only
when it describes its tools (capabilities, Loki, Einherjar), when a field with an enum is
checked, or when a call is refused (:mod:`jotunheim.capability.refusals` says why, in
these words). Values that come as text are :mod:`jotunheim.capability.textinput`'s.

A leaf: it imports nothing, and writes the protocol's type names (``schema.NUMBER``, ...)
as the strings they are.

Example::

    expected(Field("angle", NUMBER, unit="deg", minimum=0, maximum=180))  # "Number in 0..180 deg"
    value_text(12.0)                                                      # "12"
"""


def value_text(value) -> str:
    """A value as schemas and messages write it: ``true``/``false``, ``12`` for 12.0,
    ``0.5``, text as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and abs(value) < 1e15 and value == int(value):
        return str(int(value))
    return str(value)


def expected(field) -> str:
    """Short text of what ``field`` accepts, for error messages and descriptions:
    ``"Number in 0..180 deg"``, ``"String, one of auto, manual"``."""
    text = field.type
    if field.enum is not None:
        out = []
        for value in field.enum:
            out.append(value_text(value))
        return text + ", one of " + ", ".join(out)
    low = field.minimum
    high = field.maximum
    if low is not None and high is not None:
        text += " in %s..%s" % (value_text(low), value_text(high))
    elif low is not None:
        text += " >= " + value_text(low)
    elif high is not None:
        text += " <= " + value_text(high)
    if field.unit:
        text += " " + field.unit
    return text


def summary(field) -> str:
    """Description plus type, range, unit and default in one line, for schemas that have
    no fields for them (Loki, Einherjar): ``"Target (Number >= -40.5 C, default 20)"``."""
    text = expected(field)
    if field.default is not None:
        text += ", default " + value_text(field.default)
    if field.description:
        return "%s (%s)" % (field.description, text)
    return text


def part_description(tool) -> str:
    """One line for humans and language models about one of the registry's part tools
    (:class:`~jotunheim.capability.schema.PartTool`), made from its part and reading."""
    if tool.kind == "sensor":
        text = tool.reading.replace("_", " ")
        if tool.unit:
            text = "%s (%s)" % (text, tool.unit)
        return "Read %s from %s sensor %r" % (text, tool.part, tool.instance)
    if tool.params:
        return "Set %s actuator %r; returns its new state" % (tool.part, tool.instance)
    return "Current state of %s actuator %r" % (tool.part, tool.instance)
