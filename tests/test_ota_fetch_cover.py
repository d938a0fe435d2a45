# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fetcher paths the release tests do not reach: every HTTP answer a file or manifest can
get (5xx, 4xx, 416, a wrong Content-Range or Content-Length, a body longer than the
manifest says, a reset mid-buffer), staged files that are corrupt or too long, file names
that need quoting, and a session from another HTTP client (``requests``).

The server is a real socket on 127.0.0.1 that answers from a published release folder,
with scripted answers queued per path in front of the real ones.
"""

import hashlib
import socket
import struct
import threading
import time

import pytest
import requests

from jotunheim.ota import errors
from jotunheim.ota.fetcher import Fetcher
from tests.test_ota_support import fetcher, files_hash, make_key, publish, tree_hash

BODY = bytes(range(256)) * 20  # 5,120 bytes
NAME = "lib/data file+1.bin"
FILES = {"code.py": b"print('v1')\n", NAME: BODY}
QUOTED = "/rel/files/lib/data%20file%2B1.bin"


def reply(status, body=b"", headers=None, length=True):
    """Response bytes (``Connection: close``); ``length=False`` leaves out Content-Length."""
    lines = ["HTTP/1.1 %d X" % status, "Connection: close"]
    if length:
        lines.append("Content-Length: %d" % len(body))
    for name, value in (headers or {}).items():
        lines.append("%s: %s" % (name, value))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class ReleaseServer:
    """Serves ``folder`` (one request per connection); ``script[path]`` answers first.

    A scripted answer is bytes (sent, then the socket closed) or ``("reset", bytes)`` (sent,
    then the connection reset with SO_LINGER 0). ``requests`` records (path, Range) pairs.
    """

    def __init__(self, folder):
        self.folder = folder
        self.script = {}
        self.requests = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.base = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.url = self.base + "/rel/manifest.json"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def queue(self, path, *answers):
        self.script.setdefault(path, []).extend(answers)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            try:
                self._handle(conn)
            except OSError:
                pass
            finally:
                conn.close()

    def _handle(self, conn):
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        lines = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        rng = fields.get("Range") or fields.get("range")
        self.requests.append((path, rng))
        queued = self.script.get(path)
        answer = queued.pop(0) if queued else self._static(path, rng)
        if isinstance(answer, tuple):
            conn.sendall(answer[1])
            time.sleep(0.05)  # let the client read what arrived before the RST
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        conn.sendall(answer)

    def _static(self, path, rng):
        from urllib.parse import unquote

        target = self.folder / unquote(path.lstrip("/"))
        if not target.is_file():
            return reply(404, b"no")
        body = target.read_bytes()
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            part = body[start:]
            headers = {"Content-Range": "bytes %d-%d/%d" % (start, len(body) - 1, len(body))}
            return reply(206, part, headers)
        return reply(200, body)

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def release(tmp_path):
    key, pub = make_key()
    www = tmp_path / "www"
    publish(www / "rel", key, FILES, 1)
    server = ReleaseServer(www)
    root = tmp_path / "root"
    root.mkdir()
    yield server, pub, root
    server.close()


def file_requests(server):
    return [r for r in server.requests if r[0] == QUOTED]


def test_quoted_names_and_manifest_retries_after_5xx(release):
    server, pub, root = release
    sleeps = []
    server.queue("/rel/manifest.json", reply(503, b"busy"))
    f = fetcher(server.url, pub, root, sleep=sleeps.append)
    f.apply()
    assert tree_hash(root) == files_hash(FILES)
    assert len(sleeps) == 1
    assert QUOTED in [path for path, _ in server.requests]  # space and "+" %-quoted


def test_non_ascii_file_names_are_percent_encoded(tmp_path):
    key, pub = make_key()
    publish(tmp_path / "www" / "rel", key, {"été.txt": b"summer"}, 1)
    server = ReleaseServer(tmp_path / "www")
    (tmp_path / "root").mkdir()
    try:
        fetcher(server.url, pub, tmp_path / "root", retries=0).apply()
    finally:
        server.close()
    assert ("/rel/files/%C3%A9t%C3%A9.txt", None) in server.requests


def test_manifest_4xx_is_final_with_the_status(release):
    server, pub, root = release
    server.queue("/rel/manifest.json", reply(404, b"gone"))
    sleeps = []
    with pytest.raises(errors.DownloadError, match=r"GET .*manifest.json: HTTP 404"):
        fetcher(server.url, pub, root, sleep=sleeps.append).check()
    assert sleeps == []  # a 404 is not retried


def test_manifest_over_the_limit_is_refused(release):
    server, pub, root = release
    server.queue("/rel/manifest.json.sig", reply(200, b"s" * 2000))
    with pytest.raises(errors.BadManifest, match=r"manifest.json.sig larger than 1024 bytes"):
        fetcher(server.url, pub, root).check()


def test_short_manifest_read_is_retried(release):
    server, pub, root = release
    raw = (server.folder / "rel" / "manifest.json").read_bytes()
    # promises the whole manifest, sends half, then closes
    server.queue("/rel/manifest.json", reply(200, raw)[: -len(raw) // 2])
    sleeps = []
    man = fetcher(server.url, pub, root, sleep=sleeps.append).check()
    assert man.version == 1 and len(sleeps) == 1


def test_file_answers_that_are_retried(release):
    """5xx, 416 (the partial file is dropped) and a Content-Range for other bytes."""
    server, pub, root = release
    server.queue(
        QUOTED,
        reply(500, b"oops"),
        ("reset", reply(200, BODY)[:-4000]),  # 1,120 body bytes arrive, then RST
        reply(206, b"x", {"Content-Range": "bytes 7-7/%d" % len(BODY)}),  # not where we were
        reply(416, b"", {"Content-Range": "bytes */%d" % len(BODY)}),
    )
    sleeps = []
    f = fetcher(server.url, pub, root, sleep=sleeps.append, buffer_size=4096)
    f.apply()
    assert tree_hash(root) == files_hash(FILES)
    assert len(sleeps) == 4
    ranges = [rng for _, rng in file_requests(server)]
    # after the reset the bytes that had arrived were kept: the next try resumed from them;
    # after the 416 the partial file was dropped and the last try started from zero
    assert ranges[0] is None and ranges[1] is None
    assert ranges[2] is not None and ranges[2] == ranges[3]
    assert int(ranges[2].split("=")[1].rstrip("-")) > 0
    assert ranges[4] is None


def test_file_404_is_final(release):
    server, pub, root = release
    server.queue(QUOTED, reply(404, b"no such file"))
    with pytest.raises(errors.DownloadError, match=r"GET lib/data file\+1.bin: HTTP 404"):
        fetcher(server.url, pub, root).apply()
    assert tree_hash(root) == {}


def test_wrong_total_in_content_range_is_a_size_mismatch(release):
    server, pub, root = release
    f = fetcher(server.url, pub, root, retries=0)
    man = f.check()
    server.queue(QUOTED, ("reset", reply(200, BODY)[:-3000]))
    with pytest.raises(errors.DownloadError):
        f.download(man)
    server.queue(QUOTED, reply(206, b"x", {"Content-Range": "bytes %d-9/10" % _resume_at(f)}))
    with pytest.raises(errors.SizeMismatch, match=r"Content-Range 'bytes \d+-9/10', size 5120"):
        f.download(man)


def _resume_at(f):
    import os

    return os.path.getsize(f.installer.staged_path(NAME) + ".part")


def test_wrong_content_length_is_a_size_mismatch(release):
    server, pub, root = release
    server.queue(QUOTED, reply(200, BODY + b"extra"))
    with pytest.raises(errors.SizeMismatch, match=r"server has 5125 bytes, manifest says 5120"):
        fetcher(server.url, pub, root).apply()


def test_body_longer_than_the_manifest_is_dropped(release):
    server, pub, root = release
    server.queue(QUOTED, reply(200, BODY + b"extra", length=False))
    f = fetcher(server.url, pub, root)
    with pytest.raises(errors.SizeMismatch, match=r"server sent more than 5120 bytes"):
        f.apply()
    part = f.installer.staged_path(NAME) + ".part"
    import os

    assert not os.path.exists(part)  # never resumed from


def test_corrupt_or_oversized_staged_files_are_fetched_again(release):
    server, pub, root = release
    f = fetcher(server.url, pub, root)
    man = f.check()
    f.download(man)
    staged = f.installer.staged_path(NAME)
    # same size, wrong bytes: the check before activation finds it and fetches it again
    with open(staged, "r+b") as out:
        out.write(b"\xff\xff")
    before = len(file_requests(server))
    f.download(man)
    assert len(file_requests(server)) == before + 1
    with open(staged, "rb") as got:
        assert hashlib.sha256(got.read()).digest() == hashlib.sha256(BODY).digest()
    # a .part longer than the file cannot be resumed: it is dropped and fetched from zero
    import os

    os.remove(staged)
    with open(staged + ".part", "wb") as out:
        out.write(BODY + b"more")
    f.download(man)
    assert file_requests(server)[-1][1] is None
    f.installer.activate(man)
    assert tree_hash(root) == files_hash(FILES)


def test_a_requests_session_works_too(release):
    """Any session with get(url, headers=, stream=True) and iter_content(): here requests."""
    server, pub, root = release
    with requests.Session() as session:
        f = Fetcher(
            server.url,
            [pub],
            root=str(root),
            session=session,
            board_id="test_board",
            buffer_size=1000,
            backoff_s=0.001,
            max_backoff_s=0.002,
        )
        server.queue(QUOTED, ("reset", reply(200, BODY)[:-3000]))  # resumed with Range
        progress = []
        f.progress = lambda done, total: progress.append(done)
        f.apply()
    assert f.session is session and f.resumed == 1
    assert tree_hash(root) == files_hash(FILES)
    assert progress == sorted(progress) and progress[-1] == len(BODY) + len(FILES["code.py"])


def test_requests_session_body_too_long(release):
    server, pub, root = release
    server.queue(QUOTED, reply(200, BODY + b"extra", length=False))
    with requests.Session() as session:
        f = Fetcher(server.url, [pub], root=str(root), session=session, board_id="test_board")
        with pytest.raises(errors.SizeMismatch, match="server sent more than 5120 bytes"):
            f.apply()
