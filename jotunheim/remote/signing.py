"""HMAC-SHA256 request signing: the token proves itself without crossing the wire.

A signed call carries one header (instead of ``authorization: Bearer <token>``)::

    authorization: JH-HMAC keyid=user,ts=1764595200123,nonce=5f0c9a...,sig=<64 hex>

``keyid`` names the key: ``user`` is ``JOTUNHEIM_TOKEN``, ``owner`` is
``JOTUNHEIM_OWNER_TOKEN``; ``ts`` is Unix time in milliseconds; ``nonce`` 16 to 64
characters of ``A-Z a-z 0-9 - _``, new for every request; ``sig`` the lower-case hex
HMAC-SHA256, keyed with the token's UTF-8 bytes, of :func:`string_to_sign`::

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
import time

BLOCK = 64  # SHA-256 block size (RFC 2104's B)
SCHEME = "JH-HMAC"
ALGORITHM = "JH-HMAC-SHA256"
NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
CLOCK_SET_AFTER = 1609459200  # 2021-01-01: a clock reading earlier was never set


class SignatureError(Exception):
    """A signed request that is refused; the message says why, for the caller."""


def hex_of(data) -> str:
    """``data`` as lower-case hex (``bytes.hex`` is not on every port)."""
    return "".join("%02x" % b for b in data)


def hmac_sha256(key, message) -> bytes:
    """HMAC-SHA256 (RFC 2104) of ``message`` under ``key`` (bytes or str)."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(message, str):
        message = message.encode("utf-8")
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key + bytes(BLOCK - len(key))
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(message)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    outer.update(inner.digest())
    return outer.digest()


def body_hash(body) -> str:
    """SHA-256 of the request body as hex (of nothing when ``body`` is None)."""
    return hex_of(hashlib.sha256(body or b"").digest())


def string_to_sign(method, path, body_sha256, ts, nonce) -> str:
    """The text a signature covers (see the module doc)."""
    return "\n".join((ALGORITHM, method.upper(), path, body_sha256, str(ts), nonce))


def signature(secret, method, path, body, ts, nonce) -> str:
    """The ``sig`` value for a request (hex)."""
    text = string_to_sign(method, path, body_hash(body), ts, nonce)
    return hex_of(hmac_sha256(secret, text))


def header_value(keyid, secret, method, path, body, ts, nonce) -> str:
    """The whole ``authorization`` header value of a signed request."""
    sig = signature(secret, method, path, body, ts, nonce)
    return "%s keyid=%s,ts=%d,nonce=%s,sig=%s" % (SCHEME, keyid, ts, nonce, sig)


def is_signed(value) -> bool:
    """True when an ``authorization`` header value uses the JH-HMAC scheme."""
    return bool(value) and value.strip()[:8].upper() == SCHEME + " "


def parse_header(value) -> dict:
    """The fields of a ``JH-HMAC`` header value; raises :class:`SignatureError`."""
    fields = {}
    for part in value.strip()[8:].split(","):
        name, eq, item = part.strip().partition("=")
        if not eq or not item:
            raise SignatureError("JH-HMAC header: %r is not name=value" % part.strip())
        fields[name.strip().lower()] = item.strip()
    for name in ("keyid", "ts", "nonce", "sig"):
        if name not in fields:
            raise SignatureError("JH-HMAC header has no %s=" % name)
    nonce = fields["nonce"]
    if not 16 <= len(nonce) <= 64 or [c for c in nonce if c not in NONCE_CHARS]:
        raise SignatureError("JH-HMAC nonce must be 16-64 characters of A-Z a-z 0-9 - _")
    try:
        fields["ts"] = int(fields["ts"])
    except ValueError:
        raise SignatureError("JH-HMAC ts must be Unix time in milliseconds") from None
    return fields


def constant_time_equal(a, b) -> bool:
    """True if ``a`` equals ``b`` (str or bytes), compared in constant time."""
    # Time depends only on len(b) (the secret's length is not secret here), never on
    # where the first differing byte is; hmac.compare_digest is missing on CircuitPython.
    if isinstance(a, str):
        a = a.encode("utf-8")
    if isinstance(b, str):
        b = b.encode("utf-8")
    diff = len(a) ^ len(b)
    n = len(a)
    for i in range(len(b)):
        diff |= (a[i % n] if n else 0) ^ b[i]
    return diff == 0


class SignatureCheck:
    """Verifies signed requests and remembers their nonces.

    :param keys: ``{keyid: secret}`` (``user``, ``owner``); a None secret is skipped
    :param int window: seconds a signed request stays valid (and its nonce remembered)
    :param int tolerance: seconds a request's ``ts`` may be ahead of the device clock
    :param int max_nonces: nonces remembered at most (the memory bound)
    :param clock: callable returning Unix seconds (default ``time.time``)
    :param logger: a jotunheim.log logger (a clock taken from a request is logged)
    """

    def __init__(self, keys, window=300, tolerance=30, max_nonces=64, clock=None, logger=None):
        self.keys = dict((k, v) for k, v in keys.items() if v)
        self.window_ms = int(window * 1000)
        self.tolerance_ms = int(tolerance * 1000)
        self.max_nonces = max(1, max_nonces)
        self.clock = clock or time.time
        self.logger = logger
        self.nonces = {}  # nonce -> ts (ms)
        self.floor = 0  # requests signed at or before this (ms) are refused
        self.offset_ms = None  # set when the clock was never set (see now_ms)
        self.accepted = 0

    def now_ms(self):
        """The device's Unix time in ms, or None while the clock was never set."""
        now = self.clock()
        if now >= CLOCK_SET_AFTER:
            return int(now * 1000)
        if self.offset_ms is None:
            return None
        return int(now * 1000) + self.offset_ms

    def verify(self, method, path, body, value) -> str:
        """The keyid of a valid signed request; raises :class:`SignatureError` naming
        what is wrong. A valid request's nonce is remembered (so it works once)."""
        fields = parse_header(value)
        keyid, ts, nonce = fields["keyid"], fields["ts"], fields["nonce"]
        secret = self.keys.get(keyid)
        if secret is None:
            raise SignatureError("JH-HMAC keyid %r is not a key of this device" % keyid)
        now = self.now_ms()
        if now is not None:
            self._check_time(ts, now)
        if ts <= self.floor or nonce in self.nonces:
            raise SignatureError("replayed request: this nonce was used already; sign anew")
        expected = signature(secret, method, path, body, ts, nonce)
        if not constant_time_equal(fields["sig"], expected):
            raise SignatureError(
                "signature does not match: the method, path, body or key differ from what"
                " was signed"
            )
        if now is None:
            now = self._adopt_clock(ts)
        self._remember(nonce, ts, now)
        self.accepted += 1
        return keyid

    def _check_time(self, ts, now):
        if ts < now - self.window_ms:
            raise SignatureError(
                "request signed %d s ago; the window is %d s: check the caller's clock"
                % ((now - ts) // 1000, self.window_ms // 1000)
            )
        if ts > now + self.tolerance_ms:
            raise SignatureError(
                "request signed %d s in the future; the tolerance is %d s: check the"
                " caller's clock" % ((ts - now) // 1000, self.tolerance_ms // 1000)
            )

    def _adopt_clock(self, ts):
        # A board without a clock source: the first valid signature proves the caller
        # holds the key, so its time becomes the device's (docs/security.md says what
        # this does not cover).
        self.offset_ms = ts - int(self.clock() * 1000)
        if self.logger is not None:
            self.logger.warning("device clock was not set: took the time of a signed request")
        return ts

    def _remember(self, nonce, ts, now):
        nonces = self.nonces
        if len(nonces) >= self.max_nonces:
            oldest = now - self.window_ms
            for old in [n for n, t in nonces.items() if t < oldest]:
                del nonces[old]
        while len(nonces) >= self.max_nonces:
            first = None
            for n, t in nonces.items():
                if first is None or t < nonces[first]:
                    first = n
            self.floor = max(self.floor, nonces[first])
            del nonces[first]
        nonces[nonce] = ts
