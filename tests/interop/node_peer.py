# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Run the connect-node peer (tests/interop/node/peer.mjs) from Python tests."""

import json
import os
import shutil
import subprocess

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


def available() -> bool:
    return shutil.which("node") is not None and os.path.isdir(
        os.path.join(NODE_DIR, "node_modules", "@connectrpc", "connect-node")
    )


def ensure_installed() -> bool:
    """``npm ci`` the pinned peer once if node is present; True when usable."""
    if available():
        return True
    if shutil.which("npm") is None:
        return False
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        check=False,
        capture_output=True,
        timeout=300,
    )
    return available()


def require(why: str) -> None:
    """Install the peer if needed; skip the calling test locally, fail it in CI, if it can't be.

    :param why: what the test uses the peer for (shown in the skip or failure message).
    """
    from tests.tools import require_tool

    require_tool("node + the connect-node peer (tests/interop/node)", why, ensure_installed())


def descriptor_set(out_dir: str) -> str:
    import sys

    from tests.interop.stubs import PROTO_DIR

    path = os.path.join(out_dir, "descriptors.bin")
    if not os.path.exists(path):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "grpc_tools.protoc",
                "-I" + PROTO_DIR,
                "--include_imports",
                "--descriptor_set_out=" + path,
                "loki.proto",
                "jotunheim.proto",
            ],
            check=True,
            capture_output=True,
        )
    return path


class NodeServer:
    """The connect-node LokiService stand-in; a context manager with ``.url``."""

    def __init__(self, descriptors: str) -> None:
        self.proc = subprocess.Popen(
            ["node", os.path.join(NODE_DIR, "peer.mjs"), "server", descriptors],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("node peer did not start: " + self.proc.stderr.read())
        self.port = json.loads(line)["port"]
        self.url = "http://127.0.0.1:%d" % self.port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc.stdout.close()
        self.proc.stderr.close()


def run_client(descriptors: str, url: str) -> dict:
    out = subprocess.run(
        ["node", os.path.join(NODE_DIR, "peer.mjs"), "client", descriptors, url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
