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


def lua_string(text: str) -> str:
    """A Lua double-quoted string literal for ``text``."""
    out = '"'
    for i in text:  # one character at a time
        if i in '"\\':
            i = "\\" + i
        elif i == "\n":
            i = "\\n"
        elif ord(i) < 32:
            i = "\\%03d" % ord(i)
        out += i
    return out + '"'


def loki_register_requests(tools, address: str, prefix: str = "", device_id: str = "") -> list:
    """One ``loki.RegisterScriptRequest`` per model-callable tool (user-only tools are left
    out). Its inline Lua script forwards the call to the device:
    ``return device.call("<address>", "<tool>", params[, "<device_id>"])``. Range, enum,
    unit and default of a parameter go into its description (:meth:`Field.summary`), since
    Loki's schema has no fields for them.

    :param tools: the tools
    :param str address: ``host:port`` Loki calls the device at
    :param str prefix: prepended to script names (Loki's are global: keeps two devices'
        ``set_led`` apart); the forwarded call uses the tool's own name
    :param str device_id: named in the forwarded call when given
    """
    from jotunheim.pb import loki

    head = "return device.call(" + lua_string(address) + ", "
    suffix = ", " + lua_string(device_id) + ")" if device_id else ")"
    out = []
    for tool in tools:
        if not tool.user_only:
            out.append(
                loki.RegisterScriptRequest(
                    name=prefix + tool.name,
                    description=tool.description,
                    language="lua",
                    parameters=[
                        loki.ParameterDefinition(
                            name=field.name,
                            type=field.type,
                            required=field.required,
                            description=field.summary(),
                        )
                        for field in tool.params
                    ],
                    return_type=tool.return_type,
                    inline_script=head + lua_string(tool.name) + ", params" + suffix,
                )
            )
    return out
