# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Sphinx extension: the configuration reference, generated from the settings schema.

Two directives, used by ``docs/configuration.md``:

- ``settings-json-reference``: one table row per key of
  :func:`jotunheim.settings.schema.rows` (path, type, default, limits from the schema);
- ``settings-toml-reference``: one row per ``settings.toml`` key of
  :data:`jotunheim.settings.schema.TOML_KEYS`.

The meaning of each key is the last column of its row in the tables of
``docs/settings.md`` (where helpers document a key they add). Those rows are checked
against the schema: a schema key without a row, a row for a key the schema does not have,
or a row whose type, default or limits differ from the schema is a Sphinx warning (an error
under ``-W``) naming the key, so neither page can drift from the schema.
"""

import os
import re

from docutils import nodes
from docutils.parsers.rst import Directive

from jotunheim.settings import schema

MEANINGS_FILE = "settings.md"
# How docs/settings.md may spell a type.
ALIASES = {"str": "string", "num": "number"}

TYPE_NAMES = {
    "bool": "bool",
    "int": "int",
    "num": "number",
    "str": "string",
    "url": "url",
    "ints": "list of int",
    "wifi": "wifi list",
}


def read_rows(path):
    """The key rows of the Markdown tables in ``path``: key -> list of the other cells.

    A row is ``| `key` | cell | ... |``; the key is the first cell without backticks.

    :param str path: docs/settings.md
    :raises ValueError: when a key has two rows
    """
    rows = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            match = re.match(r"^\|\s*`([A-Za-z_][\w.]*)`\s*\|(.*)\|\s*$", line)
            if not match:
                continue
            key = match.group(1)
            if key in rows:
                raise ValueError("%s:%d: %s has two rows" % (path, number, key))
            rows[key] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def _number_text(value):
    if isinstance(value, float) and value == int(value) and abs(value) >= 1:
        return str(int(value))
    return str(value)


def row_problems(entry, cells):
    """What differs between a schema row and its docs/settings.md cells
    (type, default, limits, meaning); empty when they agree.

    :param tuple entry: ``(path, type, default, low, high, choices)`` from the schema
    :param list cells: the row's cells after the key
    """
    path, kind, default, low, high, choices = entry
    if len(cells) != 4:
        return ["expected 4 cells after the key (type, default, limits, meaning)"]
    kind_cell, default_cell, limits_cell, meaning = cells
    problems = []
    if ALIASES.get(kind_cell, kind_cell) != TYPE_NAMES.get(kind, kind):
        problems.append("type %r, the schema says %s" % (kind_cell, TYPE_NAMES.get(kind, kind)))
    if default_cell.strip("`") != default_text(kind, default):
        problems.append(
            "default %s, the schema says %s" % (default_cell, default_text(kind, default))
        )
    bounds = (high,) if kind in ("str", "url") and low == 0 else (low, high)  # "≤ 200 chars"
    wanted = [_number_text(v) for v in bounds if v is not None]
    if kind == "str" and choices:
        wanted = list(choices)
    elif kind in ("ints", "wifi") and choices:
        wanted.append(str(choices))
    for text in wanted:
        if not re.search(r"(?<![\w])%s(?![\w]|\.\d)" % re.escape(text), limits_cell):
            problems.append("limits %r lack %s from the schema" % (limits_cell, text))
    if not meaning:
        problems.append("no meaning")
    return problems


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


def inline_nodes(text):
    """Text with its Markdown code spans (`` `x` ``) as literal nodes.

    :param str text: one table cell
    """
    out = []
    for index, piece in enumerate(text.split("`")):
        if not piece:
            continue
        out.append(nodes.literal(text=piece) if index % 2 else nodes.Text(piece))
    return out


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
            paragraph.extend(inline_nodes(text))
        entry += paragraph
        row += entry
    return row


class _Reference(Directive):
    has_content = False

    def documented(self):
        """The key rows of docs/settings.md (and a rebuild when it changes)."""
        env = self.state.document.settings.env
        path = os.path.join(env.srcdir, MEANINGS_FILE)
        env.note_dependency(path)
        try:
            return read_rows(path)
        except (OSError, ValueError) as exc:
            self.warn("cannot read docs/%s: %s" % (MEANINGS_FILE, exc))
            return {}

    def missing(self, key):
        self.warn(
            "settings key %s has no row in the tables of docs/%s: add "
            "'| `%s` | type | default | limits | meaning |'" % (key, MEANINGS_FILE, key)
        )

    def warn(self, message):
        self.state.document.reporter.warning(message, line=self.lineno)


class SettingsJsonReference(_Reference):
    """The ``jotunheim.json`` table: every schema key with type, default, limits, meaning."""

    def run(self):
        """Check docs/settings.md against the schema and build the table node."""
        documented = self.documented()
        known = set(r[0] for r in schema.rows()) | set(schema.TOML_KEYS)
        for key in documented:
            if key not in known:
                self.warn(
                    "docs/%s describes %s, which the settings schema does not have"
                    % (MEANINGS_FILE, key)
                )
        rows = []
        for entry, (key, kind, default, limits) in zip(schema.rows(), json_rows()):
            cells = documented.get(key)
            if cells is None:
                self.missing(key)
                meaning = ""
            else:
                for problem in row_problems(entry, cells):
                    self.warn("docs/%s, %s: %s" % (MEANINGS_FILE, key, problem))
                meaning = cells[-1]
            rows.append((key, kind, default, limits, meaning))
        headers = ("key", "type", "default", "limits", "meaning")
        return [_table(headers, rows, (0, 2))]


class SettingsTomlReference(_Reference):
    """The ``settings.toml`` table: every key Jotunheim reads there, with its meaning."""

    def run(self):
        """Build the table node (meanings from docs/settings.md)."""
        documented = self.documented()
        rows = []
        for key in schema.TOML_KEYS:
            cells = documented.get(key)
            if cells is None:
                self.missing(key)
            rows.append((key, cells[-1] if cells else ""))
        return [_table(("key", "meaning"), rows, (0,))]


def setup(app):
    """Register the two directives with Sphinx.

    :param app: the Sphinx application
    """
    app.add_directive("settings-json-reference", SettingsJsonReference)
    app.add_directive("settings-toml-reference", SettingsTomlReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
