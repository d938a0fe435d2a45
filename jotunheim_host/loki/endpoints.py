# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Where registered devices are, and which device a ``device.call`` may reach.

A device registers with Loki by registering its forwarding scripts,
``return device.call("<host:port>", "<tool>", params, "<device id>")``. The literal
address and device id in such a call are a *declaration*: "device <id> is at
<address>". A declaration counts only when the script's owner may speak for that
device (:meth:`.access.AccessPolicy.may_declare`: the device itself or the operator;
anyone in open mode). ``device.call`` then reaches only a declared (device, address)
pair, and carries that device's own credential — a script naming any other address
gets an error before a single byte is sent.
"""

import re

from .device_client import DeviceCallError

_STRING = r"""(["'])([^"'\\\n]*)\{n}"""
# device.call("addr", "tool", <params expression without commas or parentheses>
#             [, "device id"])
DECLARATION_RE = re.compile(
    r"device\s*\.\s*call\s*\(\s*"
    + _STRING.format(n=1)
    + r"\s*,\s*"
    + _STRING.format(n=3)
    + r"\s*(?:,\s*[^,()\"']*?\s*(?:,\s*"
    + _STRING.format(n=5)
    + r"\s*)?)?\)"
)


def declarations(code: str, owner_device: str = "") -> list:
    """``[device_id, address]`` pairs the literal ``device.call``\\ s in ``code`` name.

    :param str owner_device: id of the device that owns the script: a call that names
        no device id is that device's
    """
    found = []
    for match in DECLARATION_RE.finditer(code):
        address = match.group(2).strip()
        device_id = match.group(6) if match.group(6) is not None else owner_device
        pair = [device_id, address]
        if address and pair not in found:
            found.append(pair)
    return found


class DeviceDirectory:
    """Registered devices, read from the scripts' records.

    :param store: the :class:`~.store.ScriptStore`
    :param access: the :class:`~.access.AccessPolicy`
    """

    def __init__(self, store, access):
        self.store = store
        self.access = access

    def known(self) -> dict:
        """device id -> its declared addresses, most recently registered first."""
        pairs = []
        for record in self.store.list():
            for device_id, address in record.devices:
                if self.access.may_declare(record.owner, device_id):
                    pairs.append((record.registered_at, device_id, address))
        out = {}
        for _, device_id, address in sorted(pairs, key=lambda p: -p[0]):
            addresses = out.setdefault(device_id, [])
            if address not in addresses:
                addresses.append(address)
        return out

    def resolve(self, target: str, device_id: str):
        """``(device_id, address, token)`` for ``device.call(target, ..., device_id)``.

        ``target`` is a declared address of the device, or its id (then its most
        recently declared address is used); ``device_id`` may be empty when ``target``
        names one device unambiguously. Raises :class:`DeviceCallError` otherwise.
        """
        known = self.known()
        target = (target or "").strip()
        if device_id:
            addresses = known.get(device_id)
            if not addresses:
                raise DeviceCallError(
                    f"device.call: device {device_id!r} has not registered with this Loki", 5
                )
            if target in ("", device_id):
                return device_id, addresses[0], self.access.call_token(device_id)
            if target not in addresses:
                raise DeviceCallError(
                    f"device.call: {target!r} is not an address device {device_id!r}"
                    " registered with this Loki",
                    7,
                )
            return device_id, target, self.access.call_token(device_id)
        if target in known and target:
            return target, known[target][0], self.access.call_token(target)
        owners = [d for d, addresses in known.items() if target in addresses]
        if len(owners) > 1 and "" in owners:  # open mode: a named device beats no name
            owners.remove("")
        if not owners:
            raise DeviceCallError(
                f"device.call: no device registered with this Loki at {target!r}", 5
            )
        if len(owners) > 1:
            raise DeviceCallError(
                f"device.call: several devices registered at {target!r}: name the device id",
                3,
            )
        return owners[0], target, self.access.call_token(owners[0])
