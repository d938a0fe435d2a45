"""OTA errors: one class per reason, each with a stable ``code`` string.

Everything derives from ``OTAError`` so a caller can catch one type, log ``exc.code``
and keep the last good version running.
"""


class OTAError(Exception):
    code = "ota_error"

    def __init__(self, message=""):
        super().__init__(message or self.code)
        self.message = message or self.code


class BadManifest(OTAError):
    code = "bad_manifest"


class BadSignature(OTAError):
    code = "bad_signature"


class UnknownKey(OTAError):
    code = "unknown_key"


class WrongPackage(OTAError):
    code = "wrong_package"


class WrongBoard(OTAError):
    code = "wrong_board"


class FirmwareTooOld(OTAError):
    code = "firmware_too_old"


class NotNewer(OTAError):
    """Anti-rollback: the manifest's version is not newer than the installed one."""

    code = "not_newer"


class KnownBad(OTAError):
    """This version was rolled back on this device before; it is not installed again."""

    code = "known_bad"


class Expired(OTAError):
    code = "expired"


class ClockUnset(OTAError):
    """The device clock is not set, so an expiry cannot be checked."""

    code = "clock_unset"


class UnsafePath(OTAError):
    code = "unsafe_path"


class ProtectedPath(UnsafePath):
    """The path names a file the device keeps for itself (settings.toml, .ota/, a boot file
    the update may not replace)."""

    code = "protected_path"


class TooManyFiles(OTAError):
    code = "too_many_files"


class NoSpace(OTAError):
    code = "no_space"


class SizeMismatch(OTAError):
    code = "size_mismatch"


class HashMismatch(OTAError):
    code = "hash_mismatch"


class DownloadError(OTAError):
    code = "download_failed"


class StateError(OTAError):
    """The requested operation does not fit the current OTA state (e.g. nothing to roll back)."""

    code = "bad_state"
