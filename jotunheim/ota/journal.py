# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Crash-safe file primitives for the installer.

* Every mutation (a chunk written, a rename, a remove, a mkdir) goes through this module
  and is counted; a test can install a *fault hook* that is called after each one (the
  power-loss test kills the process from it at every possible write).
* ``write_record`` stores a small JSON record with its SHA-256 so a torn write is
  detected, and replaces the previous record without ever leaving none: write
  ``name.new`` -> remove ``name`` -> rename ``name.new`` to ``name``. FAT cannot rename
  over an existing file, so this protocol works on CIRCUITPY and POSIX alike;
  ``read_record`` prefers a valid ``.new`` (the newest intent), else ``name``.
"""

import os

_hook = [None]
# FAT (CIRCUITPY, MicroPython boards) has no links and its os has no lstat: nothing to check.
_lstat = getattr(os, "lstat", None)
_S_IFMT = 0o170000
_S_IFLNK = 0o120000


def set_fault_hook(hook):
    """``hook(op, path)`` is called after each filesystem mutation (None to remove)."""
    _hook[0] = hook


def _done(op, path):
    hook = _hook[0]
    if hook is not None:
        hook(op, path)


def exists(path):
    """True if ``path`` exists."""
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def is_dir(path):
    """True if ``path`` is a folder."""
    try:
        return os.stat(path)[0] & 0x4000 != 0
    except OSError:
        return False


def is_link(path):
    """True if ``path`` itself is a symbolic link (always False where links do not exist)."""
    if _lstat is None:
        return False
    try:
        return _lstat(path)[0] & _S_IFMT == _S_IFLNK
    except OSError:
        return False


def first_link(root, rel):
    """The first existing component of ``root/rel`` that is a symbolic link, or None.

    ``root`` itself is the device's choice (a mount point may be a link) and is not checked.

    :param str root: the folder playing CIRCUITPY
    :param str rel: a relative ``/``-separated path under it
    """
    if _lstat is None:
        return None
    path = root.rstrip("/")
    for part in rel.split("/"):
        path = path + "/" + part
        try:
            mode = _lstat(path)[0]
        except OSError:
            return None  # missing: nothing deeper exists either
        if mode & _S_IFMT == _S_IFLNK:
            return path
    return None


def file_size(path):
    """Size of ``path`` in bytes, or -1 if it cannot be read."""
    try:
        return os.stat(path)[6]
    except OSError:
        return -1


def sync():
    """Flush filesystem buffers where the platform can (os.sync on CircuitPython/Linux)."""
    fn = getattr(os, "sync", None)
    if fn is not None:
        fn()


def makedirs(path):
    """Create ``path`` and missing parents (each mkdir counts as a mutation)."""
    if not path or exists(path):
        return
    parent = path.rsplit("/", 1)[0] if "/" in path.strip("/") else ""
    if parent and parent != path:
        makedirs(parent)
    try:
        os.mkdir(path)
    except OSError:
        if not is_dir(path):
            raise
        return
    _done("mkdir", path)


def rename(src, dst):
    """Rename ``src`` to ``dst``, creating ``dst``'s folder if needed."""
    parent = dst.rsplit("/", 1)[0]
    if parent and parent != dst:
        makedirs(parent)
    os.rename(src, dst)
    _done("rename", dst)


def remove(path):
    """Remove the file ``path``."""
    os.remove(path)
    _done("remove", path)


def rmtree(path):
    """Remove a folder and everything in it (missing folder is fine)."""
    if is_link(path):
        remove(path)  # the link, never what it points to
        return
    try:
        mode = os.stat(path)[0]
    except OSError:
        return  # missing is fine
    if not mode & 0x4000:
        remove(path)
        return
    for name in os.listdir(path):
        rmtree(path + "/" + name)
    os.rmdir(path)
    _done("rmdir", path)


def walk_files(top, prefix=""):
    """Relative paths of all files under ``top`` (sorted)."""
    out = []
    if not is_dir(top):
        return out
    for name in sorted(os.listdir(top)):
        full = top + "/" + name
        rel = prefix + name
        if is_dir(full) and not is_link(full):
            out.extend(walk_files(full, rel + "/"))
        else:
            out.append(rel)
    return out


class Writer:
    """A file opened for writing whose every ``write`` counts as one mutation."""

    def __init__(self, path, append=False):
        self.path = path
        self._f = open(path, "ab" if append else "wb")
        _done("open", path)

    def write(self, data):
        """Write and flush ``data``; returns the number of bytes written."""
        n = self._f.write(data)
        self._f.flush()
        _done("write", self.path)
        return n

    def close(self):
        """Flush, fsync where possible, and close (again is a no-op)."""
        if self._f is not None:
            self._f.flush()
            try:
                os.fsync(self._f.fileno())
            except (AttributeError, OSError):
                pass  # CircuitPython: os.sync() at phase boundaries instead
            self._f.close()
            self._f = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _encode(record):
    import hashlib
    import json

    body = json.dumps(record).encode()
    digest = hashlib.sha256(body).digest()
    return body + b"\n" + "".join("%02x" % b for b in digest).encode() + b"\n"


def _decode(data):
    import hashlib
    import json

    body, sep, rest = data.rstrip(b"\n").rpartition(b"\n")
    if not sep:
        return None
    digest = hashlib.sha256(body).digest()
    if rest != "".join("%02x" % b for b in digest).encode():
        return None  # torn or corrupted write
    try:
        return json.loads(body)
    except ValueError:
        return None


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def read_record(path):
    """The newest valid record stored at ``path`` (or None)."""
    for candidate in (path + ".new", path):
        data = _read_bytes(candidate)
        if data is not None:
            record = _decode(data)
            if record is not None:
                return record
    return None


def _settle(path):
    """Leave at most one file: promote a valid ``.new``, drop a torn one."""
    tmp = path + ".new"
    if not exists(tmp):
        return
    if _decode(_read_bytes(tmp) or b"") is None:
        remove(tmp)
        return
    if exists(path):
        remove(path)
    rename(tmp, path)


def write_record(path, record):
    """Replace the record at ``path``; at every instant a valid old or new one exists."""
    _settle(path)
    tmp = path + ".new"
    with Writer(tmp) as w:
        w.write(_encode(record))
    sync()
    if exists(path):
        remove(path)
    rename(tmp, path)
    sync()


def delete_record(path):
    """Remove the record at ``path`` (and any pending ``.new``)."""
    _settle(path)
    if exists(path):
        remove(path)
    sync()
