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
Array. Anything else raises :class:`~jotunheim.capability.ToolParameterError` naming
the tool, the parameter, what was expected and what was found.

A :class:`Tool` is what a controller or a language model calls: its name, its parameters
as fields, and ``handler(values)``, which receives the parameters already checked by
:func:`validate` and returns a JSON-able result. The registry makes tools from parts and
providers; :mod:`jotunheim.capability.export` turns them into protocol messages.

It imports nothing when it loads: :mod:`jotunheim.capability.refusals` (what a refused
value is told, with its ToolParameterError) only when a value is refused,
:mod:`jotunheim.capability.wording` only when a field is summarised or has an enum, and
:mod:`jotunheim.capability.textinput` only when a value comes as text.

Example::

    angle = Field("angle", NUMBER, unit="deg", minimum=0, maximum=180, required=True)
    validate((angle,), {"angle": "90"}, "set_servo_angle")   # -> {"angle": 90}
"""

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


class PartTool(Tool):
    """A tool of a part registered in a :class:`~jotunheim.capability.registry.ToolRegistry`:
    it reads one of a sensor's readings, sets an actuator or reports its state.

    Made by the registry's table (:mod:`jotunheim.capability.tooltable`), which sets what
    differs from a sensor's tool: ``reading`` (the reading's name), ``return_type`` and
    ``unit`` of a sensor's; ``kind`` (``"actuator"``) and ``params`` (its settings, none
    for the state tool) of an actuator's. It holds its part and says the rest when asked:
    the handler is a method and the description is made on use, so a part's tools hold no
    closures and no text.

    :param str name: the tool's name
    :param driver: the part
    :param str instance: the part's instance name
    """

    kind = "sensor"

    def __init__(self, name, driver, instance):
        self.name = name
        self.driver = driver
        self.instance = instance
        self.part = driver.part

    def handler(self, values):
        """Read the part's reading, apply ``values`` to the part, or return its state."""
        driver = self.driver
        if self.kind == "sensor":
            value = driver.read().get(self.reading)
            if value is None:
                # Only a failing part needs the words for it.
                from jotunheim.capability import refusals

                raise refusals.failed(driver, None, self)
            return value
        if self.params:
            return driver.set(**values)
        return driver.state()

    @property
    def description(self):
        """One line for humans and language models, made from the part and the reading."""
        from jotunheim.capability import wording

        return wording.part_description(self)


def validate(fields, params, tool: str = "") -> dict:
    """Check a call's ``params`` against ``fields``; return a new dict of converted values
    with defaults filled in. Unknown names, missing required values, wrong types,
    out-of-range numbers and values outside an enum raise ToolParameterError (made by
    :mod:`jotunheim.capability.refusals`, which says why and is loaded only then).

    :param fields: the tool's :class:`Field` declarations
    :param params: a dict of parameters, or None (no parameters)
    :param str tool: the tool's name, for error messages
    """
    if params is not None and not isinstance(params, dict):
        from jotunheim.capability import refusals

        raise refusals.refusal(None, params, tool)
    for name in params or ():
        for field in fields:
            if field.name == name:
                break
        else:
            from jotunheim.capability import refusals

            raise refusals.unknown_parameter(fields, name, tool)
    out = {}
    for field in fields:
        value = params.get(field.name) if params else None
        kind = field.type
        if value is None:
            if not field.required:
                if field.default is not None:
                    out[field.name] = field.default
                continue
            ok = False
        else:
            if kind != STRING and isinstance(value, str):
                # Loki's parameters are all strings; an Object or Array may come as JSON text.
                from jotunheim.capability import textinput

                value = textinput.from_text(field, value, tool)
            if kind == NUMBER:
                # value - value: 0 for every number but NaN and infinity
                ok = (
                    isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and not value - value
                    and (field.minimum is None or value >= field.minimum)
                    and (field.maximum is None or value <= field.maximum)
                )
            elif kind == BOOLEAN:
                if isinstance(value, int) and value in (0, 1):
                    value = value == 1  # True and False stay, 0 and 1 become them
                ok = isinstance(value, bool)
            elif kind == STRING:
                ok = isinstance(value, str)
            else:  # Object or Array
                if kind == ARRAY and isinstance(value, tuple):
                    value = list(value)
                ok = isinstance(value, dict if kind == OBJECT else list)
            if ok and field.enum is not None:
                # Enum values travel as strings (the schema's enum_values is repeated string).
                from jotunheim.capability import wording

                text = wording.value_text(value)
                ok = False
                for other in field.enum:
                    if value == other or text == wording.value_text(other):
                        ok = True
                        break
        if not ok:
            # Only a refused value needs the words for it.
            from jotunheim.capability import refusals

            raise refusals.refusal(field, value, tool)
        out[field.name] = value
    return out


def slug(text) -> str:
    """Lower-case identifier: letters and digits kept, runs of anything else -> ``_``
    (``"DHT22-sim"`` -> ``"dht22_sim"``). Tool names are built from slugs."""
    out = []
    for c in str(text).lower():
        out.append(c if "a" <= c <= "z" or "0" <= c <= "9" else " ")
    return "_".join("".join(out).split())
