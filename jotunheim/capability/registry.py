"""The device's tool registry: every sensor reading and actuator becomes a typed tool.

::

    tools = ToolRegistry()
    tools.add_sensor("kitchen", DHT22(board.D4))
    tools.add_actuator("status", Led(board.LED))
    tools.allow_gpio([5, 6])                    # raw GPIO, user-only by default
    tools.call("read_dht22_temperature", {})    # -> 21.4
    tools.call("set_led", {"on": True})         # -> {"on": True}

Tool names (all lower case; a part name is "slugged": letters and digits kept, anything
else becomes ``_``, so ``"DHT22-sim"`` -> ``dht22_sim``):

- a sensor with declared readings: ``read_<part>_<reading>`` (``read_dht22_humidity``);
- an actuator with declared settings: ``set_<part>`` (``set_led``), or
  ``set_<part>_<action>`` when the adapter names an action (``set_servo_angle``), and
  ``get_<part>_state``;
- when a device has more than one part of a kind, every tool of that kind ends with the
  instance name: ``read_dht22_temperature_kitchen`` and ``read_dht22_temperature_garage``
  (adding the second one renames the first one's tools: a capability update);
- parts without declarations (any object with ``read()`` or ``set(**values)``) share the
  generic tools ``read_sensor(sensor)`` and ``set_actuator(actuator, values)``;
- ``gpio_read(pin)`` / ``gpio_write(pin, value)`` exist only for pins passed to
  :meth:`ToolRegistry.allow_gpio`;
- tools added with :meth:`ToolRegistry.add_tool` keep their given name.

User-only tools (raw GPIO by default, reboot, OTA) are exported with ``user_only=True``,
left out of the Loki and Einherjar exports, and refused by :meth:`ToolRegistry.call`
unless the caller passes ``allow_user_only=True`` (the device owner's own commands).
"""

from jotunheim.capability.schema import (
    OBJECT,
    UnknownToolError,
    slug,
    validate,
)

SENSOR = "sensor"
ACTUATOR = "actuator"
GPIO = "gpio"
SYSTEM = "system"
CUSTOM = "custom"

# Rarely needed code lives in modules loaded on first use (RAM on a board):
# jotunheim.capability.export (protocol messages for Loki, Einherjar, capabilities) and
# jotunheim.capability.tools_extra (raw GPIO, generic part tools, system tools).


def __getattr__(name):
    # lua_string and forwarding_script used to live here; importing them still works.
    if name in ("lua_string", "forwarding_script"):
        from jotunheim.capability import export

        return getattr(export, name)
    raise AttributeError(name)


class ToolPermissionError(Exception):
    """A user-only tool was called without ``allow_user_only``."""


class Tool:
    """One callable tool: name, schema and the function behind it.

    ``handler(params)`` receives validated parameters and returns a JSON-able result."""

    def __init__(
        self,
        name,
        handler,
        *,
        description="",
        params=(),
        return_type=OBJECT,
        unit="",
        user_only=False,
        kind=CUSTOM,
        part="",
        instance="",
    ):
        self.name = name
        self.handler = handler
        self.description = description
        self.params = tuple(params)
        self.return_type = return_type
        self.unit = unit
        self.user_only = user_only
        self.kind = kind
        self.part = part
        self.instance = instance

    def __repr__(self):
        return "Tool(%r)" % self.name

    # ------------------------------------------------------------ exports

    def to_capability(self):
        """``jotunheim.capability.Tool`` with every schema field."""
        from jotunheim.capability.export import to_capability

        return to_capability(self)

    def loki_parameters(self):
        """``loki.ParameterDefinition`` list; range, enum, unit and default go into the
        description since Loki's schema has no fields for them."""
        from jotunheim.capability.export import loki_parameters

        return loki_parameters(self)

    def to_einherjar(self):
        """``einherjar.FunctionDefinition`` (JSON Schema type names, enum values)."""
        from jotunheim.capability.export import to_einherjar

        return to_einherjar(self)


class ToolRegistry:
    """Sensors, actuators, GPIO and custom tools of one device, as tools.

    :param gpio_factory: callable(pin) -> a ``digitalio.DigitalInOut``-like object for the
        raw GPIO tools (default: ``digitalio.DigitalInOut``)
    """

    def __init__(self, *, gpio_factory=None):
        self._parts = []  # (instance name, driver, SENSOR|ACTUATOR) in insertion order
        self._custom = []  # Tool objects from add_tool
        self._gpio = {}  # pin number -> pin object (or None when only the number is known)
        self._gpio_user_only = True
        self._gpio_io = {}
        self._gpio_factory = gpio_factory
        self._tools = None  # name -> Tool, rebuilt after every change
        self._listeners = []

    # ------------------------------------------------------------ adding parts

    def add_sensor(self, name, driver):
        """Register sensor ``driver`` under instance ``name`` (e.g. "kitchen")."""
        if not callable(getattr(driver, "read", None)):
            raise TypeError("sensor %r has no read() method" % name)
        self._add_part(name, driver, SENSOR)
        return driver

    def add_actuator(self, name, driver):
        """Register actuator ``driver`` under instance ``name`` (e.g. "status_led")."""
        if not callable(getattr(driver, "set", None)):
            raise TypeError("actuator %r has no set(**values) method" % name)
        self._add_part(name, driver, ACTUATOR)
        return driver

    def _add_part(self, name, driver, kind):
        key = slug(name)
        if not key:
            raise ValueError("a part needs a name with letters or digits, not %r" % name)
        for other, _, _ in self._parts:
            if slug(other) == key:
                raise ValueError("a part named %r is already registered" % other)
        self._parts.append((name, driver, kind))
        self._check_names(self._parts)
        self._changed(kind + "_added")

    def remove(self, name):
        """Remove the sensor or actuator registered as ``name``, or custom tool ``name``."""
        from jotunheim.capability.tools_extra import remove

        remove(self, name)

    def add_tool(
        self,
        name,
        fn,
        description="",
        params=(),
        user_only=False,
        *,
        return_type=OBJECT,
        unit="",
        kind=CUSTOM,
    ):
        """A tool of your own: ``fn(**validated_params)`` returns a JSON-able result.
        ``params`` is a sequence of :class:`~jotunheim.capability.schema.Field`."""
        if slug(name) != name:
            raise ValueError(
                "tool name %r must be lower case letters, digits and single underscores" % name
            )
        for tool in self._custom:
            if tool.name == name:
                raise ValueError("a tool named %r is already registered" % name)

        def handler(values):
            return fn(**values)

        self._custom.append(
            Tool(
                name,
                handler,
                description=description,
                params=params,
                return_type=return_type,
                unit=unit,
                user_only=user_only,
                kind=kind,
            )
        )
        self._check_names(self._custom)
        self._changed("tool_added")

    def add_system_tools(self, *, reboot=None, ota_update=None):
        """The user-only ``reboot`` tool (default: ``microcontroller.reset``) and, when
        ``ota_update`` is given, ``ota_update(manifest_url)``."""
        from jotunheim.capability.tools_extra import add_system_tools

        add_system_tools(self, reboot, ota_update)

    def allow_gpio(self, pins, *, user_only=True, board=None):
        """Offer ``gpio_read``/``gpio_write`` for ``pins``: pin numbers, board pin names
        ("D4", "GP15") or pin objects, or a dict ``{number: pin}``. Raw GPIO is user-only
        unless ``user_only=False``. An empty list removes the GPIO tools."""
        from jotunheim.capability.tools_extra import allow_gpio

        allow_gpio(self, pins, user_only, board)

    def _check_names(self, added_to):
        """Build the tool table now, so a name clash is refused by the call that causes it
        (and the registry stays as it was)."""
        try:
            self._build()
        except ValueError:
            added_to.pop()
            raise

    # ------------------------------------------------------------ listeners

    def add_listener(self, fn):
        """``fn(reason)`` is called after every change (``"sensor_added"``, ...)."""
        self._listeners.append(fn)

    def _changed(self, reason):
        self._tools = None
        for fn in self._listeners:
            fn(reason)

    # ------------------------------------------------------------ queries

    def sensors(self):
        return [(n, d) for n, d, k in self._parts if k == SENSOR]

    def actuators(self):
        return [(n, d) for n, d, k in self._parts if k == ACTUATOR]

    def part_names(self, kind):
        """Part kinds for the hardware summary (``"DHT22"``, ``"LED"``; ``"Custom"`` for
        parts that do not name one), one entry per instance."""
        return [getattr(d, "part", None) or "Custom" for _, d, k in self._parts if k == kind]

    def gpio_pins(self):
        return sorted(self._gpio)

    def tools(self):
        """Every tool, in a stable order: sensors, actuators, generic, GPIO, custom."""
        return list(self._table().values())

    def names(self):
        return list(self._table())

    def get(self, tool_name):
        table = self._table()
        if tool_name not in table:
            raise UnknownToolError("no tool named %r" % tool_name)
        return table[tool_name]

    def validate(self, tool_name, params):
        """Validated, converted parameters for ``tool_name`` or ToolParameterError."""
        tool = self.get(tool_name)
        return validate(tool.params, params, tool_name)

    def call(self, tool_name, params=None, *, allow_user_only=False):
        """Run a tool; returns its JSON-able result. ``params`` may be a dict or JSON text."""
        tool = self.get(tool_name)
        if tool.user_only and not allow_user_only:
            raise ToolPermissionError("%s is a user-only tool" % tool_name)
        if isinstance(params, (str, bytes)):
            from jotunheim.capability.tools_extra import parse_json_params

            params = parse_json_params(tool_name, params)
        values = validate(tool.params, params, tool_name)
        return tool.handler(values)

    # ------------------------------------------------------------ exports

    def to_capability_tools(self):
        return [t.to_capability() for t in self.tools()]

    def to_loki_register_requests(
        self, device_address, *, prefix="", device_id="", include_user_only=False
    ):
        """One ``loki.RegisterScriptRequest`` per model-callable tool; its inline Lua
        script forwards the call to ``device_address`` (``host:port``) with
        ``device.call`` (naming ``device_id`` when given). Loki script names are global:
        ``prefix`` keeps two devices' ``set_led`` apart."""
        from jotunheim.capability.export import loki_register_requests

        return loki_register_requests(
            self.tools(), device_address, prefix, device_id, include_user_only
        )

    def to_einherjar_functions(self, *, include_user_only=False):
        return [t.to_einherjar() for t in self.tools() if include_user_only or not t.user_only]

    # ------------------------------------------------------------ building the table

    def _table(self):
        if self._tools is None:
            self._tools = self._build()
        return self._tools

    def _build(self):
        table = {}
        counts = {}
        for _, driver, kind in self._parts:
            if _declared(driver, kind):
                key = (kind, slug(driver.part))
                counts[key] = counts.get(key, 0) + 1
        generic_sensors = []
        generic_actuators = []
        for name, driver, kind in self._parts:
            if not _declared(driver, kind):
                (generic_sensors if kind == SENSOR else generic_actuators).append((name, driver))
                continue
            part = slug(driver.part)
            suffix = "_" + slug(name) if counts[(kind, part)] > 1 else ""
            if kind == SENSOR:
                tools = _sensor_tools(name, driver, part, suffix)
            else:
                tools = _actuator_tools(name, driver, part, suffix)
            for tool in tools:
                _put(table, tool)
        if generic_sensors or generic_actuators or self._gpio:
            from jotunheim.capability import tools_extra as extra

            if generic_sensors:
                _put(table, extra.generic_sensor_tool(generic_sensors))
            if generic_actuators:
                for tool in extra.generic_actuator_tools(generic_actuators):
                    _put(table, tool)
            if self._gpio:
                for tool in extra.gpio_tools(self):
                    _put(table, tool)
        for tool in self._custom:
            _put(table, tool)
        return table


def _declared(driver, kind):
    if not getattr(driver, "part", None) or not slug(driver.part):
        return False
    if kind == SENSOR:
        return bool(getattr(driver, "readings", ()))
    return bool(getattr(driver, "settings", ()))


def _put(table, tool):
    if tool.name in table:
        raise ValueError(
            "two tools would be named %r: rename a part or the custom tool" % tool.name
        )
    table[tool.name] = tool


def _sensor_tools(name, driver, part, suffix):
    out = []
    for reading in driver.readings:
        unit = (" (%s)" % reading.unit) if reading.unit else ""
        out.append(
            Tool(
                "read_%s_%s%s" % (part, slug(reading.name), suffix),
                _reader(driver, reading.name, name),
                description="Read %s%s from %s sensor %r"
                % (reading.name.replace("_", " "), unit, driver.part, name),
                return_type=reading.type,
                unit=reading.unit,
                kind=SENSOR,
                part=driver.part,
                instance=name,
            )
        )
    return out


def _reader(driver, reading, name):
    def handler(values):
        data = driver.read()
        if reading not in data or data[reading] is None:
            from jotunheim.capability.drivers.base import DriverError

            raise DriverError("%s: sensor %r gave no %s" % (driver.part, name, reading))
        return data[reading]

    return handler


def _actuator_tools(name, driver, part, suffix):
    action = getattr(driver, "action", None)
    base = "set_%s_%s" % (part, slug(action)) if action else "set_" + part
    out = [
        Tool(
            base + suffix,
            lambda values: driver.set(**values),
            description="Set %s actuator %r; returns its new state" % (driver.part, name),
            params=driver.settings,
            kind=ACTUATOR,
            part=driver.part,
            instance=name,
        )
    ]
    if callable(getattr(driver, "state", None)):
        out.append(
            Tool(
                "get_%s_state%s" % (part, suffix),
                lambda values: driver.state(),
                description="Current state of %s actuator %r" % (driver.part, name),
                kind=ACTUATOR,
                part=driver.part,
                instance=name,
            )
        )
    return out
