# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A hot reload of a :class:`~jotunheim.settings.loader.SettingsLoader`: load the file
again, name the top-level sections that changed, and tell the loader's callbacks.

Loaded by the first reload (:meth:`~jotunheim.settings.loader.SettingsLoader.reload`,
which ``poll()`` calls when the file's size or mtime changed): a board whose settings
never change never loads it.
"""

# The top-level keys in schema order: the order a reload names changed sections in.
SECTIONS = (
    "version", "capabilities", "network", "resources", "scheduler", "ota", "remote",
    "logging", "discovery", "power",
)  # fmt: skip


def run(loader) -> list:
    """Load ``loader``'s file now; if sections changed, run its callbacks
    (``func(changed, settings)``; one that raises is logged, the others still run).
    Returns the names of the sections that changed, in schema order."""
    settings = loader.settings  # before (never None: reload() makes the defaults first)
    new = loader.load()
    changed = []
    if new is settings:  # the file was refused: the settings stay
        return changed
    for name in SECTIONS:
        if new.get(name) != settings.get(name):
            changed.append(name)
    for func in loader.listeners if changed else ():
        try:
            func(changed, new)
        except Exception as exc:  # noqa: BLE001 - one bad observer must not stop others
            if loader.logger is not None:
                loader.logger.error("settings callback failed: {}".format(exc))
    return changed
