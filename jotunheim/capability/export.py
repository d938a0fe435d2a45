# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Tools as protocol messages: JotunheimCapabilities tools, Loki RegisterScript, Einherjar.

Every function takes tools (a :class:`~jotunheim.capability.registry.ToolRegistry`'s
:meth:`~jotunheim.capability.registry.ToolRegistry.tools`, or any sequence of
:class:`~jotunheim.capability.schema.Tool`). The registry does not import this module:
whoever builds or answers capabilities (the builder, the remote
service) imports it, so a device pays for it when it first answers such a request.

Example::

    from jotunheim.capability import export

    export.capability_tools(registry.tools())            # [jotunheim_capability.Tool]
    export.einherjar_functions(registry.tools())         # model-callable tools only
    export.loki_register_requests(registry.tools(), "192.168.1.42:8080", prefix="gh_")
"""

from jotunheim.capability.negotiator import loki_register_requests, lua_string  # noqa: F401
from jotunheim.capability.schema import TYPES, slug
from jotunheim.capability.wording import summary, value_text

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
                description=summary(f),
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


def einherjar_answer(caps, tools: "Iterable", purpose=None):
    """Answer to Einherjar's ``GetCapabilities`` (``einherjar.CapabilityResponse``): every
    model-callable tool as a ``FunctionDefinition``; domains and keywords from the parts.

    :param caps: the device's ``JotunheimCapabilities``
    :param tools: the tools
    :param str purpose: text for ``purpose`` (default: made from name, type and tools)
    """
    from jotunheim.pb import einherjar

    hardware = caps.hardware
    keywords = []
    if hardware is not None:
        for name in hardware.sensors + hardware.actuators + hardware.interfaces:
            name = slug(name)
            if name and name not in keywords:
                keywords.append(name)
    return einherjar.CapabilityResponse(
        god_name=caps.device_name,
        purpose=purpose
        or "%s: %s device with %d tools" % (caps.device_name, caps.device_type, len(caps.tools)),
        functions=einherjar_functions(tools),
        responsibility_domains=["hardware", "sensors", "actuators"],
        responsibility_keywords=keywords,
    )
