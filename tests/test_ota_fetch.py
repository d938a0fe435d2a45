# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Fetcher: downloads cut at random offsets resume with HTTP Range and the hash matches;
servers that ignore Range restart the file; retries give up with a clear error."""

import hashlib
import os
import random
import signal

import pytest

from jotunheim.ota import errors, journal
from jotunheim_host import ota_tools
from tests.test_ota_support import fetcher, files_hash, make_key, publish, tree_hash

BIG = random.Random(7).randbytes(300_000)
FILES = {"code.py": b"print('big')\n", "assets/big.bin": BIG}


class DroppingHandler(ota_tools.RangeHandler):
    """Cuts every file response after a random number of bytes."""

    rng = random.Random(99)
    cuts = []

    def _serve(self, body):
        if "/files/" in self.path and body:
            cut = self.rng.randrange(1, 60_000)
            type(self).drop_after = cut
            self.cuts.append(cut)
        else:
            type(self).drop_after = None
        super()._serve(body)


def _server(folder, handler):
    return ota_tools.serve_in_thread(folder, handler=handler)


@pytest.fixture
def release(tmp_path):
    key, pub = make_key()
    www = tmp_path / "www"
    publish(www / "rel", key, FILES, 1)
    return www, pub


def test_random_cuts_resume_with_range(tmp_path, release):
    www, pub = release
    DroppingHandler.cuts = []
    server = _server(www, DroppingHandler)
    try:
        url = "http://127.0.0.1:%d/rel/manifest.json" % server.server_address[1]
        progress = []
        f = fetcher(
            url, pub, tmp_path / "root", retries=100, progress=lambda d, t: progress.append((d, t))
        )
        (tmp_path / "root").mkdir()
        f.apply()
    finally:
        server.shutdown()
        server.server_close()
    assert tree_hash(tmp_path / "root") == files_hash(FILES)
    assert f.resumed >= 4, (f.resumed, DroppingHandler.cuts)
    assert len(DroppingHandler.cuts) > f.resumed
    done = [d for d, _ in progress]
    assert done == sorted(done) and progress[-1] == (len(BIG) + len(FILES["code.py"]),) * 2


def test_server_ignoring_range_restarts_file(tmp_path, release):
    www, pub = release
    # Cut only the first two responses, then serve whole files (200, no Range support).
    calls = []

    class Flaky(ota_tools.RangeHandler):
        ignore_range = True

        def _serve(self, body):
            if "/files/" in self.path and body:
                calls.append(self.headers.get("Range"))
                type(self).drop_after = 1000 if len(calls) <= 2 else None
            super()._serve(body)

    server = _server(www, Flaky)
    try:
        url = "http://127.0.0.1:%d/rel/manifest.json" % server.server_address[1]
        (tmp_path / "root").mkdir()
        f = fetcher(url, pub, tmp_path / "root")
        f.apply()
    finally:
        server.shutdown()
        server.server_close()
    assert f.restarted >= 1 and any(calls)
    assert tree_hash(tmp_path / "root") == files_hash(FILES)


def test_retries_give_up_with_download_error(tmp_path, release):
    www, pub = release

    class AlwaysCut(ota_tools.RangeHandler):
        def _serve(self, body):
            type(self).drop_after = 10 if "/files/" in self.path else None
            super()._serve(body)

    server = _server(www, AlwaysCut)
    sleeps = []
    try:
        url = "http://127.0.0.1:%d/rel/manifest.json" % server.server_address[1]
        (tmp_path / "root").mkdir()
        f = fetcher(url, pub, tmp_path / "root", retries=3, sleep=sleeps.append, backoff_s=0.1)
        with pytest.raises(errors.DownloadError):
            f.apply()
    finally:
        server.shutdown()
        server.server_close()
    assert len(sleeps) == 3
    # exponential backoff with jitter: each pause within [0.5, 1] x 0.1 * 2**attempt
    for attempt, pause in enumerate(sleeps):
        assert 0.05 * 2**attempt <= pause <= 0.1 * 2**attempt
    assert tree_hash(tmp_path / "root") == {}


def test_interrupted_process_resumes_partial_file(tmp_path, release):
    www, pub = release
    server = _server(www, ota_tools.RangeHandler)
    root = tmp_path / "root"
    root.mkdir()
    url = "http://127.0.0.1:%d/rel/manifest.json" % server.server_address[1]
    try:
        pid = os.fork()
        if pid == 0:  # child: killed part-way through the big file
            writes = [0]

            def hook(op, path):
                writes[0] += 1
                if path.endswith("big.bin.part") and op == "write" and writes[0] > 60:
                    os.kill(os.getpid(), signal.SIGKILL)

            journal.set_fault_hook(hook)
            fetcher(url, pub, root, buffer_size=1024).apply()
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status)
        part = root / ".ota/staging/files/assets/big.bin.part"
        partial = part.stat().st_size
        assert 0 < partial < len(BIG)
        f = fetcher(url, pub, root)
        f.apply()
    finally:
        server.shutdown()
        server.server_close()
    assert f.resumed == 1
    assert (
        hashlib.sha256((root / "assets/big.bin").read_bytes()).digest()
        == hashlib.sha256(BIG).digest()
    )
