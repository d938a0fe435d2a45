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
    compat.collect_garbage()
    # CircuitPython's clock API, added by the runner.
    assert time.monotonic_ns() >= 0


def test_from_jotunheim_import_submodule():
    # Device modules write "from jotunheim import compat". On MicroPython and CircuitPython
    # that asks the package's module __getattr__ first, before importing the submodule, so
    # a __getattr__ that raises AttributeError for unknown names breaks the import.
    import sys

    for name in ("jotunheim", "jotunheim.compat"):
        sys.modules.pop(name, None)
    from jotunheim import compat

    assert compat.monotonic_ms() >= 0
