# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Settings validated at deploy time: a stamp that lets a device skip its own validator.

``jotunheim deploy`` validates ``jotunheim.json`` on the host with the device's validator and
writes ``version`` and every section that differs from its defaults (the device reads the
others from :mod:`jotunheim.settings.defaults`) with a stamp as the first key::

    {"validated": "<sha256 hex>",
      "capabilities": {"device_name":"jotunheim",...},
      ...
      "version": 1
    }

The stamp is the SHA-256 of the schema's digest (:data:`jotunheim.settings.loader.SCHEMA`,
from the schema table) followed by every byte after the stamp's comma. A device whose
schema is the same and whose file still hashes to its stamp uses the settings as they are
(:meth:`jotunheim.settings.loader.SettingsLoader.load`), without loading the validator or the schema
table (~9 KB of heap that would stay for the whole run); a file edited by hand, cut short,
or written for another schema does not match and is validated on the device as any
unstamped file is, so a broken file still fails with its errors named and the last good
settings stay. The stamp proves the file is what deploy wrote, not who wrote it: whoever
can write ``jotunheim.json`` can write ``code.py`` too.

This module writes stamps (host side); the device checks them in the loader, so a board
never loads it.
"""

import hashlib
import json
from binascii import hexlify

from jotunheim.settings import loader
from jotunheim.settings.schema import defaults
from jotunheim.settings.validator import STAMP


def lines(settings: dict) -> bytes:
    """``settings``' top-level keys as the device reads them: one ``"\\n  <key>: <value>"``
    line each, sorted, joined by commas (the same bytes on every Python). The device keeps
    these bytes and reads a section from its line (loader.Settings.get): no spaces inside a
    section, each would stay on the heap."""
    return ",".join(
        "\n  %s: %s" % (json.dumps(k), json.dumps(settings[k], separators=(",", ":")))
        for k in sorted(settings)
    ).encode()


def stamped(settings: dict) -> bytes:
    """The bytes of a stamped ``jotunheim.json`` holding ``settings`` (host side: deploy):
    ``version`` and every section that differs from its default; the device reads the
    others from :mod:`jotunheim.settings.defaults`.

    :param dict settings: complete, validated settings (what
        :func:`jotunheim.settings.validator.validate` returns for a file without errors)
    """
    if not settings or STAMP in settings:
        raise ValueError("stamped() needs validated settings without a %r key" % STAMP)
    default = defaults()
    changed = {k: v for k, v in settings.items() if k == "version" or v != default.get(k)}
    body = lines(changed) + b"\n}\n"
    # What the loader checks (jotunheim.settings.reading): SHA-256 of the schema digest and
    # the body.
    digest = hexlify(hashlib.sha256(loader.SCHEMA + body).digest())
    return loader.HEAD + digest + b'",' + body


def defaults_module() -> str:
    """The source of :mod:`jotunheim.settings.defaults` for the schema in effect
    (``python scripts/settings_defaults.py`` writes it; a test keeps it in step)."""
    text = lines(defaults())
    return (
        "# SPDX-FileCopyrightText: 2026 Jotunheim contributors\n"
        "# SPDX-License-Identifier: MIT\n"
        '"""Every setting\'s default, as the lines of a stamped file (generated from the\n'
        "schema table by ``python scripts/settings_defaults.py``; tests/test_settings_stamp.py\n"
        "keeps it in step). A stamped file holds only what differs from these; the device\n"
        "reads a default from here when a section is not in the file, and forgets this\n"
        'module again (jotunheim.compat.run_and_forget): its bytes stay on flash."""\n'
        "\n"
        "TEXT = %s\n"
        "\n"
        "\n"
        "def text() -> bytes:\n"
        '    """The lines (``TEXT``)."""\n'
        "    return TEXT\n" % _wrapped(text)
    )


def _wrapped(text: bytes) -> str:
    # One bytes literal per line, at most ~90 characters, for a readable module.
    parts = []
    while text:
        parts.append(repr(text[:80]))
        text = text[80:]
    return "(\n    " + "\n    ".join(parts) + "\n)"
