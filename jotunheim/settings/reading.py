# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Reading ``jotunheim.json`` for a :class:`~jotunheim.settings.loader.SettingsLoader`:
the stamp check of a file ``jotunheim deploy`` wrote, else the validator. It runs at start
and on a reload only, so the loader forgets this module once it has read
(:func:`jotunheim.compat.run_and_forget`), and with it the validator and the schema when
this read loaded them (a file edited by hand): on a board their code goes back to the heap
until the next read. It defines no classes and keeps no state."""

import sys

from jotunheim.compat import forget
from jotunheim.settings.loader import HEAD, KEEPING, MAX_FILE_BYTES, SCHEMA, Settings

# What a read may load besides this module (the validator, and what it and the defaults
# need), forgotten again when this read loaded them.
HELPERS = (
    "jotunheim.settings.validator",
    "jotunheim.settings.schema",
    "jotunheim.settings.secrecy",
)


def load(loader) -> Settings:
    """:meth:`SettingsLoader.load <jotunheim.settings.loader.SettingsLoader.load>` of
    ``loader``: its settings in effect afterwards."""
    loaded = [name for name in HELPERS if name not in sys.modules]
    try:
        return read(loader)
    finally:
        for name in loaded:
            forget(name)


def read(loader) -> Settings:
    """Read and check ``loader``'s file and make its settings the ones in effect (see
    :func:`load`)."""
    loader.signature = size = loader.stat()
    path = loader.path
    error = None
    errors = []
    if size is None:
        if loader.source != "defaults":
            error = path + " is missing" + KEEPING
    else:
        data = None  # over MAX_FILE_BYTES at the stat: not read
        if size[0] <= MAX_FILE_BYTES:
            try:
                with open(path, "rb") as file:
                    data = file.read(MAX_FILE_BYTES + 1)  # grown since the stat: bounded
            except OSError as exc:
                data = exc  # the validator words it
            except MemoryError:  # here, the validator would not load either
                error = path + " does not fit in free memory" + KEEPING
        # Stamped by deploy and unchanged since (the stamp still matches its bytes): the
        # settings as they are, no validator to load.
        # The stamp: 64 hex digits of SHA-256(SCHEMA + the bytes after the stamp's comma).
        settings = None
        if isinstance(data, bytes) and data[:15] == HEAD and data[79:81] == b'",':
            try:
                import hashlib
                from binascii import hexlify

                value = hashlib.sha256(SCHEMA)
                value.update(data[81:])
                if hexlify(value.digest()) == data[15:79]:
                    import json

                    text = b"{" + data[81:]
                    # Parsed once to be sure, then dropped: the bytes hold less.
                    settings = json.loads(text)
            except (ImportError, ValueError):  # no hashlib; not JSON (not deploy's bytes)
                pass
        stamped = isinstance(settings, dict)
        if not stamped and error is None:
            # Unstamped, edited by hand, or not read: the validator loads now.
            from jotunheim.settings import validator

            settings, error, errors = validator.validate_file(
                data, path, MAX_FILE_BYTES, KEEPING, size[0]
            )
        if error is None:
            loader.stamped = stamped
            loader.settings = Settings(None, text) if stamped else Settings(settings)
            loader.source = "file"
            loader.loads += 1
    loader.last_error = error
    loader.errors = errors
    if error is not None and loader.logger is not None:
        loader.logger.error(error)
    if loader.settings is None:
        # The defaults are made only when no file gave settings (the schema loads then).
        loader.settings = Settings()
    return loader.settings
