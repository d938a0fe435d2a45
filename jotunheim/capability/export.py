# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Tools as protocol messages: JotunheimCapabilities tools, Loki RegisterScript, Einherjar.

Every function takes tools (a :class:`~jotunheim.capability.registry.ToolRegistry`'s
:meth:`~jotunheim.capability.registry.ToolRegistry.tools`, or any sequence of
:class:`~jotunheim.capability.tool.Tool`). The registry does not import this module:
whoever builds or announces capabilities (the builder, the negotiator, the remote
service) imports it, so a device pays for it when it first answers such a request.

Example::

    from jotunheim.capability import export

    export.capability_tools(registry.tools())            # [jotunheim_capability.Tool]
    export.einherjar_functions(registry.tools())         # model-callable tools only
    export.loki_register_requests(registry.tools(), "192.168.1.42:8080", prefix="gh_")
"""

from jotunheim.capability.schema import TYPES, slug, value_text

try:
    from typing import Any  # noqa: F401  (annotations only)
except ImportError:  # a board: no typing, and no need to load collections
    pass
else:
    from collections.abc import Iterable  # noqa: F401


def json_text(value) -> str:
    """JSON text of a default value (``""`` when there is none)."""
    if value is None:
        return ""
    import json

    return json.dumps(value)


def capability_tool(tool):
    """``jotunheim_capability.Tool`` for ``tool``, with every schema field (range, enum,
    unit, default as JSON text)."""
    from jotunheim.pb import jotunheim_capability as cap

    return cap.Tool(
        name=tool.name,
        description=tool.description,
        parameters=[
            cap.ParameterDefinition(
                name=f.name,
                type=f.type,
                required=f.required,
                description=f.description,
                minimum=None if f.minimum is None else float(f.minimum),
                maximum=None if f.maximum is None else float(f.maximum),
                enum_values=[value_text(v) for v in f.enum or ()],
                unit=f.unit,
                default_value=json_text(f.default),
            )
            for f in tool.params
        ],
        return_type=tool.return_type,
        user_only=tool.user_only,
        unit=tool.unit,
    )


def capability_tools(tools: "Iterable") -> list:
    """:func:`capability_tool` of every tool, user-only ones included (marked as such)."""
    return [capability_tool(t) for t in tools]


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


def einherjar_function(tool):
    """``einherjar.FunctionDefinition`` for ``tool`` (JSON Schema type names, enum values,
    the tool kind as capability, part, instance and unit as keywords)."""
    from jotunheim.pb import einherjar

    # JSON Schema's type names are the capability protocol's in lower case.
    return einherjar.FunctionDefinition(
        name=tool.name,
        description=tool.description,
        parameters=[
            einherjar.ParameterDefinition(
                name=f.name,
                type=f.type.lower(),
                description=f.summary(),
                required=f.required,
                enum_values=[value_text(v) for v in f.enum or ()],
            )
            for f in tool.params
        ],
        return_type=tool.return_type.lower() if tool.return_type in TYPES else tool.return_type,
        capabilities=[tool.kind],
        responsibility_keywords=[k for k in (slug(tool.part), tool.instance, tool.unit) if k],
    )


def einherjar_functions(tools: "Iterable", *, include_user_only: bool = False) -> list:
    """:func:`einherjar_function` of every model-callable tool.

    :param tools: the tools
    :param bool include_user_only: also the user-only ones
    """
    return [einherjar_function(t) for t in tools if include_user_only or not t.user_only]


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
