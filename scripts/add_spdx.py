# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Add the SPDX header to every source file that lacks it; idempotent.

Usage::

    .venv/bin/python scripts/add_spdx.py           # add the missing lines in place
    .venv/bin/python scripts/add_spdx.py --check   # list files without them, exit 1 if any

Every ``.py`` and ``.sh`` file under the folders in :data:`FOLDERS` gets the two lines of
:data:`HEADER` (a missing one is added; both present = the file is left byte for byte),
after a ``#!`` line and a coding line if the file starts with them. Generated files (their
first lines say "do not edit": ``jotunheim protogen`` output, betterproto modules) and
``node_modules`` are left alone: their generator owns them.
"""

import argparse
import os
import sys

COPYRIGHT = "# SPDX-FileCopyrightText: 2026 Jotunheim contributors"
LICENSE = "# SPDX-License-Identifier: MIT"
HEADER = (COPYRIGHT, LICENSE)
FOLDERS = ("jotunheim", "jotunheim_host", "examples", "tests", "benchmarks", "scripts")
SUFFIXES = (".py", ".sh")
SKIP_DIRS = ("node_modules", "__pycache__", ".venv")
HEAD_LINES = 8  # the header must sit within the first lines of a file


def is_generated(text):
    """True for files a generator owns (their first lines say "do not edit"), and empty
    files.

    :param str text: the file's text
    """
    if not text.strip():
        return (
            True  # an empty generated package file (betterproto's __init__.py): nothing to license
        )
    head = "\n".join(text.split("\n")[:5]).lower()
    return "do not edit" in head


def missing(text):
    """The header lines ``text`` lacks near its top, in header order.

    :param str text: the file's text
    """
    head = text.split("\n")[:HEAD_LINES]
    return [line for line in HEADER if line not in head]


def _preamble_length(lines):
    """How many leading lines must stay first (``#!`` and a coding declaration)."""
    count = 0
    if lines and lines[0].startswith("#!"):
        count = 1
    if len(lines) > count and "coding" in lines[count] and lines[count].startswith("#"):
        count += 1
    return count


def with_header(text):
    """``text`` with the missing header lines added (unchanged when none is missing).

    :param str text: the file's text
    """
    lacking = missing(text)
    if not lacking:
        return text
    lines = text.split("\n")
    at = _preamble_length(lines)
    if LICENSE in lines[:HEAD_LINES] and COPYRIGHT in lacking:
        # Only the copyright line is missing: it goes right above the licence line.
        at = lines.index(LICENSE)
        return "\n".join(lines[:at] + [COPYRIGHT] + lines[at:])
    if COPYRIGHT in lines[:HEAD_LINES]:
        at = lines.index(COPYRIGHT) + 1
        return "\n".join(lines[:at] + [LICENSE] + lines[at:])
    return "\n".join(lines[:at] + list(HEADER) + lines[at:])


def source_files(root):
    """Every file the header applies to, as paths relative to ``root``, sorted.

    :param str root: the repository
    """
    found = []
    for folder in FOLDERS:
        for here, dirs, files in os.walk(os.path.join(root, folder)):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for name in files:
                if name.endswith(SUFFIXES):
                    found.append(os.path.relpath(os.path.join(here, name), root))
    return sorted(found)


def lacking_files(root):
    """Source files under ``root`` without the full header (generated files excepted).

    :param str root: the repository
    """
    out = []
    for path in source_files(root):
        with open(os.path.join(root, path), encoding="utf-8") as handle:
            text = handle.read()
        if not is_generated(text) and missing(text):
            out.append(path)
    return out


def fix(root):
    """Add the header where it is missing; returns the paths changed.

    :param str root: the repository
    """
    changed = []
    for path in lacking_files(root):
        full = os.path.join(root, path)
        with open(full, encoding="utf-8") as handle:
            text = handle.read()
        mode = os.stat(full).st_mode
        with open(full, "w", encoding="utf-8") as handle:
            handle.write(with_header(text))
        os.chmod(full, mode)  # keep scripts executable
        changed.append(path)
    return changed


def main(argv=None):
    """Command line: fix in place, or ``--check``.

    :param argv: arguments (default ``sys.argv[1:]``)
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only list files without it")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(__file__)) or ".")
    args = parser.parse_args(argv)
    root = os.path.abspath(args.root)
    if args.check:
        lacking = lacking_files(root)
        for path in lacking:
            print("missing SPDX header:", path)
        return 1 if lacking else 0
    for path in fix(root):
        print("added SPDX header:", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
