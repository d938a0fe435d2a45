# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Manifest-first OTA download: verify, then stream each file into staging while hashing.

* The manifest and its ``.sig`` are fetched and verified before any file is requested.
* Each file streams through one fixed buffer into ``.ota/staging/files/<path>.part``
  while SHA-256 is updated: RAM use does not depend on the file size.
* An interrupted file resumes with ``Range: bytes=N-`` (the partial file is re-hashed
  first); a server that answers 200 instead of 206 gets the file restarted from zero.
* Transient failures retry with exponential backoff and jitter; ``progress(done, total)``
  is called as bytes arrive.

File URLs: ``<folder of manifest URL>/files/<path>`` (the layout ``jotunheim ota build``
writes and ``jotunheim ota serve`` serves).
"""

from jotunheim.ota import errors, journal
from jotunheim.ota import manifest as manifest_mod
from jotunheim.ota.installer import Installer

_SAFE = b"/-_.~"


def _quote(path):
    # Percent-encode every byte but ASCII letters, digits and /-_.~ (str.isalpha() would
    # let non-ASCII letters through on CPython, and raw UTF-8 in a request line gets 404).
    out = []
    for b in path.encode("utf-8"):
        if 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 or b in _SAFE:
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def _hex(digest):
    return "".join("%02x" % b for b in digest)


class _Retry(Exception):
    """A transient failure: try again after a pause."""


class Fetcher:
    """Downloads and installs an update from ``manifest_url``.

    ``keys``: trusted raw Ed25519 public keys (list) or {key_id: key}.
    ``allow_boot_py``: the device's ``ota.allow_boot_py`` setting (see jotunheim.ota.paths).
    ``buffers``: a :class:`jotunheim.resources.monitor.BufferPool` the download buffer is
    taken from (at least 256 bytes; give it back with :meth:`close`); ``meter``: told the
    bytes of every download chunk as ``count("ota", 0, n)``.
    """

    def __init__(
        self,
        manifest_url,
        keys,
        root="/",
        session=None,
        board_id=None,
        package=None,
        firmware_version=None,
        device_allows_downgrade=False,
        check_expiry=True,
        now=None,
        progress=None,
        retries=6,
        backoff_s=0.25,
        max_backoff_s=8.0,
        buffer_size=1024,
        sleep=None,
        allow_boot_py=False,
        buffers=None,
        meter=None,
    ):
        self.manifest_url = manifest_url
        self.base_url = manifest_url.rsplit("/", 1)[0] + "/"
        self.keys = keys
        self.installer = Installer(root)
        self._session_arg = session
        self._session_obj = None
        self.board_id = board_id
        self.package = package
        self.firmware_version = firmware_version
        self.device_allows_downgrade = device_allows_downgrade
        self.check_expiry = check_expiry
        self.allow_boot_py = allow_boot_py
        self.now = now
        self.progress = progress
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.buffers = buffers
        self.meter = meter
        if buffers is not None:
            self.buf = buffers.acquire(buffer_size, minimum=256)
        else:
            self.buf = bytearray(buffer_size)
        self._sleep = sleep
        self.resumed = 0  # how many times a file continued with a 206 answer
        self.restarted = 0  # how many times a server ignored Range

    def close(self):
        """Give the download buffer back to the pool it came from."""
        if self.buffers is not None and self.buf is not None:
            self.buffers.release(self.buf)
        self.buf = None

    # ------------------------------------------------------------------ http
    @property
    def session(self):
        """The HTTP session: the one given, else a new one (made on first use)."""
        if self._session_obj is None:
            # The given session, or one on this platform's pool (a board's radio, or
            # CPython sockets) with TCP_NODELAY: see jotunheim.net.session.
            session = self._session_arg
            if session is None:
                from jotunheim.net.session import new_session

                session = new_session(session_id="ota")
            self._session_obj = session
        return self._session_obj

    def _pause(self, attempt):
        import random

        delay = min(self.max_backoff_s, self.backoff_s * (1 << attempt))
        delay *= 0.5 + random.random() / 2  # jitter: many devices must not retry in step
        if self._sleep is not None:
            self._sleep(delay)
        else:
            import time

            time.sleep(delay)

    def _with_retries(self, what, fn):
        attempt = 0
        while True:
            try:
                return fn()
            except errors.OTAError:
                raise  # a refusal of ours: retrying cannot change it
            except Exception as exc:  # noqa: BLE001 - MemoryError included; see below
                # Whatever the transport raises is a failed download, never a crash:
                # adafruit_requests raises OSError/RuntimeError for dropped sockets,
                # OutOfRetries (an Exception) for repeated resets, ValueError/UnicodeError
                # for a malformed head (Content-Length not a number, a header line without
                # a colon, bytes that are not UTF-8).
                if attempt >= self.retries:
                    raise errors.DownloadError("%s failed: %s" % (what, exc)) from None
                self._pause(attempt)
                attempt += 1

    def _get_small(self, url, limit):
        def once():
            resp = self.session.get(url, stream=True)
            try:
                if resp.status_code != 200:
                    if resp.status_code >= 500:
                        raise _Retry("HTTP %d" % resp.status_code)
                    raise errors.DownloadError("GET %s: HTTP %d" % (url, resp.status_code))
                data = bytearray()
                for chunk in resp.iter_content(512):
                    data.extend(chunk)
                    if len(data) > limit:
                        raise errors.BadManifest("%s larger than %d bytes" % (url, limit))
                length = resp.headers.get("content-length")
                if length is not None and int(length) != len(data):
                    raise _Retry("short read")
                return bytes(data)
            finally:
                resp.close()

        return self._with_retries("GET " + url, once)

    # ------------------------------------------------------------- manifest
    def check(self):
        """Fetch and verify the manifest (no file is downloaded). Returns a Manifest."""
        raw = self._get_small(self.manifest_url, manifest_mod.MAX_MANIFEST_BYTES)
        sig = self._get_small(self.manifest_url + ".sig", 1024)
        return self._verify(raw, sig)

    def _verify(self, raw, sig):
        state = self.installer.state
        now = self.now
        if now is None:
            import time

            now = int(time.time())
        free = self.installer.free_bytes()
        if free is not None:
            free += self._staged_bytes()
        man = manifest_mod.verify(
            raw,
            sig,
            self.keys,
            board_id=self.board_id,
            installed_version=state["version"],
            now=now,
            package=self.package,
            firmware_version=self.firmware_version,
            device_allows_downgrade=self.device_allows_downgrade,
            free_bytes=free,
            check_expiry=self.check_expiry,
            allow_boot_py=self.allow_boot_py,
        )
        if man.version in state["bad_versions"]:
            raise errors.KnownBad("version %d was rolled back on this device" % man.version)
        self.installer.check_links(man)  # before a byte is written
        self._raw, self._sig = raw, sig
        return man

    def _staged_bytes(self):
        total = 0
        for rel in journal.walk_files(self.installer.staged_files):
            total += journal.file_size(self.installer.staged_path(rel))
        return total

    # ----------------------------------------------------------------- files
    def _prepare_staging(self, man):
        inst = self.installer
        staged = inst.staging + "/manifest.json"
        old = None
        try:
            with open(staged, "rb") as f:
                old = f.read()
        except OSError:
            pass
        if old != man.raw:  # a different update was half-downloaded: start clean
            inst.clear_staging()
            journal.makedirs(inst.staged_files)
            with journal.Writer(staged + ".sig") as w:
                w.write(self._sig)
            with journal.Writer(staged) as w:
                w.write(man.raw)

    def download(self, man):
        """Stream every file of the verified manifest into staging."""
        self._prepare_staging(man)
        total = man.total_size
        done = 0
        for path, size, digest in man.files:
            self._fetch_file(path, size, digest, done, total)
            done += size
        if self.progress:
            self.progress(total, total)

    def _fetch_file(self, path, size, digest, done_before, total):
        final = self.installer.staged_path(path)
        if journal.file_size(final) == size:
            got = _hex(self._hash_existing(final, size).digest())
            if got == digest:
                return
            journal.remove(final)
        part = final + ".part"
        journal.makedirs(part.rsplit("/", 1)[0])
        self._with_retries(
            "download " + path,
            lambda: self._fetch_once(path, part, size, digest, done_before, total),
        )
        journal.rename(part, final)

    def _hash_existing(self, path, limit):
        """A SHA-256 hasher fed with the first ``limit`` bytes of ``path`` (not finalised:
        CircuitPython digests can be read only once, and a resume keeps updating it)."""
        import hashlib

        h = hashlib.sha256()
        n_total = 0
        view = memoryview(self.buf)
        with open(path, "rb") as f:
            while n_total < limit:
                n = f.readinto(self.buf)
                if not n:
                    break
                n = min(n, limit - n_total)
                h.update(view[:n])
                n_total += n
        return h

    def _fetch_once(self, path, part, size, digest, done_before, total):
        import hashlib

        have = journal.file_size(part)
        if have > size:
            journal.remove(part)
            have = -1
        if have > 0:
            h = self._hash_existing(part, have)
        else:
            h = hashlib.sha256()
            have = 0
        headers = {"Range": "bytes=%d-" % have} if have else {}
        if have == size:
            resp = None
        else:
            resp = self.session.get(
                self.base_url + "files/" + _quote(path), headers=headers, stream=True
            )
        try:
            append = True
            if resp is not None:
                status = resp.status_code
                if status == 206:
                    rng = resp.headers.get("content-range", "")
                    if not rng.startswith("bytes %d-" % have):
                        raise _Retry("unexpected Content-Range %r" % rng)
                    if not rng.endswith("/%d" % size):
                        raise errors.SizeMismatch(
                            "%s: Content-Range %r, size %d" % (path, rng, size)
                        )
                    self.resumed += 1
                elif status == 200:
                    if have:
                        self.restarted += 1  # server ignored Range: start over
                    have = 0
                    h = hashlib.sha256()
                    append = False
                    length = resp.headers.get("content-length")
                    if length is not None and int(length) != size:
                        raise errors.SizeMismatch(
                            "%s: server has %s bytes, manifest says %d" % (path, length, size)
                        )
                elif status >= 500 or status == 416:
                    if status == 416:
                        journal.remove(part)
                    raise _Retry("HTTP %d" % status)
                else:
                    raise errors.DownloadError("GET %s: HTTP %d" % (path, status))
                have = self._stream(resp, part, append, have, size, h, done_before, total)
        finally:
            if resp is not None:
                resp.close()
        if have < size:
            raise _Retry("connection closed after %d of %d bytes" % (have, size))
        got = _hex(h.digest())
        if got != digest:
            journal.remove(part)  # corrupt: never resume from these bytes
            raise errors.HashMismatch("%s: SHA-256 %s, manifest says %s" % (path, got, digest))

    def _stream(self, resp, part, append, have, size, h, done_before, total):
        """Copy the body to ``part`` in whole-buffer writes (fewer flash writes, and the
        same write sequence whatever the TCP segment sizes), hashing on the way."""
        buf = self.buf
        cap = len(buf)
        view = memoryview(buf)
        start = have
        readinto = getattr(resp, "_readinto", None)
        chunks = None if readinto else resp.iter_content(cap)
        too_long = False
        filled = 0
        with journal.Writer(part, append=append) as out:
            while True:
                if readinto is not None:
                    # A memoryview slice is a heap object: pass the buffer itself when empty.
                    try:
                        n = readinto(buf if filled == 0 else view[filled:])
                    except (OSError, RuntimeError):
                        if filled and have + filled <= size:  # keep what arrived: resume from it
                            h.update(view[:filled])
                            out.write(view[:filled])
                        raise
                    filled += n
                else:
                    data = next(chunks, b"")
                    n = len(data)
                    if n:
                        if filled:  # flush what is buffered, then take the chunk whole
                            h.update(view[:filled])
                            out.write(view[:filled])
                            have += filled
                            filled = 0
                        if have + n > size:
                            too_long = True
                            break
                        h.update(data)
                        out.write(data)
                        have += n
                        if self.progress:
                            self.progress(done_before + have, total)
                        continue
                if have + filled > size:
                    too_long = True
                    break
                if filled and (filled == cap or not n):
                    data = buf if filled == cap else view[:filled]
                    h.update(data)
                    out.write(data)
                    have += filled
                    filled = 0
                    if self.progress:
                        self.progress(done_before + have, total)
                if not n:
                    break
        if self.meter is not None:  # once per file: the bytes this download moved
            self.meter.count("ota", 0, have - start + filled)
        if too_long:
            journal.remove(part)
            raise errors.SizeMismatch("%s: server sent more than %d bytes" % (part, size))
        return have

    # ------------------------------------------------------------------ all
    def apply(self):
        """check + download + activate. Returns the new state dict."""
        man = self.check()
        self.download(man)
        return self.installer.activate(man)
