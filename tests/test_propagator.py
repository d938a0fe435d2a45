# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CapabilityPropagator: announcements on connect and on change, content hash, cache
invalidation and TTL fallback, failed sends, clash replies; with the controller-side
CapabilityStore as the receiving end."""

import pytest

from jotunheim.capability.builder import DeviceCapabilityBuilder
from jotunheim.capability.conflicts import AnnouncementCounter, content_hash
from jotunheim.capability.drivers.simulated import SimulatedClimateSensor, SimulatedRelay
from jotunheim.capability.propagator import CapabilityPropagator
from jotunheim.capability.registry import ToolRegistry
from jotunheim.capability.store import CapabilityStore
from jotunheim.pb import jotunheim_capability as cap


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Transport:
    """Records events; can fail the next sends; hands events to a store if given."""

    def __init__(self, store=None):
        self.events = []
        self.fail = 0
        self.store = store

    def __call__(self, event, announcement):
        if self.fail:
            self.fail -= 1
            raise OSError(113, "EHOSTUNREACH")
        # what travels is bytes: decode a copy as the controller would
        event = cap.CapabilityUpdateEvent.decode(event.encode())
        self.events.append((event, announcement))
        if self.store is not None:
            return self.store.receive(event, announcement)
        return None


class Firmware:
    """A board whose firmware version an 'OTA update' changes."""

    def __init__(self):
        self.version = "1.0.0"
        self.builds = 0

    def builder(self):
        return DeviceCapabilityBuilder(name="node", device_id="NODE-1")

    def provider(self, registry):
        builder = self.builder()

        def build():
            self.builds += 1
            caps = builder.build(registry)
            caps.firmware_version += "; app " + self.version
            return caps

        return build


def setup(tmp_path, store=None, ttl=3600.0):
    registry = ToolRegistry()
    registry.add_sensor("room", SimulatedClimateSensor())
    firmware = Firmware()
    transport = Transport(store)
    clock = Clock()
    propagator = CapabilityPropagator(
        firmware.provider(registry),
        transport,
        counter=AnnouncementCounter(str(tmp_path / "announce.txt")),
        fingerprint="fp-node",
        cache_ttl=ttl,
        clock=clock,
    )
    propagator.watch(registry)
    return registry, firmware, transport, clock, propagator


def test_every_connection_announces_and_changes_only_when_different(tmp_path):
    registry, firmware, transport, clock, prop = setup(tmp_path)
    assert prop.on_connect()
    event, ann = transport.events[-1]
    assert event.event_type == "connected"
    assert event.capabilities.device_id == "NODE-1"
    assert (ann.device_id, ann.counter, ann.fingerprint) == ("NODE-1", 1, "fp-node")
    assert ann.content_hash == content_hash(event.capabilities)
    # a reconnect announces again although nothing changed (the controller may have restarted)
    prop.on_disconnect()
    assert prop.on_connect()
    assert [e.event_type for e, _ in transport.events] == ["connected", "connected"]
    # an event that changes nothing: rebuilt, same hash, not sent
    builds = firmware.builds
    assert not prop.on_change("settings reloaded")
    assert firmware.builds == builds + 1
    assert prop.skipped == 1 and len(transport.events) == 2


def test_sensor_added_is_announced_as_update(tmp_path):
    registry, firmware, transport, clock, prop = setup(tmp_path)
    prop.on_connect()
    registry.add_actuator("heater", SimulatedRelay())  # the registry tells the propagator
    event, ann = transport.events[-1]
    assert event.event_type == "updated"
    assert "set_relay_sim" in [t.name for t in event.capabilities.tools]
    assert ann.counter == 2
    assert prop.last_reason == "actuator_added"


def test_capability_change_after_simulated_ota_update(tmp_path):
    store = CapabilityStore(log=lambda m: None)
    registry, firmware, transport, clock, prop = setup(tmp_path, store)
    prop.on_connect()
    before = store.get("NODE-1").content_hash
    firmware.version = "1.1.0"  # the OTA installer finished; the app tells the propagator
    assert prop.on_change("ota")
    event, ann = transport.events[-1]
    assert event.event_type == "updated"
    assert event.capabilities.firmware_version.endswith("; app 1.1.0")
    known = store.get("NODE-1")
    assert known.content_hash != before and known.counter == 2
    assert known.capabilities.firmware_version.endswith("app 1.1.0")
    # after the reboot that follows an update, the counter continues from the file
    registry2, firmware2, transport2, clock2, prop2 = setup(tmp_path, store)
    firmware2.version = "1.1.0"
    prop2.on_connect()
    assert transport2.events[-1][1].counter == 3
    assert store.get("NODE-1").counter == 3


def test_changes_while_disconnected_wait_for_the_connection(tmp_path):
    registry, firmware, transport, clock, prop = setup(tmp_path)
    registry.add_actuator("heater", SimulatedRelay())
    assert transport.events == []
    prop.on_connect()
    assert len(transport.events) == 1
    assert "set_relay_sim" in [t.name for t in transport.events[0][0].capabilities.tools]


def test_cache_is_kept_until_invalidated_or_expired(tmp_path):
    registry, firmware, transport, clock, prop = setup(tmp_path, ttl=600)
    prop.on_connect()
    builds = firmware.builds
    for _ in range(5):
        prop.capabilities()
        assert not prop.poll()
    assert firmware.builds == builds  # served from cache
    # a change nobody signalled (version bumped behind the propagator's back) ...
    firmware.version = "2.0.0"
    clock.now += 599
    assert not prop.poll()
    assert prop.capabilities().firmware_version.endswith("1.0.0")
    clock.now += 1  # ... is found once the TTL has passed
    assert prop.poll()
    assert transport.events[-1][0].event_type == "updated"
    assert transport.events[-1][0].capabilities.firmware_version.endswith("2.0.0")
    clock.now += 600  # rebuilt again, same content: nothing sent
    assert not prop.poll()
    assert firmware.builds == builds + 2


def test_failed_send_stays_pending_and_poll_retries(tmp_path):
    registry, firmware, transport, clock, prop = setup(tmp_path)
    transport.fail = 1
    with pytest.raises(OSError):
        prop.on_connect()
    assert transport.events == []
    assert prop.poll()  # resent
    event, ann = transport.events[-1]
    assert event.event_type == "connected"
    assert ann.counter == 2  # the failed attempt used number 1; numbers only grow
    assert not prop.poll()


def test_clash_reply_is_kept_and_reported(tmp_path):
    store = CapabilityStore(log=lambda m: None)
    first = setup(tmp_path, store)
    first[4].on_connect()
    seen = []
    other = CapabilityPropagator(
        first[4].provider,  # same capabilities, same device id ...
        Transport(store),
        fingerprint="fp-another-board",  # ... but another board
        on_clash=seen.append,
    )
    assert other.on_connect()
    assert other.clash is not None and other.clash.status == "clash"
    assert seen == [other.clash]
    assert "NODE-1" in other.clash.message


def test_disconnect_notice_and_no_sending_while_down(tmp_path):
    registry, firmware, transport, clock, prop = setup(tmp_path)
    prop.on_connect()
    assert prop.on_disconnect(notify=True)
    assert transport.events[-1][0].event_type == "disconnected"
    assert not prop.on_disconnect(notify=True)  # already down
    assert not prop.poll()
