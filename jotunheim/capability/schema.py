# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Typed fields (a sensor reading, an actuator setting or a tool parameter), tools, and
validation.

One :class:`Field` describes a value: its type (the capability protocol's ``"Number"``,
``"Boolean"``, ``"String"``, ``"Object"``, ``"Array"``), unit, range, allowed values and
default. Drivers declare their readings and settings with it; the tool registry turns the
same declarations into tool parameters and checks every call with :func:`validate`.

Calls arrive as JSON (``ToolCallRequest.parameters``) or, through Loki, as strings (Loki's
parameters are a ``map<string, string>``), so a value may come as text: ``"21.5"`` is a
valid Number, ``"true"``/``"on"``/``"1"`` a valid Boolean, a JSON text a valid Object or
Array. Anything else raises :class:`~jotunheim.capability.errors.ToolParameterError` naming
the tool, the parameter, what was expected and what was found.

A :class:`Tool` is what a controller or a language model calls: its name, its parameters
as fields, and ``handler(values)``, which receives the parameters already checked by
:func:`validate` and returns a JSON-able result. The registry makes tools from parts and
providers; :mod:`jotunheim.capability.export` turns them into protocol messages.

A leaf of the capability package: it imports only :mod:`jotunheim.capability.errors`.

Example::

    angle = Field("angle", NUMBER, unit="deg", minimum=0, maximum=180, required=True)
    validate((angle,), {"angle": "90"}, "set_servo_angle")   # -> {"angle": 90}
"""

from jotunheim.capability.errors import ToolParameterError

NUMBER = "Number"
BOOLEAN = "Boolean"
STRING = "String"
OBJECT = "Object"
ARRAY = "Array"
TYPES = (NUMBER, BOOLEAN, STRING, OBJECT, ARRAY)


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

    unit = ""
    minimum = None
    maximum = None
    enum = None
    default = None
    required = False
    description = ""

    def __init__(
        self,
        name,
        type=NUMBER,  # noqa: A002 - the protocol calls it "type"
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
        # What is left at its default is read from the class: a field holds what it says.
        if unit:
            self.unit = unit
        if minimum is not None:
            self.minimum = minimum
        if maximum is not None:
            self.maximum = maximum
        if enum is not None:
            self.enum = tuple(enum)
        if default is not None:
            self.default = default
        if required:
            self.required = required
        if description:
            self.description = description

    def expected(self) -> str:
        """Short text of what this field accepts, for error messages and descriptions."""
        text = self.type
        if self.enum is not None:
            out = []
            for value in self.enum:
                out.append(value_text(value))
            return text + ", one of " + ", ".join(out)
        if self.minimum is not None and self.maximum is not None:
            text += " in %s..%s" % (value_text(self.minimum), value_text(self.maximum))
        elif self.minimum is not None:
            text += " >= " + value_text(self.minimum)
        elif self.maximum is not None:
            text += " <= " + value_text(self.maximum)
        if self.unit:
            text += " " + self.unit
        return text

    def summary(self) -> str:
        """Description plus type, range, unit and default in one line, for schemas that have
        no fields for them (Loki, Einherjar): ``"Target (Number >= -40.5 C, default 20)"``."""
        text = self.expected()
        if self.default is not None:
            text += ", default " + value_text(self.default)
        if self.description:
            return "%s (%s)" % (self.description, text)
        return text


class Tool:
    """One callable tool.

    :param str name: the tool's name (lower case letters, digits and ``_``)
    :param handler: callable(values) -> JSON-able result; ``values`` is the validated dict
    :param str description: one line for humans and language models
    :param params: the parameters, a sequence of :class:`~jotunheim.capability.schema.Field`
    :param str return_type: schema type of the result (``"Number"``, ..., default Object)
    :param str unit: unit of the result, if it is a quantity
    :param bool user_only: only the device owner may call it (reboot, OTA, raw GPIO);
        left out of the Loki and Einherjar exports
    :param str kind: what it reaches: ``"sensor"``, ``"actuator"``, ``"gpio"``,
        ``"system"`` or ``"custom"`` (exported as Einherjar's ``capabilities``)

    Attributes ``part`` (the part kind it reads or drives, ``"DHT22"``) and ``instance``
    (the part's instance name, ``"kitchen"``) are ``""`` except on the registry's part tools.

    Example::

        ping = Tool("ping", lambda values: "pong", description="Answer pong")
        ping.handler({})   # -> "pong"
    """

    # What a tool that does not say otherwise is (subclasses such as the registry's part
    # tools set only what differs).
    description = ""
    params = ()
    return_type = OBJECT
    unit = ""
    user_only = False
    kind = "custom"
    part = ""
    instance = ""

    def __init__(
        self,
        name: str,
        handler,
        description: str = "",
        params=(),
        return_type: str = OBJECT,
        unit: str = "",
        user_only: bool = False,
        kind: str = "custom",
    ):
        self.name = name
        self.handler = handler
        self.description = description
        self.params = tuple(params)
        self.return_type = return_type
        self.unit = unit
        self.user_only = user_only
        self.kind = kind


def validate(fields, params, tool: str = "") -> dict:
    """Check a call's ``params`` against ``fields``; return a new dict of converted values
    with defaults filled in. Unknown names, missing required values, wrong types,
    out-of-range numbers and values outside an enum raise ToolParameterError.

    :param fields: the tool's :class:`Field` declarations
    :param params: a dict of parameters, or None (no parameters)
    :param str tool: the tool's name, for error messages
    """
    if params is not None and not isinstance(params, dict):
        raise ToolParameterError(tool, None, "an object of parameters", describe(params))
    for name in params or ():
        for field in fields:
            if field.name == name:
                break
        else:
            names = []
            for field in fields:
                names.append(field.name)
            names = ", ".join(sorted(names)) or "no parameters"
            raise ToolParameterError(tool, name, "one of: " + names, "an unknown parameter")
    out = {}
    for field in fields:
        value = params.get(field.name) if params else None
        if value is None:
            if field.required:
                raise ToolParameterError(
                    tool, field.name, field.expected(), "nothing (it is required)"
                )
            if field.default is not None:
                out[field.name] = field.default
            continue
        kind = field.type
        found = None  # what came, when it does not fit
        expected = None  # what is expected, when it is not field.expected()
        if kind == NUMBER:
            if isinstance(value, str):
                text = value.strip()
                try:
                    value = int(text) if text.lstrip("+-").isdigit() else float(text)
                except ValueError:
                    pass  # still text: refused below as String '...'
            if isinstance(value, bool):
                found = "%s %r" % (BOOLEAN, value)
            elif not isinstance(value, (int, float)):
                found = describe(value)
            elif value - value:  # NaN or infinity: x - x is 0 for every other number
                found = repr(value)
        elif kind == BOOLEAN:
            text = value.strip().lower() if isinstance(value, str) else None
            if isinstance(value, bool):
                pass
            elif isinstance(value, int) and value in (0, 1):
                value = value == 1
            elif text in ("true", "1", "on", "yes"):
                value = True
            elif text in ("false", "0", "off", "no"):
                value = False
            else:
                expected = "Boolean (true/false)"
                found = describe(value)
        elif kind == STRING:
            if not isinstance(value, str):
                found = describe(value)
        else:  # Object or Array: also as JSON text
            if isinstance(value, str):
                import json

                try:
                    value = json.loads(value)
                except ValueError:
                    expected = kind + " (JSON)"
                    found = "invalid JSON"
            if kind == ARRAY and isinstance(value, tuple):
                value = list(value)
            if found is None and not isinstance(value, dict if kind == OBJECT else list):
                expected = kind
                found = describe(value)
        if found is None and field.enum is not None:
            # Enum values travel as strings (the schema's enum_values is repeated string).
            text = value_text(value)
            for other in field.enum:
                if value == other or text == value_text(other):
                    break
            else:
                found = text
        if found is None and kind == NUMBER:
            if (field.minimum is not None and value < field.minimum) or (
                field.maximum is not None and value > field.maximum
            ):
                found = value_text(value)
        if found is not None:
            raise ToolParameterError(tool, field.name, expected or field.expected(), found)
        out[field.name] = value
    return out


def parse_params(text, tool: str = ""):
    """Parameters given as JSON text (``str`` or UTF-8 ``bytes``): the parsed value; blank
    text is ``{}``. Invalid JSON raises ToolParameterError (:func:`validate` then checks
    the value is an object).

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


def value_text(value) -> str:
    """A value as schemas and messages write it: ``true``/``false``, ``12`` for 12.0,
    ``0.5``, text as it is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and abs(value) < 1e15 and value == int(value):
        return str(int(value))
    return str(value)


def describe(value) -> str:
    """What came, for an error message: ``null``, ``Number 5``, ``String 'x'``, ``Array``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, (int, float)):
        return "%s %s" % (NUMBER, value_text(value))
    if isinstance(value, str):
        return "%s %r" % (STRING, value)
    if isinstance(value, dict):
        return OBJECT
    if isinstance(value, (list, tuple)):
        return ARRAY
    return type(value).__name__


def slug(text) -> str:
    """Lower-case identifier: letters and digits kept, runs of anything else -> ``_``
    (``"DHT22-sim"`` -> ``"dht22_sim"``). Tool names are built from slugs."""
    out = []
    for c in str(text).lower():
        out.append(c if "a" <= c <= "z" or "0" <= c <= "9" else " ")
    return "_".join("".join(out).split())
