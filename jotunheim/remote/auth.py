"""Bearer tokens for JotunheimService callers, compared in constant time."""

# Two tokens from settings.toml: JOTUNHEIM_TOKEN lets a caller use the service at all
# (when set), JOTUNHEIM_OWNER_TOKEN additionally unlocks user-only tools and owner commands
# (reboot, OTA). The owner token also works where the plain token is asked for.

USER = "user"
OWNER = "owner"


def constant_time_equal(a, b):
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


def bearer_token(metadata):
    """The token of an ``authorization: Bearer <token>`` header, or None."""
    value = metadata.get("authorization") if metadata else None
    if not value:
        return None
    value = value.strip()
    if value[:7].lower() != "bearer ":
        return None
    return value[7:].strip() or None


class TokenCheck:
    """Decides a caller's access level from its bearer token.

    :param token: required from every caller when set
    :param owner_token: needed for user-only tools and owner commands
    """

    def __init__(self, token=None, owner_token=None):
        self.token = token or None
        self.owner_token = owner_token or None

    @property
    def required(self):
        """True when every caller must present a token."""
        return self.token is not None

    def level(self, metadata):
        """``OWNER``, ``USER``, or None when a token is required and none matched."""
        given = bearer_token(metadata)
        if given is not None and self.owner_token is not None:
            if constant_time_equal(given, self.owner_token):
                return OWNER
        if self.token is None:
            return USER
        if given is not None and constant_time_equal(given, self.token):
            return USER
        return None

    def problem(self, metadata):
        """Why a caller is refused (text), or None."""
        if self.level(metadata) is not None:
            return None
        if bearer_token(metadata) is None:
            return "this device needs a token: send 'authorization: Bearer <JOTUNHEIM_TOKEN>'"
        return "wrong token: check JOTUNHEIM_TOKEN in the device's settings.toml"
