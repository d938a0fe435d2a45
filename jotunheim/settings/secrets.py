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

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f"}


def _parse_string(text: str, lineno: int):
    """Parse a basic (double-quoted) string starting at text[0] == '"'; returns
    (value, rest)."""
    out = []
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return "".join(out), text[i + 1 :]
        if ch == "\\":
            i += 1
            if i >= len(text):
                break
            esc = text[i]
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
            elif esc in ("u", "U"):
                width = 4 if esc == "u" else 8
                digits = text[i + 1 : i + 1 + width]
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    raise ValueError("line {}: bad \\{} escape".format(lineno, esc)) from None
                i += width
            else:
                raise ValueError("line {}: unknown escape \\{}".format(lineno, esc))
        else:
            out.append(ch)
        i += 1
    raise ValueError("line {}: unterminated string".format(lineno))


def parse_toml(text: str) -> tuple:
    """Parse the settings.toml subset; returns ``(values, errors)`` where errors are
    strings naming the line. Bad lines are skipped, never fatal."""
    values = {}
    errors = []
    in_table = False
    for lineno, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            in_table = True
            continue
        if in_table:
            continue
        if "=" not in stripped:
            errors.append("line {}: expected KEY = value".format(lineno))
            continue
        key, raw = stripped.split("=", 1)
        key = key.strip()
        raw = raw.strip()
        if not key or not _valid_key(key):
            errors.append("line {}: bad key {!r}".format(lineno, key))
            continue
        try:
            values[key] = _parse_value(raw, lineno)
        except ValueError as exc:
            errors.append(str(exc))
    return values, errors


def _valid_key(key: str) -> bool:
    for ch in key:
        if not (ch.isalpha() or ch.isdigit() or ch in "_-"):
            return False
    return True


def _parse_value(raw: str, lineno: int):
    if raw.startswith('"'):
        value, rest = _parse_string(raw, lineno)
    elif raw.startswith("'"):
        end = raw.find("'", 1)
        if end < 0:
            raise ValueError("line {}: unterminated string".format(lineno))
        value, rest = raw[1:end], raw[end + 1 :]
    else:
        token = raw.split("#", 1)[0].strip()
        rest = ""
        try:
            value = int(token.replace("_", ""), 0)
        except ValueError:
            raise ValueError(
                "line {}: value must be a string or an integer".format(lineno)
            ) from None
    rest = rest.strip()
    if rest and not rest.startswith("#"):
        raise ValueError("line {}: unexpected text after the value".format(lineno))
    return value


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
    if root.endswith("/"):
        return root + name
    return root + "/" + name


class Secrets:
    """:param root: folder holding settings.toml (default :func:`default_root`)
    :param environ: mapping that overrides the file (default ``os.environ`` on CPython;
        pass ``{}`` to ignore the environment)
    :param bool use_getenv: use ``os.getenv`` (default: on CircuitPython only)
    """

    def __init__(self, root=None, environ=None, use_getenv=None) -> None:
        self.root = root if root is not None else default_root()
        if environ is None:
            environ = getattr(os, "environ", None) if IS_CPYTHON else None
        self.environ = environ
        if use_getenv is None:
            use_getenv = IMPLEMENTATION == "circuitpython" and hasattr(os, "getenv")
        self.use_getenv = use_getenv
        self.errors = []
        self._values = None
        self._signature = None

    @property
    def path(self) -> str:
        return join(self.root, "settings.toml")

    def _file_values(self) -> dict:
        try:
            st = os.stat(self.path)
            signature = (st[6], st[8])
        except OSError:
            self._values, self._signature, self.errors = {}, None, []
            return self._values
        if self._values is None or signature != self._signature:
            try:
                with open(self.path) as handle:
                    text = handle.read()
            except OSError as exc:
                self.errors = ["cannot read {}: {}".format(self.path, exc)]
                text = ""
            else:
                self.errors = []
            values, errors = parse_toml(text)
            self.errors.extend(errors)
            self._values, self._signature = values, signature
        return self._values

    def get(self, key: str, default=None):
        """The value of ``key`` or ``default``."""
        if self.environ is not None and key in self.environ:
            return self.environ[key]
        if self.use_getenv:
            value = os.getenv(key)
            return default if value is None else value
        return self._file_values().get(key, default)

    def __call__(self, key: str, default=None):
        return self.get(key, default)

    def is_set(self, key: str) -> bool:
        value = self.get(key)
        return value is not None and value != ""
