# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The conflict rule: persisted monotonic counter (file, nvm), newest wins, duplicates
and stale announcements ignored, id clashes reported to both sides and logged."""

import os

import pytest

from jotunheim.capability import conflicts
from jotunheim.capability.conflicts import Announcement, AnnouncementCounter, content_hash
from jotunheim.capability.store import CapabilityStore
from jotunheim.pb import jotunheim_capability as cap

# ------------------------------------------------------------------ counter


def test_file_counter_survives_restarts(tmp_path):
    path = str(tmp_path / "announce.txt")
    counter = AnnouncementCounter(path)
    assert counter.value == 0
    assert [counter.next() for _ in range(3)] == [1, 2, 3]
    assert counter.persisted
    assert open(path).read() == "3"
    assert AnnouncementCounter(path).next() == 4  # "after a reboot"
    assert not os.path.exists(path + ".tmp")


def test_file_counter_recovers_from_a_power_cut_mid_write(tmp_path):
    path = str(tmp_path / "announce.txt")
    counter = AnnouncementCounter(path)
    counter.next()
    counter.next()
    # power cut after the old file was removed, before the rename: only .tmp is left
    os.replace(path, path + ".tmp")
    assert AnnouncementCounter(path).value == 2
    # or after .tmp was written but before the rename: the newer one wins
    with open(path, "w") as f:
        f.write("2")
    with open(path + ".tmp", "w") as f:
        f.write("3")
    assert AnnouncementCounter(path).value == 3


def test_file_counter_on_fat_rename_semantics(tmp_path, monkeypatch):
    real_rename = os.rename

    def fat_rename(src, dst):
        if os.path.exists(dst):
            raise OSError(17, "EEXIST")
        real_rename(src, dst)

    monkeypatch.setattr(conflicts.os, "rename", fat_rename)
    path = str(tmp_path / "announce.txt")
    counter = AnnouncementCounter(path)
    for _ in range(3):
        counter.next()
    assert open(path).read() == "3"


def test_read_only_storage_counts_in_ram(tmp_path):
    path = str(tmp_path / "no-such-dir" / "announce.txt")
    counter = AnnouncementCounter(path)
    assert counter.next() == 1 and counter.next() == 2
    assert not counter.persisted
    assert isinstance(counter.last_error, OSError)


def test_garbage_file_starts_from_zero(tmp_path):
    path = tmp_path / "announce.txt"
    path.write_bytes(b"\xff\xfe")
    assert AnnouncementCounter(str(path)).value == 0


def test_nvm_counter_with_integrity_check():
    nvm = bytearray(64)
    counter = AnnouncementCounter(nvm=nvm, nvm_offset=16)
    assert counter.value == 0  # zeroed nvm: value 0 fails the complement check -> 0
    for _ in range(300):
        counter.next()
    assert AnnouncementCounter(nvm=nvm, nvm_offset=16).value == 300
    assert nvm[16:20] == (300).to_bytes(4, "big")
    nvm[18] ^= 0x40  # a flipped bit is detected
    assert AnnouncementCounter(nvm=nvm, nvm_offset=16).value == 0
    erased = bytearray(b"\xff" * 32)  # erased flash
    assert AnnouncementCounter(nvm=erased).value == 0
    assert AnnouncementCounter().next() == 1  # RAM only


# ------------------------------------------------------------------ store


def caps(device_id="DEV-1", name="node", version="1"):
    return cap.JotunheimCapabilities(
        device_id=device_id,
        device_name=name,
        firmware_version=version,
        tools=[cap.Tool(name="read_x", return_type="Number")],
    )


def announce(store, c, counter, fingerprint="fp-a", event_type="updated"):
    event = cap.CapabilityUpdateEvent(event_type=event_type, capabilities=c)
    ann = Announcement(c.device_id, counter, fingerprint, content_hash(c), event_type)
    return store.receive(event, ann)


def test_newest_wins_duplicates_and_stale_are_ignored():
    store = CapabilityStore(log=lambda m: None)
    v1, v2, v3 = caps(version="1"), caps(version="2"), caps(version="3")
    assert announce(store, v1, 5, event_type="connected").status == "accepted"
    assert announce(store, v2, 7).status == "accepted"
    assert store.capabilities("DEV-1") == v2
    assert announce(store, v2, 7).status == "duplicate"
    late = announce(store, v3, 6)  # sent before #7 but arrived after it
    assert late.status == "stale" and not late.accepted
    assert "6 is older than 7" in late.message
    assert store.capabilities("DEV-1") == v2
    assert announce(store, v3, 7).status == "stale"  # same number, other content
    assert store.needs_refresh("DEV-1", content_hash(v3))
    assert not store.needs_refresh("DEV-1", content_hash(v2))
    assert store.needs_refresh("DEV-9", content_hash(v2))


def test_counter_reset_after_reflash_is_accepted_once_connected():
    store = CapabilityStore(log=lambda m: None)
    announce(store, caps(version="1"), 40, event_type="connected")
    assert announce(store, caps(version="2"), 1, event_type="updated").status == "stale"
    reset = announce(store, caps(version="2"), 1, event_type="connected")
    assert reset.status == "reset" and reset.accepted
    assert store.get("DEV-1").counter == 1
    assert announce(store, caps(version="3"), 2).status == "accepted"
    # the reset does not let another board in
    assert announce(store, caps(version="x"), 1, "fp-b", "connected").status == "clash"


def test_id_clash_is_reported_to_both_sides_and_logged():
    logged, notified = [], []
    store = CapabilityStore(log=logged.append, notify=lambda fp, r: notified.append((fp, r)))
    holder = caps(name="kitchen")
    assert announce(store, holder, 3, "fp-kitchen", "connected").accepted
    intruder = caps(name="garage")  # a copied settings file: same device_id
    result = announce(store, intruder, 50, "fp-garage", "connected")
    assert result.status == "clash" and not result.accepted
    assert result.holder_fingerprint == "fp-kitchen"
    assert "fp-kitchen (holder)" in result.message and "fp-garage (refused)" in result.message
    assert logged == [result.message]
    assert notified == [("fp-kitchen", result)]
    assert store.clashes == [result]
    assert store.capabilities("DEV-1").device_name == "kitchen"  # holder keeps the id
    assert announce(store, caps(name="kitchen", version="2"), 4, "fp-kitchen").accepted
    store.release("DEV-1")  # an operator resolves it
    assert announce(store, intruder, 51, "fp-garage").accepted


def test_clash_goes_to_the_jotunheim_logger_by_default(capsys):
    store = CapabilityStore()
    announce(store, caps(), 1, "fp-a")
    announce(store, caps(), 2, "fp-b")
    out = capsys.readouterr()
    assert "claimed by two boards" in out.out + out.err


def test_invalid_envelopes_are_refused():
    store = CapabilityStore(log=lambda m: None)
    c = caps()
    event = cap.CapabilityUpdateEvent(event_type="updated", capabilities=c)
    wrong_id = store.receive(event, Announcement("DEV-2", 1, "fp", content_hash(c)))
    assert wrong_id.status == "invalid" and "DEV-2" in wrong_id.message
    wrong_hash = store.receive(event, Announcement("DEV-1", 1, "fp", "00" * 32))
    assert wrong_hash.status == "invalid"
    assert store.get("DEV-1") is None
    bare = cap.CapabilityUpdateEvent(event_type="disconnected")
    assert store.receive(bare, Announcement("DEV-1", 1, "fp")).status == "stale"


def test_disconnect_marks_offline():
    store = CapabilityStore(log=lambda m: None)
    c = caps()
    announce(store, c, 1, event_type="connected")
    event = cap.CapabilityUpdateEvent(event_type="disconnected")
    assert store.receive(event, Announcement("DEV-1", 2, "fp-a")).accepted
    known = store.get("DEV-1")
    assert not known.online and known.capabilities == c
    announce(store, c, 3, event_type="connected")
    assert store.get("DEV-1").online
    assert [d.device_id for d in store.devices()] == ["DEV-1"]


def test_announcement_metadata_round_trip():
    ann = Announcement("DEV-1", 12, "fp-a", "ab" * 32, "updated")
    headers = {k.upper(): v for k, v in ann.metadata().items()}
    back = Announcement.from_metadata(headers, "updated")
    assert (back.device_id, back.counter, back.fingerprint, back.content_hash) == (
        "DEV-1",
        12,
        "fp-a",
        "ab" * 32,
    )
    with pytest.raises(ValueError, match="incomplete or malformed"):
        Announcement.from_metadata({"x-jotunheim-device-id": "x"})
    with pytest.raises(ValueError, match="malformed"):
        Announcement.from_metadata(
            {
                "x-jotunheim-device-id": "x",
                "x-jotunheim-announcement": "twelve",
                "x-jotunheim-fingerprint": "f",
            }
        )


def test_content_hash_is_deterministic_and_content_sensitive():
    assert content_hash(caps()) == content_hash(caps())
    assert content_hash(caps()) != content_hash(caps(version="2"))
    assert len(content_hash(caps())) == 64
