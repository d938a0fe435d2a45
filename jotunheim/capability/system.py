# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""System tools: ``reboot`` and ``ota_update(manifest_url)``, user-only, as a provider.

::

    registry.add_provider(SystemTools(ota_update=agent.install))

Both are refused to language models and to callers without the owner token (they are
``user_only``), and never exported to Loki or Einherjar.
"""

from jotunheim.capability.schema import STRING, Field, Tool

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:  # a board: no typing, and no need to load collections
    pass
else:
    from collections.abc import Callable  # noqa: F401


class SystemTools:
    """Provider of the device's system tools (:meth:`ToolRegistry.add_provider`).

    :param reboot: callable() for ``reboot`` (default: ``microcontroller.reset``); its
        return value is the tool's result
    :param ota_update: callable(manifest_url) for ``ota_update``; without it there is no
        ``ota_update`` tool
    """

    kind = "system"

    def __init__(
        self,
        *,
        reboot: "Optional[Callable[[], object]]" = None,
        ota_update: "Optional[Callable[[str], object]]" = None,
    ):
        self.reboot = reboot
        self.ota_update = ota_update

    def tools(self) -> list:
        """``reboot`` and, when ``ota_update`` was given, ``ota_update``."""
        out = [
            Tool(
                "reboot",
                self._reboot,
                description="Restart the device",
                user_only=True,
                kind="system",
            )
        ]
        if self.ota_update is not None:
            out.append(
                Tool(
                    "ota_update",
                    lambda values: self.ota_update(values["manifest_url"]),
                    description="Install a signed firmware update from a manifest URL",
                    params=(
                        Field("manifest_url", STRING, required=True, description="Manifest URL"),
                    ),
                    user_only=True,
                    kind="system",
                )
            )
        return out

    def _reboot(self, values):
        if self.reboot is not None:
            return self.reboot()
        import microcontroller

        microcontroller.reset()
        return None
