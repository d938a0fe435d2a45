# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Caller tokens, script ownership, quotas, and where ``device.call`` may go (issue 16,
items 2 and 3). Real sockets on 127.0.0.1: an attacker's listener must receive nothing
that a script merely names, and no device's credential ever leaves for an address that
device did not declare itself."""

import http.client
import socket
import struct
import threading
import time

import pytest

from jotunheim_host.loki import Limits, LokiServer
from jotunheim_host.loki.access import AccessPolicy, DeviceEntry
from jotunheim_host.reference_pb import loki as pb
from tests.test_loki_limits import Rpc, others_answer

ADMIN, DEV1, DEV2 = "admin-secret", "dev-1-loki-secret", "dev-2-loki-secret"


class Listener:
    """The attacker's TCP listener: records every byte any connection sends it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self.received = b""
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(0.5)
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    self.received += data
            except OSError:
                pass
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    spy = Listener()
    yield spy
    spy.close()


@pytest.fixture
def loki(tmp_path):
    policy = AccessPolicy(
        admin_token=ADMIN,
        devices=[
            DeviceEntry("dev-1", DEV1, device_token="dev-1-call-secret"),
            DeviceEntry("dev-2", DEV2),
        ],
        device_token="default-call-secret",
        max_scripts=4,
        max_bytes=64 * 1024,
    )
    limits = Limits(max_seconds=3.0)
    with LokiServer(str(tmp_path / "scripts"), port=0, policy=policy, limits=limits) as srv:
        assert Rpc(srv.port, ADMIN).register("ok", "return 'fine'")[1].success
        yield srv


def _with_others_answering(loki, action):
    """Run ``action()`` while another client keeps calling; return its result and
    check every other call was answered correctly."""
    stop = threading.Event()
    answers = []
    others = threading.Thread(target=others_answer, args=(loki.port, stop, answers, ADMIN))
    others.start()
    try:
        time.sleep(0.1)
        return action()
    finally:
        stop.set()
        others.join(15)
        assert answers and all(ok is True for _, ok in answers), answers


# -- item 2: device.call ----------------------------------------------------------------


def test_device_call_never_reaches_an_address_a_script_only_names(loki, listener):
    attacker = Rpc(loki.port, DEV2)
    spy = listener.address
    attacks = [
        f"return device.call('{spy}', 'x', {{}})",
        f"return device.call('{spy}', 'x', {{}}, 'dev-1')",
        f"return device.call('http://{spy}/prefix', 'x', {{}}, 'dev-1')",
        f"local ok, e = pcall(device.call, '{spy}', 'x', {{}}) return e",
    ]

    def run_all():
        return [attacker.execute(content=code) for code in attacks]

    results = _with_others_answering(loki, run_all)
    for code, (status, reply, _) in zip(attacks, results):
        text = reply.output if reply.success else reply.error
        assert status == 0 and "device.call" in text and "registered" in text, (code, text)
    # dev-2 registers a script claiming dev-1 lives at the attacker's address: that
    # declaration does not count (only dev-1 or the operator may say where dev-1 is).
    claim = f'return device.call("{spy}", "read", params, "dev-1")'
    assert attacker.register("claim", claim)[1].success
    reply = attacker.execute("claim")[1]
    assert not reply.success and "has not registered" in reply.error
    # The operator's scripts run with the admin token cannot reach it either.
    reply = Rpc(loki.port, ADMIN).execute(content=f"return device.call('{spy}', 'x', {{}})")[1]
    assert not reply.success and "no device registered" in reply.error
    time.sleep(0.3)
    assert listener.connections == 0 and listener.received == b""


def test_closed_and_open_ports_answer_alike(loki, listener):
    admin = Rpc(loki.port, ADMIN)
    open_port = admin.execute(content=f"return device.call('{listener.address}', 'x', {{}})")
    closed = admin.execute(content="return device.call('127.0.0.1:1', 'x', {})")
    assert open_port[1].error.replace(listener.address, "A") == closed[1].error.replace(
        "127.0.0.1:1", "A"
    )
    assert listener.connections == 0


def test_a_device_gets_only_its_own_credential(loki, listener):
    # dev-2 may say where dev-2 is — even the attacker's port — but dev-2 has no call
    # token of its own, and the default one is never handed to a device's own address.
    dev2 = Rpc(loki.port, DEV2)
    stub = f'return device.call("{listener.address}", "x", params, "dev-2")'
    assert dev2.register("dev2_x", stub)[1].success
    reply = dev2.execute("dev2_x")[1]
    assert not reply.success
    deadline = time.monotonic() + 3
    while b"\r\n\r\n" not in listener.received and time.monotonic() < deadline:
        time.sleep(0.05)
    head = listener.received.lower()
    assert b"post /jotunheim.jotunheimservice/calltool" in head
    assert b"authorization" not in head
    for secret in (b"default-call-secret", b"dev-1-call-secret", DEV1.encode(), ADMIN.encode()):
        assert secret not in listener.received


# -- item 3: caller authentication ------------------------------------------------------


def test_anonymous_and_unknown_callers_are_refused(loki):
    for token in (None, "", "wrong", DEV1 + "x"):
        rpc = Rpc(loki.port, token)
        status, _, message = rpc.register("sneaky", "return 1")
        assert status == 16, (token, status, message)
        assert rpc.call("ListScripts", pb.ListScriptsRequest())[0] == 16
        assert rpc.execute(content="return 1")[0] == 16
    names = Rpc(loki.port, ADMIN).names()
    assert "sneaky" not in names and "ok" in names
    # A token in the wrong scheme is refused too.
    payload = bytes(pb.ListScriptsRequest())
    conn = http.client.HTTPConnection("127.0.0.1", loki.port, timeout=10)
    conn.request(
        "POST",
        "/loki.LokiService/ListScripts",
        body=struct.pack(">BI", 0, len(payload)) + payload,
        headers={"content-type": "application/grpc-web+proto", "authorization": "Basic " + ADMIN},
    )
    resp = conn.getresponse()
    resp.read()
    assert resp.getheader("grpc-status") == "16"
    conn.close()


def test_a_script_owned_by_someone_else_cannot_be_replaced(loki):
    dev1, dev2, admin = Rpc(loki.port, DEV1), Rpc(loki.port, DEV2), Rpc(loki.port, ADMIN)
    assert dev1.register("victim", "return 'original'")[1].success

    def overwrite():
        return dev2.register("victim", "return 'replaced'")

    status, _, message = _with_others_answering(loki, overwrite)
    assert status == 7 and "belongs to device:dev-1" in message
    assert dev2.register("ok", "return 'mine now'")[0] == 7  # the operator's script
    assert dev2.execute("victim")[1].output == "original"
    assert admin.execute("ok")[1].output == "fine"
    # The owner may replace its own; the operator may replace anyone's.
    assert dev1.register("victim", "return 'v2'")[1].success
    assert admin.register("victim", "return 'v3'")[1].success
    assert dev1.execute("victim")[1].output == "v3"
    # Ownership survives a restart (it is in the metadata on disk).
    record = loki.service.store.get("victim")
    assert record.owner == "device:dev-1"


def test_quotas_per_caller(loki):
    dev1, dev2 = Rpc(loki.port, DEV1), Rpc(loki.port, DEV2)
    for i in range(4):
        assert dev1.register(f"d1_{i}", "return 1")[1].success
    status, _, message = dev1.register("d1_4", "return 1")
    assert status == 8 and "at most 4 scripts" in message
    # Replacing one of its own is not a new script.
    assert dev1.register("d1_0", "return 2")[1].success
    # Bytes: dev-2 may store 64 KiB in all.
    big = "return '" + "x" * 40_000 + "'"
    assert dev2.register("d2_big", big)[1].success
    status, _, message = dev2.register("d2_big2", big)
    assert status == 8 and "at most 65536 bytes" in message
    assert "d2_big2" not in Rpc(loki.port, ADMIN).names()
    # dev-1 being full does not limit dev-2's count, nor the operator.
    assert dev2.register("d2_small", "return 1")[1].success
    assert Rpc(loki.port, ADMIN).register("admin_5", "return 5")[1].success


def test_open_mode_must_be_chosen_and_sends_no_credentials(tmp_path, caplog):
    with pytest.raises(ValueError, match="no caller tokens configured"):
        AccessPolicy()
    with pytest.raises(ValueError, match="open mode sends no credentials"):
        AccessPolicy.open(device_token="x")
    with pytest.raises(ValueError, match="not both"):
        AccessPolicy(open_mode=True, admin_token="x")
    with pytest.raises(ValueError, match="must be different"):
        AccessPolicy(admin_token="same", devices=[DeviceEntry("d", "same")])
    with caplog.at_level("WARNING", logger="jotunheim.loki"):
        with LokiServer(str(tmp_path / "s"), port=0) as srv:
            assert srv.service.access.open_mode
            assert Rpc(srv.port).register("anyone", "return 1")[1].success
    assert "OPEN MODE" in caplog.text
