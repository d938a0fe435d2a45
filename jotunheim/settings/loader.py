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
"""

import os

from jotunheim.compat import monotonic
from jotunheim.settings.schema import SECTIONS, TOML_KEYS, defaults, get_path, rows
from jotunheim.settings.secrets import Secrets, default_root, join

FILENAME = "jotunheim.json"
MAX_FILE_BYTES = 16384  # a settings file larger than this is a mistake, not settings
KEEPING = "; keeping the previous settings"
MAX_DEPTH = 8  # the schema nests 4 deep (network.wifi_networks[0].ssid); room for mistakes


class Settings:
    """The settings in effect (a validated nested dict with every key)."""

    def __init__(self, data=None) -> None:
        self.data = data if data is not None else defaults()

    def get(self, path: str, default=None):
        """``settings.get("network.resilience.retries")``"""
        return get_path(self.data, path, default)

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
        for name in ("version",) + SECTIONS:
            if self.data.get(name) != other.data.get(name):
                names.append(name)
        return names

    def as_dict(self, secrets=None) -> dict:
        """A copy for status output; anything secret-looking is redacted, and with
        ``secrets`` the settings.toml keys are listed as set/unset (never their values)."""
        # Status output only: the secret-name tables load on the first status call.
        from jotunheim.settings.secrecy import redacted  # noqa: PLC0415

        out = redacted(self.data)
        if secrets is not None:
            toml = {}
            names = list(TOML_KEYS)
            for entry in self.get("network.wifi_networks") or ():
                key = entry.get("password_setting")
                if key and key not in names:
                    names.append(key)
            for key in names:
                if key == "CIRCUITPY_WIFI_SSID":
                    toml[key] = secrets.get(key)  # a network name is not a secret
                else:
                    toml[key] = "set" if secrets.is_set(key) else "unset"
            out["settings_toml"] = toml
        return out


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
        self.path = path or join(self.root, FILENAME)
        self.secrets = secrets if secrets is not None else Secrets(self.root)
        self.min_poll_interval = min_poll_interval
        self.clock = clock or monotonic
        self.logger = logger
        self.settings = Settings()
        self.source = "defaults"
        self.last_error = None
        self.errors = []
        self.loads = 0
        self.stamped = False  # the file in effect was validated by deploy (stamp.py)
        self._signature = None
        self._loaded_once = False
        self._next_poll = 0.0
        self._callbacks = []

    # -- reading -------------------------------------------------------------------------
    def _stat(self):
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st[6], st[8])  # size, mtime

    def _fail(self, message: str, errors=None):
        self.last_error = message
        self.errors = errors or []
        if self.logger is not None:
            self.logger.error(message)
        return self.settings

    def _read(self):
        """``(file bytes, None)``, or ``(None, why it cannot be used)`` naming the file."""
        try:
            with open(self.path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)  # grown since the stat: still bounded
        except OSError as exc:
            return None, "cannot read {}: {}".format(self.path, exc)
        except MemoryError:
            return None, "{} does not fit in free memory".format(self.path)
        return data, None

    def _validate(self, data):
        """``(settings, None, [])`` for a file that passes the validator, else ``(None, why,
        errors)``. Only an unstamped (or hand-edited) file comes here: the parser and the
        validator load on its first use."""
        from jotunheim.safejson import JSONError, loads  # noqa: PLC0415
        from jotunheim.settings.stamp import KEY  # noqa: PLC0415
        from jotunheim.settings.validator import validate  # noqa: PLC0415

        try:
            raw = loads(data, self.path, MAX_DEPTH, MAX_FILE_BYTES)
        except JSONError as exc:
            return None, str(exc) + KEEPING, []
        if isinstance(raw, dict):
            raw.pop(KEY, None)  # a stamp that no longer matches: the file was edited
        settings, errors = validate(raw)
        if not errors:
            return settings, None, []
        lines = ["{} has {} error(s){}:".format(self.path, len(errors), KEEPING)]
        for err in errors:
            lines.append("  - " + err.message)
        return None, "\n".join(lines), errors

    def load(self) -> Settings:
        """Read and validate the file; on success it becomes the settings in effect, on
        failure the previous settings stay and ``last_error`` says why."""
        self._signature = self._stat()
        self._loaded_once, first = True, not self._loaded_once
        if self._signature is None:
            if first or self.source == "defaults":
                self.last_error = None
                self.errors = []
                return self.settings
            return self._fail("{} is missing; keeping the previous settings".format(self.path))
        if self._signature[0] > MAX_FILE_BYTES:
            return self._fail(
                "{} is {} bytes, more than the {} allowed; keeping the previous settings".format(
                    self.path, self._signature[0], MAX_FILE_BYTES
                )
            )
        raw, problem = self._read()
        if problem is not None:
            return self._fail(problem + KEEPING)
        # Only a file to read needs the stamp check (and the validator only a file without
        # a good stamp).
        from jotunheim.settings.stamp import verified  # noqa: PLC0415

        data = verified(raw)  # deploy validated it: no validator to load
        stamped = data is not None
        if not stamped:
            data, problem, errors = self._validate(raw)
            if problem is not None:
                return self._fail(problem, errors)
        self.stamped = stamped
        self.settings = Settings(data)
        self.source = "file"
        self.last_error = None
        self.errors = []
        self.loads += 1
        return self.settings

    # -- hot reload ----------------------------------------------------------------------
    def on_change(self, callback) -> None:
        """``callback(changed_sections, settings)`` runs after a reload that changed
        something; a callback's exception is logged and does not stop the others."""
        self._callbacks.append(callback)

    def reload(self) -> list:
        """Load now; run the callbacks if sections changed. Returns the changed names."""
        before = self.settings
        after = self.load()
        if after is before:
            return []
        changed = after.changed_sections(before)
        if changed:
            for callback in self._callbacks:
                try:
                    callback(changed, after)
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
        if self._stat() == self._signature and self._loaded_once:
            return []
        return self.reload()

    # -- for the rest of the device -------------------------------------------------------
    def as_dict(self) -> dict:
        """The settings in effect (secrets redacted) plus where they came from; for
        ``GetDeviceStatus``."""
        out = self.settings.as_dict(self.secrets)
        out["settings_source"] = self.source
        out["settings_error"] = self.last_error
        return out

    def read_ca_pem(self):
        """The custom CA certificate: ``JOTUNHEIM_CA_CERT`` from settings.toml, else the
        file named by ``network.ca_cert_file`` (relative to the root); None if neither."""
        pem = self.secrets.get("JOTUNHEIM_CA_CERT")
        if pem:
            return pem
        name = self.settings.get("network.ca_cert_file")
        if not name:
            return None
        path = name if name.startswith("/") else join(self.root, name)
        with open(path) as handle:
            return handle.read()


def schema_paths() -> list:
    """Every key path in the schema (docs and tests use it)."""
    return [row[0] for row in rows()]
