# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Taking sensors, actuators, custom tools and providers out of a
:class:`~jotunheim.capability.registry.ToolRegistry` again.

A device that serves never does (its parts are wired once, in ``code.py``), so this is a
module of its own, loaded by the code that removes something: tests, the host simulator, a
maker who swaps a part at run time. Each removal tells the registry's listeners (``changed``),
as adding did::

    from jotunheim.capability.removal import remove, remove_provider

    remove(registry, "pump")          # "actuator_removed"
    remove_provider(registry, gpio)   # "gpio_removed" (the provider keeps its pins)
"""


def remove(registry, name: str):
    """Remove the sensor or actuator registered as ``name``, or custom tool ``name``.

    :param registry: the :class:`~jotunheim.capability.registry.ToolRegistry`
    :param str name: the part's instance name or the custom tool's name
    :raises KeyError: nothing of that name is registered
    """
    for entry in registry.parts:
        if entry[0] == name:
            registry.parts = _without(registry.parts, entry)
            registry.changed(entry[2] + "_removed")
            return
    for tool in registry.custom:
        if tool.name == name:
            registry.custom = _without(registry.custom, tool)
            registry.changed("tool_removed")
            return
    raise KeyError(name)


def remove_provider(registry, provider):
    """Stop offering ``provider``'s tools (it keeps its state; release it yourself).

    :param registry: the :class:`~jotunheim.capability.registry.ToolRegistry`
    :param provider: a provider given to ``add_provider``
    :raises KeyError: ``provider`` is not registered
    """
    if provider not in registry.providers:
        raise KeyError(provider)
    registry.providers = _without(registry.providers, provider)
    registry.changed(getattr(provider, "kind", "provider") + "_removed")


def _without(items, item):
    # The registry holds what is registered as tuples: one without ``item``.
    i = items.index(item)
    return items[:i] + items[i + 1 :]
