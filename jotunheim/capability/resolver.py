# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""DeviceResolver: from a cryptic id to a device you can name.

Devices show up under ids like ``ESP-7F2A`` (a hostname with the last MAC bytes),
``7c:df:a1:0b:7f:2a`` (a MAC), ``7CDFA10B7F2A`` (a cpu uid) or ``HOST-995994BD0F09``. The
resolver keeps, per device, its id, a display name, its capabilities and any number of
aliases (MAC, uid, hostnames), and finds a record from any of them::

    devices = JsonFileDeviceResolver("devices.json")
    devices.add("7CDFA10B7F2A", "Greenhouse", capabilities=caps, aliases=["7c:df:a1:0b:7f:2a"])
    devices.resolve("esp-7f2a").name          # "Greenhouse"

Normalisation (:func:`normalize`): upper case; ``MAC:``/``UID:``/``ID:``/``0x`` dropped;
a leading name (``ESP-``, ``PICO_W-``, ``HOST-``; not all hex) dropped when only hex
follows it;
separators (``:``, ``-``, ``_``, ``.``, spaces) removed. A query then matches, in order:
an id or alias exactly; a display name (case-insensitive); the end of exactly one id or
alias when the query has at least 4 hex digits (``7F2A`` -> ``...0B7F2A``). A suffix
that fits several devices raises :class:`AmbiguousDeviceError` naming them.
"""

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass

_SEPARATORS = ":-_. "
_HEX = "0123456789ABCDEF"
_MARKERS = ("MAC:", "UID:", "ID:", "0X")


class UnknownDeviceError(KeyError):
    """No known device matches the query."""

    def __str__(self):
        return str(self.args[0]) if self.args else "unknown device"


class AmbiguousDeviceError(LookupError):
    """A query fits more than one device; ``candidates`` lists their ids."""

    def __init__(self, query, candidates):
        self.query = query
        self.candidates = candidates
        super().__init__("%r fits several devices: %s" % (query, ", ".join(candidates)))


def _is_hex(text):
    return bool(text) and all(c in _HEX for c in text)


def _squash(text):
    return "".join(c for c in text if c not in _SEPARATORS)


def normalize(text) -> str:
    """Canonical form of an id, MAC, uid or hostname (see the module docstring)."""
    s = str(text).strip().upper()
    for marker in _MARKERS:
        if s.startswith(marker):
            s = s[len(marker) :].strip()
            break
    # "ESP-7F2A" / "PICO_W-0B7F2A": a name (not all hex), a separator, then only hex.
    for i, c in enumerate(s):
        if c in _SEPARATORS:
            head, rest = _squash(s[:i]), _squash(s[i:])
            if head and not _is_hex(head) and _is_hex(rest):
                return rest
    return _squash(s)


class DeviceRecord:
    """One known device."""

    def __init__(self, device_id, name="", capabilities=None, aliases=()):
        self.device_id = device_id
        self.name = name or device_id
        self.capabilities = capabilities
        self.aliases = list(aliases)

    def keys(self) -> list:
        """Normalised id and aliases."""
        out = [normalize(self.device_id)]
        for alias in self.aliases:
            key = normalize(alias)
            if key and key not in out:
                out.append(key)
        return out

    def __repr__(self):
        return "DeviceRecord(%r, %r)" % (self.device_id, self.name)


class DeviceResolver:
    """In-memory resolver."""

    def __init__(self):
        self._records = {}  # device_id -> DeviceRecord

    def records(self) -> list:
        """Every :class:`DeviceRecord`, in the order they were added."""
        return list(self._records.values())

    def add(
        self, device_id: str, name: "Optional[str]" = None, capabilities=None, aliases=()
    ) -> "DeviceRecord":
        """Add or update a device; returns its record. Aliases accumulate."""
        if not normalize(device_id):
            raise ValueError("device id %r has no letters or digits" % (device_id,))
        record = self._records.get(device_id)
        if record is None:
            record = DeviceRecord(device_id, name or "", capabilities, ())
            self._records[device_id] = record
        else:
            if name:
                record.name = name
            if capabilities is not None:
                record.capabilities = capabilities
        for alias in aliases:
            if alias not in record.aliases:
                owner = self._owner_of(normalize(alias))
                if owner is not None and owner is not record:
                    raise ValueError(
                        "alias %r already belongs to device %r" % (alias, owner.device_id)
                    )
                record.aliases.append(alias)
        self._changed()
        return record

    def learn(self, capabilities, aliases=()) -> "DeviceRecord":
        """Add or update from received ``JotunheimCapabilities`` (id, name, tools)."""
        return self.add(
            capabilities.device_id, capabilities.device_name or None, capabilities, aliases
        )

    def remove(self, device_id: str):
        """Forget ``device_id``; UnknownDeviceError when it is not known."""
        if device_id not in self._records:
            raise UnknownDeviceError("no device %r" % (device_id,))
        del self._records[device_id]
        self._changed()

    def _owner_of(self, key):
        for record in self._records.values():
            if key in record.keys():
                return record
        return None

    def resolve(self, query) -> "Optional[DeviceRecord]":
        """The record for ``query`` (id, alias, name or unique id suffix), or None."""
        key = normalize(query)
        if not key:
            return None
        owner = self._owner_of(key)
        if owner is not None:
            return owner
        wanted = str(query).strip().lower()
        for record in self._records.values():
            if record.name.lower() == wanted or normalize(record.name) == key:
                return record
        if len(key) >= 4 and _is_hex(key):
            found = [r for r in self._records.values() if any(k.endswith(key) for k in r.keys())]
            if len(found) == 1:
                return found[0]
            if found:
                raise AmbiguousDeviceError(query, sorted(r.device_id for r in found))
        return None

    def require(self, query) -> "DeviceRecord":
        """Like :meth:`resolve`, but UnknownDeviceError instead of None."""
        record = self.resolve(query)
        if record is None:
            raise UnknownDeviceError("no device matches %r" % (query,))
        return record

    def display_name(self, query) -> str:
        """The display name for ``query``, or ``query`` itself when unknown."""
        try:
            record = self.resolve(query)
        except AmbiguousDeviceError:
            return str(query)
        return record.name if record is not None else str(query)

    def _changed(self):
        """Hook for persistence (JsonFileDeviceResolver)."""


class JsonFileDeviceResolver(DeviceResolver):
    """A resolver kept in a small JSON file, rewritten atomically (temp file + rename)
    after every change. Capabilities are stored as hex of their protobuf encoding.

    A missing file starts empty; an unreadable one raises ValueError naming the file
    (nothing is overwritten until it is fixed or removed)."""

    def __init__(self, path):
        DeviceResolver.__init__(self)
        self.path = path
        self._loading = True
        try:
            self._load()
        finally:
            self._loading = False

    def _load(self):
        import json

        text = _read_text(self.path)
        if text is None:
            # A power cut between removing the old file and renaming the new one leaves
            # only the temp file (see conflicts.atomic_write).
            text = _read_text(self.path + ".tmp")
        if text is None:
            return  # no file yet
        try:
            data = json.loads(text)
            entries = data["devices"]
            for entry in entries:
                caps = entry.get("capabilities") or ""
                self.add(
                    entry["device_id"],
                    entry.get("name"),
                    _decode_caps(caps) if caps else None,
                    entry.get("aliases", ()),
                )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("%s: not a device list (%s)" % (self.path, exc))

    def _changed(self):
        if self._loading:
            return
        import json

        devices = []
        for record in self._records.values():
            devices.append(
                {
                    "device_id": record.device_id,
                    "name": record.name,
                    "aliases": record.aliases,
                    "capabilities": _encode_caps(record.capabilities),
                }
            )
        from jotunheim.capability.conflicts import atomic_write

        atomic_write(self.path, json.dumps({"version": 1, "devices": devices}).encode())


def _read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _encode_caps(caps):
    if caps is None:
        return ""
    import binascii

    return binascii.hexlify(caps.encode()).decode()


def _decode_caps(text):
    import binascii

    from jotunheim.pb import jotunheim_capability as cap

    return cap.JotunheimCapabilities.decode(binascii.unhexlify(text))
