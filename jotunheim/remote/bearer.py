# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A call without a ``JH-HMAC`` signature: its ``authorization: Bearer <token>``, or no
token at all, checked by :meth:`RemoteCommandHandler.authorize
<jotunheim.remote.handler.RemoteCommandHandler.authorize>`. Loaded by the first such
call: a device whose callers sign (``remote.auth_mode`` ``signed``, the default) never
holds it unless a caller sends a bearer token, which is then refused."""


def level(handler, value, equal):
    """``(level, given)`` of a call whose ``authorization`` header is ``value`` (not a
    JH-HMAC one): ``level`` ``"owner"``, ``"user"`` or None (refused); ``given`` the
    bearer token sent (``""`` for none), for the refusal's words. ``equal`` compares in
    constant time (:func:`jotunheim.remote.handler.constant_time_equal`)."""
    name, _, given = value.partition(" ")  # name: the scheme
    given = given.strip() if name.lower() == "bearer" else ""
    if given and handler.mode != "signed":
        if handler.owner_token is not None and equal(given, handler.owner_token):
            return "owner", given
        if handler.token is not None and equal(given, handler.token):
            return "user", given
    if not handler.required:  # no token set, remote.open
        return "user", given
    return None, given
