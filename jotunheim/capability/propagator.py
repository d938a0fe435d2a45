# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CapabilityPropagator: keeps the controller's picture of this device up to date.

::

    propagator = CapabilityPropagator(
        lambda: builder.build(registry),   # how to build the capabilities
        send,                              # send(event, announcement) -> reply or None
        fingerprint=builder.fingerprint(),
        counter=AnnouncementCounter("/jotunheim_announce.txt"),
    )
    propagator.watch(registry)        # a sensor added/removed is a change
    propagator.on_connect()           # every (re)connection: "connected", always sent
    propagator.on_change("ota")       # OTA update, settings change: "updated" if different
    propagator.poll()                 # from the run loop: retries, cache expiry

* Sending: every (re)connection sends a ``connected`` CapabilityUpdateEvent, since the
  controller may have restarted. A change sends ``updated`` only when the content hash
  (SHA-256 of the encoded capabilities) differs from the last one sent; an unchanged
  rebuild sends nothing. Changes while disconnected are sent on the next connect.
* Caching: the built capabilities are kept until an event invalidates them (a registry
  change, :meth:`on_change`) or, as a fallback for changes nobody signalled, until
  ``cache_ttl`` seconds have passed (:meth:`poll` then rebuilds and sends if different).
* The transport is injected: ``send(event, announcement)`` where ``announcement`` is a
  :class:`~jotunheim.capability.conflicts.Announcement` (id, counter, fingerprint, hash;
  ``announcement.metadata()`` gives gRPC metadata). If ``send`` raises, the announcement
  stays pending and :meth:`poll` tries again; if its reply has ``status == "clash"`` the
  clash is kept in ``clash`` and passed to ``on_clash``.
"""

from jotunheim import compat
from jotunheim.capability.conflicts import CLASH, Announcement, content_hash

CONNECTED = "connected"
UPDATED = "updated"
DISCONNECTED = "disconnected"


class CapabilityPropagator:
    """:param provider: callable() -> ``JotunheimCapabilities``
    :param send: callable(CapabilityUpdateEvent, Announcement) -> reply (or None)
    :param counter: an :class:`~jotunheim.capability.conflicts.AnnouncementCounter`
        (default: one in RAM only)
    :param str fingerprint: hardware fingerprint (``builder.fingerprint()``)
    :param float cache_ttl: seconds before cached capabilities are rebuilt anyway
    :param on_clash: callable(reply) when the controller reports an id clash
    """

    def __init__(
        self,
        provider,
        send,
        *,
        counter=None,
        fingerprint="",
        cache_ttl=3600.0,
        clock=None,
        on_clash=None,
    ):
        if counter is None:
            from jotunheim.capability.conflicts import AnnouncementCounter

            counter = AnnouncementCounter()
        self.provider = provider
        self.send = send
        self.counter = counter
        self.fingerprint = fingerprint
        self.cache_ttl = cache_ttl
        self.clock = clock or compat.monotonic
        self.on_clash = on_clash
        self.connected = False
        self.clash = None
        self.sent = 0  # events sent
        self.skipped = 0  # changes that turned out not to change anything
        self.last_reason = ""
        self._cache = None
        self._cache_hash = None
        self._built_at = None
        self._sent_hash = None
        self._pending = None  # event type still to send (after a failed send)

    # ------------------------------------------------------------ cache

    def capabilities(self):
        """The current capabilities (cached; rebuilt when invalid or older than the TTL)."""
        now = self.clock()
        if self._cache is None or (
            self.cache_ttl is not None and now - self._built_at >= self.cache_ttl
        ):
            self._cache = self.provider()
            self._cache_hash = content_hash(self._cache)
            self._built_at = now
        return self._cache

    def content_hash(self) -> str:
        """Hex SHA-256 of the current capabilities (see :func:`~jotunheim.capability.conflicts.content_hash`)."""
        self.capabilities()
        return self._cache_hash

    def invalidate(self, reason: str = ""):
        """Drop the cached capabilities; the next use rebuilds them."""
        self._cache = None
        self._cache_hash = None
        self.last_reason = reason

    def watch(self, registry):
        """Treat every change of ``registry`` (sensor added, ...) as a capability change."""
        registry.add_listener(self.on_change)

    # ------------------------------------------------------------ events

    def on_connect(self) -> bool:
        """Call after every (re)connection to the controller; always announces."""
        self.connected = True
        return self._announce(CONNECTED)

    def on_disconnect(self, notify: bool = False) -> bool:
        """Call when the link is lost. With ``notify`` (a clean shutdown), tell the
        controller first."""
        sent = False
        if notify and self.connected:
            sent = self._announce(DISCONNECTED)
        self.connected = False
        return sent

    def on_change(self, reason: str = "") -> bool:
        """Something may have changed (sensor added, OTA update, settings change):
        rebuild and announce ``updated`` if the content hash differs from the last sent.
        Returns True when an event was sent."""
        self.invalidate(reason)
        if not self.connected:
            return False  # sent by on_connect
        if self.content_hash() == self._sent_hash:
            self.skipped += 1
            return False
        return self._announce(UPDATED)

    def poll(self) -> bool:
        """Call from the run loop: resends a failed announcement, and rebuilds after the
        cache TTL (sending ``updated`` if the capabilities changed unnoticed)."""
        if not self.connected:
            return False
        if self._pending is not None:
            return self._announce(self._pending)
        # content_hash() rebuilds once the cache TTL has passed; the hash tells if it matters.
        if self.content_hash() != self._sent_hash:
            return self._announce(UPDATED)
        return False

    def _announce(self, event_type):
        from jotunheim.pb import jotunheim_capability as cap

        caps = self.capabilities()
        digest = self._cache_hash
        announcement = Announcement(
            caps.device_id, self.counter.next(), self.fingerprint, digest, event_type
        )
        event = cap.CapabilityUpdateEvent(event_type=event_type, capabilities=caps)
        self._pending = event_type
        reply = self.send(event, announcement)  # raises: stays pending for poll()
        self._pending = None
        self._sent_hash = digest
        self.sent += 1
        if getattr(reply, "status", None) == CLASH:
            self.clash = reply
            if self.on_clash is not None:
                self.on_clash(reply)
        return True
