# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Parameters and values that come as text, made what their schema says.

Loki's parameters are a ``map<string, string>``, so through Loki every value comes as
text; :meth:`~jotunheim.capability.registry.ToolRegistry.call` also takes its parameters
as JSON text. A device whose calls come typed (JSON) loads this module only when such a
value first arrives: :func:`~jotunheim.capability.schema.validate` imports it for a text
value of a field that is not a String.

A leaf below :mod:`jotunheim.capability.schema`: it imports only
:mod:`jotunheim.capability` (the errors), and writes the protocol's type names as the strings
they are.

Example::

    from_text(Field("angle", NUMBER), " 90 ")   # 90
    parse_params('{"on": true}')                # {"on": True}
"""

from jotunheim.capability import ToolParameterError


def from_text(field, text, tool: str = ""):
    """A value given as text (Loki's parameters are a ``map<string, string>``) as
    ``field``'s type: ``"21.5"`` a Number, ``"true"``/``"on"``/``"1"`` a Boolean, JSON
    text an Object or an Array. Text that is none of these comes back as it is, for
    :func:`~jotunheim.capability.schema.validate` to refuse; invalid JSON raises
    ToolParameterError.

    :param field: the :class:`~jotunheim.capability.schema.Field`
    :param str text: the value as it came
    :param str tool: the tool's name, for the error message
    """
    kind = field.type
    value = text.strip()
    if kind == "Number":
        try:
            return int(value) if value.lstrip("+-").isdigit() else float(value)
        except ValueError:
            return text  # refused as String '...'
    if kind == "Boolean":
        value = value.lower()
        if value in ("true", "1", "on", "yes"):
            return True
        if value in ("false", "0", "off", "no"):
            return False
        return text
    import json

    try:
        return json.loads(text)
    except ValueError:
        raise ToolParameterError(tool, field.name, kind + " (JSON)", "invalid JSON")


def parse_params(text, tool: str = ""):
    """Parameters given as JSON text (``str`` or UTF-8 ``bytes``): the parsed value; blank
    text is ``{}``. Invalid JSON raises ToolParameterError
    (:func:`~jotunheim.capability.schema.validate` then checks the value is an object).

    :param text: the JSON text
    :param str tool: the tool's name, for the error message
    """
    import json

    if isinstance(text, bytes):
        text = text.decode()
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        raise ToolParameterError(tool, None, "a JSON object of parameters", "invalid JSON")
