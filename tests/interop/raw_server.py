# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A scripted HTTP/1.1 peer on raw sockets, for fault injection.

Each accepted connection reads requests (head + Content-Length body) and answers each
with ``responder(request) -> action``: bytes to send, ``RESET`` (RST via SO_LINGER 0),
``CLOSE`` (FIN without answering), or a list of bytes/float items (float = sleep) sent in
order. Keeps the connection for further requests unless the action closes it.
"""

import socket
import struct
import threading
import time

RESET = "reset"
CLOSE = "close"


class Request:
    def __init__(self, head: bytes, body: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        self.method, self.path, self.version = lines[0].split(" ", 2)
        self.headers = {}
        for line in lines[1:]:
            if line:
                name, value = line.split(":", 1)
                self.headers[name.strip().lower()] = value.strip()
        self.body = body


def grpc_response(frames: bytes, headers=None, status="200 OK", chunked=False) -> bytes:
    head = "HTTP/1.1 " + status + "\r\ncontent-type: application/grpc-web+proto\r\n"
    for name, value in (headers or {}).items():
        head += name + ": " + value + "\r\n"
    if chunked:
        return (head + "transfer-encoding: chunked\r\n\r\n").encode() + frames
    return (head + "content-length: %d\r\n\r\n" % len(frames)).encode() + frames


def frame(payload: bytes, flag: int = 0) -> bytes:
    return struct.pack(">BI", flag, len(payload)) + payload


def trailer(text: str) -> bytes:
    return frame(text.encode("utf-8"), 0x80)


class RawServer:
    def __init__(self, responder, ssl_context=None) -> None:
        self.responder = responder
        self.ssl_context = ssl_context
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        scheme = "https" if ssl_context is not None else "http"
        self.url = scheme + "://127.0.0.1:%d" % self.port
        self.requests = []
        self.connections = 0
        self.recv_calls = []  # how many recv() it took to get each request
        self._stop = False
        self._threads = []
        self._conns = []
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop = True
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self.thread.join(5)
        self.sock.close()
        with self._lock:
            for conn in self._conns:
                try:
                    conn.close()
                except OSError:
                    pass
        for t in self._threads:
            t.join(5)

    def _accept(self):
        while not self._stop:
            conn, _ = self.sock.accept()
            if self._stop:
                conn.close()
                break
            with self._lock:
                self.connections += 1
                self._conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _read_request(self, conn, buf: bytearray):
        calls = 0
        while b"\r\n\r\n" not in buf:
            data = conn.recv(65536)
            calls += 1
            if not data:
                return None
            buf += data
        end = buf.index(b"\r\n\r\n") + 4
        head = bytes(buf[: end - 4])
        del buf[:end]
        request = Request(head, b"")
        length = int(request.headers.get("content-length", "0"))
        while len(buf) < length:
            data = conn.recv(65536)
            calls += 1
            if not data:
                return None
            buf += data
        request.body = bytes(buf[:length])
        del buf[:length]
        self.recv_calls.append(calls)
        return request

    def _serve(self, conn):
        conn.settimeout(30)
        buf = bytearray()
        try:
            if self.ssl_context is not None:
                conn = self.ssl_context.wrap_socket(conn, server_side=True)
            while not self._stop:
                request = self._read_request(conn, buf)
                if request is None:
                    break
                self.requests.append(request)
                action = self.responder(request)
                if not isinstance(action, list):
                    action = [action]
                for item in action:
                    if item == RESET:
                        conn.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        conn.close()
                        return
                    if item == CLOSE:
                        conn.close()
                        return
                    if isinstance(item, float):
                        time.sleep(item)
                    else:
                        conn.sendall(item)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass
