"""Registry code few devices run: raw GPIO, generic part tools, system tools, removal."""

# jotunheim.capability.registry imports this module on first use: a device whose parts all
# declare their readings/settings, with no raw GPIO and no system tools, never loads it.
# Every function takes the ToolRegistry as its first argument where it needs one.

from jotunheim.capability.registry import ACTUATOR, GPIO, SENSOR, SYSTEM, Tool
from jotunheim.capability.schema import BOOLEAN, NUMBER, OBJECT, STRING, Field, ToolParameterError

# ------------------------------------------------------------ ToolRegistry.remove and .call


def remove(reg, name):
    for i, entry in enumerate(reg._parts):
        if entry[0] == name:
            del reg._parts[i]
            reg._changed(entry[2] + "_removed")
            return
    for i, tool in enumerate(reg._custom):
        if tool.name == name:
            del reg._custom[i]
            reg._changed("tool_removed")
            return
    raise KeyError(name)


def parse_json_params(tool_name, text):
    # ToolRegistry.call with parameters as JSON text.
    import json

    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except ValueError:
        raise ToolParameterError(tool_name, None, "a JSON object of parameters", "invalid JSON")


# ------------------------------------------------------------ system tools


def add_system_tools(reg, reboot, ota_update):
    def do_reboot():
        if reboot is not None:
            return reboot()
        import microcontroller

        microcontroller.reset()
        return None

    reg.add_tool("reboot", do_reboot, "Restart the device", (), True, kind=SYSTEM)
    if ota_update is not None:
        reg.add_tool(
            "ota_update",
            ota_update,
            "Install a signed firmware update from a manifest URL",
            (Field("manifest_url", STRING, required=True, description="Manifest URL"),),
            True,
            kind=SYSTEM,
        )


# ------------------------------------------------------------ raw GPIO


def allow_gpio(reg, pins, user_only, board):
    allowed = {}
    if isinstance(pins, dict):
        allowed.update(pins)
    else:
        for item in pins:
            number, obj = _resolve_pin(item, board)
            allowed[number] = obj
    for number in list(reg._gpio_io):
        if number not in allowed:
            # Release pins no longer offered, so user code can claim them.
            io = reg._gpio_io.pop(number)
            if hasattr(io, "deinit"):
                io.deinit()
    reg._gpio = allowed
    reg._gpio_user_only = user_only
    reg._changed("gpio_changed")


def _resolve_pin(item, board):
    from jotunheim.capability import pins

    if isinstance(item, int) and not isinstance(item, bool):
        table = pins.numbered_pins(board or _import_board(), _import_microcontroller())
        if item not in table:
            raise ValueError("pin %d is not a pin of this board" % item)
        return item, table[item][1]
    if isinstance(item, str):
        board = board or _import_board()
        obj = getattr(board, item, None)
        if obj is None:
            raise ValueError("board has no pin %r" % item)
        item = obj
    for number, _, obj in pins.board_pins(board or _import_board(), _import_microcontroller()):
        if obj is item:
            if number is None:
                raise ValueError("no pin number known for %r" % item)
            return number, obj
    raise ValueError("%r is not a pin of this board" % (item,))


def gpio_tools(reg):
    numbers = [str(n) for n in sorted(reg._gpio)]
    pin = Field("pin", NUMBER, enum=numbers, required=True, description="GPIO pin number")
    level = Field("value", BOOLEAN, required=True, description="Output level")
    return (
        Tool(
            "gpio_read",
            lambda v: bool(_gpio_pin_io(reg, int(v["pin"]), False).value),
            description="Read the level of an allowed GPIO pin",
            params=(pin,),
            return_type=BOOLEAN,
            user_only=reg._gpio_user_only,
            kind=GPIO,
        ),
        Tool(
            "gpio_write",
            lambda v: _gpio_write(reg, int(v["pin"]), v["value"]),
            description="Drive an allowed GPIO pin high (true) or low (false)",
            params=(pin, level),
            return_type=BOOLEAN,
            user_only=reg._gpio_user_only,
            kind=GPIO,
        ),
    )


def _gpio_pin_io(reg, number, output):
    io = reg._gpio_io.get(number)
    if io is None:
        pin = reg._gpio[number]
        if reg._gpio_factory is not None:
            io = reg._gpio_factory(pin)
        else:
            import digitalio

            io = digitalio.DigitalInOut(pin)
        if not output and hasattr(io, "switch_to_input"):
            io.switch_to_input()
        reg._gpio_io[number] = io
    if output and hasattr(io, "switch_to_output"):
        io.switch_to_output()
    return io


def _gpio_write(reg, number, value):
    io = _gpio_pin_io(reg, number, True)
    io.value = value
    return bool(value)


def _import_board():
    import board

    return board


def _import_microcontroller():
    try:
        import microcontroller

        return microcontroller
    except ImportError:
        return None


# ------------------------------------------------------------ generic part tools


def generic_sensor_tool(entries):
    by_name = {}
    for name, driver in entries:
        by_name[name] = driver
    names = [n for n, _ in entries]

    def handler(values):
        return by_name[values["sensor"]].read()

    return Tool(
        "read_sensor",
        handler,
        description="Read every value of a sensor that has no tool of its own",
        params=(Field("sensor", STRING, enum=names, required=True, description="Sensor name"),),
        kind=SENSOR,
    )


def generic_actuator_tools(entries):
    by_name = {}
    for name, driver in entries:
        by_name[name] = driver
    names = [n for n, _ in entries]
    which = Field("actuator", STRING, enum=names, required=True, description="Actuator name")

    def set_handler(values):
        return by_name[values["actuator"]].set(**values["values"])

    out = [
        Tool(
            "set_actuator",
            set_handler,
            description="Set an actuator that has no tool of its own",
            params=(
                which,
                Field("values", OBJECT, required=True, description="Settings as an object"),
            ),
            kind=ACTUATOR,
        )
    ]
    stateful = [n for n, d in entries if callable(getattr(d, "state", None))]
    if stateful:
        out.append(
            Tool(
                "get_actuator_state",
                lambda values: by_name[values["actuator"]].state(),
                description="Current state of an actuator that has no tool of its own",
                params=(
                    Field("actuator", STRING, enum=stateful, required=True, description="Actuator"),
                ),
                kind=ACTUATOR,
            )
        )
    return out
