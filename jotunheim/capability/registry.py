# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The device's tool registry: every sensor reading and actuator becomes a typed tool.

::

    tools = ToolRegistry()
    tools.add_sensor("kitchen", DHT22(board.D4))
    tools.add_actuator("status", Led(board.LED))
    tools.add_provider(GpioTools([5, 6]))       # raw GPIO (jotunheim.capability.gpio)
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
  generic tools ``read_sensor(sensor)`` and ``set_actuator(actuator, values)``
  (:mod:`jotunheim.capability.generic`, imported only when such a part is registered);
- a *provider* (:meth:`ToolRegistry.add_provider`) is an object that owns its state and
  yields its own tools: raw GPIO (:class:`jotunheim.capability.gpio.GpioTools`), reboot
  and OTA (:class:`jotunheim.capability.system.SystemTools`), or one of your own;
- tools added with :meth:`ToolRegistry.add_tool` keep their given name.

User-only tools (raw GPIO by default, reboot, OTA) are exported with ``user_only=True``,
left out of the Loki and Einherjar exports, and refused by :meth:`ToolRegistry.call`
unless the caller passes ``allow_user_only=True`` (the device owner's own commands).
Protocol messages are built from :meth:`ToolRegistry.tools` by
:mod:`jotunheim.capability.export`; the registry does not import it.
"""

from jotunheim.capability import ToolPermissionError, UnknownToolError
from jotunheim.capability.schema import Tool, slug, validate


class PartTool(Tool):
    """A tool of a registered part: reads one of a sensor's readings (``reading``), sets
    an actuator (``params``: its settings) or reports its state (no ``params``).

    It holds its part and says the rest when asked: the handler is a method and the
    description is made on use, so a part's tools hold no closures and no text.
    """

    kind = "sensor"

    def __init__(self, name, driver, instance, kind, reading=None, params=()):
        self.name = name
        self.driver = driver
        self.instance = instance
        self.part = driver.part
        if kind != "sensor":
            self.kind = kind
            self.params = params
        if reading is not None:
            self.reading = reading.name
            self.return_type = reading.type
            self.unit = reading.unit

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


class ToolRegistry:
    """Sensors, actuators, providers and custom tools of one device, as tools.

    The tool table is built on first use and rebuilt after every change; a change that
    would give two tools one name is refused by the call that causes it, and the registry
    stays as it was.

    Example::

        reg = ToolRegistry()
        reg.add_actuator("status", Led(board.LED))
        reg.add_listener(print)                 # "actuator_added", ... after each change
        reg.call("set_led", '{"on": true}')     # -> {"on": True}
    """

    def __init__(self):
        # What is registered, in insertion order (read them; change them through add_*() and
        # jotunheim.capability.removal, which tell the listeners).
        self.parts = []  # (instance name, driver, "sensor" or "actuator")
        self.providers = []  # objects with tools()
        self.custom = []  # Tool objects from add_tool
        self._tools = None  # every Tool in order (a list: small, and ordered on a board)
        self._listeners = []

    # ------------------------------------------------------------ adding and removing

    def add_sensor(self, name: str, driver, kind: str = "sensor"):
        """Register sensor ``driver`` under instance ``name``; returns ``driver``.

        :param str name: instance name (``"kitchen"``), unique among the parts
        :param driver: any object with ``read()`` returning ``{reading: value}``; with
            ``part`` and ``readings`` declared it gets ``read_<part>_<reading>`` tools
        :param str kind: ``"actuator"`` when :meth:`add_actuator` registers one
        """
        key = slug(name)
        taken = None  # the part whose name has the same slug
        for entry in self.parts:
            if slug(entry[0]) == key:
                taken = entry[0]
        if (
            taken
            or not key
            or not callable(getattr(driver, "read" if kind == "sensor" else "set", None))
        ):
            # Only a refused part needs the words for it.
            from jotunheim.capability import refusals

            raise refusals.part_refusal(name, driver, kind, key, taken)
        self._add(self.parts, (name, driver, kind), kind)
        return driver

    def add_actuator(self, name: str, driver):
        """Register actuator ``driver`` under instance ``name``; returns ``driver``.

        :param str name: instance name (``"status_led"``), unique among the parts
        :param driver: any object with ``set(**values)``; with ``part`` and ``settings``
            declared it gets ``set_<part>`` (and ``get_<part>_state``) tools
        """
        return self.add_sensor(name, driver, "actuator")

    def add_tool(self, name: str, fn, *args, **kwargs):
        """A tool of your own: ``fn(**validated_params)`` returns a JSON-able result.

        ``add_tool(name, fn, description="", params=(), user_only=False, return_type=OBJECT,
        unit="", kind="custom")``; the arguments after ``fn`` go to
        :func:`jotunheim.capability.custom.tool`, which checks them.

        :param str name: the tool's name: lower case letters, digits, single ``_``
        :param fn: called with the validated parameters as keyword arguments
        :param str description: one line for humans and language models
        :param params: a sequence of :class:`~jotunheim.capability.schema.Field`
        :param bool user_only: only the device owner may call it
        :param str return_type: schema type of the result
        :param str unit: unit of the result
        :param str kind: tool kind (:class:`~jotunheim.capability.schema.Tool`)

        Example::

            reg.add_tool("water", lambda seconds: {"watered": seconds}, "Run the pump",
                         (Field("seconds", NUMBER, minimum=1, maximum=60, default=10),))
        """
        # Checked and made where custom tools are (a device with only parts never loads it).
        from jotunheim.capability import custom

        self._add(self.custom, custom.tool(self, name, fn, *args, **kwargs), "tool")

    def add_provider(self, provider):
        """Offer the tools of ``provider``; returns ``provider``.

        A provider owns its state and yields its tools from ``provider.tools()`` (called
        whenever the tool table is rebuilt). If it has ``attach(notify)``, it is handed
        :meth:`changed` to call when its tools change (pins allowed, ...). Its ``kind``
        (if any) names the change: ``"gpio_added"``.

        :param provider: e.g. :class:`jotunheim.capability.gpio.GpioTools`,
            :class:`jotunheim.capability.system.SystemTools`
        """
        from jotunheim.capability import custom

        custom.check(self, provider)
        self._add(self.providers, provider, getattr(provider, "kind", "provider"))
        attach = getattr(provider, "attach", None)
        if attach is not None:
            attach(self.changed)
        return provider

    def _add(self, items, entry, kind):
        # The table is built now, so a name clash is refused by the call that causes it
        # (and the registry stays as it was: its table is made again on next use).
        items.append(entry)
        self._tools = None
        try:
            self._table()
        except ValueError:
            items.pop()
            raise
        self.changed(kind + "_added")

    # ------------------------------------------------------------ listeners

    def add_listener(self, fn):
        """``fn(reason)`` is called after every change (``"sensor_added"``, ...)."""
        self._listeners.append(fn)

    def changed(self, reason: str):
        """The tools may have changed: rebuild the table on next use and tell listeners.

        Providers call it (they are handed it by :meth:`add_provider`).

        :param str reason: what changed (``"gpio_changed"``)
        """
        self._tools = None
        for fn in self._listeners:
            fn(reason)

    # ------------------------------------------------------------ queries

    def tools(self) -> list:
        """Every :class:`~jotunheim.capability.schema.Tool`, in a stable order: sensors,
        actuators, generic, providers, custom."""
        return list(self._table())

    def get(self, name: str) -> Tool:
        """The :class:`~jotunheim.capability.schema.Tool` named ``name``.

        :raises UnknownToolError: no tool of that name
        """
        for tool in self._table():
            if tool.name == name:
                return tool
        raise UnknownToolError("no tool named %r" % name)

    def call(self, name: str, params=None, allow_user_only: bool = False):
        """Run a tool; returns its JSON-able result.

        :param str name: the tool
        :param params: a dict, JSON text (``str``/``bytes``), or None
        :param bool allow_user_only: the caller is the device owner
        :raises UnknownToolError: no such tool
        :raises ToolPermissionError: a user-only tool without ``allow_user_only``
        :raises ToolParameterError: parameters that do not fit the tool's schema
        """
        tool = self.get(name)
        if tool.user_only and not allow_user_only:
            raise ToolPermissionError("%s is a user-only tool" % name)
        if isinstance(params, (str, bytes)):
            from jotunheim.capability import textinput

            params = textinput.parse_params(params, name)
        return tool.handler(validate(tool.params, params, name))

    # ------------------------------------------------------------ building the table

    def _table(self):
        # Built on first use after a change (changed() drops it).
        if self._tools is not None:
            return self._tools
        table = []
        # (kind, part slug) of each part with declarations, None for a part without (those
        # share the generic tools). Two parts of one kind get the instance as a suffix.
        keys = []
        for entry in self.parts:
            driver = entry[1]
            key = slug(getattr(driver, "part", None) or "")
            if key and getattr(driver, "readings" if entry[2] == "sensor" else "settings", ()):
                keys.append((entry[2], key))
            else:
                keys.append(None)
        parts = []  # the parts without declarations
        for i in range(len(keys)):
            entry = self.parts[i]
            name, driver, kind = entry
            key = keys[i]
            if key is None:
                parts.append(entry)
                continue
            # The tool names are made of the part's slug, and of the instance's when two
            # parts of one kind are registered.
            text = "_" + slug(name) if keys.count(key) > 1 else ""
            key = key[1]
            if kind == "sensor":
                for field in driver.readings:
                    tool = "read_%s_%s%s" % (key, slug(field.name), text)
                    table.append(PartTool(tool, driver, name, kind, field))
                continue
            action = getattr(driver, "action", None)
            if action:
                key += "_" + slug(action)
            table.append(PartTool("set_" + key + text, driver, name, kind, None, driver.settings))
            if callable(getattr(driver, "state", None)):
                table.append(PartTool("get_%s_state%s" % (keys[i][1], text), driver, name, kind))
        if parts:
            # Only parts that declare nothing need the generic tools: their module loads
            # when the first such part is registered.
            from jotunheim.capability import generic

            table.extend(generic.tools(parts))
        for provider in self.providers:
            table.extend(provider.tools())
        table.extend(self.custom)
        names = []
        for tool in table:
            if tool.name in names:
                raise ValueError("two tools would be named %r" % tool.name)
            names.append(tool.name)
        self._tools = table
        return table
