# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
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
        "--open",
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


def test_cli_needs_tokens_or_an_explicit_open_mode(tmp_path, capsys):
    from jotunheim_host.cli import main

    base = ["loki", "--listen", "127.0.0.1:0", "--scripts", str(tmp_path / "s")]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert "no caller tokens configured" in err and "--open" in err
    assert main(base + ["--open", "--admin-token", "x"]) == 1
    assert "--open takes no tokens" in capsys.readouterr().err
    assert main(base + ["--open", "--device-token", "x"]) == 1
    assert "--open takes no tokens" in capsys.readouterr().err
    bad = tmp_path / "auth.json"
    bad.write_text("{not json")
    assert main(base + ["--auth-file", str(bad)]) == 1
    assert "cannot read auth file" in capsys.readouterr().err


def _rpc(port, method, message, token=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    payload = bytes(message)
    headers = {"content-type": "application/grpc-web+proto"}
    if token:
        headers["authorization"] = "Bearer " + token
    conn.request(
        "POST",
        "/loki.LokiService/" + method,
        body=struct.pack(">BI", 0, len(payload)) + payload,
        headers=headers,
    )
    resp = conn.getresponse()
    body = resp.read()
    status = resp.getheader("grpc-status")
    found = re.search(rb"grpc-status: ?(\d+)", body)
    if status is None and found:
        status = found.group(1).decode()
    conn.close()
    return status, body


def test_cli_token_mode_from_an_auth_file(tmp_path):
    auth = tmp_path / "auth.json"
    auth.write_text(
        '{"admin_token": "adm", "devices": {"dev-9": {"token": "d9", "device_token": "c9"}},'
        ' "max_scripts": 1}'
    )
    cmd = [
        sys.executable,
        "-m",
        "jotunheim_host.cli",
        "loki",
        "--listen",
        "127.0.0.1:0",
        "--scripts",
        str(tmp_path / "scripts"),
        "--auth-file",
        str(auth),
        "--device",
        "dev-8=d8",
    ]
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line + proc.stderr.read()
        assert "devices=2" in proc.stdout.readline()
        port = int(match.group(1))
        reg = pb.RegisterScriptRequest(name="s1", language="lua", inline_script="return 1")
        assert _rpc(port, "RegisterScript", reg)[0] == "16"  # anonymous: refused
        assert _rpc(port, "RegisterScript", reg, "wrong")[0] == "16"
        status, body = _rpc(port, "RegisterScript", reg, "d9")
        assert pb.RegisterScriptResponse().parse(body[5:-21]).success, (status, body)
        # dev-8 (from --device) may not replace dev-9's script; dev-9's quota is 1 script.
        assert _rpc(port, "RegisterScript", reg, "d8")[0] == "7"
        reg2 = pb.RegisterScriptRequest(name="s2", language="lua", inline_script="return 2")
        assert _rpc(port, "RegisterScript", reg2, "d9")[0] == "8"
        assert _rpc(port, "RegisterScript", reg, "adm")[0] == "0"  # the admin may
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()
        proc.stderr.close()
