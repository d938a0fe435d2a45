# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Generic tools for parts that declare nothing: ``read_sensor``, ``set_actuator``,
``get_actuator_state``.

Any object with ``read()`` (a sensor) or ``set(**values)`` (an actuator) can be registered;
when it has no ``part`` name or no ``readings``/``settings`` declarations the registry
cannot give it tools of its own, so all such parts share these, picked by instance name.
:class:`~jotunheim.capability.registry.ToolRegistry` imports this module only when such a
part is registered.
"""

from jotunheim.capability.schema import OBJECT, STRING, Field, Tool


def _which(param, names, description):
    return Field(param, STRING, enum=names, required=True, description=description)


def tools(parts: list) -> list:
    """The generic tools for ``parts`` (``[(instance name, driver, "sensor"|"actuator")]``,
    the parts without declarations, in registration order): :func:`sensor_tools` of the
    sensors, then :func:`actuator_tools` of the actuators.

    :param parts: the parts without declarations
    """
    sensors = []
    actuators = []
    for name, driver, kind in parts:
        (sensors if kind == "sensor" else actuators).append((name, driver))
    return sensor_tools(sensors) + actuator_tools(actuators)


def sensor_tools(entries: list) -> list:
    """``[read_sensor]`` for ``entries`` (``[(instance name, driver)]``), or ``[]``.

    :param entries: the sensors without declarations, in registration order
    """
    if not entries:
        return []
    by_name = dict(entries)

    def handler(values):
        return by_name[values["sensor"]].read()

    return [
        Tool(
            "read_sensor",
            handler,
            description="Read every value of a sensor that has no tool of its own",
            params=(_which("sensor", [n for n, _ in entries], "Sensor name"),),
            kind="sensor",
        )
    ]


def actuator_tools(entries: list) -> list:
    """``set_actuator`` (and ``get_actuator_state`` when one of them has ``state()``) for
    ``entries`` (``[(instance name, driver)]``), or ``[]``.

    :param entries: the actuators without declarations, in registration order
    """
    if not entries:
        return []
    by_name = dict(entries)

    def set_handler(values):
        return by_name[values["actuator"]].set(**values["values"])

    out = [
        Tool(
            "set_actuator",
            set_handler,
            description="Set an actuator that has no tool of its own",
            params=(
                _which("actuator", [n for n, _ in entries], "Actuator name"),
                Field("values", OBJECT, required=True, description="Settings as an object"),
            ),
            kind="actuator",
        )
    ]
    stateful = [n for n, d in entries if callable(getattr(d, "state", None))]
    if stateful:
        out.append(
            Tool(
                "get_actuator_state",
                lambda values: by_name[values["actuator"]].state(),
                description="Current state of an actuator that has no tool of its own",
                params=(_which("actuator", stateful, "Actuator"),),
                kind="actuator",
            )
        )
    return out
