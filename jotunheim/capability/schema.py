# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Typed fields: a sensor reading, an actuator setting or a tool parameter, and validation.

One :class:`Field` describes a value: its type (the capability protocol's ``"Number"``,
``"Boolean"``, ``"String"``, ``"Object"``, ``"Array"``), unit, range, allowed values and
default. Drivers declare their readings and settings with it; the tool registry turns the
same declarations into tool parameters and checks every call with :func:`validate`.

Calls arrive as JSON (``ToolCallRequest.parameters``) or, through Loki, as strings (Loki's
parameters are a ``map<string, string>``), so a value may come as text: ``"21.5"`` is a
valid Number, ``"true"``/``"on"``/``"1"`` a valid Boolean, a JSON text a valid Object or
Array. Anything else raises :class:`~jotunheim.capability.errors.ToolParameterError` naming
the tool, the parameter, what was expected and what was found.

A leaf of the capability package: it imports only :mod:`jotunheim.capability.errors`.

Example::

    angle = Field("angle", NUMBER, unit="deg", minimum=0, maximum=180, required=True)
    validate((angle,), {"angle": "90"}, "set_servo_angle")   # -> {"angle": 90}
"""

from jotunheim.capability.errors import ToolParameterError

try:
    from typing import Any, Optional  # noqa: F401  (annotations only)
except ImportError:  # a board: no typing, and no need to load collections
    pass
else:
    from collections.abc import Sequence  # noqa: F401

NUMBER = "Number"
BOOLEAN = "Boolean"
STRING = "String"
OBJECT = "Object"
ARRAY = "Array"
TYPES = (NUMBER, BOOLEAN, STRING, OBJECT, ARRAY)

_TRUE = ("true", "1", "on", "yes")
_FALSE = ("false", "0", "off", "no")
_INF = float("inf")


class Field:
    """A typed value with optional unit, range, enum and default.

    :param str name: identifier (letters, digits, ``_``)
    :param str type: one of :data:`TYPES`
    :param str unit: physical unit (``"C"``, ``"%"``, ``"hPa"``, ``"deg"``, ``"Hz"``)
    :param minimum: inclusive lower bound (Numbers), or None
    :param maximum: inclusive upper bound (Numbers), or None
    :param enum: allowed values (as a tuple/list), or None
    :param default: value used when a call leaves the parameter out, or None
    :param bool required: a call must give it
    :param str description: one line for humans and language models
    """

    def __init__(
        self,
        name,
        type=NUMBER,  # noqa: A002 - the protocol calls it "type"
        *,
        unit="",
        minimum=None,
        maximum=None,
        enum=None,
        default=None,
        required=False,
        description="",
    ):
        if type not in TYPES:
            raise ValueError("field %r: type must be one of %s, not %r" % (name, TYPES, type))
        self.name = name
        self.type = type
        self.unit = unit
        self.minimum = minimum
        self.maximum = maximum
        self.enum = tuple(enum) if enum is not None else None
        self.default = default
        self.required = required
        self.description = description

    def expected(self) -> str:
        """Short text of what this field accepts, for error messages and descriptions."""
        text = self.type
        if self.enum is not None:
            return "%s, one of %s" % (text, ", ".join(value_text(v) for v in self.enum))
        if self.minimum is not None and self.maximum is not None:
            text = "%s in %s..%s" % (text, _num(self.minimum), _num(self.maximum))
        elif self.minimum is not None:
            text = "%s >= %s" % (text, _num(self.minimum))
        elif self.maximum is not None:
            text = "%s <= %s" % (text, _num(self.maximum))
        if self.unit:
            text = "%s %s" % (text, self.unit)
        return text

    def summary(self) -> str:
        """Description plus type, range, unit and default in one line, for schemas that have
        no fields for them (Loki, Einherjar): ``"Target (Number >= -40.5 C, default 20)"``."""
        extra = self.expected()
        if self.default is not None:
            extra = "%s, default %s" % (extra, value_text(self.default))
        if self.description:
            return "%s (%s)" % (self.description, extra)
        return extra

    def check(self, value, tool: str = ""):
        """Return ``value`` converted to this field's type, or raise ToolParameterError.

        :param value: the value as it came (a Number may come as text, ``"21.5"``)
        :param str tool: the tool's name, for the error message
        """
        coerce = _COERCE[self.type]
        if coerce is dict or coerce is list:
            value = _coerce_json(self, value, tool, coerce)
        else:
            value = coerce(self, value, tool)
        if self.enum is not None and not _in_enum(value, self.enum):
            raise ToolParameterError(tool, self.name, self.expected(), value_text(value))
        if self.type == NUMBER:
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                raise ToolParameterError(tool, self.name, self.expected(), _num(value))
        return value

    def __repr__(self):
        return "Field(%r, %r)" % (self.name, self.type)


def validate(fields: "Sequence[Field]", params: "Optional[dict]", tool: str = "") -> dict:
    """Check a call's ``params`` against ``fields``; return a new dict of converted values
    with defaults filled in. Unknown names, missing required values, wrong types,
    out-of-range numbers and values outside an enum raise ToolParameterError.

    :param fields: the tool's :class:`Field` declarations
    :param params: a dict of parameters, or None (no parameters)
    :param str tool: the tool's name, for error messages
    """
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ToolParameterError(tool, None, "an object of parameters", _kind(params))
    known = {}
    for f in fields:
        known[f.name] = f
    for name in params:
        if name not in known:
            names = ", ".join(sorted(known)) if known else "no parameters"
            raise ToolParameterError(tool, name, "one of: " + names, "an unknown parameter")
    out = {}
    for f in fields:
        if f.name in params and params[f.name] is not None:
            out[f.name] = f.check(params[f.name], tool)
        elif f.required:
            raise ToolParameterError(tool, f.name, f.expected(), "nothing (it is required)")
        elif f.default is not None:
            out[f.name] = f.default
    return out


def _coerce_number(field, value, tool):
    if isinstance(value, bool):
        raise ToolParameterError(tool, field.name, field.expected(), "Boolean %r" % value)
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if _is_int_text(text) else float(text)
        except ValueError:
            raise ToolParameterError(tool, field.name, field.expected(), "String %r" % value)
    if not isinstance(value, (int, float)):
        raise ToolParameterError(tool, field.name, field.expected(), _kind(value))
    if value != value or value == _INF or value == -_INF:  # noqa: PLR0124 - NaN or infinity
        raise ToolParameterError(tool, field.name, field.expected(), repr(value))
    return value


def _is_int_text(text):
    body = text[1:] if text[:1] in ("-", "+") else text
    return body.isdigit()


def _coerce_boolean(field, value, tool):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ToolParameterError(tool, field.name, "Boolean (true/false)", "String %r" % value)
    raise ToolParameterError(tool, field.name, "Boolean (true/false)", _kind(value))


def _coerce_string(field, value, tool):
    if isinstance(value, str):
        return value
    raise ToolParameterError(tool, field.name, field.expected(), _kind(value))


def _coerce_json(field, value, tool, cls):
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            raise ToolParameterError(tool, field.name, field.type + " (JSON)", "invalid JSON")
    if cls is list and isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, cls):
        raise ToolParameterError(tool, field.name, field.type, _kind(value))
    return value


_COERCE = {
    NUMBER: _coerce_number,
    BOOLEAN: _coerce_boolean,
    STRING: _coerce_string,
    OBJECT: dict,  # JSON types: the class, for _coerce_json
    ARRAY: list,
}


def parse_params(text, tool: str = "") -> "Any":
    """Parameters given as JSON text (``str`` or UTF-8 ``bytes``): the parsed value; blank
    text is ``{}``. Invalid JSON raises ToolParameterError (:func:`validate` then checks
    the value is an object).

    :param text: the JSON text
    :param str tool: the tool's name, for the error message
    """
    import json

    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        raise ToolParameterError(tool, None, "a JSON object of parameters", "invalid JSON")


def _in_enum(value, enum):
    # Enum values travel as strings (the schema's enum_values is repeated string).
    for allowed in enum:
        if value == allowed or value_text(value) == value_text(allowed):
            return True
    return False


def _num(value):
    """12.0 -> "12", 0.5 -> "0.5" (stable text for numbers)."""
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def value_text(value) -> str:
    """A value as schemas and messages write it: ``true``/``false``, ``12`` for 12.0,
    ``0.5``, text as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _num(value)
    return str(value)


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, (int, float)):
        return "Number %s" % _num(value)
    if isinstance(value, str):
        return "String %r" % value
    if isinstance(value, dict):
        return "Object"
    if isinstance(value, (list, tuple)):
        return "Array"
    return type(value).__name__


def slug(text) -> str:
    """Lower-case identifier: letters and digits kept, runs of anything else -> ``_``
    (``"DHT22-sim"`` -> ``"dht22_sim"``). Tool names are built from slugs."""
    out = []
    gap = False
    for ch in str(text).lower():
        if ("a" <= ch <= "z") or ("0" <= ch <= "9"):
            if gap and out:
                out.append("_")
            out.append(ch)
            gap = False
        else:
            gap = True
    return "".join(out)
