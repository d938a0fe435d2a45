# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Who may call this Loki, what they own, how much they may store.

Two modes, chosen explicitly:

* **token mode** — an admin token and/or per-device tokens. Every RPC needs
  ``authorization: Bearer <token>`` naming one of them (else UNAUTHENTICATED). A device
  owns the scripts it registers; nobody but the owner or the admin may replace them
  (PERMISSION_DENIED); each non-admin caller has a quota of scripts and bytes
  (RESOURCE_EXHAUSTED). Each device may carry its own *call token*, the credential
  ``device.call`` sends to that device (its ``JOTUNHEIM_TOKEN``).
* **open mode** — no authentication, for local demos: every caller is ``anonymous``,
  any script may be replaced, and ``device.call`` sends no credential at all (anyone
  could make Loki call anywhere a script names, so there must be nothing to steal).

Configuration file (``--auth-file``), JSON::

    {"admin_token": "...",
     "device_token": "default call token for devices without their own",
     "devices": {"<device id>": {"token": "<its JOTUNHEIM_LOKI_TOKEN>",
                                  "device_token": "<its JOTUNHEIM_TOKEN>"}},
     "max_scripts": 256, "max_bytes": 16777216}
"""

import hmac
import json

ADMIN = "admin"
ANONYMOUS = "anonymous"
DEVICE_PREFIX = "device:"
MAX_SCRIPTS = 256
MAX_BYTES = 16 * 1024 * 1024
# gRPC status codes used here
UNAUTHENTICATED = 16
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8


class AccessError(Exception):
    """A call refused by the access policy; ``code`` is the gRPC status to answer."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Caller:
    """An authenticated caller.

    :param str owner: ``"admin"``, ``"device:<id>"`` or ``"anonymous"`` — what its
        scripts are recorded as owned by
    """

    def __init__(self, owner: str):
        self.owner = owner

    @property
    def is_admin(self) -> bool:
        return self.owner == ADMIN

    @property
    def device_id(self) -> str:
        """The device id of a device caller, else ``""``."""
        return self.owner[len(DEVICE_PREFIX) :] if self.owner.startswith(DEVICE_PREFIX) else ""

    def __repr__(self):
        return f"Caller({self.owner!r})"


# In-process callers (tests, the demo calling srv.service directly) are the operator.
OPERATOR = Caller(ADMIN)


class DeviceEntry:
    """One configured device.

    :param str device_id: the device's ``device_id`` (what its forwarding scripts name)
    :param str token: the token it authenticates to Loki with (its JOTUNHEIM_LOKI_TOKEN)
    :param str device_token: what ``device.call`` sends to it ("" = the default)
    """

    def __init__(self, device_id: str, token: str, device_token: str = ""):
        if not device_id or not token:
            raise ValueError("a device entry needs a device id and a token")
        self.device_id = device_id
        self.token = token
        self.device_token = device_token


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class AccessPolicy:
    """Tokens, ownership and quotas (see the module doc).

    :param str admin_token: the operator's token ("" = none)
    :param devices: :class:`DeviceEntry` items
    :param bool open_mode: no authentication at all (cannot be combined with tokens)
    :param str device_token: call token for devices the operator's scripts declare and
        that are not configured here (token mode only; configured devices get only
        their own ``device_token``)
    :param int max_scripts: scripts each non-admin caller may own
    :param int max_bytes: bytes (code + metadata) each non-admin caller may store
    """

    def __init__(
        self,
        *,
        admin_token: str = "",
        devices=(),
        open_mode: bool = False,
        device_token: str = "",
        max_scripts: int = MAX_SCRIPTS,
        max_bytes: int = MAX_BYTES,
    ):
        self.admin_token = admin_token or ""
        self.devices = {}
        for entry in devices:
            if entry.device_id in self.devices:
                raise ValueError(f"device {entry.device_id!r} is configured twice")
            self.devices[entry.device_id] = entry
        tokens = [e.token for e in self.devices.values()] + [self.admin_token]
        tokens = [t for t in tokens if t]
        if len(set(tokens)) != len(tokens):
            raise ValueError("every caller token must be different")
        self.open_mode = bool(open_mode)
        if self.open_mode and tokens:
            raise ValueError("open mode takes no tokens: give tokens or open mode, not both")
        if not self.open_mode and not tokens:
            raise ValueError(
                "no caller tokens configured: give an admin token or device tokens,"
                " or choose open mode explicitly"
            )
        if self.open_mode and device_token:
            raise ValueError(
                "open mode sends no credentials to devices (any caller could direct them):"
                " configure tokens to use a device token"
            )
        self.device_token = device_token or ""
        self.max_scripts = int(max_scripts)
        self.max_bytes = int(max_bytes)

    @classmethod
    def open(cls, **kwargs) -> "AccessPolicy":
        """Open mode: no authentication (local demos only)."""
        return cls(open_mode=True, **kwargs)

    @classmethod
    def from_file(cls, path: str, **overrides) -> "AccessPolicy":
        """Read the JSON configuration at ``path`` (format in the module doc); keyword
        arguments given here win over the file's values."""
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read auth file {path!r}: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError(f"auth file {path!r}: want a JSON object")
        devices = []
        for device_id, item in (data.get("devices") or {}).items():
            if not isinstance(item, dict):
                raise ValueError(f"auth file {path!r}: device {device_id!r} must be an object")
            devices.append(
                DeviceEntry(
                    str(device_id), str(item.get("token", "")), str(item.get("device_token", ""))
                )
            )
        kwargs = {
            "admin_token": str(data.get("admin_token", "")),
            "devices": devices,
            "device_token": str(data.get("device_token", "")),
            "max_scripts": int(data.get("max_scripts", MAX_SCRIPTS)),
            "max_bytes": int(data.get("max_bytes", MAX_BYTES)),
        }
        devices.extend(overrides.pop("devices", None) or ())
        kwargs.update({k: v for k, v in overrides.items() if v})
        return cls(**kwargs)

    # -- who is calling -----------------------------------------------------------------

    def authenticate(self, authorization: str) -> Caller:
        """The caller an ``authorization`` header value names; raises
        :class:`AccessError` (UNAUTHENTICATED) in token mode when it names nobody."""
        if self.open_mode:
            return Caller(ANONYMOUS)
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AccessError(UNAUTHENTICATED, "this Loki needs authorization: Bearer <token>")
        found = None
        # Compare against every token (constant time each) rather than stop early.
        if self.admin_token and _same(token, self.admin_token):
            found = Caller(ADMIN)
        for entry in self.devices.values():
            if _same(token, entry.token):
                found = Caller(DEVICE_PREFIX + entry.device_id)
        if found is None:
            raise AccessError(UNAUTHENTICATED, "unknown token")
        return found

    # -- what they may do ---------------------------------------------------------------

    def check_write(self, caller: Caller, name: str, existing_owner) -> None:
        """Refuse (PERMISSION_DENIED) replacing script ``name`` owned by someone else.

        :param existing_owner: owner of the script registered now, None if there is none
        """
        if existing_owner is None or self.open_mode or caller.is_admin:
            return
        if existing_owner != caller.owner:
            shown = existing_owner or "the operator"
            raise AccessError(PERMISSION_DENIED, f"script {name!r} belongs to {shown}")

    def check_quota(self, caller: Caller, count: int, used: int) -> None:
        """Refuse (RESOURCE_EXHAUSTED) going over the quota.

        :param int count: scripts the caller would own after this registration
        :param int used: bytes they would store after it
        """
        if caller.is_admin:
            return
        if count > self.max_scripts:
            raise AccessError(
                RESOURCE_EXHAUSTED, f"{caller.owner} may own at most {self.max_scripts} scripts"
            )
        if used > self.max_bytes:
            raise AccessError(
                RESOURCE_EXHAUSTED, f"{caller.owner} may store at most {self.max_bytes} bytes"
            )

    def may_declare(self, owner: str, device_id: str) -> bool:
        """Whether a script owned by ``owner`` may say where device ``device_id`` is."""
        if self.open_mode:
            return True
        if not device_id:  # only open mode has devices without an id
            return False
        if owner in (ADMIN, ""):  # the operator's scripts (or dropped in by hand)
            return True
        return owner == DEVICE_PREFIX + device_id

    def call_token(self, device_id: str) -> str:
        """The credential ``device.call`` sends to ``device_id`` ("" = none)."""
        if self.open_mode:
            return ""
        entry = self.devices.get(device_id)
        if entry is not None:
            # A configured device declares its own address: it gets only its own
            # credential, never the default one other devices may share.
            return entry.device_token
        return self.device_token
