# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Shared helpers for the OTA tests (keys, releases, tree hashes, a local server)."""

import hashlib
import json
import os
import pathlib
import shutil

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jotunheim.ota.fetcher import Fetcher
from jotunheim.ota.manifest import key_id
from jotunheim_host import ota_tools


def make_key():
    key = Ed25519PrivateKey.generate()
    return key, ota_tools.raw_public_key(key)


def write_tree(folder, files):
    folder = pathlib.Path(folder)
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def tree_hash(root, skip_ota=True):
    """{relative path: sha256} of every file under root (the .ota folder skipped)."""
    out = {}
    root = pathlib.Path(root)
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not (skip_ota and rel.startswith(".ota/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def files_hash(files):
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}


def publish(out, key, files, version, **fields):
    """Build + sign a release folder for ``files`` (a dict); ``fields`` override the doc."""
    out = pathlib.Path(out)
    src = out.parent / (out.name + ".src")
    shutil.rmtree(src, ignore_errors=True)
    write_tree(src, files)
    kid = key_id(ota_tools.raw_public_key(key))
    doc = ota_tools.build_manifest(src, version, kid, "app", boot_py=bool(fields.get("boot_py")))
    doc.update(fields)
    shutil.rmtree(out, ignore_errors=True)
    write_tree(out / "files", files)
    raw, sig = ota_tools.sign_manifest(key, doc)
    (out / "manifest.json").write_bytes(raw)
    (out / "manifest.json.sig").write_bytes(sig)
    return doc


def resign(out, key, doc):
    raw, sig = ota_tools.sign_manifest(key, doc)
    (pathlib.Path(out) / "manifest.json").write_bytes(raw)
    (pathlib.Path(out) / "manifest.json.sig").write_bytes(sig)


def fetcher(url, pub, root, **kw):
    kw.setdefault("sleep", lambda s: None)
    kw.setdefault("board_id", "test_board")
    return Fetcher(url, [pub], root=str(root), **kw)


@pytest.fixture
def served(tmp_path):
    """(folder, base url) of a Range-capable HTTP server on 127.0.0.1."""
    folder = tmp_path / "www"
    folder.mkdir()
    server = ota_tools.serve_in_thread(folder)
    try:
        yield folder, "http://127.0.0.1:%d/" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def read_state(root):
    from jotunheim.ota.installer import Installer

    return Installer(str(root)).state


def dump(obj):
    return json.dumps(obj, sort_keys=True)


def env_without_kill():
    env = dict(os.environ)
    env.pop("JOTUNHEIM_OTA_KILL_AFTER_WRITES", None)
    return env
