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

from jotunheim.compat import monotonic
from jotunheim.settings.secrets import Secrets, default_root, join

MAX_FILE_BYTES = 16384  # a settings file larger than this is a mistake, not settings
KEEPING = "; keeping the previous settings"
MAX_DEPTH = 8  # the schema nests 4 deep (network.wifi_networks[0].ssid); room for mistakes
# The top-level keys in schema order: the order reload() names changed sections in.
SECTIONS = (
    "version", "capabilities", "network", "resources", "scheduler", "ota", "remote",
    "logging", "discovery", "power",
)  # fmt: skip

# A stamped file starts {"validated": "<64 hex digits>", and the rest is the settings.
KEY = "validated"
HEAD = b'{"validated": "'
# The first 16 hex digits of SHA-256(schema.TABLE): every stamp covers them, so a stamp
# written for another schema never matches. tests/test_settings_stamp.py fails when the
# table changes and this does not (the board does not load the table to compute it).
SCHEMA = b"20be17d3614d04d0"


def digest(body: bytes):
    """The stamp of ``body`` (the file's bytes after the stamp's comma) for this schema: 64
    hex digits as bytes, or None where ``hashlib`` is missing.

    :param bytes body: what the stamp covers
    """
    try:
        import hashlib
    except ImportError:
        return None
    from binascii import hexlify

    data = hashlib.sha256(SCHEMA)
    data.update(body)
    return hexlify(data.digest())


def verified(raw: bytes):
    """The settings in ``raw`` when it carries a stamp that matches this schema and its
    bytes; None when it does not (then validate it).

    :param bytes raw: the file as read
    """
    if raw[:15] != HEAD or raw[79:81] != b'",':
        return None
    body = raw[81:]
    value = digest(body)
    if value is None or value != raw[15:79]:
        return None
    import json

    try:
        data = json.loads(b"{" + body)
    except ValueError:  # cannot happen for deploy's bytes; a board must not crash on it
        return None
    return data if isinstance(data, dict) else None


class Settings:
    """The settings in effect (a validated nested dict with every key; the defaults when
    ``data`` is None)."""

    def __init__(self, data=None) -> None:
        if data is None:
            # Only a board without a good file needs the defaults: the schema loads then.
            from jotunheim.settings import schema

            data = schema.defaults()
        self.data = data

    def get(self, path: str, default=None):
        """``settings.get("network.resilience.retries")``"""
        # schema.get_path does the same; the board does not load the schema for it.
        value = self.data
        for key in path.split("."):
            if not isinstance(value, dict) or key not in value:
                return default
            value = value[key]
        return value

    def section(self, name: str) -> dict:
        """The top-level section ``name`` (``{}`` if missing)."""
        return self.data.get(name, {})

    def __getitem__(self, name: str):
        return self.data[name]

    __hash__ = None  # mutable: compared by value, never a dict key

    def __eq__(self, other) -> bool:
        return isinstance(other, Settings) and self.data == other.data

    def changed_sections(self, other) -> list:
        """Names of top-level sections whose values differ from ``other``'s."""
        names = []
        for name in SECTIONS:
            if self.data.get(name) != other.data.get(name):
                names.append(name)
        return names

    def as_dict(self, secrets=None) -> dict:
        """A copy for status output; anything secret-looking is redacted, and with
        ``secrets`` the settings.toml keys are listed as set/unset (never their values)."""
        # Status output only: the secret-name tables load on the first status call.
        from jotunheim.settings import report

        return report.shown(self.data, secrets)


class SettingsLoader:
    """:param path: the JSON file (default ``<root>/jotunheim.json``)
    :param root: the folder playing CIRCUITPY ("/" on a board)
    :param secrets: a :class:`~jotunheim.settings.secrets.Secrets` (default: same root)
    :param float min_poll_interval: :meth:`poll` stats the file at most this often
    :param clock: callable returning seconds (injectable for tests)
    :param logger: optional logger for reload messages
    """

    def __init__(
        self,
        path=None,
        root=None,
        secrets=None,
        *,
        min_poll_interval: float = 1.0,
        clock=None,
        logger=None,
    ) -> None:
        self.root = root if root is not None else default_root()
        self.path = path or join(self.root, "jotunheim.json")
        self.secrets = secrets if secrets is not None else Secrets(self.root)
        self.min_poll_interval = min_poll_interval
        self.clock = clock or monotonic
        self.logger = logger
        self.settings = None  # the defaults, made by load() only if no file gives settings
        self.source = "defaults"
        self.last_error = None
        self.errors = []
        self.loads = 0
        self.stamped = False  # the file in effect was validated by deploy (stamp.py)
        self._signature = None
        self._next_poll = 0.0
        self._callbacks = []

    def _stat(self):
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info[6], info[8])  # size, mtime

    def load(self) -> Settings:
        """Read and validate the file; on success it becomes the settings in effect, on
        failure the previous settings stay and ``last_error`` says why."""
        self._signature = size = self._stat()
        path = self.path
        error = None
        errors = []
        if size is None:
            if self.source != "defaults":
                error = path + " is missing" + KEEPING
        elif size[0] > MAX_FILE_BYTES:
            error = "{} is {} bytes, more than the {} allowed{}".format(
                path, size[0], MAX_FILE_BYTES, KEEPING
            )
        else:
            data = None
            try:
                with open(path, "rb") as handle:
                    data = handle.read(MAX_FILE_BYTES + 1)  # grown since the stat: still bounded
            except OSError as exc:
                error = "cannot read {}: {}{}".format(path, exc, KEEPING)
            except MemoryError:
                error = path + " does not fit in free memory" + KEEPING
            if data is not None:
                settings = verified(data)  # deploy validated it: no validator to load
                stamped = settings is not None
                if not stamped:
                    # Unstamped or edited by hand: the parser and the validator load now.
                    from jotunheim.settings import validator

                    settings, error, errors = validator.validate_file(
                        data, path, MAX_DEPTH, MAX_FILE_BYTES, KEEPING, KEY
                    )
                if error is None:
                    self.stamped = stamped
                    self.settings = Settings(settings)
                    self.source = "file"
                    self.loads += 1
        self.last_error = error
        self.errors = errors
        if error is not None and self.logger is not None:
            self.logger.error(error)
        return self._in_effect()

    def _in_effect(self):
        # The defaults are made only when no file gave settings (the schema loads then).
        if self.settings is None:
            self.settings = Settings()
        return self.settings

    # -- hot reload ----------------------------------------------------------------------
    def on_change(self, callback) -> None:
        """``callback(changed_sections, settings)`` runs after a reload that changed
        something; a callback's exception is logged and does not stop the others."""
        self._callbacks.append(callback)

    def reload(self) -> list:
        """Load now; run the callbacks if sections changed. Returns the changed names."""
        old = self._in_effect()
        new = self.load()
        if new is old:
            return []
        changed = new.changed_sections(old)
        if changed:
            for func in self._callbacks:
                try:
                    func(changed, new)
                except Exception as exc:  # noqa: BLE001 - one bad observer must not stop others
                    if self.logger is not None:
                        self.logger.error("settings callback failed: {}".format(exc))
        return changed

    def poll(self) -> list:
        """Reload when the file's size or mtime changed; returns the changed sections
        (empty when nothing changed or the new file was rejected)."""
        now = self.clock()
        if now < self._next_poll:
            return []
        self._next_poll = now + self.min_poll_interval
        if self._stat() == self._signature:
            return []
        return self.reload()

    # -- for the rest of the device -------------------------------------------------------
    def as_dict(self) -> dict:
        """The settings in effect (secrets redacted) plus where they came from; for
        ``GetDeviceStatus``."""
        out = self._in_effect().as_dict(self.secrets)
        out["settings_source"] = self.source
        out["settings_error"] = self.last_error
        return out

    def read_ca_pem(self):
        """The custom CA certificate: ``JOTUNHEIM_CA_CERT`` from settings.toml, else the
        file named by ``network.ca_cert_file`` (relative to the root); None if neither."""
        text = self.secrets.get("JOTUNHEIM_CA_CERT")
        if text:
            return text
        name = self._in_effect().get("network.ca_cert_file")
        if not name:
            return None
        with open(name if name.startswith("/") else join(self.root, name)) as handle:
            return handle.read()


def schema_paths() -> list:
    """Every key path in the schema (docs and tests use it)."""
    from jotunheim.settings import schema

    names = []
    for entry in schema.rows():
        names.append(entry[0])
    return names
