# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The controller side of the announcement rule: :class:`CapabilityStore` keeps, per device
id, the announcement with the highest counter and reports id clashes (the rule is told in
:mod:`jotunheim.capability.conflicts`, which holds the device side).

A device only announces, so it never loads this module.
"""

from jotunheim.capability.conflicts import (
    ACCEPTED,
    CLASH,
    DUPLICATE,
    INVALID,
    RESET,
    STALE,
    Announcement,
    content_hash,
)

try:
    from typing import Optional  # noqa: F401  (annotations only)
except ImportError:
    pass


class AnnouncementResult:
    """The controller's verdict on one announcement (also the reply to the device)."""

    def __init__(self, status, device_id, message="", holder_fingerprint=""):
        self.status = status
        self.device_id = device_id
        self.message = message
        self.holder_fingerprint = holder_fingerprint

    @property
    def accepted(self) -> bool:
        """True when the controller now holds this announcement (accepted or reset)."""
        return self.status in (ACCEPTED, RESET)

    def __repr__(self):
        return "AnnouncementResult(%s, %r, %r)" % (self.status, self.device_id, self.message)


class KnownDevice:
    """What the controller holds about one device id."""

    def __init__(self, device_id, fingerprint, counter, content_hash_hex, capabilities):
        self.device_id = device_id
        self.fingerprint = fingerprint
        self.counter = counter
        self.content_hash = content_hash_hex
        self.capabilities = capabilities
        self.online = True


class CapabilityStore:
    """Controller side: receives announcements and applies the rule above.

    :param notify: callable(fingerprint, AnnouncementResult) to reach the device that
        already holds an id when another board claims it
    :param log: callable(message) for clashes (default: the ``jotunheim.capability``
        logger at ERROR level)
    """

    def __init__(self, *, notify=None, log=None):
        self._devices = {}
        self.clashes = []  # AnnouncementResult of every clash seen
        self.notify = notify
        self.log = log

    def get(self, device_id: str) -> "Optional[KnownDevice]":
        """The :class:`KnownDevice` held for ``device_id``, or None."""
        return self._devices.get(device_id)

    def devices(self) -> list:
        """Every :class:`KnownDevice` held."""
        return list(self._devices.values())

    def capabilities(self, device_id):
        """The ``JotunheimCapabilities`` held for ``device_id``, or None."""
        known = self._devices.get(device_id)
        return known.capabilities if known is not None else None

    def needs_refresh(self, device_id: str, content_hash_hex: str) -> bool:
        """True when the controller holds no capabilities with this hash for the device
        (ask the device to announce, or fetch with a CapabilityRequest)."""
        known = self._devices.get(device_id)
        return known is None or known.content_hash != content_hash_hex

    def release(self, device_id: str):
        """Forget a device id (an operator resolved a clash, or the device was retired)."""
        self._devices.pop(device_id, None)

    def receive(self, event, announcement: Announcement) -> "AnnouncementResult":
        """Apply one announcement; returns an AnnouncementResult."""
        caps = event.capabilities
        device_id = announcement.device_id
        if caps is not None:
            if caps.device_id != device_id:
                return AnnouncementResult(
                    INVALID,
                    device_id,
                    "envelope says %r, capabilities say %r" % (device_id, caps.device_id),
                )
            digest = content_hash(caps)
            if announcement.content_hash and announcement.content_hash != digest:
                return AnnouncementResult(INVALID, device_id, "content hash does not match")
        else:
            digest = announcement.content_hash
        known = self._devices.get(device_id)
        if known is None:
            if caps is None:
                return AnnouncementResult(STALE, device_id, "unknown device without capabilities")
            self._devices[device_id] = KnownDevice(
                device_id, announcement.fingerprint, announcement.counter, digest, caps
            )
            return AnnouncementResult(ACCEPTED, device_id, "new device")
        if known.fingerprint != announcement.fingerprint:
            return self._clash(known, announcement)
        return self._order(known, event, announcement, caps, digest)

    def _order(self, known, event, announcement, caps, digest):
        device_id = known.device_id
        counter = announcement.counter
        if counter > known.counter or (
            counter == 1 and event.event_type == "connected" and known.counter > 1
        ):
            status = ACCEPTED if counter > known.counter else RESET
            known.counter = counter
            if event.event_type == "disconnected":
                known.online = False
            else:
                known.online = True
            if caps is not None:
                known.capabilities = caps
                known.content_hash = digest
            return AnnouncementResult(status, device_id, "announcement %d" % counter)
        if counter == known.counter and digest == known.content_hash:
            return AnnouncementResult(DUPLICATE, device_id, "announcement %d again" % counter)
        return AnnouncementResult(
            STALE,
            device_id,
            "announcement %d is older than %d, which is kept" % (counter, known.counter),
        )

    def _clash(self, known, announcement):
        device_id = known.device_id
        message = "device id %r is claimed by two boards: %s (holder) and %s (refused)" % (
            device_id,
            known.fingerprint,
            announcement.fingerprint,
        )
        result = AnnouncementResult(CLASH, device_id, message, known.fingerprint)
        self.clashes.append(result)
        if self.log is not None:
            self.log(message)
        else:
            from jotunheim.log import getLogger

            getLogger("jotunheim.capability").error(message)
        if self.notify is not None:
            self.notify(known.fingerprint, result)
        return result
