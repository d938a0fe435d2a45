# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Which paths an update may write: the text rules (no link check here; that needs the
filesystem, see :func:`jotunheim.ota.journal.first_link`).

A manifest path is relative, ``/``-separated, normal (no ``.``/``..``/empty parts), and
names nothing the device keeps for itself:

* never ``settings.toml`` (WiFi password and tokens), ``boot_out.txt`` (written by
  CircuitPython) or anything under ``.ota/`` (the update's own journal and backups);
* a boot file (``boot.py``, ``boot.txt``: they own the rollback) only when the manifest
  declares ``"boot_py": true`` *and* the device's ``ota.allow_boot_py`` setting is on.

CIRCUITPY is FAT, which folds case, drops trailing dots and spaces (``settings.toml.`` is
``settings.toml``) and gives every long name an 8.3 alias (``SETTIN~1.TOM``): all three are
refused, so no spelling reaches a protected file.
"""

from jotunheim.ota import errors

MAX_PATH = 200
OTA_DIR = ".ota"  # our own state folder can never be an update target
PROTECTED = ("settings.toml", "boot_out.txt")
BOOT_FILES = ("boot.py", "boot.txt")


def is_boot_file(path):
    """True for the files CircuitPython runs before ``code.py`` (any case).

    :param str path: a manifest path
    """
    return path.lower() in BOOT_FILES


def _check_part(part, path):
    if part in ("", ".", ".."):
        raise errors.UnsafePath("path escapes or is not normal: %r" % path)
    if part[-1] in ". " or part[0] == " ":
        # FAT drops trailing dots and spaces: "code.py." would be code.py.
        raise errors.UnsafePath("path part ends in a dot or a space: %r" % path)
    for ch in part:
        if ch < " " or ch == "\x7f":
            raise errors.UnsafePath("control character in path: %r" % path)
    tilde = part.find("~")
    if 0 <= tilde < len(part) - 1 and "0" <= part[tilde + 1] <= "9":
        raise errors.UnsafePath("FAT short-name alias in path: %r" % path)


def check_path(path):
    """Raise UnsafePath (ProtectedPath for a protected file) unless ``path`` is a plain
    relative path inside the root that an update may write. Boot files pass here: whether
    one may be written is decided by :func:`check_boot_file`.

    :param str path: a manifest path
    """
    if not isinstance(path, str) or not path:
        raise errors.UnsafePath("empty or non-text path")
    if len(path) > MAX_PATH:
        raise errors.UnsafePath("path too long: %s" % path[:40])
    if path[0] == "/" or "\\" in path or ":" in path or "\x00" in path:
        raise errors.UnsafePath("absolute, drive or backslash path: %r" % path)
    parts = path.split("/")
    for part in parts:
        _check_part(part, path)
    if parts[0].lower() == OTA_DIR:
        raise errors.ProtectedPath("path inside the OTA state folder: %r" % path)
    if path.lower() in PROTECTED:
        raise errors.ProtectedPath("%s belongs to the device; an update never replaces it" % path)


def check_boot_file(path, declared, allowed):
    """Raise ProtectedPath if ``path`` is a boot file the update may not write.

    :param str path: a manifest path (already passed :func:`check_path`)
    :param bool declared: the signed manifest says ``"boot_py": true``
    :param bool allowed: the device's ``ota.allow_boot_py`` setting
    """
    if not is_boot_file(path):
        return
    if not declared:
        raise errors.ProtectedPath(
            '%s is a boot file: the manifest must declare "boot_py": true' % path
        )
    if not allowed:
        raise errors.ProtectedPath(
            "%s is a boot file and this device does not allow updates of it "
            "(setting ota.allow_boot_py)" % path
        )
