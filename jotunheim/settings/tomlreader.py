# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A reader for the ``settings.toml`` subset CircuitPython supports.

Top-level ``KEY = "string"``, ``KEY = 'literal'`` and ``KEY = 123`` lines, ``#`` comments;
keys after a ``[table]`` header are ignored, as CircuitPython does. Used by
:class:`jotunheim.settings.secrets.Secrets` where ``os.getenv`` does not read the file
itself (CPython, the MicroPython test interpreter), so a board never loads it.
"""

import os

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f"}


def parse_toml(text: str) -> tuple:
    """Parse the settings.toml subset; returns ``(values, errors)`` where errors are
    strings naming the line. Bad lines are skipped, never fatal."""
    values = {}
    errors = []
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.strip()
        if line.startswith("["):
            break  # a [table]: CircuitPython reads no key after it
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            errors.append("line {}: expected KEY = value".format(lineno))
            continue
        key, line = line.split("=", 1)
        key = key.strip()
        valid = key != ""
        for ch in key:
            if not (ch.isalpha() or ch.isdigit() or ch in "_-"):
                valid = False
        if not valid:
            errors.append("line {}: bad key {!r}".format(lineno, key))
            continue
        try:
            values[key] = _value(line.strip())
        except ValueError as exc:
            errors.append("line {}: {}".format(lineno, exc))
    return values, errors


def read(secrets) -> dict:
    """The values of the settings.toml file in ``secrets.root`` (a
    :class:`~jotunheim.settings.secrets.Secrets`), read again only when the file's size or
    mtime changed (kept in ``secrets.values`` and ``secrets.signature``); what was wrong in
    it is in ``secrets.errors``. A missing file has no values."""
    path = secrets.path
    if path is None:
        path = secrets.path = secrets.root.rstrip("/") + "/settings.toml"
    try:
        info = os.stat(path)
    except OSError:
        secrets.values, secrets.signature, secrets.errors = {}, None, []
        return secrets.values
    signature = (info[6], info[8])  # size, mtime
    if secrets.values is None or signature != secrets.signature:
        errors = []
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError as exc:
            errors.append("cannot read {}: {}".format(path, exc))
            data = b""
        values, found = parse_toml_bytes(data, path)
        secrets.values, secrets.signature, secrets.errors = values, signature, errors + found
    return secrets.values


def parse_toml_bytes(data, name="settings.toml") -> tuple:
    """:func:`parse_toml` for the file's bytes. Decoded line by line, so a line that is not
    UTF-8 loses that line (named in the errors), not the whole file, and never raises.

    :param bytes data: the file's content
    :param str name: the file, named in the errors
    """
    # A newline byte is never part of a UTF-8 sequence: decoding line by line is decoding
    # the file, where it is valid.
    lines = []
    bad = []
    for lineno, line in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeError:
            bad.append("{} line {}: not valid UTF-8; line ignored".format(name, lineno))
            lines.append("")
    values, errors = parse_toml("\n".join(lines))
    return values, bad + errors


def _value(text: str):
    # One value: a "basic" string (escapes), a 'literal' string or an integer, then at most
    # a comment. Raises ValueError saying what is wrong (parse_toml adds the line).
    if text.startswith('"'):
        out = []
        i = 1
        while True:
            ch = text[i : i + 1]
            i += 1
            if ch == '"':
                break
            if ch == "\\":
                ch = text[i : i + 1]
                i += 1
                if ch in ("u", "U"):
                    width = 4 if ch == "u" else 8
                    try:
                        out.append(chr(int(text[i : i + width], 16)))
                    except ValueError:
                        raise ValueError("bad \\{} escape".format(ch)) from None
                    i += width
                    continue
                if ch and ch not in _ESCAPES:
                    raise ValueError("unknown escape \\" + ch)
                ch = _ESCAPES.get(ch, "")
            if not ch:
                raise ValueError("unterminated string")
            out.append(ch)
        value = "".join(out)
    elif text.startswith("'"):
        i = text.find("'", 1) + 1
        if not i:
            raise ValueError("unterminated string")
        value = text[1 : i - 1]
    else:
        try:
            return int(text.split("#", 1)[0].strip().replace("_", ""), 0)
        except ValueError:
            raise ValueError("value must be a string or an integer") from None
    text = text[i:].strip()
    if text and not text.startswith("#"):
        raise ValueError("unexpected text after the value")
    return value
