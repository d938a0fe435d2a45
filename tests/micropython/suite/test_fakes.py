# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The CircuitPython fakes and jotunheim.compat, under MicroPython."""

import errno
import time

import fake_net


def _raises(exc_type, func, *args):
    try:
        func(*args)
    except exc_type as exc:
        return exc
    raise AssertionError("%s not raised" % exc_type.__name__)


def _set_slice(target, start, stop, value):
    target[start:stop] = value


def test_board_pins_are_named_microcontroller_pins():
    import board
    import microcontroller

    assert isinstance(board.D5, microcontroller.Pin)
    assert repr(board.A0) == "board.A0"
    assert board.LED == board.D13
    assert board.D0 != board.D1
    assert board.board_id
    for name in board.PIN_NAMES:
        assert isinstance(getattr(board, name), microcontroller.Pin)


def test_nvm_is_fixed_size_and_reset_raises():
    import microcontroller

    nvm = microcontroller.nvm
    assert len(nvm) == 8192
    assert nvm[0:4] == bytearray(4)
    nvm[10:13] = b"abc"
    assert nvm[10:13] == bytearray(b"abc")
    assert nvm[11] == ord("b")
    _raises(ValueError, _set_slice, nvm, 0, 2, b"abc")
    microcontroller.on_next_reset(microcontroller.RunMode.SAFE_MODE)
    swallowed = False
    try:
        try:
            microcontroller.reset()
        except Exception:  # device code's catch-all must not stop a reset
            swallowed = True
    except microcontroller.ResetCalled:
        pass
    assert not swallowed
    assert microcontroller.resets == [microcontroller.RunMode.SAFE_MODE]
    assert len(microcontroller.cpu.uid) == 6
    assert microcontroller.cpu.frequency > 0
    assert -40 < microcontroller.cpu.temperature < 125


def test_fakes_are_reset_between_tests():
    # The previous test wrote nvm and reset: the runner's _reset() hooks cleared both.
    import microcontroller

    assert microcontroller.nvm[10:13] == bytearray(3)
    assert microcontroller.resets == []


def test_supervisor_and_storage_record_calls():
    import storage
    import supervisor

    first = supervisor.ticks_ms()
    time.sleep_ms(5)
    assert 0 < supervisor.ticks_ms() - first < 1000
    _raises(supervisor.ReloadCalled, supervisor.reload)
    assert supervisor.reloads == [True]
    supervisor.set_next_code_file("code.py", reload_on_error=True)
    assert supervisor.next_code_files == [("code.py", False, True)]
    assert storage.getmount("/").readonly
    storage.remount("/", readonly=False)
    assert storage.remounts == [("/", False, False)]
    assert not storage.getmount("/").readonly
    storage.remount_error = RuntimeError("Cannot remount '/' when visible via USB.")
    _raises(RuntimeError, storage.remount, "/", False)
    storage.disable_usb_drive()
    assert storage.usb_drive_enabled == [False]
    _raises(OSError, storage.getmount, "/sd")


def test_wifi_connect_failures_then_success():
    import wifi

    radio = wifi.radio
    assert not radio.connected and radio.ipv4_address is None and radio.ap_info is None
    exc = _raises(ConnectionError, radio.connect, "edda", "secret")
    assert "No network" in str(exc)
    radio.add_network("edda", "secret", rssi=-48)
    _raises(ConnectionError, radio.connect, "edda", "wrong")
    radio.fail_next_connects(1)
    _raises(ConnectionError, radio.connect, "edda", "secret")
    radio.connect("edda", "secret")
    assert radio.connected
    assert str(radio.ipv4_address).startswith("192.168.4.")
    assert radio.ap_info.rssi == -48
    assert radio.ap_info.ssid == "edda"
    assert len(radio.mac_address) == 6 and radio.hostname and radio.enabled
    assert radio.connect_calls == [("edda", "secret"), ("edda", "wrong")] + [("edda", "secret")] * 2
    radio.drop()
    assert not radio.connected


def test_socketpool_needs_a_connected_radio():
    import socketpool
    import wifi

    fake_net.serve("loki.local", 80, fake_net.respond(b"x"))
    pool = socketpool.SocketPool(wifi.radio)
    exc = _raises(OSError, pool.getaddrinfo, "loki.local", 80)
    assert exc.args[0] == errno.EHOSTUNREACH
    wifi.radio.add_network("edda", "pw")
    wifi.radio.connect("edda", "pw")
    (family, kind, _, _, addr) = pool.getaddrinfo("loki.local", 80)[0]
    assert addr == (fake_net.hosts["loki.local"], 80)
    assert (family, kind) == (pool.AF_INET, pool.SOCK_STREAM)
    exc = _raises(pool.gaierror, pool.getaddrinfo, "nowhere.invalid", 80)
    assert exc.args[0] == pool.EAI_NONAME


def _connect(port=7000, timeout=1.0):
    pool = fake_net.FakeSocketPool()
    sock = pool.socket(pool.AF_INET, pool.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(("10.0.0.2", port))
    return sock


def test_fake_socket_chunks_and_eof():
    fake_net.serve("10.0.0.2", 7000, fake_net.respond(b"0123456789", chunks=[3, 1, 100]))
    sock = _connect()
    assert sock.send(b"ping") == 4
    sock.sendall(memoryview(b"pong"))
    buf = bytearray(8)
    sizes = []
    got = b""
    while True:
        n = sock.recv_into(buf)
        if n == 0:
            break
        sizes.append(n)
        got += buf[:n]
    assert sizes == [3, 1, 6]
    assert got == b"0123456789"
    assert fake_net.connections[0].sent == bytearray(b"pingpong")
    sock.close()
    fake_net.assert_no_leaks()


def test_fake_socket_failures_have_errnos():
    fake_net.serve(
        "10.0.0.2",
        7000,
        fake_net.refuse(),
        fake_net.connect_timeout(),
        fake_net.reset(b"HTTP/1.1 2"),
        fake_net.hang(),
        fake_net.hang(),
        fake_net.hang(),
    )
    assert _raises(OSError, _connect).args[0] == errno.ECONNREFUSED
    assert _raises(OSError, _connect).args[0] == errno.ETIMEDOUT
    sock = _connect()
    buf = bytearray(64)
    assert sock.recv_into(buf) == 10
    assert _raises(OSError, sock.recv_into, buf).args[0] == errno.ECONNRESET
    sock.close()
    sock = _connect()
    assert _raises(OSError, sock.recv_into, buf).args[0] == errno.ETIMEDOUT
    sock.close()
    sock = _connect(timeout=0)
    assert _raises(OSError, sock.recv_into, buf).args[0] == errno.EAGAIN
    sock.close()
    sock = _connect(timeout=None)
    _raises(fake_net.BlockedForever, sock.recv_into, buf)
    sock.close()
    # Nothing scripted any more: like a port nobody listens on.
    assert _raises(OSError, _connect).args[0] == errno.ECONNREFUSED
    assert len(fake_net.connections) == 7
    assert [c.refused for c in fake_net.connections] == [True, True] + [False] * 4 + [True]


def test_leaks_are_detected():
    fake_net.serve("10.0.0.2", 7000, fake_net.respond(b""))
    sock = _connect()
    _raises(AssertionError, fake_net.assert_no_leaks)
    assert fake_net.open_sockets() == [sock]
    with sock:
        pass
    fake_net.assert_no_leaks()


def test_response_callable_sees_the_request():
    def echo(conn):
        return b"got " + bytes(conn.sent)

    fake_net.serve("10.0.0.2", 7000, fake_net.respond(echo))
    sock = _connect()
    sock.send(b"abc")
    buf = bytearray(16)
    n = sock.recv_into(buf, 5)
    assert bytes(buf[:n]) == b"got a"
    n = sock.recv_into(buf)
    assert bytes(buf[:n]) == b"bc"
    sock.close()


def test_listening_socket_accepts_scripted_clients():
    pool = fake_net.FakeSocketPool()
    server = pool.socket()
    server.bind(("0.0.0.0", 80))
    server.listen(2)
    server.setblocking(False)
    assert _raises(OSError, server.accept).args[0] == errno.EAGAIN
    fake_net.accept_from(80, b"GET / HTTP/1.1\r\n\r\n")
    client, addr = server.accept()
    buf = bytearray(64)
    n = client.recv_into(buf)
    assert bytes(buf[:n]).startswith(b"GET / ")
    client.send(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert fake_net.connections[-1].sent.startswith(b"HTTP/1.1 204")
    client.close()
    server.close()
    fake_net.assert_no_leaks()


def test_ssl_and_traceback_fakes():
    import ssl
    import traceback

    context = ssl.create_default_context()
    fake_net.serve("loki.local", 443, fake_net.respond(b"ok"))
    pool = fake_net.FakeSocketPool()
    sock = context.wrap_socket(pool.socket(), server_hostname="loki.local")
    sock.connect(("loki.local", 443))
    assert sock.tls_server_hostname == "loki.local"
    sock.close()
    try:
        raise ValueError("broken widget")
    except ValueError as exc:
        text = "".join(traceback.format_exception(exc))
    assert "ValueError: broken widget" in text


def test_compat_clock_and_memory():
    import jotunheim.compat

    compat = jotunheim.compat
    assert compat.IMPLEMENTATION == "micropython"
    assert not compat.IS_CPYTHON
    start = compat.monotonic_ms()
    compat.sleep_ms(20)
    elapsed = compat.monotonic_ms() - start
    assert 15 <= elapsed < 5000
    assert compat.monotonic() >= start / 1000.0
    free = compat.free_memory()
    assert isinstance(free, int) and free > 0

    # CircuitPython's clock API, added by the runner: integer nanoseconds that advance with
    # real time and agree with time.monotonic().
    t0 = time.monotonic_ns()
    time.sleep_ms(20)
    t1 = time.monotonic_ns()
    assert isinstance(t1, int)
    assert 15_000_000 <= t1 - t0 < 5_000_000_000, t1 - t0
    assert abs(time.monotonic() - time.monotonic_ns() / 1e9) < 0.05


def test_from_jotunheim_import_submodule():
    # Device modules write "from jotunheim import compat". On MicroPython and CircuitPython
    # that asks the package's module __getattr__ first, before importing the submodule, so
    # a __getattr__ that raises AttributeError for unknown names breaks the import.
    import sys

    for name in ("jotunheim", "jotunheim.compat"):
        sys.modules.pop(name, None)
    from jotunheim import compat

    assert compat is sys.modules["jotunheim.compat"]
    assert compat.IMPLEMENTATION == "micropython"
    first = compat.monotonic_ms()
    compat.sleep_ms(5)
    assert compat.monotonic_ms() > first


# -- the server side: scripted clients of a listening socket ------------------------------

REQUEST = b"GET /a HTTP/1.1\r\nHost: board\r\n\r\n"
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


def _listen(port=80, blocking=False):
    server = fake_net.FakeSocketPool().socket()
    server.bind(("0.0.0.0", port))
    server.listen(4)
    server.setblocking(blocking)
    return server


def _accept(server, timeout=0):
    sock, _ = server.accept()
    sock.settimeout(timeout)
    return sock


def _read_all(sock, size=64):
    """Every byte until EOF; what stopped the reads: 'eof' or the OSError errno."""
    buf = bytearray(size)
    got = bytearray()
    while True:
        try:
            n = sock.recv_into(buf, size)
        except OSError as exc:
            return bytes(got), exc.args[0]
        if n == 0:
            return bytes(got), "eof"
        got += buf[:n]


def test_accept_without_a_client_is_eagain_or_blocks_forever():
    server = _listen()
    assert _raises(OSError, server.accept).args[0] == errno.EAGAIN
    server.settimeout(0.5)
    assert _raises(OSError, server.accept).args[0] == errno.ETIMEDOUT
    server.setblocking(True)
    _raises(fake_net.BlockedForever, server.accept)
    server.close()


def test_client_closes_mid_head():
    fake_net.accept_from(80, fake_net.client(REQUEST[:9], then="close"))
    server = _listen()
    sock = _accept(server)
    assert _read_all(sock) == (b"GET /a HT", "eof")
    # EOF stays EOF
    assert sock.recv_into(bytearray(8)) == 0
    sock.close()
    server.close()
    assert fake_net.connections[0].closed and fake_net.connections[0].replies() == []
    fake_net.assert_no_leaks()


def test_client_closes_mid_body_and_mid_chunk():
    post = fake_net.http_request("POST", "/x", b"0123456789")
    chunked = fake_net.http_request("POST", "/x", b"abcdefghij", chunked=True, chunk_sizes=4)
    assert chunked.endswith(b"4\r\nabcd\r\n4\r\nefgh\r\n2\r\nij\r\n0\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in chunked and b"Content-Length" not in chunked
    cut = chunked.index(b"efgh") + 2  # inside the second chunk's data
    fake_net.accept_from(80, fake_net.client(post[:-4], then="close"))
    fake_net.accept_from(80, fake_net.client(chunked[:cut], then="close"))
    server = _listen()
    first = _accept(server)
    assert _read_all(first) == (post[:-4], "eof")
    second = _accept(server)
    got, end = _read_all(second)
    assert got.endswith(b"4\r\nef") and end == "eof"
    first.close()
    second.close()
    server.close()


def test_client_reset_raises_econnreset_on_read_and_send():
    fake_net.accept_from(80, fake_net.client(REQUEST[:20], then="reset"))
    server = _listen()
    sock = _accept(server)
    assert _read_all(sock) == (REQUEST[:20], errno.ECONNRESET)
    assert _raises(OSError, sock.send, OK).args[0] == errno.ECONNRESET
    assert fake_net.connections[0].sent == bytearray()
    sock.close()
    server.close()


def test_client_stalls_for_a_number_of_reads():
    fake_net.accept_from(80, fake_net.client(REQUEST[:10], fake_net.stall(reads=3), REQUEST[10:]))
    server = _listen()
    sock = _accept(server)  # non-blocking: each stalled read is EAGAIN
    buf = bytearray(64)
    assert sock.recv_into(buf) == 10
    for _ in range(3):
        assert _raises(OSError, sock.recv_into, buf).args[0] == errno.EAGAIN
    n = sock.recv_into(buf)
    assert bytes(buf[:n]) == REQUEST[10:]
    assert sock.recv_into(buf) == 0
    assert fake_net.connections[0].reads == 6
    sock.close()
    server.close()


def test_stall_past_a_timeout_on_a_fake_clock():
    clock = fake_net.use_clock(fake_net.FakeClock(100.0))
    fake_net.accept_from(80, fake_net.client(REQUEST[:10], fake_net.stall(seconds=5), REQUEST[10:]))
    fake_net.accept_from(
        80, fake_net.client(REQUEST[:10], fake_net.stall(until=101.5), REQUEST[10:])
    )
    server = _listen()
    sock = _accept(server, timeout=2.0)
    buf = bytearray(64)
    assert sock.recv_into(buf) == 10
    # a 2 s receive timeout fires twice inside the 5 s stall, the clock moving on each time
    assert _raises(OSError, sock.recv_into, buf).args[0] == errno.ETIMEDOUT
    assert clock() == 102.0
    assert _raises(OSError, sock.recv_into, buf).args[0] == errno.ETIMEDOUT
    assert clock() == 104.0
    # the third read waits the last second of the stall and gets the rest
    n = sock.recv_into(buf)
    assert bytes(buf[:n]) == REQUEST[10:] and clock() == 105.0
    # until=: a non-blocking read sees EAGAIN until the clock passes the mark
    other = _accept(server, timeout=0)
    clock.now = 101.0
    assert other.recv_into(buf) == 10
    assert _raises(OSError, other.recv_into, buf).args[0] == errno.EAGAIN
    clock.advance(0.5)
    n = other.recv_into(buf)
    assert bytes(buf[:n]) == REQUEST[10:]
    sock.close()
    other.close()
    server.close()


def test_stall_on_the_real_clock_waits_on_a_timed_read():
    fake_net.accept_from(80, fake_net.client(b"a", fake_net.stall(seconds=0.05), b"b"))
    server = _listen()
    sock = _accept(server, timeout=0.01)
    buf = bytearray(4)
    assert sock.recv_into(buf) == 1
    start = time.ticks_ms()
    assert _raises(OSError, sock.recv_into, buf).args[0] == errno.ETIMEDOUT
    assert time.ticks_diff(time.ticks_ms(), start) >= 8  # it waited its 10 ms timeout
    sock.settimeout(1.0)
    assert sock.recv_into(buf) == 1 and buf[0:1] == b"b"
    sock.close()
    server.close()


def test_hanging_client_times_out_and_blocks_forever():
    fake_net.accept_from(80, fake_net.client(REQUEST, then="hang"))
    server = _listen()
    sock = _accept(server, timeout=0)
    assert _read_all(sock) == (REQUEST, errno.EAGAIN)
    sock.settimeout(0.2)
    assert _raises(OSError, sock.recv_into, bytearray(4)).args[0] == errno.ETIMEDOUT
    sock.settimeout(None)
    _raises(fake_net.BlockedForever, sock.recv_into, bytearray(4))
    sock.close()
    server.close()


def test_keep_alive_client_waits_for_each_reply():
    second = fake_net.http_request("POST", "/b", b"xyz", chunked=True, chunk_sizes=2)
    fake_net.accept_from(
        80, fake_net.client(REQUEST, fake_net.await_reply(), second, fake_net.await_reply())
    )
    server = _listen()
    sock = _accept(server)
    got, end = _read_all(sock)
    assert (got, end) == (REQUEST, errno.EAGAIN)  # nothing more until the server answers
    sock.send(OK[:20])
    assert _raises(OSError, sock.recv_into, bytearray(8)).args[0] == errno.EAGAIN
    sock.send(OK[20:])
    got, end = _read_all(sock)
    assert (got, end) == (second, errno.EAGAIN)
    sock.sendall(fake_net.http_response(201, b"made", chunked=True, chunk_size=3))
    assert _read_all(sock) == (b"", "eof")  # both answered: the client closes
    sock.close()
    conn = fake_net.connections[0]
    replies = conn.replies()
    assert [(r.status, r.body) for r in replies] == [(200, b"ok"), (201, b"made")]
    assert replies[1].headers["transfer-encoding"] == "chunked"
    assert conn.closed and conn.done()
    server.close()


def test_blocking_read_before_replying_is_reported_not_hung():
    fake_net.accept_from(80, fake_net.client(REQUEST, fake_net.await_reply(), REQUEST))
    server = _listen()
    sock = _accept(server, timeout=None)
    assert sock.recv_into(bytearray(64)) == len(REQUEST)
    _raises(fake_net.BlockedForever, sock.recv_into, bytearray(64))
    sock.close()
    server.close()


def test_partial_sends_and_send_records():
    fake_net.accept_from(80, fake_net.client(REQUEST, then="hang", window=5))
    server = _listen()
    sock = _accept(server)
    assert sock.send(OK) == 5
    sock.sendall(OK[5:])
    conn = fake_net.connections[0]
    assert conn.sent == bytearray(OK) and len(OK) == 40 and conn.sends == [5] * 8
    assert [r.body for r in conn.replies()] == [b"ok"]
    assert not conn.closed
    sock.close()
    assert conn.closed
    server.close()


def test_dropped_records_are_reused_and_reads_and_sends_then_allocate_nothing():
    # A board's recv_into/send copy into and out of the caller's buffer and allocate
    # nothing; so does the fake once a record's buffers have grown, so that a server's
    # heap figures are its own.
    import gc

    fake_net.accept_from(80, fake_net.client(REQUEST, then="hang"))
    server = _listen()
    sock = _accept(server)
    buf = bytearray(64)
    sock.recv_into(buf)
    sock.send(OK)
    held = fake_net.connections[0]
    sock.close()
    # A record a test still lists is never reused; one it dropped is, emptied.
    fake_net.accept_from(80, fake_net.client(REQUEST, then="hang"))
    second = _accept(server)
    assert fake_net.connections[1] is not held and held.sent == OK and held.sends == [len(OK)]
    second.close()
    del fake_net.connections[:]
    del fake_net.sockets[:]
    fake_net.accept_from(80, fake_net.client(REQUEST, then="hang"))
    third = _accept(server)
    conn = fake_net.connections[0]
    assert conn is held and conn.sent == b"" and conn.sends == [] and not conn.closed
    gc.disable()
    before = gc.mem_alloc()
    n = third.recv_into(buf)
    third.send(OK)
    used = gc.mem_alloc() - before
    gc.enable()
    assert bytes(buf[:n]) == REQUEST and used == 0, used
    assert conn.sent == OK and conn.sends == [len(OK)] and conn.reads == 1
    third.close()
    server.close()


def test_reads_honour_chunks_and_nbytes():
    fake_net.accept_from(80, fake_net.client(REQUEST, chunks=[3, 4]))
    server = _listen()
    sock = _accept(server)
    buf = bytearray(64)
    assert sock.recv_into(buf) == 3
    assert sock.recv_into(buf, 2) == 2  # nbytes caps a read inside a chunk
    assert sock.recv_into(buf) == 2  # the rest of that chunk
    assert sock.recv_into(buf) == len(REQUEST) - 7  # no more sizes: the rest at once
    assert sock.recv_into(buf) == 0
    sock.close()
    server.close()


def test_nonblocking_eof_can_be_enotconn_like_espressif():
    fake_net.nonblocking_eof = "enotconn"
    fake_net.accept_from(80, fake_net.client(b"x"))
    fake_net.accept_from(80, fake_net.client(b"y"))
    server = _listen()
    sock = _accept(server, timeout=0)
    assert _read_all(sock) == (b"x", errno.ENOTCONN)
    blocking = _accept(server, timeout=1.0)
    assert _read_all(blocking) == (b"y", "eof")  # only non-blocking reads say ENOTCONN
    sock.close()
    blocking.close()
    server.close()


def test_reply_without_length_ends_at_close():
    fake_net.accept_from(80, fake_net.client(REQUEST))
    server = _listen()
    sock = _accept(server)
    sock.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nstream")
    conn = fake_net.connections[0]
    assert conn.replies() == []  # body runs to the close
    sock.close()
    assert [r.body for r in conn.replies()] == [b"stream"]
    server.close()


def test_bad_client_scripts_are_refused():
    _raises(ValueError, lambda: fake_net.client(b"x", then="explode"))
    _raises(ValueError, lambda: fake_net.client(b"x", window=0))
    _raises(TypeError, fake_net.client, 42)
    _raises(ValueError, fake_net.stall)
    _raises(ValueError, lambda: fake_net.stall(reads=1, seconds=1))
    _raises(ValueError, fake_net.chunked_body, b"abc", 0)
    assert fake_net.chunked_body(b"", 4) == b"0\r\n\r\n"
    assert (
        fake_net.chunked_body(b"abc", [1, 2], {"X-T": "1"})
        == b"1\r\na\r\n2\r\nbc\r\n0\r\nX-T: 1\r\n\r\n"
    )


def test_timeout_error_is_a_builtin_oserror():
    # CircuitPython has TimeoutError (an OSError); its sockets raise OSError(ETIMEDOUT).
    assert issubclass(TimeoutError, OSError)
    try:
        raise TimeoutError(errno.ETIMEDOUT)
    except OSError as exc:
        assert exc.args[0] == errno.ETIMEDOUT


def test_compat_clock_reads_allocate_nothing_after_a_second_of_uptime():
    # time.monotonic_ns() outgrows a small int after ~1.07 s, and from then on every reading
    # allocates: compat reads the port's millisecond tick counter instead.
    import gc

    from jotunheim import compat

    time.sleep(1.2)
    compat.monotonic_ms()
    gc.disable()
    try:
        before = gc.mem_alloc()
        for _ in range(50):
            compat.monotonic_ms()
        used = gc.mem_alloc() - before
    finally:
        gc.enable()
    assert used == 0, used
    start = compat.monotonic_ms()
    time.sleep_ms(30)
    assert 25 <= compat.monotonic_ms() - start < 5000


def test_compat_run_and_forget_imports_calls_and_forgets():
    import os
    import sys

    from jotunheim.compat import forget, run_and_forget

    folder = "/jh_forget"
    for path in (folder, folder + "/jh_pkg"):
        try:
            os.mkdir(path)
        except OSError:
            pass
    with open(folder + "/jh_pkg/__init__.py", "w") as f:
        f.write("")
    with open(folder + "/jh_pkg/builder.py", "w") as f:
        f.write("def make(n):\n    return [n]\ndef fail():\n    raise ValueError('no')\n")
    sys.path.insert(0, folder)
    try:
        import jh_pkg

        assert run_and_forget("jh_pkg.builder", "make", 3) == [3]
        assert "jh_pkg.builder" not in sys.modules and not hasattr(jh_pkg, "builder")
        assert run_and_forget("jh_pkg.builder", "make", 4) == [4]  # imported again
        assert "jh_pkg.builder" not in sys.modules
        # What forgetting gives back is measured at top level, where no stale pointer on
        # the stack keeps the old code alive for the conservative collector: per module by
        # benchmarks/bench_module_ram.py, for the whole Device by tests/test_device_ram.py.
        try:
            run_and_forget("jh_pkg.builder", "fail")
            raised = False
        except ValueError:
            raised = True
        assert raised and "jh_pkg.builder" not in sys.modules  # forgotten when it raised too
        forget("jh_pkg.never_imported")  # nothing to forget: no error
    finally:
        sys.path.remove(folder)
