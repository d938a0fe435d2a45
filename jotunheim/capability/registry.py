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
from jotunheim.capability.schema import Tool, validate
from jotunheim.compat import run_and_forget

# What builds the tool table and checks additions: forgotten after each use (it runs only
# when something is added or the tools changed).
TABLE = "jotunheim.capability.tooltable"


class ToolRegistry:
    """Sensors, actuators, providers and custom tools of one device, as tools.

    The tool table is made by each addition (:mod:`jotunheim.capability.tooltable`, which
    the registry forgets after each use), and again on first use after a provider's tools
    changed or something was removed; an addition that would give two tools one name is
    refused by the call that causes it, and the registry stays as it was.

    Example::

        reg = ToolRegistry()
        reg.add_actuator("status", Led(board.LED))
        reg.add_listener(print)                 # "actuator_added", ... after each change
        reg.call("set_led", '{"on": true}')     # -> {"on": True}
    """

    # What is registered, in insertion order: tuples, made anew by each change, so a board
    # holds exactly what is registered (nothing: the class's empty tuple). Read them; change
    # them through add_*() and jotunheim.capability.removal, which tell the listeners.
    parts = ()  # (instance name, driver, "sensor" or "actuator")
    providers = ()  # objects with tools()
    custom = ()  # Tool objects from add_tool
    _tools = None  # every Tool in order (a list: small, and ordered on a board)
    _listeners = ()

    # ------------------------------------------------------------ adding and removing

    def add_sensor(self, name: str, driver, kind: str = "sensor"):
        """Register sensor ``driver`` under instance ``name``; returns ``driver``.

        :param str name: instance name (``"kitchen"``), unique among the parts
        :param driver: any object with ``read()`` returning ``{reading: value}``; with
            ``part`` and ``readings`` declared it gets ``read_<part>_<reading>`` tools
        :param str kind: ``"actuator"`` when :meth:`add_actuator` registers one
        """
        # Checked, and the table made with it, where the table is built.
        self._add(run_and_forget(TABLE, "add_part", self, name, driver, kind), kind)
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

        tool = custom.tool(self, name, fn, *args, **kwargs)
        self._add(run_and_forget(TABLE, "add", self, "custom", tool), "tool")

    def add_provider(self, provider):
        """Offer the tools of ``provider``; returns ``provider``.

        A provider owns its state and yields its tools from ``provider.tools()`` (called
        whenever the tool table is rebuilt). If it has ``attach(notify)``, it is handed
        :meth:`changed` to call when its tools change (pins allowed, ...). Its ``kind``
        (if any) names the change: ``"gpio_added"``.

        :param provider: e.g. :class:`jotunheim.capability.gpio.GpioTools`,
            :class:`jotunheim.capability.system.SystemTools`
        """
        table = run_and_forget(TABLE, "add_provider", self, provider)
        self._add(table, getattr(provider, "kind", "provider"))
        attach = getattr(provider, "attach", None)
        if attach is not None:
            attach(self.changed)
        return provider

    def _add(self, table, kind):
        # The table made with what was added (by the tooltable module, which refused a
        # name clash and left the registry as it was) is kept, and the listeners told.
        self._tools = table
        for fn in self._listeners:
            fn(kind + "_added")

    # ------------------------------------------------------------ listeners

    def add_listener(self, fn):
        """``fn(reason)`` is called after every change (``"sensor_added"``, ...)."""
        self._listeners += (fn,)

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
        # Made on first use after a change (changed() drops it), by the tooltable module.
        if self._tools is None:
            self._tools = run_and_forget(TABLE, "table", self)
        return self._tools
