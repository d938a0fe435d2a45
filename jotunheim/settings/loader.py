# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Load ``jotunheim.json``, keep the last good settings, and hot-reload.

::

    loader = SettingsLoader()          # root folder: "/" on a board
    settings = loader.load()           # defaults if the file does not exist
    loader.on_change(lambda sections, s: apply(sections, s))
    while True:
        loader.poll()                  # cheap: os.stat, reloads only when the file changed

A broken file (bad JSON, invalid values, secrets) never replaces working settings: the
loader keeps the last good ones and says why in ``last_error`` (and ``errors``).

A file ``jotunheim deploy`` wrote (:mod:`jotunheim.settings.stamp`) holds the complete
settings and a stamp; when the stamp matches, the settings are used as they are: a board
then loads neither the validator nor the schema table.
"""

import os

from jotunheim.compat import monotonic, run_and_forget
from jotunheim.settings.secrets import Secrets, default_root

MAX_FILE_BYTES = 16384  # a settings file larger than this is a mistake, not settings
KEEPING = "; keeping the previous settings"
# A stamped file starts {"validated": "<64 hex digits>", and the rest is the settings.
HEAD = b'{"validated": "'
# The first 16 hex digits of SHA-256(schema.TABLE): every stamp covers them, so a stamp
# written for another schema never matches. tests/test_settings_stamp.py fails when the
# table changes and this does not (the board does not load the table to compute it).
SCHEMA = b"20be17d3614d04d0"


class Settings:
    """The settings in effect, read with :meth:`get` and :meth:`section`.

    :param dict data: a validated nested dict with every key (None and no ``text``: the
        defaults)
    :param bytes text: instead, a stamped file's settings as deploy wrote them (``{``, then
        one top-level key a line, only the sections that differ from their defaults;
        ``data`` is None then): a board keeps these bytes and parses a section when one is
        read (settings are read while the Device is built and on a reload, never while it
        serves a call), and reads a section left out from
        :mod:`jotunheim.settings.defaults`.
    """

    def __init__(self, data=None, text=None) -> None:
        if data is None and text is None:
            # Only a board without a good file needs the defaults: the schema loads then.
            from jotunheim.settings import schema

            data = schema.defaults()
        self.data = data
        self.text = text

    def get(self, path: str, default=None):
        """``settings.get("network.resilience.retries")``"""
        # schema.get_path does the same; the board does not load the schema for it.
        keys = path.split(".")
        value = self.data
        text = self.text
        if text is not None:
            # Deploy writes each top-level key on a line of its own, '\n  "name": value',
            # and JSON puts no line break inside a value: the line is the value. A section
            # deploy left out holds its defaults: jotunheim.settings.defaults has their
            # lines (forgotten again at once, so they stay on flash).
            key = ('\n  "' + keys.pop(0) + '": ').encode()
            start = text.find(key)
            if start < 0:
                text = run_and_forget("jotunheim.settings.defaults", "text")
                start = text.find(key)
                if start < 0:
                    return default
            start += len(key)
            import json

            value = json.loads(text[start : text.find(b"\n", start)].rstrip(b","))
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    def section(self, name: str) -> dict:
        """The top-level section ``name`` (``{}`` if missing)."""
        return self.get(name, {})


class SettingsLoader:
    """:param path: the JSON file (default ``<root>/jotunheim.json``)
    :param root: the folder playing CIRCUITPY ("/" on a board)
    :param secrets: a :class:`~jotunheim.settings.secrets.Secrets` (default: same root)
    :param float min_poll_interval: :meth:`poll` stats the file at most this often
    :param clock: callable returning seconds (injectable for tests)
    :param logger: optional logger for reload messages

    ``settings`` is the :class:`Settings` in effect, ``source`` where they came from
    (``"defaults"`` or ``"file"``), ``stamped`` True when the file in effect was validated
    by deploy (its stamp matched), ``loads`` how many files were taken; ``last_error`` why
    the last load failed (None: it did not) and ``errors`` the settings errors it found.
    """

    # Before the first load (class attributes: an instance only holds what changed).
    settings = None  # the defaults are made by load() only if no file gives settings
    source = "defaults"
    last_error = None
    errors = ()
    loads = 0
    stamped = False
    signature = None  # the file's (size, mtime) at the last load
    next_poll = 0.0

    def __init__(
        self,
        path=None,
        root=None,
        secrets=None,
        min_poll_interval: float = 1.0,
        clock=None,
        logger=None,
    ) -> None:
        self.root = root = root if root is not None else default_root()
        self.path = path or root.rstrip("/") + "/jotunheim.json"
        self.secrets = secrets if secrets is not None else Secrets(root)
        self.min_poll_interval = min_poll_interval
        self.clock = clock or monotonic
        self.logger = logger
        self.listeners = []

    def stat(self):
        """The file's ``(size, mtime)``, or None when it is missing."""
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info[6], info[8])  # size, mtime

    def load(self) -> Settings:
        """Read and validate the file; on success it becomes the settings in effect, on
        failure the previous settings stay and ``last_error`` says why."""
        # Reading runs at start and on a reload only: jotunheim.settings.reading is
        # forgotten once it has read.
        return run_and_forget("jotunheim.settings.reading", "load", self)

    # -- hot reload ----------------------------------------------------------------------
    def on_change(self, func) -> None:
        """``func(changed_sections, settings)`` runs after a reload that changed
        something; a callback's exception is logged and does not stop the others."""
        self.listeners.append(func)

    def reload(self) -> list:
        """Load now; run the callbacks if sections changed. Returns the names of the
        top-level sections that changed, in schema order."""
        if self.settings is None:  # nothing loaded yet: compared with the defaults
            self.settings = Settings()
        # Only a changed file (or a reload command) gets here: jotunheim.settings.reload
        # loads now, and is forgotten once done.
        return run_and_forget("jotunheim.settings.reload", "run", self)

    def poll(self) -> list:
        """Reload when the file's size or mtime changed; returns the changed sections
        (empty when nothing changed or the new file was rejected)."""
        now = self.clock()
        if now < self.next_poll:
            return []
        self.next_poll = now + self.min_poll_interval
        if self.stat() == self.signature:
            return []
        return self.reload()
