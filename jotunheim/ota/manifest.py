# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""OTA manifest: parse, check the Ed25519 signature, apply the device's policy.

Format (UTF-8 JSON, signed over its exact bytes; the signature is a separate file
``manifest.json.sig`` holding the 64-byte signature as 128 hex digits, or raw)::

    {"format": 1, "package": "my-app", "version": 7, "version_name": "1.4.0",
     "boards": ["adafruit_feather_esp32s3_4mbflash_2mbpsram"],  # or ["*"]
     "min_circuitpython": "9.0.0", "expires": 1767225600,
     "key_id": "3f1a0c9e5b7d2e41", "allow_downgrade": false, "boot_py": false,
     "files": [{"path": "code.py", "size": 1234, "sha256": "<64 hex>"}, ...]}

``key_id`` is the first 8 bytes (16 hex digits) of SHA-256 of the raw 32-byte public key.
``boot_py`` (optional, default false) declares that the update carries ``boot.py``; see
:mod:`jotunheim.ota.paths` for which paths an update may write.

Nothing of the manifest is parsed before its signature verifies: the raw bytes are checked
against each trusted key (the one its ``key_id`` text names first), and only then read,
through :mod:`jotunheim.safejson` (bounded size and depth).
"""

from jotunheim.ota import errors
from jotunheim.ota.paths import check_boot_file, check_path

FORMAT_VERSION = 1
MAX_FILES = 256
MAX_MANIFEST_BYTES = 65536
MAX_DEPTH = 4  # object > files list > file object; anything deeper is not a manifest
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
        self.boot_py = doc.get("boot_py", False) is True
        self.files = [(f["path"], f["size"], f["sha256"]) for f in doc["files"]]

    @property
    def total_size(self):
        """Sum of the listed files' sizes (bytes)."""
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
    if _field(doc, "key_id", str) == "":
        raise errors.BadManifest("field 'key_id' is empty")
    for name in ("version_name", "min_circuitpython"):
        if name in doc:
            _field(doc, name, str)
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


def _key_hint(raw):
    # The key id the (not yet trusted) text names: used only to try that key first and to
    # word the error, never parsed as JSON. 16 hex digits after '"key_id"', or None.
    at = raw.find(b'"key_id"')
    if at < 0:
        return None
    start = raw.find(b'"', at + 8) + 1
    text = raw[start : start + 16]
    if start == 0 or raw[start + 16 : start + 17] != b'"':
        return None
    try:
        text = text.decode()
    except UnicodeError:
        return None
    return text if _is_hex(text) else None


def _signer(raw, signature, keys):
    """The id of the trusted key whose signature over ``raw`` verifies, else raise."""
    from jotunheim.ota import ed25519

    sig = parse_signature(signature)
    hint = _key_hint(raw)
    order = [hint] if hint in keys else []
    for kid in keys:
        if kid != hint:
            order.append(kid)
    for kid in order:
        try:
            if ed25519.verify(keys[kid], raw, sig):
                return kid
        except ed25519.BadPublicKey as exc:
            raise errors.UnknownKey("configured key %s is invalid: %s" % (kid, exc)) from None
    if hint not in keys:
        raise errors.UnknownKey(
            "manifest is not signed by a trusted key (it names key id %r)" % (hint,)
        )
    raise errors.BadSignature("manifest signature does not verify with key %s" % hint)


def _parse(raw):
    from jotunheim.safejson import JSONError, loads

    try:
        return loads(raw, "manifest", MAX_DEPTH, MAX_MANIFEST_BYTES)
    except JSONError as exc:
        raise errors.BadManifest(str(exc)) from None


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
    allow_boot_py=False,
):
    """Verify ``raw`` manifest bytes; return a Manifest or raise an OTAError subclass.

    :param raw: the manifest bytes exactly as served (at most ``MAX_MANIFEST_BYTES``)
    :param signature: the ``.sig`` file (128 hex digits or 64 raw bytes)
    :param keys: trusted raw public keys: a list, or {key id: key} (see ``key_id``)
    :param now: unix seconds (``None`` with ``check_expiry`` raises ClockUnset)
    :param bool device_allows_downgrade: a downgrade passes only if the manifest says
        ``allow_downgrade`` AND this is True
    :param bool allow_boot_py: the device's ``ota.allow_boot_py``: a boot file passes only
        if the manifest declares ``boot_py`` AND this is True
    """
    raw = bytes(raw)
    if len(raw) > MAX_MANIFEST_BYTES:
        raise errors.BadManifest("manifest is %d bytes, limit %d" % (len(raw), MAX_MANIFEST_BYTES))
    if isinstance(keys, (list, tuple)):
        keys = {key_id(k): bytes(k) for k in keys}
    kid = _signer(raw, signature, keys)
    # Signed from here on: the fields are the publisher's, now apply local policy.
    doc = _parse(raw)
    _check_structure(doc)
    man = Manifest(raw, doc)
    if man.key_id != kid:
        raise errors.BadManifest(
            "manifest names key %s but is signed by key %s" % (man.key_id, kid)
        )
    _check_policy(man, board_id, package, firmware_version, check_expiry, now)
    if installed_version is not None and man.version <= installed_version:
        if not (man.allow_downgrade and device_allows_downgrade):
            raise errors.NotNewer(
                "version %d is not newer than installed %d" % (man.version, installed_version)
            )
    _check_files(man, max_files, allow_boot_py)
    if free_bytes is not None and man.total_size > free_bytes:
        raise errors.NoSpace("update needs %d bytes, %d free" % (man.total_size, free_bytes))
    return man


def _check_policy(man, board_id, package, firmware_version, check_expiry, now):
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


def _check_files(man, max_files, allow_boot_py):
    if len(man.files) > max_files:
        raise errors.TooManyFiles("%d files, limit %d" % (len(man.files), max_files))
    seen = set()
    for path, _, _ in man.files:
        check_path(path)
        check_boot_file(path, man.boot_py, allow_boot_py)
        folded = path.lower()  # FAT is case-insensitive: CODE.PY and code.py collide
        if folded in seen:
            raise errors.UnsafePath("duplicate path %r" % path)
        seen.add(folded)
