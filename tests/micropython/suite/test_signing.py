# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Request signing under MicroPython: HMAC-SHA256 on the board's hashlib against RFC 4231
vectors (the figures CPython's hmac gives), and a RemoteCommandHandler on the fake socket
pool that takes a signed call once and refuses its replay, a changed body and an old one."""

import time
from binascii import hexlify

import fake_net
import socketpool
import wifi
from signed_header import header_value

from jotunheim.capability.drivers.simulated import SimulatedLed
from jotunheim.capability.registry import ToolRegistry
from jotunheim.grpc.server import GrpcWebServer
from jotunheim.pb import jotunheim as jpb
from jotunheim.remote import signing
from jotunheim.remote.handler import RemoteCommandHandler, constant_time_equal

PORT = 8081
PATH = "/jotunheim.JotunheimService/CallTool"


def test_hmac_sha256_matches_rfc_4231():
    cases = (
        (b"\x0b" * 20, b"Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (b"Jefe", b"what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    )  # fmt: skip
    for key, message, expected in cases:
        assert hexlify(signing.hmac_sha256(key, message)).decode() == expected


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def _header(body, ts, nonce="nonce-0123456789abcdef", secret="tok", path=PATH):
    return header_value("user", secret, "POST", path, body, ts, nonce)


def test_signature_check_accepts_once_and_names_what_is_wrong():
    clock = Clock(1764595200)
    check = signing.SignatureCheck({"user": "tok", "owner": None}, constant_time_equal, clock=clock)
    body = b"\x00\x00\x00\x00\x02hi"
    now_ms = 1764595200 * 1000
    assert check.verify("POST", PATH, body, _header(body, now_ms)) == "user"
    for header, words in (
        (_header(body, now_ms), "replayed"),
        (_header(body + b"!", now_ms, "nonce-other-0123456"), None),
        (_header(body, now_ms - 301000, "nonce-old-0123456789"), "ago"),
        (_header(body, now_ms + 31000, "nonce-ahead-01234567"), "future"),
        (_header(body, now_ms, "short"), "16-64"),
        ("JH-HMAC keyid=user,ts=1", "nonce"),
    ):
        try:
            # the changed-body case: signed over body + "!", checked against body
            check.verify("POST", PATH, body, header)
        except signing.SignatureError as exc:
            assert words is None or words in str(exc), str(exc)
            assert words is not None or "does not match" in str(exc)
        else:
            raise AssertionError("accepted " + header)
    assert check.accepted == 1


def test_a_board_without_a_clock_takes_the_time_of_the_first_signed_request():
    clock = Clock(1000)  # seconds since boot: never set
    check = signing.SignatureCheck({"user": "tok"}, constant_time_equal, clock=clock)
    ts = 1764595200000
    assert check.verify("POST", PATH, b"", _header(b"", ts)) == "user"
    clock.now = 1010  # 10 s later: the device's time is now ts + 10 s
    ahead = _header(b"", ts + 10000 + 31000, "nonce-ahead-12345678")
    try:
        check.verify("POST", PATH, b"", ahead)
    except signing.SignatureError as exc:
        assert "31 s in the future" in str(exc), str(exc)
    else:
        raise AssertionError("a request 31 s ahead of the taken time passed")
    assert (
        check.verify("POST", PATH, b"", _header(b"", ts + 10000, "nonce-now-123456789")) == "user"
    )
    try:
        check.verify("POST", PATH, b"", _header(b"", ts - 400000, "nonce-older-12345678"))
    except signing.SignatureError as exc:
        assert "ago" in str(exc)
    else:
        raise AssertionError("an old request passed once the clock was taken")


def test_the_nonce_ring_moves_its_base_after_days_and_still_refuses_replays():
    clock = Clock(1764595200)
    check = signing.SignatureCheck({"user": "tok"}, constant_time_equal, clock=clock)
    ts = 1764595200000
    assert check.verify("POST", PATH, b"", _header(b"", ts)) == "user"
    assert check.base == ts - 300000
    clock.now += 4 * 86400  # 4 days on: offsets from the old base would pass 2**28
    now = ts + 4 * 86400000
    later = _header(b"", now - 200000, "nonce-later-123456789")  # 200 s old: in the window
    assert check.verify("POST", PATH, b"", later) == "user"
    assert check.base == now - 300000  # moved: the ring holds small offsets again
    for header, words in ((later, "replayed"), (_header(b"", ts), "ago")):
        try:
            check.verify("POST", PATH, b"", header)
        except signing.SignatureError as exc:
            assert words in str(exc), str(exc)
        else:
            raise AssertionError("accepted " + header)
    assert check.accepted == 2


def _frame(payload):
    n = len(payload)
    return bytes([0, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255]) + payload


def _request(body, authorization):
    head = (
        "POST %s HTTP/1.1\r\nHost: board\r\nContent-Type: application/grpc-web+proto\r\n"
        "Authorization: %s\r\nContent-Length: %d\r\n\r\n" % (PATH, authorization, len(body))
    )
    return head.encode() + body


def _status(server, request):
    fake_net.accept_from(PORT, request)
    assert server.poll() == 1
    reply = bytes(fake_net.connections[-1].sent)
    at = reply.find(b"grpc-status: ")
    return int(reply[at + 13 : at + 15].strip())


class Board:
    """Stands in for the Device: the handler asks it for this device's id."""

    def device_id_now(self):
        return "pico-1"


def test_signed_calls_on_the_served_handler():
    wifi.radio.add_network("home", "pw")
    wifi.radio.connect("home", "pw")
    registry = ToolRegistry()
    led = SimulatedLed()
    registry.add_actuator("status", led)
    handler = RemoteCommandHandler(registry, Board(), token="tok")
    assert handler.mode == "signed"  # the default
    server = GrpcWebServer(socketpool.SocketPool(wifi.radio), max_request_size=1024)
    handler.register(server)
    server.start("0.0.0.0", PORT)
    on = _frame(jpb.ToolCallRequest(tool_name="set_led_sim", parameters='{"on": true}').encode())
    off = _frame(jpb.ToolCallRequest(tool_name="set_led_sim", parameters='{"on": false}').encode())
    now = int(time.time() * 1000)
    signed_on = _header(on, now, "nonce-served-0123456")
    assert _status(server, _request(on, signed_on)) == 0 and led.state()["on"] is True
    led.set(on=False)
    assert _status(server, _request(on, signed_on)) == 16  # replayed
    assert _status(server, _request(off, _header(on, now, "nonce-changed-012345"))) == 16
    assert _status(server, _request(on, "Bearer tok")) == 16  # no clear tokens by default
    assert led.state()["on"] is False
    server.stop()
    fake_net.assert_no_leaks()


def test_sealed_results_match_the_host_and_refuse_changes():
    from binascii import unhexlify

    from jotunheim.remote import sealing

    iv = b"\x01" * 32
    data = b'{"on": true, "level": 3}'
    # The same bytes CPython's hmac opens (jotunheim_host.signing.open_sealed).
    expected = unhexlify(
        "4a485331c5a984960dd69f08d12d653e01962ecc5e24c7065f4e7c4250c8cca9e6950c011b1a853807adf98b"
    )
    sealed = sealing.seal("tok", iv, data)
    assert sealed == expected
    assert sealing.unseal("tok", iv, sealed, constant_time_equal) == data
    changed = bytearray(sealed)
    changed[6] ^= 1
    for secret, blob in (("other", sealed), ("tok", bytes(changed)), ("tok", data)):
        try:
            sealing.unseal(secret, iv, blob, constant_time_equal)
        except sealing.SealError:
            pass
        else:
            raise AssertionError("opened %r" % blob)


SETUPS = ("jotunheim.http.setup", "jotunheim.grpc.setup", "jotunheim.remote.setup")


def _forgotten():
    # The modules that only build are gone once their object is built: their code is
    # back on the heap (jotunheim.compat.run_and_forget).
    import sys

    held = [name for name in SETUPS if name in sys.modules]
    assert not held, held


def test_a_new_server_and_new_tokens_are_built_again_after_the_builders_were_forgotten():
    wifi.radio.add_network("home", "pw")
    wifi.radio.connect("home", "pw")
    registry = ToolRegistry()
    led = SimulatedLed()
    registry.add_actuator("status", led)
    on = _frame(jpb.ToolCallRequest(tool_name="set_led_sim", parameters='{"on": true}').encode())
    now = int(time.time() * 1000)
    handler = RemoteCommandHandler(registry, Board(), token="tok", rate_limit_per_minute=0)
    assert handler.warning() is None
    for round, secret in enumerate(("tok", "tok2")):
        # A new link: a new server (its builders imported again), the handler's RPCs on it.
        server = GrpcWebServer(socketpool.SocketPool(wifi.radio), max_request_size=1024)
        handler.register(server)
        server.start("0.0.0.0", PORT)
        _forgotten()
        assert server.max_body == 1024 and server.port == PORT and len(server.methods) == 5
        nonce = "nonce-rebuilt-%d-012345" % round
        # The SignatureCheck is made (by jotunheim.remote.setup) for the first signed call.
        assert _status(server, _request(on, _header(on, now, nonce, secret))) == 0
        _forgotten()
        assert handler.signatures.accepted == 1 and led.state()["on"] is True
        if round:  # the token replaced by configure no longer signs
            assert _status(server, _request(on, _header(on, now, nonce + "x", "tok"))) == 16
        led.set(on=False)
        server.stop()
        # New tokens (a settings reload): the old one no longer signs, a new check is made.
        handler.configure(token="tok2")
        _forgotten()
        assert handler.token == "tok2" and handler.signatures is None
    # A second handler, open to anyone: its warning is put into words.
    other = RemoteCommandHandler(registry, Board(), open_access=True, auth_mode="bearer")
    assert other.required is False and other.per_minute == 60 and other.warning()
    _forgotten()
    fake_net.assert_no_leaks()
