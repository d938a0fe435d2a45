# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Who may call JotunheimService: signed requests, bearer tokens, or an open device.

Two tokens from settings.toml: JOTUNHEIM_TOKEN lets a caller use the service at all,
JOTUNHEIM_OWNER_TOKEN additionally unlocks user-only tools and owner commands (reboot,
OTA). The owner token also works where the plain token is asked for.

How a caller proves it holds one is ``remote.auth_mode``:

- ``signed`` (the default): ``authorization: JH-HMAC ...`` (:mod:`jotunheim.remote.signing`,
  imported on the first signed request),
  so the token never crosses the device's plain-HTTP server;
- ``bearer``: ``authorization: Bearer <token>``, for callers behind TLS or not migrated;
- ``either``: both.

Without any token the device refuses every call, unless ``remote.open`` is true: then
anyone may call what needs no owner token (and the device says so loudly at start).

A caller let in has the level ``"owner"`` (it proved the owner token) or ``"user"``; the
words are those of a signature's ``keyid``.
"""


def constant_time_equal(a, b):
    """True if ``a`` equals ``b`` (str or bytes), compared in constant time."""
    # Time depends only on len(b) (the secret's length is not secret here), never on
    # where the first differing byte is; hmac.compare_digest is missing on CircuitPython.
    if isinstance(a, str):
        a = a.encode("utf-8")
    if isinstance(b, str):
        b = b.encode("utf-8")
    n = len(a)
    bits = n ^ len(b)  # the differing bits, gathered over every byte
    for i in range(len(b)):
        bits |= (a[i % n] if n else 0) ^ b[i]
    return bits == 0


class TokenCheck:
    """Decides a caller's access level.

    :param token: required from every caller when set
    :param owner_token: needed for user-only tools and owner commands
    :param str mode: ``signed``, ``bearer`` or ``either`` (see the module doc)
    :param bool open_access: without a token, let anyone call (``remote.open``)
    :param dict signing: :class:`~jotunheim.remote.signing.SignatureCheck` options
        (``window``, ``tolerance``, ``max_nonces``, ``clock``, ``logger``)

    ``required`` is True when every caller must prove it holds a token (a check is not
    changed once made: new settings make a new one).
    """

    def __init__(
        self, token=None, owner_token=None, mode="signed", open_access=False, signing=None
    ):
        if mode not in ("signed", "bearer", "either"):
            raise ValueError("auth mode must be signed, bearer or either, not %r" % mode)
        self.token = token or None
        self.owner_token = owner_token or None
        self.mode = mode
        self.open_access = bool(open_access)
        self.signing_options = signing or {}
        self.signatures = None  # the SignatureCheck, made on the first signed request
        self.required = self.token is not None or not self.open_access

    def decide(self, metadata, context=None):
        """``(level, None)`` for a caller let in (``"owner"`` or ``"user"``), ``(None, why)``
        for one refused.

        :param metadata: the request headers (lower-case names)
        :param context: the call (``method``, ``body``), needed to check a signature; a
            checked signature's nonce is used up
        """
        value = ((metadata.get("authorization") if metadata else None) or "").strip()
        given = error = None  # given: the bearer token sent; None for a JH-HMAC header
        if value.startswith("JH-HMAC ") or value[:8].upper() == "JH-HMAC ":
            if self.mode != "bearer":
                if not self.required and self.owner_token is None:
                    return "user", None  # nothing to check a signature against, nothing to unlock
                # Signing is loaded on the first signed request: a device in bearer or open
                # mode, or one not called yet, never holds it.
                from jotunheim.remote.signing import SignatureCheck, SignatureError

                if self.signatures is None:
                    keys = {"user": self.token, "owner": self.owner_token}
                    self.signatures = SignatureCheck(
                        keys, constant_time_equal, **self.signing_options
                    )
                method = getattr(context, "method", None)
                if method is not None:
                    try:
                        level = self.signatures.verify(
                            "POST", method, getattr(context, "body", None), value
                        )
                    except SignatureError as exc:
                        error = exc
                    else:
                        # What a sealed result needs: the token that signed and the
                        # signature (its iv).
                        context.signed_by = (
                            self.owner_token if level == "owner" else self.token,
                            self.signatures.signature,
                        )
                        return level, None
        else:
            name, _, given = value.partition(" ")  # name: the scheme
            given = given.strip() if name.lower() == "bearer" else ""
            if given and self.mode != "signed":
                if self.owner_token is not None and constant_time_equal(given, self.owner_token):
                    return "owner", None
                if self.token is not None and constant_time_equal(given, self.token):
                    return "user", None
            if not self.required:  # no token set, remote.open
                return "user", None
        # Why, in words: the texts load with the first refusal.
        from jotunheim.remote import refusals

        return None, refusals.unauthenticated(self, given, error)

    def warning(self):
        """What to say loudly at start about who may call, or None."""
        if self.required and self.mode == "signed" and (self.token or self.owner_token):
            return None  # the default: nothing to warn of, and no texts to load
        from jotunheim.remote import refusals

        return refusals.warning(self)
