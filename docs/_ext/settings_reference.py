# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Sphinx extension: the configuration reference, generated from the settings schema.

Two directives, used by ``docs/configuration.md``:

- ``settings-json-reference``: one table row per key of
  :func:`jotunheim.settings.schema.rows` (path, type, default, limits), with the meaning
  of the key taken from ``docs/settings-keys.txt``;
- ``settings-toml-reference``: one row per ``settings.toml`` key of
  :data:`jotunheim.settings.schema.TOML_KEYS`, meanings from the same file.

Types, defaults and limits come from the schema itself, so they cannot drift. A schema key
without a meaning, or a meaning for a key the schema does not have, is a Sphinx warning
(an error under ``-W``) naming the key and the file to edit.
"""

import os

from docutils import nodes
from docutils.parsers.rst import Directive

from jotunheim.settings import schema

MEANINGS_FILE = "settings-keys.txt"

TYPE_NAMES = {
    "bool": "bool",
    "int": "int",
    "num": "number",
    "str": "string",
    "url": "url",
    "ints": "list of int",
    "wifi": "wifi list",
}


def read_meanings(path):
    """Meanings of keys from ``path``: ``key | meaning`` lines; ``#`` starts a comment.

    A line that starts with whitespace continues the previous key's meaning.

    :param str path: the meanings file
    :returns: dict key -> meaning
    :raises ValueError: on a line that is neither a key line nor a continuation
    """
    meanings = {}
    last = None
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            text = line.rstrip("\n")
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            if text[0] in " \t" and last is not None:
                meanings[last] += " " + text.strip()
                continue
            key, sep, meaning = text.partition("|")
            if not sep or not key.strip():
                raise ValueError("%s:%d: expected 'key | meaning', found %r" % (path, number, text))
            last = key.strip()
            if last in meanings:
                raise ValueError("%s:%d: %s is described twice" % (path, number, last))
            meanings[last] = meaning.strip()
    return meanings


def limits_text(kind, low, high, choices):
    """The limits column for one schema row.

    :param str kind: the schema type
    :param low: lower bound or None
    :param high: upper bound or None
    :param choices: allowed values (str), longest list (ints, wifi) or None
    """
    if kind == "str" and choices:
        return ", ".join(choices)
    parts = []
    if low is not None or high is not None:
        span = "%s..%s" % ("" if low is None else low, "" if high is None else high)
        if kind in ("str", "url"):
            parts.append(span + " chars")
        elif kind == "ints":
            parts.append("each " + span)
        else:
            parts.append(span)
    if kind in ("ints", "wifi") and choices:
        parts.append("at most %d entries" % choices)
    return "; ".join(parts)


def default_text(kind, default):
    """The default column: the value as it is written in ``jotunheim.json``.

    :param str kind: the schema type
    :param default: the default value
    """
    if kind == "bool":
        return "true" if default else "false"
    if kind in ("str", "url"):
        return '"%s"' % default
    if kind in ("ints", "wifi"):
        return "[]"
    return str(default)


def json_rows():
    """``(key, type, default, limits)`` text for every schema key, in schema order."""
    for path, kind, default, low, high, choices in schema.rows():
        yield (
            path,
            TYPE_NAMES.get(kind, kind),
            default_text(kind, default),
            limits_text(kind, low, high, choices),
        )


def _table(headers, rows, literal_columns):
    table = nodes.table(classes=["settings-reference"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    head += _row(headers, ())
    body = nodes.tbody()
    group += body
    for cells in rows:
        body += _row(cells, literal_columns)
    return table


def _row(cells, literal_columns):
    row = nodes.row()
    for index, text in enumerate(cells):
        entry = nodes.entry()
        paragraph = nodes.paragraph()
        if index in literal_columns and text:
            paragraph += nodes.literal(text=text)
        else:
            paragraph += nodes.Text(text)
        entry += paragraph
        row += entry
    return row


class _Reference(Directive):
    has_content = False

    def meanings(self):
        env = self.state.document.settings.env
        path = os.path.join(env.srcdir, MEANINGS_FILE)
        env.note_dependency(path)
        try:
            return read_meanings(path)
        except (OSError, ValueError) as exc:
            self.warn("cannot read %s: %s" % (MEANINGS_FILE, exc))
            return {}

    def meaning(self, meanings, key):
        text = meanings.get(key)
        if text is None:
            self.warn(
                "settings key %s has no meaning in docs/%s: add a line '%s | ...'"
                % (key, MEANINGS_FILE, key)
            )
            return ""
        return text

    def warn(self, message):
        self.state.document.reporter.warning(message, line=self.lineno)


class SettingsJsonReference(_Reference):
    """The ``jotunheim.json`` table: every schema key with type, default, limits, meaning."""

    def run(self):
        """Build the table node."""
        meanings = self.meanings()
        known = set(r[0] for r in schema.rows()) | set(schema.TOML_KEYS)
        for key in meanings:
            if key not in known:
                self.warn(
                    "docs/%s describes %s, which the settings schema does not have"
                    % (MEANINGS_FILE, key)
                )
        rows = []
        for key, kind, default, limits in json_rows():
            rows.append((key, kind, default, limits, self.meaning(meanings, key)))
        headers = ("key", "type", "default", "limits", "meaning")
        return [_table(headers, rows, (0, 2))]


class SettingsTomlReference(_Reference):
    """The ``settings.toml`` table: every key Jotunheim reads there, with its meaning."""

    def run(self):
        """Build the table node."""
        meanings = self.meanings()
        rows = [(key, self.meaning(meanings, key)) for key in schema.TOML_KEYS]
        return [_table(("key", "meaning"), rows, (0,))]


def setup(app):
    """Register the two directives with Sphinx.

    :param app: the Sphinx application
    """
    app.add_directive("settings-json-reference", SettingsJsonReference)
    app.add_directive("settings-toml-reference", SettingsTomlReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
