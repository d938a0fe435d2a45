# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Secrets from ``settings.toml`` (and, on CPython, environment variables).

On CircuitPython 8+ ``os.getenv`` reads ``/settings.toml`` itself. Elsewhere (CPython, the
MicroPython test interpreter) this module reads ``settings.toml`` from the root folder with
a small reader for the subset CircuitPython supports: top-level ``KEY = "string"``,
``KEY = 'literal'`` and ``KEY = 123`` lines, ``#`` comments; keys after a ``[table]`` header
are ignored, as CircuitPython does. Environment variables override the file on CPython, so
a simulator can be given a token without writing it to disk.
"""

import os

from jotunheim.compat import IMPLEMENTATION, IS_CPYTHON


def parse_toml(text: str) -> tuple:
    """Parse the settings.toml subset; returns ``(values, errors)`` where errors are
    strings naming the line. Bad lines are skipped, never fatal."""
    # A separate module: CircuitPython's os.getenv reads the file itself, so a board never
    # pays for this parser.
    from jotunheim.settings import tomlreader  # noqa: PLC0415

    return tomlreader.parse_toml(text)


def default_root() -> str:
    """The folder that plays CIRCUITPY: "/" on a board, the working folder elsewhere
    (or ``$JOTUNHEIM_ROOT`` on CPython)."""
    if IMPLEMENTATION == "circuitpython":
        return "/"
    environ = getattr(os, "environ", None)
    if environ is not None and environ.get("JOTUNHEIM_ROOT"):
        return environ["JOTUNHEIM_ROOT"]
    try:
        return os.getcwd()
    except (AttributeError, OSError):
        return "/"


def join(root: str, name: str) -> str:
    """``root`` and ``name`` joined with one ``/``."""
    if root.endswith("/"):
        return root + name
    return root + "/" + name


class Secrets:
    """:param root: folder holding settings.toml (default :func:`default_root`)
    :param environ: mapping that overrides the file (default ``os.environ`` on CPython;
        pass ``{}`` to ignore the environment)
    :param bool use_getenv: use ``os.getenv`` (default: on CircuitPython only)

    ``path`` is the settings.toml file read; ``errors`` what was wrong in it.
    """

    def __init__(self, root=None, environ=None, use_getenv=None) -> None:
        self.root = root if root is not None else default_root()
        self.path = join(self.root, "settings.toml")
        if environ is None and IS_CPYTHON:
            environ = getattr(os, "environ", None)
        self.environ = environ
        if use_getenv is None:
            use_getenv = IMPLEMENTATION == "circuitpython" and hasattr(os, "getenv")
        self.use_getenv = use_getenv
        self.errors = []
        self._values = None
        self._signature = None

    def get(self, key: str, default=None):
        """The value of ``key`` or ``default``."""
        environ = self.environ
        if environ is not None and key in environ:
            return environ[key]
        if self.use_getenv:
            value = os.getenv(key)
            return default if value is None else value
        # Read again only when the file's size or mtime changed.
        try:
            info = os.stat(self.path)
            signature = (info[6], info[8])
        except OSError:
            self._values, self._signature, self.errors = {}, None, []
            return default
        if self._values is None or signature != self._signature:
            try:
                with open(self.path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                self.errors = ["cannot read {}: {}".format(self.path, exc)]
                data = b""
            else:
                self.errors = []
            # Where the board's os.getenv reads the file, this code never runs.
            from jotunheim.settings import tomlreader  # noqa: PLC0415

            values, errors = tomlreader.parse_toml_bytes(data, self.path)
            self.errors.extend(errors)
            self._values, self._signature = values, signature
        return self._values.get(key, default)

    __call__ = get

    def is_set(self, key: str) -> bool:
        """True if ``key`` has a non-empty value."""
        value = self.get(key)
        return value is not None and value != ""
