# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Tools as Loki scripts: one ``loki.RegisterScriptRequest`` per model-callable tool, whose
inline Lua forwards a call to the device's CallTool.

Apart from :mod:`jotunheim.capability.export` (which re-exports it) so that a device that
registers its tools with Loki loads only this; ``export`` loads when a capability message
or an Einherjar answer is asked for.

Example::

    from jotunheim.capability.forwarding import loki_register_requests

    loki_register_requests(registry.tools(), "192.168.1.42:8080", prefix="gh_")
"""

try:
    from typing import Any  # noqa: F401  (annotations only)
except ImportError:  # a board: no typing, and no need to load collections
    pass
else:
    from collections.abc import Iterable  # noqa: F401


def loki_parameters(tool) -> list:
    """``loki.ParameterDefinition`` list for ``tool``; range, enum, unit and default go
    into the description (:meth:`Field.summary`), since Loki's schema has no fields for
    them."""
    from jotunheim.pb import loki

    return [
        loki.ParameterDefinition(
            name=f.name, type=f.type, required=f.required, description=f.summary()
        )
        for f in tool.params
    ]


def lua_string(text: str) -> str:
    """A Lua double-quoted string literal for ``text``."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            ch = "\\" + ch
        elif ch == "\n":
            ch = "\\n"
        elif ord(ch) < 32:
            ch = "\\%03d" % ord(ch)
        out.append(ch)
    out.append('"')
    return "".join(out)


def forwarding_script(device_address: str, tool_name: str, device_id: str = "") -> str:
    """The Lua body Loki runs for a device tool: forward the call (with its ``params``) to
    the device's CallTool with ``device.call(address, tool, params[, device_id])``."""
    text = "return device.call(%s, %s, params" % (lua_string(device_address), lua_string(tool_name))
    if device_id:
        text += ", " + lua_string(device_id)
    return text + ")"


def loki_register_requests(
    tools: "Iterable",
    device_address: str,
    *,
    prefix: str = "",
    device_id: str = "",
    include_user_only: bool = False,
) -> list:
    """One ``loki.RegisterScriptRequest`` per model-callable tool; its inline Lua script
    forwards the call to the device (:func:`forwarding_script`).

    :param tools: the tools
    :param str device_address: ``host:port`` Loki calls the device at
    :param str prefix: prepended to script names (Loki's are global: keeps two devices'
        ``set_led`` apart); the forwarded call uses the tool's own name
    :param str device_id: named in the forwarded call when given
    :param bool include_user_only: also the user-only tools
    """
    from jotunheim.pb import loki

    return [
        loki.RegisterScriptRequest(
            name=prefix + tool.name,
            description=tool.description,
            language="lua",
            parameters=loki_parameters(tool),
            return_type=tool.return_type,
            inline_script=forwarding_script(device_address, tool.name, device_id),
        )
        for tool in tools
        if include_user_only or not tool.user_only
    ]
