# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Attacks on the reference Loki, on 127.0.0.1, each bounded in time.

Every test is one attack and passes when the defence held — and Loki still answers
others afterwards (checked once per test by the ``alive`` fixture). Classes: sandbox
escapes, scripts that outlive their limits, caller tokens and ownership, quotas,
``device.call`` to places it must not go, path traversal in script names, script paths
and ``/ota/``, malformed and slow HTTP, and a few of our own.
"""

import http.client
import os
import socket
import struct
import threading
import time

import pytest

from jotunheim_host.loki import Limits, LokiServer
from jotunheim_host.loki.access import AccessPolicy, DeviceEntry
from jotunheim_host.reference_pb import loki as pb
from tests.test_loki_limits import Rpc

ADMIN, DEV1, DEV2 = "attack-admin", "attack-dev-1", "attack-dev-2"
MAX_SECONDS = 2.0


@pytest.fixture(scope="module")
def loki(tmp_path_factory):
    root = tmp_path_factory.mktemp("attack_loki")
    secret = root / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT\n")
    scripts = root / "scripts"
    scripts.mkdir()
    os.symlink(secret, scripts / "leak.lua")  # dropped-in symlink out of the folder
    ota = root / "ota"
    ota.mkdir()
    (ota / "fw.bin").write_bytes(bytes(range(256)) * 4)
    os.symlink(secret, ota / "link.txt")
    policy = AccessPolicy(
        admin_token=ADMIN,
        devices=[
            DeviceEntry("dev-1", DEV1, device_token="dev-1-call-secret"),
            DeviceEntry("dev-2", DEV2),
        ],
        max_scripts=8,
        max_bytes=1024 * 1024,
    )
    limits = Limits(max_seconds=MAX_SECONDS, max_memory=16 * 1024 * 1024)
    with LokiServer(
        str(scripts),
        port=0,
        policy=policy,
        limits=limits,
        ota_dir=str(ota),
        workers=3,
        gate={"head_seconds": 2.0},
    ) as srv:
        assert Rpc(srv.port, DEV1).register("victim", "return 'original'")[1].success
        assert Rpc(srv.port, ADMIN).register("ok", "return 'fine'")[1].success
        yield srv


@pytest.fixture(autouse=True)
def alive(loki):
    """After each attack: Loki answers, the victim is untouched, no worker is busy."""
    yield
    admin = Rpc(loki.port, ADMIN, timeout=10)
    assert admin.execute("ok")[1].output == "fine"
    assert admin.execute("victim")[1].output == "original"
    deadline = time.monotonic() + 5
    while loki.service.pool.stats()["busy"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert loki.service.pool.stats()["busy"] == []


def run(loki, code, token=ADMIN):
    status, reply, message = Rpc(loki.port, token).execute(content=code)
    assert status == 0, message
    return reply


# -- sandbox escapes (held before; kept as regressions) ---------------------------------

ESCAPES = [
    ("return io.open('/etc/passwd'):read('a')", "global 'io'"),
    ("return os.execute('id')", "field 'execute'"),
    ("return os.getenv('HOME')", "field 'getenv'"),
    ("return os.exit(1)", "field 'exit'"),
    ("return require('os')", "global 'require'"),
    ("return dofile('/etc/passwd')", "global 'dofile'"),
    ("return loadfile('/etc/passwd')", "global 'loadfile'"),
    ("return package.loadlib('libc.so.6', 'system')", "global 'package'"),
    ("return debug.getregistry()", "global 'debug'"),
    ("return collectgarbage('count')", "global 'collectgarbage'"),
    ("return python.eval('1')", "global 'python'"),
    ("return string.dump(print)", "field 'dump'"),
    ("return getmetatable('').__index.dump(print)", "field 'dump'"),
    ("return ('x').dump(print)", "field 'dump'"),
    ("return assert(load('\\27Lua', 'x', 'b'))", "only text chunks"),
    ("return assert(load('\\27LuaT\\0'))", "binary chunk"),
    ("return assert(load(function() return nil end))", "only source strings"),
    ("return load('return io')().open", "nil value"),
    ("local e = _ENV return e.io.open", "field 'io'"),
    ("return rawget(_G, 'io').open", "nil value"),
    ("setmetatable({}, {__gc = function() while true do end end})", "__gc"),
    ("return json.decode(string.rep('[', 100000))", "json.decode"),
    ("return device.call(print, 'x')", "must be strings"),
]


@pytest.mark.parametrize("code, why", ESCAPES, ids=[c for c, _ in ESCAPES])
def test_sandbox_escape_is_refused(loki, code, why):
    reply = run(loki, code)
    assert not reply.success and why in reply.error, reply
    assert "TOP-SECRET" not in reply.error and "root:" not in reply.error


def test_a_dropped_in_symlink_out_of_the_folder_is_not_a_script(loki):
    reply = Rpc(loki.port, ADMIN).execute("leak")[1]
    assert not reply.success and "TOP-SECRET" not in reply.output + reply.error


# -- scripts that outlive their limits (issue 16, item 1) --------------------------------

RUNAWAYS = [
    "xpcall(function() while true do end end, function() while true do end end)",
    "return #string.rep('', math.maxinteger)",
    "return #('x'):rep(1e12)",
    "local t = {} table.move(t, 1, 2^40, 2, t)",
    "return string.find(string.rep('a', 40), string.rep('a*', 40) .. 'b')",
    "return string.gsub(string.rep('a', 30), string.rep('a?', 30) .. string.rep('a', 30), '')",
    "local s = '[' .. string.rep('1,', 2000000) .. '1]' return #json.decode(s)",
    "local s = '{' .. string.rep('\"k\":1,', 300000) .. '\"z\":1}' return #json.decode(s)",
    "while true do pcall(error) end",
    "local co = coroutine.wrap(function() while true do end end) co()",
    "local t = {} while true do t[#t + 1] = t end",
    "while true do print(string.rep('y', 1000)) end",
]


@pytest.mark.parametrize("code", RUNAWAYS)
def test_a_runaway_is_stopped_within_its_limits(loki, code):
    started = time.monotonic()
    reply = run(loki, code)
    took = time.monotonic() - started
    assert took < MAX_SECONDS + 2.0, took
    if reply.success:  # bounded up front, with an honest result
        assert reply.output in ("0",), reply.output
    else:
        assert "limit" in reply.error or "memory" in reply.error or "more than" in reply.error


def test_parallel_runaways_leave_others_answering(loki):
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(run(loki, "while true do end")))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    time.sleep(0.2)
    started = time.monotonic()
    names = Rpc(loki.port, ADMIN, timeout=5).names()
    assert "ok" in names and time.monotonic() - started < 1.0
    for t in threads:
        t.join(20)
    assert len(results) == 6 and not any(r.success for r in results)
    assert len(loki.service.pool.stats()["idle"]) <= loki.service.pool.size


# -- caller tokens, ownership, quotas (issue 16, item 3) --------------------------------


@pytest.mark.parametrize("token", [None, "", "wrong", ADMIN + "x", ADMIN[:-1], " " + ADMIN[1:]])
def test_register_without_a_valid_token_is_refused(loki, token):
    status = Rpc(loki.port, token).register("victim", "return 'replaced'")[0]
    assert status == 16


@pytest.mark.parametrize("method", ["ListScripts", "GetCapabilities", "GetChildrenStatus"])
def test_read_rpcs_need_a_token_too(loki, method):
    request = {
        "ListScripts": pb.ListScriptsRequest(),
        "GetCapabilities": pb.GetCapabilitiesRequest(),
        "GetChildrenStatus": pb.GetChildrenStatusRequest(),
    }[method]
    assert Rpc(loki.port, "nope").call(method, request)[0] == 16
    assert Rpc(loki.port, DEV2).call(method, request)[0] == 0


def test_another_device_cannot_overwrite_a_script(loki):
    status, _, message = Rpc(loki.port, DEV2).register("victim", "return 'replaced'")
    assert status == 7 and "device:dev-1" in message


def test_the_script_prefix_cannot_shadow_someone_elses_script(loki):
    status = Rpc(loki.port, DEV2).register("Script_victim", "return 'shadow'")[0]
    assert status == 7
    assert Rpc(loki.port, ADMIN).execute("Script_victim")[1].output == "original"


def test_a_hundred_big_registrations_are_refused_past_the_quota(loki):
    big = "return '" + "x" * (200 * 1024) + "'"
    dev2 = Rpc(loki.port, DEV2)
    refused = accepted = 0
    for i in range(100):
        status, reply, _ = dev2.register(f"big_{i}", big)
        if status == 8:
            refused += 1
        elif reply.success:
            accepted += 1
    stored = sum(
        loki.service.store.stored_bytes(r.name)
        for r in loki.service.store.list()
        if r.owner == "device:dev-2"
    )
    assert accepted <= 5 and refused >= 95 and stored <= 1024 * 1024
    # Leave dev-2 room for the other attacks.
    for name in [r.name for r in loki.service.store.list() if r.name.startswith("big_")]:
        os.unlink(os.path.join(loki.service.store.root, name + ".json"))
        os.unlink(os.path.join(loki.service.store.root, name + ".lua"))


# -- device.call (issue 16, item 2) -----------------------------------------------------


class _Spy:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"

    def accepted_any(self) -> bool:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return False
        conn.close()
        return True


@pytest.mark.parametrize(
    "template",
    [
        "return device.call('{a}', 'x', {{}})",
        "return device.call('{a}', 'x', {{}}, 'dev-1')",
        "return device.call('http://{a}', 'x', {{}}, 'dev-1')",
        "return device.call('dev-1', 'x', {{}}, '{a}')",
        "return device.call('', 'x', {{}}, '')",
    ],
)
def test_device_call_cannot_reach_an_address_a_script_names(loki, template):
    spy = _Spy()
    try:
        reply = run(loki, template.format(a=spy.address), token=DEV2)
        assert not reply.success and "device.call" in reply.error
        assert not spy.accepted_any()
    finally:
        spy.sock.close()


def test_a_device_cannot_declare_another_devices_address(loki):
    spy = _Spy()
    try:
        dev2 = Rpc(loki.port, DEV2)
        stub = f'return device.call("{spy.address}", "read", params, "dev-1")'
        assert dev2.register("hijack", stub)[1].success
        reply = dev2.execute("hijack")[1]
        assert not reply.success and "has not registered" in reply.error
        assert not spy.accepted_any()
    finally:
        spy.sock.close()


# -- path traversal ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x", "a/b", "..", ".hidden", "x.lua", "a\x00b", "", "é"])
def test_a_bad_script_name_is_refused(loki, name):
    status, reply, _ = Rpc(loki.port, ADMIN).register(name, "return 1")
    assert status == 0 and not reply.success and "invalid script name" in reply.error_message


@pytest.mark.parametrize("path", ["../secret.txt", "/etc/passwd", "leak.lua", "", "a\x00b"])
def test_a_script_path_out_of_the_folder_is_refused(loki, path):
    request = pb.RegisterScriptRequest(name="bypath", language="lua", script_path=path)
    status, reply, _ = Rpc(loki.port, ADMIN).call("RegisterScript", request)
    assert status == 0 and not reply.success
    assert "TOP-SECRET" not in reply.error_message


def _http(loki, method, path, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", loki.port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path",
    [
        "/ota/../secret.txt",
        "/ota/%2e%2e/secret.txt",
        "/ota/%2e%2e%2f%2e%2e%2fetc/passwd",
        "/ota/link.txt",
        "/ota/fw.bin%00.txt",
        "/ota//etc/passwd",
    ],
)
def test_ota_paths_stay_inside_the_folder(loki, path):
    status, body = _http(loki, "GET", path)
    assert status in (400, 404) and b"TOP-SECRET" not in body and b"root:" not in body


@pytest.mark.parametrize(
    "value, want",
    [
        ("bytes=" + "9" * 5000 + "-", 416),
        ("bytes=0-" + "9" * 5000, 206),
        ("bytes=-" + "9" * 5000, 206),
        ("bytes=5-2", 416),
        ("bytes=abc", 200),
        ("bytes=0-1,5-6", 200),
    ],
)
def test_odd_ranges_get_an_http_answer_not_a_crash(loki, value, want):
    status, body = _http(loki, "GET", "/ota/fw.bin", {"Range": value})
    assert status == want, (status, body[:80])


# -- malformed and slow HTTP ------------------------------------------------------------


def _raw(loki, data: bytes, timeout=5.0) -> bytes:
    sock = socket.create_connection(("127.0.0.1", loki.port), timeout=timeout)
    out = b""
    try:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # it answered and closed before taking it all: its answer is still queued
        while True:
            block = sock.recv(65536)
            if not block:
                return out
            out += block
    except OSError:
        return out
    finally:
        sock.close()


def _grpc_request(body: bytes, extra: bytes = b"") -> bytes:
    return (
        b"POST /loki.LokiService/ListScripts HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/grpc-web+proto\r\n"
        + extra
        + b"Authorization: Bearer "
        + ADMIN.encode()
        + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        + body
    )


@pytest.mark.parametrize(
    "body, extra, want",
    [
        (b"\x00\x00\x00\x00\x09abc", b"", b"grpc-status: 3"),  # frame longer than body
        (b"\x80\x00\x00\x00\x00", b"", b"grpc-status: 3"),  # starts with a trailer frame
        (b"\x01\x00\x00\x00\x03abc", b"grpc-encoding: br\r\n", b"grpc-status: 12"),
        (b"\x00\x00\x00\x00\x00", b"grpc-timeout: 99999999999S\r\n", b"grpc-status: 3"),
        (b"\x00" * (1024 * 1024 + 1), b"", b"grpc-status: 8"),  # over the 1 MiB body limit
    ],
)
def test_malformed_grpc_gets_a_grpc_error(loki, body, extra, want):
    reply = _raw(loki, _grpc_request(body, extra))
    assert reply.startswith(b"HTTP/1.1 200") and want in reply.lower(), reply[:300]


def test_a_gzip_bomb_is_refused(loki):
    import gzip

    bomb = gzip.compress(b"\x00" * (64 * 1024 * 1024))
    body = struct.pack(">BI", 1, len(bomb)) + bomb
    reply = _raw(loki, _grpc_request(body, b"grpc-encoding: gzip\r\n"), timeout=20)
    assert b"grpc-status: 8" in reply.lower(), reply[:300]


def test_a_huge_head_is_refused(loki):
    reply = _raw(loki, b"GET / HTTP/1.1\r\nX: " + b"a" * 200_000 + b"\r\n\r\n")
    # Refused as too large, or cut off by the head deadline (408): never served.
    assert reply == b"" or reply.split(b" ", 2)[1] in (b"400", b"408", b"413", b"414", b"431")


def test_a_head_trickled_byte_by_byte_is_closed_with_408(loki):
    sock = socket.create_connection(("127.0.0.1", loki.port))
    sock.settimeout(0.3)
    reply = b""
    started = time.monotonic()
    try:
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n":
            try:
                sock.send(bytes([byte]))
                reply += sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if reply:
                break
    finally:
        sock.close()
    assert reply.startswith(b"HTTP/1.1 408") and time.monotonic() - started < 4.0


def test_many_idle_connections_do_not_block_a_caller(loki):
    idle = [socket.create_connection(("127.0.0.1", loki.port)) for _ in range(150)]
    try:
        time.sleep(0.2)
        started = time.monotonic()
        assert "ok" in Rpc(loki.port, ADMIN, timeout=5).names()
        assert time.monotonic() - started < 1.0
    finally:
        for sock in idle:
            sock.close()


# -- our own ----------------------------------------------------------------------------


def test_a_parameter_bomb_does_not_crash_the_server(loki):
    params = {f"p{i}": "x" * 1000 for i in range(900)}  # ~0.9 MB of parameters
    status, reply, _ = Rpc(loki.port, ADMIN).execute(content="return 1", **params)
    assert status == 0 and (reply.success or "memory" in reply.error)


def test_a_deep_object_parameter_is_an_invalid_params_error(loki):
    pd = pb.ParameterDefinition(name="o", type="Object", required=True)
    request = pb.RegisterScriptRequest(
        name="takes_obj", language="lua", inline_script="return 1", parameters=[pd]
    )
    admin = Rpc(loki.port, ADMIN)
    assert admin.call("RegisterScript", request)[1].success
    status, reply, message = admin.execute("takes_obj", o="[" * 100_000)
    assert status == 0 and not reply.success and "nested too deep" in reply.error, message


def test_error_messages_cannot_inject_headers(loki):
    code = "error('x\\r\\nSet-Cookie: evil=1\\r\\n\\r\\n')"
    status, reply, _ = Rpc(loki.port, ADMIN).execute(content=code)
    assert status == 0 and not reply.success
    raw = _raw(loki, _grpc_request(b"\x00\x00\x00\x00\x00").replace(b"ListScripts", b"Nope"))
    assert b"set-cookie" not in raw.lower()


def test_stream_of_a_missing_script_reveals_nothing(loki):
    payload = bytes(pb.StreamScriptExecutionRequest(script_name="../secret"))
    reply = _raw(
        loki,
        b"POST /loki.LokiService/StreamScriptExecution HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/grpc-web+proto\r\nAuthorization: Bearer "
        + ADMIN.encode()
        + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (len(payload) + 5)
        + struct.pack(">BI", 0, len(payload))
        + payload,
    )
    assert b"not_found" in reply and b"TOP-SECRET" not in reply
