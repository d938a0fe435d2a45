# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""OTA errors: one class per reason, each with a stable ``code`` string.

Everything derives from ``OTAError`` so a caller can catch one type, log ``exc.code``
and keep the last good version running.
"""


class OTAError(Exception):
    """Base of every OTA error; ``code`` names the reason, ``message`` the details."""

    code = "ota_error"

    def __init__(self, message=""):
        super().__init__(message or self.code)
        self.message = message or self.code


class BadManifest(OTAError):
    """Raised when a manifest is malformed (bad JSON, a missing or invalid field) or too large."""

    code = "bad_manifest"


class BadSignature(OTAError):
    """Raised when the manifest signature is malformed or does not verify."""

    code = "bad_signature"


class UnknownKey(OTAError):
    """Raised when the manifest is not signed by a trusted key, or a configured key is invalid."""

    code = "unknown_key"


class WrongPackage(OTAError):
    """Raised when the manifest is for another package than the device runs."""

    code = "wrong_package"


class WrongBoard(OTAError):
    """Raised when the manifest does not list this device's board."""

    code = "wrong_board"


class FirmwareTooOld(OTAError):
    """Raised when the update needs a newer CircuitPython than the device has."""

    code = "firmware_too_old"


class NotNewer(OTAError):
    """Anti-rollback: the manifest's version is not newer than the installed one."""

    code = "not_newer"


class KnownBad(OTAError):
    """This version was rolled back on this device before; it is not installed again."""

    code = "known_bad"


class Expired(OTAError):
    """Raised when the manifest's expiry time has passed."""

    code = "expired"


class ClockUnset(OTAError):
    """The device clock is not set, so an expiry cannot be checked."""

    code = "clock_unset"


class UnsafePath(OTAError):
    """Raised when a file path escapes the root, is not normal or is unsafe on FAT."""

    code = "unsafe_path"


class ProtectedPath(UnsafePath):
    """The path names a file the device keeps for itself (settings.toml, .ota/, a boot file
    the update may not replace)."""

    code = "protected_path"


class TooManyFiles(OTAError):
    """Raised when the manifest lists more files than allowed."""

    code = "too_many_files"


class NoSpace(OTAError):
    """Raised when the update needs more bytes than the filesystem has free."""

    code = "no_space"


class SizeMismatch(OTAError):
    """Raised when a downloaded or staged file's size differs from the manifest's."""

    code = "size_mismatch"


class HashMismatch(OTAError):
    """Raised when a downloaded or staged file's SHA-256 differs from the manifest's."""

    code = "hash_mismatch"


class DownloadError(OTAError):
    """Raised when a download fails (network error or an HTTP error status)."""

    code = "download_failed"


class StateError(OTAError):
    """The requested operation does not fit the current OTA state (e.g. nothing to roll back)."""

    code = "bad_state"
