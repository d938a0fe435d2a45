# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The tool table of a :class:`~jotunheim.capability.registry.ToolRegistry`: the checks
of what is added to it (a part, a provider, a custom tool) and the table made from its
parts, providers and custom tools by the naming rule of ``docs/capabilities.md``.

It runs only when something is added or the tools changed, never while a tool is called,
so the registry forgets this module after each use
(:func:`jotunheim.compat.run_and_forget`): on a board its code goes back to the heap, and
the next addition imports it again. It defines no classes and keeps no state (see
:func:`jotunheim.compat.forget`): the tools it makes are
:class:`~jotunheim.capability.schema.PartTool` objects, which hold no function of it.
"""

from jotunheim.capability.schema import PartTool, slug


def add_part(registry, name, driver, kind):
    """Register ``driver`` (a ``"sensor"`` or an ``"actuator"``, by ``kind``) under
    instance ``name`` (``registry.parts``); returns the new table (:func:`add`).

    :raises ValueError: another part's name has the same slug, the slug is empty, or the
        driver has no ``read()`` (a sensor) or ``set()`` (an actuator)
    """
    key = slug(name)
    taken = None  # the part whose name has the same slug
    for entry in registry.parts:
        if slug(entry[0]) == key:
            taken = entry[0]
    if (
        taken
        or not key
        or not callable(getattr(driver, "read" if kind == "sensor" else "set", None))
    ):
        # Only a refused part needs the words for it.
        from jotunheim.capability import refusals

        raise refusals.part_refusal(name, driver, kind, key, taken)
    return add(registry, "parts", (name, driver, kind))


def add_provider(registry, provider):
    """Offer the tools of ``provider`` (``registry.providers``); returns the new table.

    :raises TypeError: it has no ``tools()``
    :raises ValueError: it is registered already, or a tool name would clash
    """
    if not callable(getattr(provider, "tools", None)):
        raise TypeError("provider %r has no tools()" % (provider,))
    if provider in registry.providers:
        raise ValueError("provider %r is already registered" % (provider,))
    return add(registry, "providers", provider)


def add(registry, key, entry):
    """Add ``entry`` to the registry's tuple ``key`` (``"parts"``, ``"providers"``,
    ``"custom"``) and return the table made with it. The table is made now, so a name
    clash is refused by the call that causes it, and the registry stays as it was.

    :raises ValueError: two tools would have one name
    """
    items = getattr(registry, key)
    setattr(registry, key, items + (entry,))
    try:
        return table(registry)
    except ValueError:
        setattr(registry, key, items)
        raise


def table(registry) -> list:
    """Every tool of ``registry``, in order: sensors, actuators, generic, providers,
    custom.

    :raises ValueError: two tools would have one name
    """
    out = []
    # (kind, part slug) of each part with declarations, None for a part without (those
    # share the generic tools). Two parts of one kind get the instance as a suffix.
    keys = []
    for entry in registry.parts:
        driver = entry[1]
        key = slug(getattr(driver, "part", None) or "")
        if key and getattr(driver, "readings" if entry[2] == "sensor" else "settings", ()):
            keys.append((entry[2], key))
        else:
            keys.append(None)
    parts = []  # the parts without declarations
    for i in range(len(keys)):
        entry = registry.parts[i]
        name, driver, kind = entry
        key = keys[i]
        if key is None:
            parts.append(entry)
            continue
        # The tool names are made of the part's slug, and of the instance's when two
        # parts of one kind are registered.
        text = "_" + slug(name) if keys.count(key) > 1 else ""
        key = key[1]
        if kind == "sensor":
            for field in driver.readings:
                tool = PartTool("read_%s_%s%s" % (key, slug(field.name), text), driver, name)
                tool.reading = field.name
                tool.return_type = field.type
                if field.unit:  # else the class's "": a tool holds what it says
                    tool.unit = field.unit
                out.append(tool)
            continue
        action = getattr(driver, "action", None)
        if action:
            key += "_" + slug(action)
        tool = PartTool("set_" + key + text, driver, name)
        tool.kind = kind
        tool.params = driver.settings
        out.append(tool)
        if callable(getattr(driver, "state", None)):
            tool = PartTool("get_%s_state%s" % (keys[i][1], text), driver, name)
            tool.kind = kind
            out.append(tool)
    if parts:
        # Only parts that declare nothing need the generic tools: their module loads
        # when the first such part is registered.
        from jotunheim.capability import generic

        out.extend(generic.tools(parts))
    for provider in registry.providers:
        out.extend(provider.tools())
    out.extend(registry.custom)
    names = []
    for tool in out:
        if tool.name in names:
            raise ValueError("two tools would be named %r" % tool.name)
        names.append(tool.name)
    return out
