# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Generate Google-protobuf, grpc and connect-python stubs from proto/ at test time."""

import importlib
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTO_DIR = os.path.join(ROOT, "proto")
PROTOS = ("loki.proto", "jotunheim.proto", "jotunheim_capability.proto")


def generate(out_dir: str) -> None:
    """Run grpc_tools.protoc with the grpc and connect-python plugins into ``out_dir``."""
    os.makedirs(out_dir, exist_ok=True)
    plugin = os.path.join(os.path.dirname(sys.executable), "protoc-gen-connect-python")
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        "-I" + PROTO_DIR,
        "--python_out=" + out_dir,
        "--grpc_python_out=" + out_dir,
        "--connect-python_out=" + out_dir,
        "--plugin=protoc-gen-connect-python=" + plugin,
        *PROTOS,
    ]
    subprocess.run(cmd, check=True, capture_output=True)


def load(out_dir: str):
    """Generate (once per directory) and import; returns a namespace of the modules."""
    if not os.path.exists(os.path.join(out_dir, "loki_connect.py")):
        generate(out_dir)
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)

    class Stubs:
        pass

    stubs = Stubs()
    for name in (
        "loki_pb2",
        "loki_pb2_grpc",
        "loki_connect",
        "jotunheim_pb2",
        "jotunheim_capability_pb2",
        "jotunheim_connect",
    ):
        setattr(stubs, name, importlib.import_module(name))
    return stubs
