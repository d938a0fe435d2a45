# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The security test list of issue 19: who may call the device, signed requests and their
replays, secrets kept out of every output (docs/security.md, "Remote control").

Every device here is a SimulatedDevice on 127.0.0.1 serving JotunheimService over plain
HTTP with its tokens in ``settings.toml``, called through real sockets."""

import json
import os
import socket
import subprocess
import time

import pytest

from jotunheim import log
from jotunheim.grpc.client import GrpcWebClient
from jotunheim.grpc.retry import RetryPolicy
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.pb import jotunheim as jpb
from jotunheim.remote.handler import RemoteCommandHandler
from jotunheim_host.signing import (
    OWNER,
    SealError,
    Signer,
    auth_headers,
    client_signer,
    grpc_web_body,
    open_sealed,
)
from jotunheim_host.simulate import SimulatedDevice
from tests.interop import node_peer

TOKEN = "user-5ecret-token-q8"
OWNER_TOKEN = "owner-5ecret-token-z3"
WIFI_PASSWORD = "wifi-5ecret-pw-k1"
SECRETS = (TOKEN, OWNER_TOKEN, WIFI_PASSWORD)
CALL_TOOL = "/jotunheim.JotunheimService/CallTool"

# Every RPC the device serves, with a request that passes every check after auth.
RPCS = {
    CALL_TOOL: jpb.ToolCallRequest(tool_name="read_dht22_sim_temperature").encode(),
    "/jotunheim.JotunheimService/SendDeviceCommand": jpb.DeviceCommandRequest(
        command="ping"
    ).encode(),
    "/jotunheim.JotunheimService/GetDeviceStatus": jpb.DeviceStatusRequest().encode(),
    "/jotunheim.JotunheimService/GetCapabilities": b"",
    "/einherjar.EinherjarProtocol/GetCapabilities": b"",
}


def make_root(path, settings=None, tokens=True):
    os.makedirs(path, exist_ok=True)
    lines = ['CIRCUITPY_WIFI_SSID = "home"', 'CIRCUITPY_WIFI_PASSWORD = "%s"' % WIFI_PASSWORD]
    if tokens:
        lines += ['JOTUNHEIM_TOKEN = "%s"' % TOKEN, 'JOTUNHEIM_OWNER_TOKEN = "%s"' % OWNER_TOKEN]
    with open(os.path.join(path, "settings.toml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(path, "jotunheim.json"), "w") as f:
        json.dump(settings or {}, f)
    return str(path)


@pytest.fixture
def signed(tmp_path):
    """A device on the defaults: tokens in settings.toml, signed requests only."""
    with SimulatedDevice(make_root(tmp_path / "root"), loki_url="") as sim:
        yield sim


def client(sim, signer=None, metadata=None):
    return GrpcWebClient(
        sim.url,
        socket_pool=socket,
        timeout=5,
        signer=signer,
        metadata=metadata,
        retry_policy=RetryPolicy(1),
    )


def refusal(c, path, body=b""):
    with pytest.raises(GrpcError) as info:
        c.unary(path, body)
    return info.value


def set_led(c, on=True):
    request = jpb.ToolCallRequest(tool_name="set_led_sim", parameters=json.dumps({"on": on}))
    return jpb.ToolCallResponse.decode(c.unary(CALL_TOOL, request))


def test_every_rpc_is_listed_here():
    registered = []

    class Recorder:
        def register(self, service, method, request_cls, handler, streaming=False):
            registered.append("/%s/%s" % (service, method))

    RemoteCommandHandler(None).register(Recorder())
    assert sorted(registered) == sorted(RPCS)


def test_every_rpc_refuses_a_caller_without_a_signed_token(signed):
    for path, body in RPCS.items():
        err = refusal(client(signed), path, body)
        assert err.code == StatusCode.UNAUTHENTICATED, path
        assert "JH-HMAC" in err.message, err.message
        # A bearer token is refused too: it would cross plain HTTP in clear.
        err = refusal(client(signed, metadata={"authorization": "Bearer " + TOKEN}), path, body)
        assert err.code == StatusCode.UNAUTHENTICATED and "signed requests only" in err.message
        # Signed with a wrong key.
        err = refusal(client(signed, signer=client_signer("not-the-token")), path, body)
        assert err.code == StatusCode.UNAUTHENTICATED and "does not match" in err.message
    assert signed.led.state()["on"] is False
    for path, body in RPCS.items():
        client(signed, signer=client_signer(TOKEN)).unary(path, body)  # each answers


def test_owner_key_unlocks_owner_commands_and_user_key_does_not(signed):
    ota = jpb.DeviceCommandRequest(command="ota_check")
    path = "/jotunheim.JotunheimService/SendDeviceCommand"
    err = refusal(client(signed, signer=client_signer(TOKEN)), path, ota)
    assert err.code == StatusCode.PERMISSION_DENIED
    owner = client(signed, signer=client_signer(OWNER_TOKEN, keyid=OWNER))
    assert jpb.DeviceCommandResponse.decode(owner.unary(path, ota)).error_message
    # The owner token works under the user keyid too (a caller need not know which
    # token it holds), but the user token never under the owner keyid.
    user_as_owner = client(signed, signer=client_signer(OWNER_TOKEN))
    assert jpb.DeviceCommandResponse.decode(user_as_owner.unary(path, ota)).error_message
    err = refusal(client(signed, signer=client_signer(TOKEN, keyid=OWNER)), path, ota)
    assert err.code == StatusCode.UNAUTHENTICATED and "does not match" in err.message


def fixed(header):
    """A signer that sends one header value for every request (a replaying attacker)."""
    return lambda path, body: {"authorization": header}


def led_request(on):
    return jpb.ToolCallRequest(tool_name="set_led_sim", parameters=json.dumps({"on": on}))


def test_a_replayed_signed_request_is_refused(signed):
    body = grpc_web_body(led_request(True).encode())
    header = Signer(TOKEN).header(CALL_TOOL, body)
    assert set_led(client(signed, signer=fixed(header))).success
    signed.led.set(on=False)
    err = refusal(client(signed, signer=fixed(header)), CALL_TOOL, led_request(True))
    assert err.code == StatusCode.UNAUTHENTICATED and "replayed" in err.message
    assert signed.led.state()["on"] is False


def test_a_changed_body_path_or_time_breaks_the_signature(signed):
    body = grpc_web_body(led_request(False).encode())
    header = Signer(TOKEN).header(CALL_TOOL, body)
    # Same signature, other body (on instead of off).
    err = refusal(client(signed, signer=fixed(header)), CALL_TOOL, led_request(True))
    assert "does not match" in err.message
    # Same signature, other RPC.
    path = "/jotunheim.JotunheimService/SendDeviceCommand"
    err = refusal(client(signed, signer=fixed(header)), path, b"")
    assert "does not match" in err.message
    # Re-timed: the ts moved by one second, the signature kept.
    ts = header.split("ts=")[1].split(",")[0]
    moved = header.replace("ts=" + ts, "ts=%d" % (int(ts) + 1000))
    err = refusal(client(signed, signer=fixed(moved)), CALL_TOOL, led_request(False))
    assert "does not match" in err.message
    assert signed.led.state()["on"] is False


def test_stale_and_future_signatures_are_refused_with_the_reason(signed):
    now = time.time()
    for offset, words in ((-400, "signed 400 s ago; the window is 300 s"), (120, "future")):
        signer = Signer(TOKEN, clock=lambda offset=offset: now + offset)
        err = refusal(client(signed, signer=signer), CALL_TOOL, led_request(True))
        assert err.code == StatusCode.UNAUTHENTICATED and words in err.message, err.message
    assert signed.led.state()["on"] is False
    # Within the tolerance a caller's clock may run ahead.
    ahead = Signer(TOKEN, clock=lambda: time.time() + 20)
    assert set_led(client(signed, signer=ahead)).success


def test_nonce_memory_is_bounded_and_never_lets_a_replay_through(tmp_path):
    root = make_root(tmp_path / "root", {"remote": {"max_nonces": 4}})
    with SimulatedDevice(root, loki_url="") as sim:
        headers = []
        for i in range(10):
            body = grpc_web_body(led_request(i % 2 == 0).encode())
            headers.append(Signer(TOKEN).header(CALL_TOOL, body))
            time.sleep(0.002)  # distinct milliseconds
            assert set_led(client(sim, signer=fixed(headers[-1])), i % 2 == 0).success
        assert sim.device.handler.signatures.remembered == 4
        for i, header in enumerate(headers):  # forgotten or remembered: all refused
            err = refusal(client(sim, signer=fixed(header)), CALL_TOOL, led_request(i % 2 == 0))
            assert "replayed" in err.message


def test_a_device_without_a_token_is_locked_and_says_so(tmp_path, caplog):
    root = make_root(tmp_path / "root", tokens=False)
    with SimulatedDevice(root, loki_url="") as sim:
        out = caplog.text
        assert "remote control is locked" in out
        for path, body in RPCS.items():
            err = refusal(client(sim), path, body)
            assert err.code == StatusCode.UNAUTHENTICATED and "locked" in err.message
            assert "remote.open" in err.message


def test_remote_open_lets_anyone_call_except_owner_commands_and_is_loud(tmp_path, caplog):
    root = make_root(tmp_path / "root", {"remote": {"open": True}}, tokens=False)
    with SimulatedDevice(root, loki_url="") as sim:
        assert "REMOTE CONTROL IS OPEN" in caplog.text
        for path, body in RPCS.items():
            client(sim).unary(path, body)
        assert set_led(client(sim)).success and sim.led.state()["on"] is True
        reboot = jpb.DeviceCommandRequest(command="reboot")
        err = refusal(client(sim), "/jotunheim.JotunheimService/SendDeviceCommand", reboot)
        assert err.code == StatusCode.PERMISSION_DENIED
    # A token, when set, is required even with remote.open.
    root = make_root(tmp_path / "root2", {"remote": {"open": True}})
    with SimulatedDevice(root, loki_url="") as sim:
        assert refusal(client(sim), CALL_TOOL, RPCS[CALL_TOOL]).code == 16


@pytest.mark.parametrize(
    ("mode", "bearer_ok", "signed_ok"),
    [("signed", False, True), ("bearer", True, False), ("either", True, True)],
)
def test_auth_modes(tmp_path, mode, bearer_ok, signed_ok):
    root = make_root(tmp_path / "root", {"remote": {"auth_mode": mode}})
    with SimulatedDevice(root, loki_url="") as sim:
        bearer = client(sim, metadata=auth_headers(TOKEN, CALL_TOOL, b"", scheme="bearer"))
        signer = client(sim, signer=client_signer(TOKEN))
        for c, ok in ((bearer, bearer_ok), (signer, signed_ok)):
            if ok:
                assert set_led(c).success
            else:
                assert refusal(c, CALL_TOOL, led_request(True)).code == 16


def _outputs(sim):
    """Every text the device shows (each RPC's answer, the status document, the error
    ring) and the status document parsed."""
    c = client(sim, signer=client_signer(OWNER_TOKEN, keyid=OWNER))
    texts = [c.unary(path, body).decode("utf-8", "replace") for path, body in RPCS.items()]
    status_path = "/jotunheim.JotunheimService/GetDeviceStatus"
    status = jpb.DeviceStatusResponse.decode(c.unary(status_path, RPCS[status_path]))
    texts.append(status.capabilities)
    ring = log.error_ring()
    ring.flush()
    with open(ring.path, "rb") as f:  # the ring as it is kept on flash
        texts.append(f.read().decode("utf-8", "replace"))
    return texts, json.loads(status.capabilities)


def test_secrets_are_absent_from_status_capabilities_and_logs(tmp_path, capfd, caplog):
    caplog.set_level(10)  # DEBUG: every line the simulated device logs is searched
    root = make_root(tmp_path / "root", {"logging": {"level": "DEBUG"}})
    with SimulatedDevice(root, loki_url="") as sim:
        # Refusals get logged: a wrong key, a bearer token.
        bearer = {"authorization": "Bearer " + TOKEN}
        for c in (client(sim, signer=client_signer("wrong")), client(sim, metadata=bearer)):
            refusal(c, CALL_TOOL, led_request(True))
        sim.device.logger.error("an error for the ring")
        texts, doc = _outputs(sim)
    log = capfd.readouterr()
    texts += [log.out, log.err, caplog.text]
    assert "refused (16)" in caplog.text and "an error for the ring" in texts[-4]
    assert doc["runtime"]["settings"]["settings_toml"]["JOTUNHEIM_TOKEN"] == "set"
    for secret in SECRETS:
        for text in texts:
            assert secret not in text


def test_secrets_in_jotunheim_json_are_refused_with_where_they_go(tmp_path):
    for settings in (
        {"remote": {"token": TOKEN}},
        {"network": {"wifi_password": WIFI_PASSWORD}},
        {"remote": {"owner_token": OWNER_TOKEN}},
    ):
        root = make_root(tmp_path / "root", settings)
        with pytest.raises(ValueError) as info:
            SimulatedDevice(root, loki_url="")
        assert "settings.toml" in str(info.value)
        assert not [s for s in SECRETS if s in str(info.value)]


NODE_CLIENT = os.path.join(node_peer.NODE_DIR, "signed_client.mjs")


def test_connect_node_client_with_the_signing_interceptor_is_accepted(signed, tmp_path):
    node_peer.require("the connect-node signing interceptor")
    descriptors = node_peer.descriptor_set(str(tmp_path))
    out = subprocess.run(
        ["node", NODE_CLIENT, descriptors, signed.url, TOKEN],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == "ok"
    assert result["set"]["success"] is True and signed.led.state()["on"] is True
    assert result["ping"] is True
    assert result["unsigned"] == 16  # no interceptor: refused (Code.Unauthenticated)
    assert result["wrong_key"] == 16


def test_sealed_results_open_only_with_the_token_and_unchanged(tmp_path):
    root = make_root(tmp_path / "root", {"remote": {"seal_results": True, "auth_mode": "either"}})
    with SimulatedDevice(root, loki_url="") as sim:
        body = grpc_web_body(led_request(True).encode())
        header = Signer(TOKEN).header(CALL_TOOL, body)
        response = set_led(client(sim, signer=fixed(header)))
        assert response.success and response.result[:4] == b"JHS1"
        assert b'"on"' not in response.result  # the reading is not on the wire
        assert json.loads(open_sealed(TOKEN, header, response.result))["on"] is True
        changed = bytearray(response.result)
        changed[5] ^= 1
        for token, blob in (("not-the-token", response.result), (TOKEN, bytes(changed))):
            with pytest.raises(SealError):
                open_sealed(token, header, blob)
        # A bearer caller cannot get a sealed result: there is no signature to key it by.
        bearer = client(sim, metadata={"authorization": "Bearer " + TOKEN})
        err = refusal(bearer, CALL_TOOL, led_request(False))
        assert err.code == StatusCode.FAILED_PRECONDITION and "signed request" in err.message


def test_a_caller_may_ask_for_a_sealed_result(signed):
    body = grpc_web_body(led_request(True).encode())
    header = Signer(TOKEN).header(CALL_TOOL, body)
    asked = client(signed, signer=fixed(header), metadata={"jh-seal": "1"})
    result = set_led(asked).result
    assert json.loads(open_sealed(TOKEN, header, result))["on"] is True
    plain = set_led(client(signed, signer=client_signer(TOKEN))).result
    assert json.loads(plain)["on"] is True
