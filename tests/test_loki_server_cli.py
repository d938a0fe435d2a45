"""`jotunheim loki` as a process: starts, serves gRPC-Web, stops cleanly on SIGTERM."""

import http.client
import os
import re
import signal
import struct
import subprocess
import sys

from jotunheim_host.cli import build_parser
from jotunheim_host.reference_pb import loki as pb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_cli_serves_and_stops_on_sigterm(tmp_path):
    ota = tmp_path / "ota"
    ota.mkdir()
    (ota / "fw.bin").write_bytes(b"0123456789")
    cmd = [
        sys.executable,
        "-m",
        "jotunheim_host.cli",
        "loki",
        "--listen",
        "127.0.0.1:0",
        "--scripts",
        str(tmp_path / "scripts"),
        "--ota-dir",
        str(ota),
        "--max-seconds",
        "2",
    ]
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line + proc.stderr.read()
        port = int(match.group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        payload = bytes(pb.ExecuteScriptRequest(script_content="return 6 * 7", script_type="lua"))
        conn.request(
            "POST",
            "/loki.LokiService/ExecuteScript",
            body=struct.pack(">BI", 0, len(payload)) + payload,
            headers={"content-type": "application/grpc-web+proto"},
        )
        body = conn.getresponse().read()
        assert pb.ExecuteScriptResponse().parse(body[5:-21]).output == "42"
        conn.request("GET", "/ota/fw.bin", headers={"Range": "bytes=2-4"})
        resp = conn.getresponse()
        assert resp.status == 206 and resp.read() == b"234"
        conn.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert os.path.isdir(tmp_path / "scripts")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()
        proc.stderr.close()


def test_cli_rejects_bad_arguments(tmp_path, capsys):
    parser = build_parser()
    for argv in (
        ["loki", "--listen", "nohost", "--scripts", str(tmp_path)],
        ["loki", "--listen", "127.0.0.1:99999", "--scripts", str(tmp_path)],
        ["loki", "--scripts", str(tmp_path), "--max-seconds", "0"],
        ["loki"],
    ):
        try:
            parser.parse_args(argv)
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"accepted {argv}")
    from jotunheim_host.cli import main

    missing = str(tmp_path / "nope")
    code = main(
        ["loki", "--listen", "127.0.0.1:0", "--scripts", str(tmp_path), "--ota-dir", missing]
    )
    assert code == 1 and "--ota-dir" in capsys.readouterr().err
