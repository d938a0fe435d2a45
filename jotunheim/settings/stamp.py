# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Settings validated at deploy time: a stamp that lets a device skip its own validator.

``jotunheim deploy`` validates ``jotunheim.json`` on the host with the device's validator and
writes the complete settings (defaults filled in) with a stamp as the first key::

    {"validated": "<sha256 hex>",
      "capabilities": {...},
      ...
      "version": 1
    }

The stamp is the SHA-256 of the schema table followed by every byte after the stamp's
comma. A device whose schema is the same and whose file still hashes to its stamp uses the
settings as they are, without loading the validator (~5 KB of heap that stays for the whole
run); a file edited by hand, cut short, or written for another schema does not match and is
validated on the device as any unstamped file is, so a broken file still fails with its
errors named and the last good settings stay. The stamp proves the file is what deploy
wrote, not who wrote it: whoever can write ``jotunheim.json`` can write ``code.py`` too.
"""

import json

from jotunheim.settings.schema import TABLE

KEY = "validated"
_HEAD = b'{"' + KEY.encode() + b'": "'
_BODY = len(_HEAD) + 66  # 64 hex digits, the closing quote and the comma


def digest(body: bytes):
    """Hex SHA-256 of the schema table and ``body``, or None where ``hashlib`` is missing.

    :param bytes body: the file's bytes after the stamp's comma
    """
    try:
        import hashlib
    except ImportError:
        return None
    h = hashlib.sha256(TABLE.encode())
    h.update(body)
    return "".join("%02x" % b for b in h.digest())


def stamped(settings: dict) -> bytes:
    """The bytes of a stamped ``jotunheim.json`` holding ``settings`` (host side: deploy).

    :param dict settings: complete, validated settings (what
        :func:`jotunheim.settings.validator.validate` returns for a file without errors)
    """
    if not settings or KEY in settings:
        raise ValueError("stamped() needs validated settings without a %r key" % KEY)
    # One top-level key per line, sorted: readable, and the same bytes on every Python.
    lines = ["\n  %s: %s" % (json.dumps(k), json.dumps(settings[k])) for k in sorted(settings)]
    body = (",".join(lines) + "\n}\n").encode()
    return _HEAD + digest(body).encode() + b'",' + body


def verified(raw: bytes):
    """The settings in ``raw`` when it carries a stamp that matches this schema and its
    bytes; None when it does not (then validate it).

    :param bytes raw: the file as read
    """
    if not raw.startswith(_HEAD) or raw[_BODY - 2 : _BODY] != b'",':
        return None
    body = raw[_BODY:]
    expected = digest(body)
    if expected is None or expected.encode() != raw[len(_HEAD) : _BODY - 2]:
        return None
    try:
        data = json.loads(b"{" + body)
    except ValueError:  # cannot happen for deploy's bytes; a board must not crash on it
        return None
    return data if isinstance(data, dict) else None
