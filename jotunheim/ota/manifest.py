"""OTA manifest: parse, check the Ed25519 signature, apply the device's policy.

Format (UTF-8 JSON, signed over its exact bytes; the signature is a separate file
``manifest.json.sig`` holding the 64-byte signature as 128 hex digits, or raw)::

    {"format": 1, "package": "my-app", "version": 7, "version_name": "1.4.0",
     "boards": ["adafruit_feather_esp32s3_4mbflash_2mbpsram"],  # or ["*"]
     "min_circuitpython": "9.0.0", "expires": 1767225600,
     "key_id": "3f1a0c9e5b7d2e41", "allow_downgrade": false,
     "files": [{"path": "code.py", "size": 1234, "sha256": "<64 hex>"}, ...]}

``key_id`` is the first 8 bytes (16 hex digits) of SHA-256 of the raw 32-byte public key.
The signature is checked before any policy field is trusted.
"""

from jotunheim.ota import errors

FORMAT_VERSION = 1
MAX_FILES = 256
MAX_PATH = 200
RESERVED_PREFIX = ".ota"  # our own state folder can never be an update target
_HEX = "0123456789abcdef"


def key_id(public_key):
    """16 hex digits naming a raw Ed25519 public key."""
    import hashlib

    digest = hashlib.sha256(bytes(public_key)).digest()
    return "".join("%02x" % b for b in digest[:8])


def parse_signature(data):
    """64 signature bytes from a .sig file (128 hex digits, whitespace allowed, or raw)."""
    data = bytes(data)
    text = data.strip()
    if len(text) == 128:
        try:
            return bytes.fromhex(text.decode())
        except (ValueError, UnicodeError):
            pass
    if len(data) == 64:
        return data
    raise errors.BadSignature("signature is neither 64 raw bytes nor 128 hex digits")


def _is_hex(text):
    for ch in text:
        if ch not in _HEX:
            return False
    return bool(text)


def check_path(path):
    """Raise UnsafePath unless ``path`` is a plain relative path inside the root."""
    if not isinstance(path, str) or not path:
        raise errors.UnsafePath("empty or non-text path")
    if len(path) > MAX_PATH:
        raise errors.UnsafePath("path too long: %s" % path[:40])
    if path[0] == "/" or "\\" in path or ":" in path or "\x00" in path:
        raise errors.UnsafePath("absolute, drive or backslash path: %r" % path)
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise errors.UnsafePath("path escapes or is not normal: %r" % path)
    if parts[0].lower() == RESERVED_PREFIX:
        raise errors.UnsafePath("path inside the OTA state folder: %r" % path)


def _version_tuple(text):
    out = []
    for piece in str(text).split("."):
        digits = ""
        for ch in piece:
            if "0" <= ch <= "9":
                digits += ch
            else:
                break
        out.append(int(digits) if digits else 0)
    while len(out) < 3:
        out.append(0)
    return tuple(out[:3])


class Manifest:
    """A verified manifest. ``files`` is a list of (path, size, sha256 hex)."""

    def __init__(self, raw, doc):
        self.raw = raw
        self.package = doc["package"]
        self.version = doc["version"]
        self.version_name = doc.get("version_name", str(self.version))
        self.boards = doc["boards"]
        self.min_circuitpython = doc.get("min_circuitpython", "0")
        self.expires = doc["expires"]
        self.key_id = doc["key_id"]
        self.allow_downgrade = doc.get("allow_downgrade", False) is True
        self.files = [(f["path"], f["size"], f["sha256"]) for f in doc["files"]]

    @property
    def total_size(self):
        total = 0
        for _, size, _ in self.files:
            total += size
        return total


def _field(doc, name, kind):
    value = doc.get(name)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise errors.BadManifest("field %r must be an integer" % name)
    if kind is not int and not isinstance(value, kind):
        raise errors.BadManifest("field %r missing or of the wrong type" % name)
    return value


def _check_structure(doc):
    if not isinstance(doc, dict):
        raise errors.BadManifest("manifest is not a JSON object")
    if _field(doc, "format", int) != FORMAT_VERSION:
        raise errors.BadManifest("unsupported manifest format %r" % doc.get("format"))
    _field(doc, "package", str)
    if _field(doc, "version", int) < 0:
        raise errors.BadManifest("negative version")
    _field(doc, "expires", int)
    boards = _field(doc, "boards", list)
    if not boards or not all(isinstance(b, str) for b in boards):
        raise errors.BadManifest("boards must be a non-empty list of names")
    files = _field(doc, "files", list)
    for entry in files:
        if not isinstance(entry, dict):
            raise errors.BadManifest("file entry is not an object")
        size = entry.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise errors.BadManifest("bad size for %r" % entry.get("path"))
        digest = entry.get("sha256")
        if not isinstance(digest, str) or len(digest) != 64 or not _is_hex(digest):
            raise errors.BadManifest("bad sha256 for %r" % entry.get("path"))


def verify(
    raw,
    signature,
    keys,
    board_id=None,
    installed_version=None,
    now=None,
    package=None,
    firmware_version=None,
    device_allows_downgrade=False,
    free_bytes=None,
    max_files=MAX_FILES,
    check_expiry=True,
):
    """Verify ``raw`` manifest bytes; return a Manifest or raise an OTAError subclass.

    ``keys`` maps key id -> raw public key (use ``key_id``), or is a list of raw keys.
    ``now`` is unix seconds (``None`` with ``check_expiry`` raises ClockUnset).
    A downgrade passes only if the manifest says ``allow_downgrade`` AND the device
    passes ``device_allows_downgrade=True``.
    """
    import json

    from jotunheim.ota import ed25519

    raw = bytes(raw)
    if isinstance(keys, (list, tuple)):
        keys = {key_id(k): bytes(k) for k in keys}
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeError) as exc:
        raise errors.BadManifest("manifest is not valid JSON: %s" % exc) from None
    kid = doc.get("key_id") if isinstance(doc, dict) else None
    public = keys.get(kid) if isinstance(kid, str) else None
    if public is None:
        raise errors.UnknownKey("manifest signed by unknown key id %r" % (kid,))
    try:
        sig = parse_signature(signature)
        good = ed25519.verify(public, raw, sig)
    except ed25519.BadPublicKey as exc:
        raise errors.UnknownKey("configured key %s is invalid: %s" % (kid, exc)) from None
    if not good:
        raise errors.BadSignature("manifest signature does not verify with key %s" % kid)
    # Signed from here on: the fields are the publisher's, now apply local policy.
    _check_structure(doc)
    man = Manifest(raw, doc)
    if package is not None and man.package != package:
        raise errors.WrongPackage("manifest is for %r, device runs %r" % (man.package, package))
    if board_id is not None and "*" not in man.boards and board_id not in man.boards:
        raise errors.WrongBoard("manifest is not for board %r" % board_id)
    if firmware_version is not None:
        if tuple(firmware_version[:3]) < _version_tuple(man.min_circuitpython):
            raise errors.FirmwareTooOld(
                "needs CircuitPython %s, device has %s"
                % (man.min_circuitpython, ".".join(str(v) for v in firmware_version[:3]))
            )
    if check_expiry:
        if now is None or now < 1577836800:  # before 2020: the clock was never set
            raise errors.ClockUnset("device clock not set; cannot check manifest expiry")
        if now >= man.expires:
            raise errors.Expired("manifest expired at %d (now %d)" % (man.expires, now))
    if installed_version is not None and man.version <= installed_version:
        if not (man.allow_downgrade and device_allows_downgrade):
            raise errors.NotNewer(
                "version %d is not newer than installed %d" % (man.version, installed_version)
            )
    if len(man.files) > max_files:
        raise errors.TooManyFiles("%d files, limit %d" % (len(man.files), max_files))
    seen = set()
    for path, _, _ in man.files:
        check_path(path)
        folded = path.lower()  # FAT is case-insensitive: CODE.PY and code.py collide
        if folded in seen:
            raise errors.UnsafePath("duplicate path %r" % path)
        seen.add(folded)
    if free_bytes is not None and man.total_size > free_bytes:
        raise errors.NoSpace("update needs %d bytes, %d free" % (man.total_size, free_bytes))
    return man
