# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Signing calls to a device: the host side of ``authorization: JH-HMAC ...``.

A device's server takes signed requests by default (``remote.auth_mode``, see
``docs/security.md``): the token signs each request and never goes on the wire. Host
callers build their headers with :func:`auth_headers`, the one function that decides
between a signed header and a bearer token::

    from jotunheim_host.signing import auth_headers, grpc_web_body

    body = grpc_web_body(bytes(request))            # the HTTP body exactly as sent
    headers.update(auth_headers(token, "/jotunheim.JotunheimService/CallTool", body))

:class:`Signer` is the same for many calls with one key; :func:`signing_metadata` gives the
metadata dict for one :class:`jotunheim.grpc.client.GrpcWebClient` call, and
:func:`client_signer` a ``signer=`` that signs every call of such a client. Signatures are
made with CPython's :mod:`hmac`, so they are an independent check of the device's own
HMAC (``jotunheim.remote.signing``).
"""

import hashlib
import hmac
import secrets
import struct
import time

# The scheme and the string-to-sign's first line, as the device's jotunheim.remote.signing
# checks them (written out here too: this side is the independent implementation).
SCHEME = "JH-HMAC"
ALGORITHM = "JH-HMAC-SHA256"
SCHEMES = ("signed", "bearer")
USER = "user"
OWNER = "owner"


def grpc_web_body(message: bytes) -> bytes:
    """One uncompressed gRPC-Web data frame holding ``message``: a unary call's body."""
    return b"\x00" + struct.pack(">I", len(message)) + bytes(message)


def new_nonce() -> str:
    """A fresh nonce: 24 characters of ``A-Z a-z 0-9 - _`` (144 random bits)."""
    return secrets.token_urlsafe(18)


class Signer:
    """Makes ``JH-HMAC`` header values with one key.

    :param str secret: the token (``JOTUNHEIM_TOKEN``, or the owner token)
    :param str keyid: ``user`` for ``JOTUNHEIM_TOKEN``, ``owner`` for ``JOTUNHEIM_OWNER_TOKEN``
    :param clock: callable returning Unix seconds (default ``time.time``)
    """

    def __init__(self, secret: str, keyid: str = USER, clock=time.time):
        if not secret:
            raise ValueError("a signer needs the device's token")
        self.key = secret.encode("utf-8")
        self.keyid = keyid
        self.clock = clock

    def header(self, path: str, body: bytes, method: str = "POST", ts=None, nonce=None) -> str:
        """The ``authorization`` value for one request (new nonce and time unless given)."""
        ts = int(self.clock() * 1000) if ts is None else int(ts)
        nonce = nonce or new_nonce()
        digest = hashlib.sha256(bytes(body or b"")).hexdigest()
        text = "\n".join((ALGORITHM, method.upper(), path, digest, str(ts), nonce))
        sig = hmac.new(self.key, text.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{SCHEME} keyid={self.keyid},ts={ts},nonce={nonce},sig={sig}"

    def __call__(self, path: str, body: bytes) -> dict:
        """The headers for one request: a :class:`jotunheim.grpc.client.GrpcWebClient`
        ``signer=``."""
        return {"authorization": self.header(path, body)}


class SealError(ValueError):
    """A sealed result that does not open: wrong token, or changed on the way."""


def open_sealed(token: str, authorization: str, blob: bytes) -> bytes:
    """The plain result of a sealed CallTool answer (``jotunheim.remote.sealing``).

    :param token: the token that signed the request
    :param authorization: the request's ``JH-HMAC`` header value (its ``sig`` is the iv)
    :param blob: ``ToolCallResponse.result``
    """
    iv = bytes.fromhex(authorization.rsplit("sig=", 1)[1].split(",", 1)[0].strip())
    key = token.encode("utf-8")
    enc = hmac.new(key, b"JH-SEAL-ENC", hashlib.sha256).digest()
    mac = hmac.new(key, b"JH-SEAL-MAC", hashlib.sha256).digest()
    if blob[:4] != b"JHS1" or len(blob) < 20:
        raise SealError("not a sealed result (no JHS1 header)")
    body, tag = blob[:-16], blob[-16:]
    want = hmac.new(mac, body[:4] + iv + body[4:], hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(want, tag):
        raise SealError("sealed result does not verify: wrong token, or changed on the way")
    data = body[4:]
    stream = b"".join(
        hmac.new(enc, iv + struct.pack(">I", i), hashlib.sha256).digest()
        for i in range((len(data) + 31) // 32)
    )
    return bytes(a ^ b for a, b in zip(data, stream))


def client_signer(token, *, scheme="signed", keyid=USER):
    """A ``signer=`` for :class:`jotunheim.grpc.client.GrpcWebClient` (None without a
    token; with ``scheme="bearer"`` it adds the bearer header instead)."""
    if not token:
        return None
    if scheme == "bearer":
        return lambda path, body: {"authorization": "Bearer " + token}
    return Signer(token, keyid)


def auth_headers(token, path: str, body: bytes, *, scheme="signed", keyid=USER) -> dict:
    """The ``authorization`` header for one call to a device, as a dict (empty without
    a token).

    :param token: the device's token, or None / "" for a device without one
    :param path: the request path, e.g. ``/jotunheim.JotunheimService/CallTool``
    :param body: the HTTP body exactly as sent (:func:`grpc_web_body`)
    :param scheme: ``signed`` (default) or ``bearer`` (a device with ``remote.auth_mode``
        ``bearer``, or one behind TLS)
    :param keyid: ``user`` or ``owner`` (which of the device's tokens ``token`` is)
    """
    if scheme not in SCHEMES:
        raise ValueError(f"auth scheme must be one of {', '.join(SCHEMES)}, not {scheme!r}")
    if not token:
        return {}
    if scheme == "bearer":
        return {"authorization": "Bearer " + token}
    return {"authorization": Signer(token, keyid).header(path, body)}


def signing_metadata(token, method: str, request, *, scheme="signed", keyid=USER) -> dict:
    """Metadata for one :class:`jotunheim.grpc.client.GrpcWebClient` call of ``method``
    (``"/pkg.Service/Method"``) with the message ``request`` (bytes, a ``jotunheim.pb``
    message or a betterproto one); pass it as ``metadata=``."""
    if isinstance(request, (bytes, bytearray, memoryview)):
        payload = bytes(request)
    elif hasattr(request, "encode"):
        payload = request.encode()
    else:
        payload = bytes(request)
    return auth_headers(token, method, grpc_web_body(payload), scheme=scheme, keyid=keyid)
