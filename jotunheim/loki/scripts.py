# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``client.scripts.<name>``: Loki's scripts as Python functions (Loki's ``Script_<name>``).

Made by :attr:`jotunheim.loki.client.LokiClient.scripts` on first use, so a device that
only registers its tools with Loki never loads this module.
"""


class ScriptFunction:
    """``client.scripts.<name>``: call it to run the script, ``.stream()`` to stream it."""

    def __init__(self, client, name: str) -> None:
        self.client = client
        self.name = name

    def __call__(self, **parameters) -> str:
        """Run the script; returns its output, raises
        :class:`~jotunheim.loki.client.ScriptFailed` if it reported failure."""
        return self.client.execute_script(self.name, parameters, check=True).output

    def stream(self, **parameters):
        """Run the script and iterate over its ``ScriptChunk`` messages
        (:meth:`~jotunheim.loki.client.LokiClient.stream_script_execution`)."""
        return self.client.stream_script_execution(self.name, parameters)

    def __repr__(self) -> str:
        return "<Loki script " + self.name + ">"


class Scripts:
    """Dynamic access to Loki's scripts: ``scripts.<name>(**params)``; ``dir()`` lists
    the names from the last :meth:`~jotunheim.loki.client.LokiClient.list_scripts`
    (fetched on first use), kept in ``names``."""

    def __init__(self, client) -> None:
        self.client = client
        self.names = None

    def __getattr__(self, name: str) -> ScriptFunction:
        if name.startswith("__"):
            raise AttributeError(name)
        if name.startswith("Script_"):  # Loki's own spelling of the same function
            name = name[7:]
        return ScriptFunction(self.client, name)

    def __getitem__(self, name: str) -> ScriptFunction:
        return self.__getattr__(name)

    def refresh(self) -> list:
        """Fetch the script names again."""
        self.client.list_scripts()
        return list(self.names)

    def __dir__(self):
        if self.names is None:
            self.client.list_scripts()
        return list(self.names)

    def __iter__(self):
        return iter(self.__dir__())
