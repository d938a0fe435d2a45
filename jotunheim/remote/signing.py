# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""HMAC-SHA256 request signing: the token proves itself without crossing the wire.

A signed call carries one header (instead of ``authorization: Bearer <token>``)::

    authorization: JH-HMAC keyid=user,ts=1764595200123,nonce=5f0c9a...,sig=<64 hex>

``keyid`` names the key: ``user`` is ``JOTUNHEIM_TOKEN``, ``owner`` is
``JOTUNHEIM_OWNER_TOKEN``; ``ts`` is Unix time in milliseconds; ``nonce`` 16 to 64
characters of ``A-Z a-z 0-9 - _``, new for every request; ``sig`` the lower-case hex
HMAC-SHA256, keyed with the token's UTF-8 bytes, of the string to sign::

    JH-HMAC-SHA256 \\n METHOD \\n /path \\n sha256-hex(body) \\n ts \\n nonce

The body is the HTTP body exactly as sent (for gRPC-Web: the 5-byte frame header and the
message). A request is accepted when its signature matches, ``ts`` is at most ``window``
seconds old and at most ``tolerance`` seconds ahead of the device clock, and its nonce was
not seen within the window. Nonces are remembered in a bounded table: when it is full the
oldest entry goes and requests signed at or before that entry's time are refused from then
on, so memory stays bounded and a replay is never let through.

CircuitPython has no ``hmac`` module: :func:`hmac_sha256` is RFC 2104 on ``hashlib.sha256``.
"""

import hashlib
from binascii import hexlify, unhexlify

from jotunheim.compat import run_and_forget


class SignatureError(Exception):
    """A signed request that is refused; ``str()`` says why, for the caller.

    Raised as ``SignatureError(number, *values)``: the text is
    :data:`jotunheim.remote.refusals.SIGNATURE` ``[number] % values``, loaded only when
    a refusal is put into words."""

    def __str__(self):
        from jotunheim.remote import refusals

        return refusals.SIGNATURE[self.args[0]] % self.args[1:]


def pads(key) -> tuple:
    """RFC 2104's inner and outer padded keys for ``key`` (bytes or str)."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if len(key) > 64:  # longer than SHA-256's block: the key is its hash
        key = hashlib.sha256(key).digest()
    key = bytearray(key + bytes(64 - len(key)))  # becomes the inner pad
    outer = bytearray(key)
    for i in range(64):
        key[i] ^= 0x36
        outer[i] ^= 0x5C
    return bytes(key), bytes(outer)


def hmac_sha256(key, message) -> bytes:
    """HMAC-SHA256 (RFC 2104) of ``message`` under ``key``: bytes or str, or the key's
    :func:`pads` (made once per key); ``message`` may be a tuple of parts (str or bytes)
    hashed one after the other, so no text is built for it."""
    if not isinstance(key, tuple):
        key = pads(key)
    digest = hashlib.sha256(key[0])  # the inner hash
    for part in message if isinstance(message, tuple) else (message,):
        try:
            digest.update(part)  # MicroPython hashes a str's UTF-8 bytes in place: no copy
        except TypeError:  # CPython's hashlib takes bytes only
            digest.update(part.encode("utf-8"))
    outer = hashlib.sha256(key[1])
    outer.update(digest.digest())
    return outer.digest()


class SignatureCheck:
    """Verifies signed requests and remembers them, in memory fixed at construction.

    :param keys: ``{keyid: secret}`` (``user``, ``owner``); a None secret is skipped
    :param equal: constant-time comparison of two byte strings
        (:func:`jotunheim.remote.handler.constant_time_equal`)
    :param int window: seconds a signed request stays valid (and is remembered)
    :param int tolerance: seconds a request's ``ts`` may be ahead of the device clock
    :param int max_nonces: requests remembered at most (the memory bound)
    :param clock: callable returning Unix seconds (default ``time.time``)
    :param logger: a jotunheim.log logger (a clock taken from a request is logged)

    ``accepted`` counts the requests let in, ``remembered`` those held now (at most
    ``max_nonces``), ``signature`` the last one let in (a sealed result's iv).
    """

    # ms to add to the clock when it was never set (see verify): set on such a board only
    # (a class default keeps the instance's attributes few).
    offset = None

    def __init__(self, keys, equal, **options):
        # Set up by jotunheim.remote.setup, forgotten once done: the code that only
        # builds does not stay on the heap while requests are checked.
        run_and_forget("jotunheim.remote.setup", "signature_check", self, keys, equal, **options)

    def verify(self, method, path, body, value) -> str:
        """The level (the keyid that verified: ``"owner"`` or ``"user"``) of a valid signed request; raises :class:`SignatureError` naming
        what is wrong. A valid request is remembered, so it works once."""
        # The header's four fields, found in place rather than split: fewer strings per
        # request on a board. A name counts only at the start of a field (``xnonce=``
        # inside a value is not one).
        found = []
        for name in ("keyid=", "ts=", "nonce=", "sig="):
            pos = value.find(name)
            while pos > 0 and value[pos - 1] not in " ,":
                pos = value.find(name, pos + 1)
            if pos < 0:
                raise SignatureError(0, name)
            pos += len(name)
            end = value.find(",", pos)
            text = value[pos : end if end >= 0 else len(value)].strip()
            if not text:
                raise SignatureError(1, name)
            found.append(text)
        keyid, ts, nonce, sig = found
        if not 16 <= len(nonce) <= 64:
            raise SignatureError(2)
        try:
            ts = int(ts)
        except ValueError:
            raise SignatureError(3) from None
        try:
            sig = unhexlify(sig)
        except ValueError:
            sig = b""
        if len(sig) != 32:
            raise SignatureError(4)
        if keyid not in ("user", "owner"):
            raise SignatureError(5, keyid)
        # The device's Unix time in ms, None while its clock was never set (a reading
        # before 2021-01-01) and no signed request gave it one.
        now = int(self.clock() * 1000)
        if now < 1609459200000:
            now = None if self.offset is None else now + self.offset
        if now is not None:
            if ts < now - self.window:
                raise SignatureError(6, (now - ts) // 1000, self.window // 1000)  # too old
            if ts > now + self.tolerance:
                raise SignatureError(7, (ts - now) // 1000, self.tolerance // 1000)  # ahead
        digest = hexlify(hashlib.sha256(body or b"").digest())
        line = b"\n"
        # The owner token works wherever the user token does (as with bearer tokens), so a
        # caller that does not know which token it holds signs as "user".
        for level in ("owner",) if keyid == "owner" else ("user", "owner"):
            key = self.keys[level == "owner"]
            # The string to sign (the module doc), hashed in parts: no text is built.
            expected = key and hmac_sha256(
                key,
                (
                    "JH-HMAC-SHA256",
                    line,
                    method.upper(),
                    line,
                    path,
                    line,
                    digest,
                    line,
                    str(ts),
                    line,
                    nonce,
                ),
            )
            if expected and self.equal(sig, expected):
                break
        else:
            raise SignatureError(8)  # not signed with a key of this device
        if now is None:
            # A board without a clock source takes the caller's time (once).
            from jotunheim.remote.signtime import take_time

            now = take_time(self, ts)
        ring = self.ring
        if self.base is None:
            self.base = now - self.window
        elif now - self.base > 0x10000000:  # ~3 days: move the base, keep offsets small ints
            from jotunheim.remote.signtime import rebase

            rebase(self, now)
        ts -= self.base  # from here on: ms after base
        if ts <= self.floor:
            raise SignatureError(9)  # replayed: older than those remembered
        tag = expected[0] << 19 | expected[1] << 11 | expected[2] << 3 | 1
        for i in range(0, len(ring), 2):  # ``in`` is not implemented for arrays on MicroPython
            if ring[i] == tag:
                raise SignatureError(10)  # replayed
        # Each request let in takes the next entry, so ``accepted`` says which.
        i = self.accepted % (len(ring) // 2) * 2
        if not ring[i]:
            self.remembered += 1
        elif ring[i + 1] > self.floor:
            self.floor = ring[i + 1]  # forgetting it: refuse anything as old from now on
        ring[i] = tag
        ring[i + 1] = ts
        self.signature = expected
        self.accepted += 1
        return level
