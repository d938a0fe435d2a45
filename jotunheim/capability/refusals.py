# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The errors, with their words, of what the capability layer refuses or what fails: a
value or a parameter object that does not fit its schema, an unknown parameter, a part
the registry cannot take, an actuator set with nothing, a sensor that cannot be read.

The checks stay where they are (:func:`~jotunheim.capability.schema.validate`, the
registry, the driver base classes); they import this module only to say why, so a device
whose calls fit loads it with the first refusal, and a device that describes its tools
(the exports, Loki) does not load it at all.

It imports the errors of :mod:`jotunheim.capability` and the words for values and fields
of :mod:`jotunheim.capability.wording`, and writes the protocol's type names as the
strings they are.

Example::

    describe("ninety")                           # "String 'ninety'"
    refusal(Field("angle", NUMBER, maximum=180), 200, "set_servo")
    # ToolParameterError: set_servo: parameter 'angle' expected Number <= 180, found 200
"""

from jotunheim.capability import DriverError, ToolParameterError
from jotunheim.capability.wording import expected, value_text


def describe(value) -> str:
    """What came, for an error message: ``null``, ``Number 5``, ``String 'x'``, ``Array``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, (int, float)):
        return "Number " + value_text(value)
    if isinstance(value, str):
        return "String %r" % (value,)
    if isinstance(value, dict):
        return "Object"
    if isinstance(value, (list, tuple)):
        return "Array"
    return type(value).__name__


def refusal(field, value, tool: str = ""):
    """The ToolParameterError for ``value``, which :func:`~jotunheim.capability.schema.validate`
    found does not fit ``field`` (``value`` as validate made it: text already converted);
    with ``field`` None, ``value`` is a parameter object that is not an object.

    :param field: the :class:`~jotunheim.capability.schema.Field`, or None
    :param value: what came (None: nothing came for a required field)
    :param str tool: the tool's name
    """
    if field is None:
        return ToolParameterError(tool, None, "an object of parameters", describe(value))
    kind = field.type
    text = expected(field)
    # The types a value of each kind may have (bool is an int: a Number refuses it first).
    types = {"Number": (int, float), "Boolean": bool, "String": str, "Object": dict}
    if value is None:
        found = "nothing (it is required)"
    elif kind == "Number" and isinstance(value, bool):
        found = "Boolean %r" % (value,)
    elif kind == "Number" and isinstance(value, (int, float)) and value - value:
        found = repr(value)  # NaN or infinity
    elif isinstance(value, types.get(kind, list)):
        found = value_text(value)  # the right type: out of range, or not one of the enum
    else:
        found = describe(value)
        if kind == "Boolean":
            text = "Boolean (true/false)"
        elif kind != "Number" and kind != "String":
            text = kind
    return ToolParameterError(tool, field.name, text, found)


def unknown_parameter(fields, name, tool: str = ""):
    """The ToolParameterError for parameter ``name``, which none of ``fields`` declares: it
    lists the names they do declare."""
    names = []
    for field in fields:
        names.append(field.name)
    names = ", ".join(sorted(names)) or "no parameters"
    return ToolParameterError(tool, name, "one of: " + names, "an unknown parameter")


def part_refusal(name, driver, kind, key, taken):
    """The error for a part ``registry.add_sensor``/``add_actuator`` refuses: a sensor
    without ``read()`` or an actuator without ``set()`` (TypeError), a name with no letters
    or digits (its ``key``, the slug, is empty), or one whose slug part ``taken`` has."""
    method = "read" if kind == "sensor" else "set"
    if not callable(getattr(driver, method, None)):
        return TypeError("%s %r has no %s()" % (kind, name, method))
    if not key:
        return ValueError("part name %r has no letters or digits" % name)
    return ValueError("a part named %r is already registered" % taken)


def setting(name, error):
    """The error of a refused setting: what :meth:`~jotunheim.capability.drivers.Actuator.set`
    raises as tool ``name`` (``"set_led"``): ``error`` (a ToolParameterError of the
    settings) named for the tool, or, with ``error`` None, a ValueError: no value was given."""
    if error is None:
        return ValueError(name + " needs at least one value")
    return ToolParameterError(name, error.parameter, error.expected, error.found)


def failed(part, error, tool=None):
    """The DriverError of a part that failed: ``part`` (a
    :class:`~jotunheim.capability.drivers.Sensor`) whose every measurement failed, the last
    with ``error``; or, given ``tool`` (a :class:`~jotunheim.capability.schema.PartTool`
    of ``part``), whose sensor answered without the tool's reading."""
    if tool is not None:
        text = "%s: sensor %r gave no %s" % (tool.part, tool.instance, tool.reading)
    else:
        text = "%s: read failed after %d attempts: %s" % (part.part, part.attempts, error)
    return DriverError(text)
