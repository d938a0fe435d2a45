# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Tool: one callable tool (name, parameter schema, the function behind it), and tool kinds.

A tool is what a controller or a language model calls: ``handler(values)`` receives the
parameters already checked against ``params`` (:func:`jotunheim.capability.schema.validate`)
and returns a JSON-able result. The registry makes tools from parts and providers;
:mod:`jotunheim.capability.export` turns them into protocol messages.
"""

from jotunheim.capability.schema import OBJECT

# Tool kinds (Tool.kind, and Einherjar's ``capabilities`` of a function).
SENSOR = "sensor"
ACTUATOR = "actuator"
GPIO = "gpio"
SYSTEM = "system"
CUSTOM = "custom"


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
    :param str kind: :data:`SENSOR`, :data:`ACTUATOR`, :data:`GPIO`, :data:`SYSTEM` or
        :data:`CUSTOM`
    :param str part: the part kind it reads or drives (``"DHT22"``), if any
    :param str instance: the part's instance name (``"kitchen"``), if any

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
    kind = CUSTOM
    part = ""
    instance = ""

    def __init__(
        self,
        name: str,
        handler,
        *,
        description: str = "",
        params=(),
        return_type: str = OBJECT,
        unit: str = "",
        user_only: bool = False,
        kind: str = CUSTOM,
        part: str = "",
        instance: str = "",
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
