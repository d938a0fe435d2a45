# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A reader for the ``settings.toml`` subset CircuitPython supports.

Top-level ``KEY = "string"``, ``KEY = 'literal'`` and ``KEY = 123`` lines, ``#`` comments;
keys after a ``[table]`` header are ignored, as CircuitPython does. Used by
:class:`jotunheim.settings.secrets.Secrets` where ``os.getenv`` does not read the file
itself (CPython, the MicroPython test interpreter), so a board never loads it.
"""

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


def parse_toml_bytes(data, name="settings.toml") -> tuple:
    """:func:`parse_toml` for the file's bytes. Decoded line by line, so a line that is not
    UTF-8 loses that line (named in the errors), not the whole file, and never raises.

    :param bytes data: the file's content
    :param str name: the file, named in the errors
    """
    try:
        return parse_toml(data.decode("utf-8"))
    except UnicodeError:
        pass
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
