# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Settings validated at deploy time: a stamp that lets a device skip its own validator.

``jotunheim deploy`` validates ``jotunheim.json`` on the host with the device's validator and
writes the complete settings (defaults filled in) with a stamp as the first key::

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
from jotunheim.settings.validator import STAMP


def stamped(settings: dict) -> bytes:
    """The bytes of a stamped ``jotunheim.json`` holding ``settings`` (host side: deploy).

    :param dict settings: complete, validated settings (what
        :func:`jotunheim.settings.validator.validate` returns for a file without errors)
    """
    if not settings or STAMP in settings:
        raise ValueError("stamped() needs validated settings without a %r key" % STAMP)
    # One top-level key per line, sorted: readable, and the same bytes on every Python. The
    # device keeps these bytes and reads a section from its line (loader.Settings.get):
    # no spaces inside a section, each would stay on the heap.
    lines = [
        "\n  %s: %s" % (json.dumps(k), json.dumps(settings[k], separators=(",", ":")))
        for k in sorted(settings)
    ]
    body = (",".join(lines) + "\n}\n").encode()
    # What the loader checks (SettingsLoader.load): SHA-256 of the schema digest and body.
    digest = hexlify(hashlib.sha256(loader.SCHEMA + body).digest())
    return loader.HEAD + digest + b'",' + body
