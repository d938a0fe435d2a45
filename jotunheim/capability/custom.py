# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A maker's own tools, checked and made into what a
:class:`~jotunheim.capability.registry.ToolRegistry` holds.

:meth:`~jotunheim.capability.registry.ToolRegistry.add_tool` imports this module on its
first call, so a device whose tools are all its parts' never loads it.
"""

from jotunheim.capability.schema import OBJECT, Tool, slug


def tool(
    registry,
    name,
    fn,
    description="",
    params=(),
    user_only=False,
    return_type=OBJECT,
    unit="",
    kind="custom",
):
    """The :class:`~jotunheim.capability.schema.Tool` that ``registry.add_tool`` registers:
    ``fn`` called with the validated parameters as keyword arguments. The arguments after
    ``registry`` are ``add_tool``'s (see :meth:`~jotunheim.capability.registry.ToolRegistry.add_tool`).

    :raises ValueError: ``name`` is not lower case letters, digits and single ``_``, or a
        custom tool of ``registry`` has it already
    """
    if slug(name) != name:
        raise ValueError("tool name %r must be lower case letters, digits, single _" % name)
    for other in registry.custom:
        if other.name == name:
            raise ValueError("a tool named %r is already registered" % name)
    return Tool(
        name, lambda values: fn(**values), description, params, return_type, unit, user_only, kind
    )
