# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Secrets from ``settings.toml`` (and, on CPython, environment variables).

On CircuitPython 8+ ``os.getenv`` reads ``/settings.toml`` itself. Elsewhere (CPython, the
MicroPython test interpreter) ``settings.toml`` is read from the root folder with a small
reader (:mod:`jotunheim.settings.tomlreader`) for the subset CircuitPython supports:
top-level ``KEY = "string"``, ``KEY = 'literal'`` and ``KEY = 123`` lines, ``#`` comments;
keys after a ``[table]`` header are ignored, as CircuitPython does. Environment variables override the file on CPython, so
a simulator can be given a token without writing it to disk.
"""

import os

from jotunheim.compat import IMPLEMENTATION, IS_CPYTHON


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


class Secrets:
    """:param root: folder holding settings.toml (default :func:`default_root`)
    :param environ: mapping that overrides the file (default ``os.environ`` on CPython;
        pass ``{}`` to ignore the environment)
    :param bool use_getenv: use ``os.getenv`` (default: on CircuitPython only)

    Where ``os.getenv`` does not read the file (CPython, the MicroPython test interpreter),
    :mod:`jotunheim.settings.tomlreader` reads ``<root>/settings.toml``, again whenever
    its size or mtime changed: ``path`` is then the file read (None before the first
    read), ``errors`` what was wrong in it, ``values`` and ``signature`` what it read last.
    """

    errors = ()
    values = None
    signature = None
    path = None  # made by the first read: a board's os.getenv never needs it

    def __init__(self, root=None, environ=None, use_getenv=None) -> None:
        self.root = root if root is not None else default_root()
        if environ is None and IS_CPYTHON:
            environ = getattr(os, "environ", None)
        self.environ = environ
        if use_getenv is None:
            use_getenv = IMPLEMENTATION == "circuitpython" and hasattr(os, "getenv")
        self.use_getenv = use_getenv

    def get(self, key: str, default=None):
        """The value of ``key`` or ``default``."""
        environ = self.environ
        if environ is not None and key in environ:
            return environ[key]
        if self.use_getenv:
            value = os.getenv(key)
            return default if value is None else value
        # Where the board's os.getenv reads the file, this never loads.
        from jotunheim.settings import tomlreader  # noqa: PLC0415

        return tomlreader.read(self).get(key, default)

    __call__ = get
