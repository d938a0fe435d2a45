"""Tools as protocol messages: JotunheimCapabilities, Loki RegisterScript, Einherjar."""

# Used when capabilities are built or announced (GetCapabilities, Loki negotiation,
# Einherjar), not on every tool call, so jotunheim.capability.registry imports this module
# on first use. Tool and ToolRegistry keep their methods (tool.to_capability(), ...), which
# call the functions here.

from jotunheim.capability.schema import _show, slug

# The capability protocol's type names -> JSON Schema type names (Einherjar).
_JSON_SCHEMA_TYPES = {
    "Number": "number",
    "Boolean": "boolean",
    "String": "string",
    "Object": "object",
    "Array": "array",
}


def json_text(value):
    """JSON text of a default value ("" when there is none)."""
    if value is None:
        return ""
    import json

    return json.dumps(value)


def summary(field):
    # Field.summary(): description plus type/range/unit/default (Loki, Einherjar).
    extra = field.expected()
    if field.default is not None:
        extra = "%s, default %s" % (extra, _show(field.default))
    if field.description:
        return "%s (%s)" % (field.description, extra)
    return extra


def _enum_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _enum_texts(field):
    return [_enum_text(v) for v in field.enum] if field.enum else []


def to_capability(tool):
    from jotunheim.pb import jotunheim_capability as cap

    params = []
    for f in tool.params:
        params.append(
            cap.ParameterDefinition(
                name=f.name,
                type=f.type,
                required=f.required,
                description=f.description,
                minimum=None if f.minimum is None else float(f.minimum),
                maximum=None if f.maximum is None else float(f.maximum),
                enum_values=_enum_texts(f),
                unit=f.unit,
                default_value=json_text(f.default),
            )
        )
    return cap.Tool(
        name=tool.name,
        description=tool.description,
        parameters=params,
        return_type=tool.return_type,
        user_only=tool.user_only,
        unit=tool.unit,
    )


def loki_parameters(tool):
    from jotunheim.pb import loki

    return [
        loki.ParameterDefinition(
            name=f.name, type=f.type, required=f.required, description=summary(f)
        )
        for f in tool.params
    ]


def to_einherjar(tool):
    from jotunheim.pb import einherjar

    params = [
        einherjar.ParameterDefinition(
            name=f.name,
            type=_JSON_SCHEMA_TYPES[f.type],
            description=summary(f),
            required=f.required,
            enum_values=_enum_texts(f),
        )
        for f in tool.params
    ]
    keywords = [k for k in (slug(tool.part), tool.instance, tool.unit) if k]
    return einherjar.FunctionDefinition(
        name=tool.name,
        description=tool.description,
        parameters=params,
        return_type=_JSON_SCHEMA_TYPES.get(tool.return_type, tool.return_type),
        capabilities=[tool.kind],
        responsibility_keywords=keywords,
    )


def lua_string(text):
    """A Lua double-quoted string literal for ``text``."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 32:
            out.append("\\%03d" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def forwarding_script(device_address, tool_name, device_id=""):
    """The Lua body Loki runs for a device tool: forward the call (with its ``params``) to
    the device's CallTool with ``device.call(address, tool, params[, device_id])``."""
    args = [lua_string(device_address), lua_string(tool_name), "params"]
    if device_id:
        args.append(lua_string(device_id))
    return "return device.call(%s)" % ", ".join(args)


def loki_register_requests(tools, device_address, prefix, device_id, include_user_only):
    from jotunheim.pb import loki

    out = []
    for tool in tools:
        if tool.user_only and not include_user_only:
            continue
        out.append(
            loki.RegisterScriptRequest(
                name=prefix + tool.name,
                description=tool.description,
                language="lua",
                parameters=loki_parameters(tool),
                return_type=tool.return_type,
                inline_script=forwarding_script(device_address, tool.name, device_id),
            )
        )
    return out
