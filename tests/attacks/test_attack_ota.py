# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Attacks on OTA, as an attacker on the network (or a careless publisher) would try them:
every case serves crafted bytes from a real HTTP server on 127.0.0.1 to the real fetcher
(or the real ``jotunheim ota apply`` CLI), expects a specific refusal, and checks that the
device kept its last good state: every file under the root hashed before and after, the
OTA state included, and whatever lies outside the root untouched.

Issue 16 items 6 (symlinks), 7 (unsigned bytes parsed first) and 8 (protected files), and
the classes that already held: traversal, absolute paths, signature and replay attacks,
swapped files, kills during the install.
"""

import hashlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from jotunheim.ota import boot, errors, journal
from jotunheim.ota import manifest as mf
from jotunheim.ota.installer import Installer
from tests.test_ota_support import (
    env_without_kill,
    fetcher,
    make_key,
    publish,
    resign,
    served,  # noqa: F401  (fixture)
    tree_hash,
)

REPO = pathlib.Path(__file__).resolve().parents[2]
V1 = {"code.py": b"print('v1')\n", "lib/util.py": b"X = 1\n"}
V2 = {"code.py": b"print('v2')\n", "lib/util.py": b"X = 2\n", "lib/more.py": b"Y = 2\n"}
SETTINGS_TOML = b'JOTUNHEIM_TOKEN = "device-secret"\n'
BOOT_PY = b"import jotunheim.ota.boot\njotunheim.ota.boot.run()\n"


@pytest.fixture
def dev(tmp_path, served):  # noqa: F811
    """A root with v1 installed and confirmed, settings.toml and boot.py of its own."""
    www, base = served
    key, pub = make_key()
    root = tmp_path / "CIRCUITPY"
    root.mkdir()
    (root / "settings.toml").write_bytes(SETTINGS_TOML)
    (root / "boot.py").write_bytes(BOOT_PY)
    (root / "boot_out.txt").write_bytes(b"Adafruit CircuitPython 9.2.1\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_bytes(b"not yours\n")
    publish(www / "v1", key, V1, 1)
    f = fetcher(base + "v1/manifest.json", pub, root)
    f.apply()
    f.installer.confirm()
    return {"www": www, "base": base, "key": key, "pub": pub, "root": root, "out": outside}


def _snapshot(d):
    return tree_hash(d["root"], skip_ota=False), tree_hash(d["out"])


def _attempt(d, folder, exc_type, **kw):
    """Apply ``folder``'s manifest; it must fail with ``exc_type`` and change nothing."""
    before = _snapshot(d)
    f = fetcher(d["base"] + folder + "/manifest.json", kw.pop("pub", d["pub"]), d["root"], **kw)
    with pytest.raises(exc_type) as info:
        f.apply()
    assert info.value.code == exc_type.code, info.value
    assert _snapshot(d) == before, "the device or the outside changed on a refused update"
    assert Installer(str(d["root"])).state["version"] == 1
    return info.value


def _publish_v2(d, name="v2", files=V2, **fields):
    return publish(d["www"] / name, d["key"], files, 2, **fields)


def _with_path(d, name, path, data=b"pwn = 1\n"):
    files = dict(V2)
    files[path] = data
    doc = _publish_v2(d, name)
    doc["files"].append(
        {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    )
    target = d["www"] / name / "files" / path
    if not path.startswith("/") and ".." not in path:
        try:  # served for the paths a server can hold; the device must refuse them all
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except (OSError, ValueError):
            pass
    resign(d["www"] / name, d["key"], doc)
    return doc


# main() imported, not run with -m: under -m the module is __main__, and the CliError the
# commands raise (imported from jotunheim_host.cli) is another class than __main__'s.
_MAIN = "import sys; from jotunheim_host.cli import main; sys.exit(main(sys.argv[1:]))"


def _cli(*args, env=None, timeout=60):
    return subprocess.run(
        [sys.executable, "-c", _MAIN, "ota", *args],
        env=env or env_without_kill(),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )


def _pubfile(d):
    path = d["root"].parent / "key.pub"
    path.write_text(d["pub"].hex() + "\n")
    return str(path)


# --------------------------------------------------------------- 6: symlinks
def test_symlinked_folder_in_the_root_is_not_written_through(dev):
    os.symlink(dev["out"], dev["root"] / "linkdir")
    _with_path(dev, "link", "linkdir/pwn.py")
    exc = _attempt(dev, "link", errors.UnsafePath)
    assert "linkdir" in exc.message and "link" in exc.message
    assert sorted(p.name for p in dev["out"].iterdir()) == ["precious.txt"]


def test_symlinked_target_file_is_refused(dev):
    (dev["root"] / "code.py").unlink()
    os.symlink(dev["out"] / "precious.txt", dev["root"] / "code.py")
    _publish_v2(dev)
    _attempt(dev, "v2", errors.UnsafePath)
    assert (dev["out"] / "precious.txt").read_bytes() == b"not yours\n"


@pytest.mark.parametrize("inside", [".ota/backup", ".ota/staging"])
def test_symlinked_ota_folders_are_refused(dev, inside):
    link = dev["root"] / inside
    journal.rmtree(str(link))
    os.symlink(dev["out"], link)
    _publish_v2(dev)
    _attempt(dev, "v2", errors.UnsafePath)
    assert sorted(p.name for p in dev["out"].iterdir()) == ["precious.txt"]


def test_rmtree_removes_a_link_never_its_target(tmp_path):
    target = tmp_path / "target"
    (target / "sub").mkdir(parents=True)
    (target / "sub" / "keep.txt").write_bytes(b"keep")
    (tmp_path / "tree").mkdir()
    os.symlink(target, tmp_path / "tree" / "link")
    journal.rmtree(str(tmp_path / "tree"))
    assert not (tmp_path / "tree").exists()
    assert (target / "sub" / "keep.txt").read_bytes() == b"keep"
    os.symlink(target, target / "sub" / "up")  # a loop: walking must not follow it
    assert journal.walk_files(str(tmp_path)) == ["target/sub/keep.txt", "target/sub/up"]


# ------------------------------------------------- 7: unsigned bytes parsed first
def test_deep_unsigned_manifest_is_refused_before_parsing(dev):
    folder = dev["www"] / "deep"
    _publish_v2(dev, "deep")
    (folder / "manifest.json").write_bytes(b"[" * 30000 + b"]" * 30000)
    _attempt(dev, "deep", errors.UnknownKey)
    # The same through the CLI: one line, no traceback, exit code 1.
    proc = _cli("apply", "--root", str(dev["root"]), "--manifest-url",
                dev["base"] + "deep/manifest.json", "--pubkey", _pubfile(dev), "--quiet")  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    assert "unknown_key" in proc.stderr


def test_deep_manifest_naming_our_key_is_refused_by_the_signature(dev):
    folder = dev["www"] / "deep"
    doc = _publish_v2(dev, "deep")
    forged = ('{"key_id": "%s", "files": ' % doc["key_id"]).encode() + b"[" * 30000
    (folder / "manifest.json").write_bytes(forged)
    _attempt(dev, "deep", errors.BadSignature)


def test_deep_but_signed_manifest_is_a_bad_manifest_not_a_crash(dev):
    folder = dev["www"] / "deep"
    _publish_v2(dev, "deep")
    junk = b'{"key_id": "x", "files": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    (folder / "manifest.json").write_bytes(junk)
    (folder / "manifest.json.sig").write_bytes(dev["key"].sign(junk).hex().encode())
    exc = _attempt(dev, "deep", errors.BadManifest)
    assert "nested deeper than" in exc.message


def test_oversized_manifest_is_refused_while_downloading(dev):
    folder = dev["www"] / "big"
    _publish_v2(dev, "big")
    (folder / "manifest.json").write_bytes(b" " * (mf.MAX_MANIFEST_BYTES + 1))
    _attempt(dev, "big", errors.BadManifest)
    with pytest.raises(errors.BadManifest):  # and by verify() itself, for any caller
        mf.verify(b" " * (mf.MAX_MANIFEST_BYTES + 1), b"00" * 64, [dev["pub"]])


def test_signed_manifest_with_nan_or_infinity_is_refused(dev):
    doc = _publish_v2(dev, "nan")
    raw = json.dumps(doc).replace('"version": 2', '"version": NaN').encode()
    folder = dev["www"] / "nan"
    (folder / "manifest.json").write_bytes(raw)
    (folder / "manifest.json.sig").write_bytes(dev["key"].sign(raw).hex().encode())
    exc = _attempt(dev, "nan", errors.BadManifest)
    assert "NaN or Infinity" in exc.message


def test_signed_by_another_trusted_key_than_it_names(dev):
    other, other_pub = make_key()
    doc = _publish_v2(dev, "swap")  # names our key id...
    resign(dev["www"] / "swap", other, doc)  # ...but is signed by the other trusted key
    before = _snapshot(dev)
    f = fetcher(dev["base"] + "swap/manifest.json", dev["pub"], dev["root"])
    f.keys = [dev["pub"], other_pub]
    with pytest.raises(errors.BadManifest) as info:
        f.apply()
    assert "names key" in info.value.message
    assert _snapshot(dev) == before


# ---------------------------------------------------------- 8: protected files
@pytest.mark.parametrize(
    "path", ["settings.toml", "SETTINGS.toml", "boot_out.txt", ".ota/state.json", ".OTA/x"]
)
def test_protected_files_are_never_replaced(dev, path):
    _with_path(dev, "prot", path, b'JOTUNHEIM_TOKEN = "attacker"\n')
    _attempt(dev, "prot", errors.ProtectedPath)
    assert (dev["root"] / "settings.toml").read_bytes() == SETTINGS_TOML


@pytest.mark.parametrize(
    "path", ["settings.toml.", "settings.toml ", " settings.toml", "SETTIN~1.TOM", "BOOT~1.PY"]
)
def test_fat_spellings_of_protected_files_are_refused(dev, path):
    _with_path(dev, "fat", path)
    _attempt(dev, "fat", errors.UnsafePath)


def test_boot_py_needs_the_manifest_and_the_device(dev):
    files = dict(V2, **{"boot.py": b"# no rollback here\n"})
    with pytest.raises(errors.ProtectedPath):  # the build tools refuse it undeclared...
        publish(dev["www"] / "x", dev["key"], files, 2)
    doc = _publish_v2(dev, "nodecl", files, boot_py=True)  # ...so craft that one by hand
    del doc["boot_py"]
    resign(dev["www"] / "nodecl", dev["key"], doc)
    _publish_v2(dev, "decl", files, boot_py=True)
    exc = _attempt(dev, "decl", errors.ProtectedPath)  # declared, device does not allow
    assert "ota.allow_boot_py" in exc.message
    _attempt(dev, "nodecl", errors.ProtectedPath, allow_boot_py=True)  # allowed, undeclared
    state = fetcher(dev["base"] + "decl/manifest.json", dev["pub"], dev["root"],
                    allow_boot_py=True).apply()  # fmt: skip
    assert state["version"] == 2 and "boot.py" in state["files"]
    assert (dev["root"] / "boot.py").read_bytes() == b"# no rollback here\n"
    Installer(str(dev["root"])).rollback("test")  # the device's own boot.py comes back
    assert (dev["root"] / "boot.py").read_bytes() == BOOT_PY


def test_an_update_without_boot_py_never_removes_it(dev):
    _publish_v2(dev, "b2", dict(V2, **{"boot.py": b"# v2 boot\n"}), boot_py=True)
    f = fetcher(dev["base"] + "b2/manifest.json", dev["pub"], dev["root"], allow_boot_py=True)
    f.apply()
    f.installer.confirm()
    publish(dev["www"] / "v3", dev["key"], V2, 3)
    state = fetcher(dev["base"] + "v3/manifest.json", dev["pub"], dev["root"]).apply()
    assert state["version"] == 3 and "boot.py" not in state["files"]
    assert (dev["root"] / "boot.py").read_bytes() == b"# v2 boot\n"


def test_build_refuses_what_every_device_would_refuse(tmp_path):
    key_path = tmp_path / "k"
    assert _cli("keygen", "--out", str(key_path)).returncode == 0
    src = tmp_path / "src"
    src.mkdir()
    (src / "code.py").write_bytes(b"x = 1\n")
    (src / "settings.toml").write_bytes(b'JOTUNHEIM_TOKEN = "oops"\n')
    proc = _cli("build", str(src), "--version", "2", "--key", str(key_path),
                "--out", str(tmp_path / "out"))  # fmt: skip
    assert (
        proc.returncode == 1 and "protected_path" in proc.stderr and "Traceback" not in proc.stderr
    )
    (src / "settings.toml").unlink()
    (src / "boot.py").write_bytes(b"# boot\n")
    args = [
        "build",
        str(src),
        "--version",
        "2",
        "--key",
        str(key_path),
        "--out",
        str(tmp_path / "o"),
    ]
    assert "boot_py" in _cli(*args).stderr
    assert _cli(*args, "--boot-py").returncode == 0
    assert json.loads((tmp_path / "o" / "manifest.json").read_text())["boot_py"] is True


# ------------------------------------------------------ classes that held
@pytest.mark.parametrize(
    "path",
    ["../evil.py", "lib/../../evil.py", "/etc/evil.py", "lib\\evil.py", "C:evil.py",
     "./code.py", "lib//x.py", "lib/\x00.py", "a" * 201],
)  # fmt: skip
def test_traversal_and_absolute_paths(dev, path):
    _with_path(dev, "trav", path)
    _attempt(dev, "trav", errors.UnsafePath)
    assert sorted(p.name for p in dev["out"].iterdir()) == ["precious.txt"]


def test_replay_of_an_old_version(dev):
    _attempt(dev, "v1", errors.NotNewer)


def test_other_board_and_other_package(dev):
    _publish_v2(dev, "board", boards=["pimoroni_tiny2040"])
    _attempt(dev, "board", errors.WrongBoard)
    _publish_v2(dev, "pkg", package="someone-else")
    _attempt(dev, "pkg", errors.WrongPackage, package="app")


def test_expired_manifest(dev):
    _publish_v2(dev, "exp", expires=int(time.time()) - 1)
    _attempt(dev, "exp", errors.Expired)


def test_wrong_key(dev):
    other, _ = make_key()
    publish(dev["www"] / "wk", other, V2, 2)
    _attempt(dev, "wk", errors.UnknownKey)


@pytest.mark.parametrize("cut", [0, 1, 64, 127])
def test_truncated_signature(dev, cut):
    _publish_v2(dev, "trunc")
    sig = dev["www"] / "trunc" / "manifest.json.sig"
    sig.write_bytes(sig.read_bytes().strip()[:cut])
    _attempt(dev, "trunc", errors.BadSignature)


def test_oversized_signature_file(dev):
    _publish_v2(dev, "sig")
    (dev["www"] / "sig" / "manifest.json.sig").write_bytes(b"0" * 5000)
    _attempt(dev, "sig", errors.BadManifest)


def test_swapped_files_with_correct_sizes(dev):
    files = {"code.py": b"print('A')\n", "lib/util.py": b"print('B')\n"}
    publish(dev["www"] / "swap", dev["key"], files, 2)
    folder = dev["www"] / "swap" / "files"
    (folder / "code.py").write_bytes(files["lib/util.py"])
    (folder / "lib" / "util.py").write_bytes(files["code.py"])
    before = tree_hash(dev["root"])
    with pytest.raises(errors.HashMismatch):
        fetcher(dev["base"] + "swap/manifest.json", dev["pub"], dev["root"]).apply()
    assert tree_hash(dev["root"]) == before and Installer(str(dev["root"])).state["version"] == 1


def test_key_id_text_inside_a_string_does_not_confuse_the_signer(dev):
    doc = _publish_v2(dev, "hint", version_name='"key_id": "%s"' % ("0" * 16))
    assert doc["version_name"].startswith('"key_id"')
    state = fetcher(dev["base"] + "hint/manifest.json", dev["pub"], dev["root"]).apply()
    assert state["version"] == 2


@pytest.mark.parametrize("kill_after", [3, 17, 40])
def test_kill_during_install_leaves_old_or_new(dev, kill_after):
    _publish_v2(dev)
    old = tree_hash(dev["root"])
    env = env_without_kill()
    env["JOTUNHEIM_OTA_KILL_AFTER_WRITES"] = str(kill_after)
    proc = _cli("apply", "--root", str(dev["root"]), "--manifest-url",
                dev["base"] + "v2/manifest.json", "--pubkey", _pubfile(dev), "--quiet", env=env)  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    boot.run(str(dev["root"]), remount=False)
    got = tree_hash(dev["root"])
    new = dict(old)
    for rel, data in V2.items():
        new[rel] = hashlib.sha256(data).hexdigest()
    assert got in (old, new), sorted(got)
    assert (dev["root"] / "settings.toml").read_bytes() == SETTINGS_TOML
    assert (dev["root"] / "boot.py").read_bytes() == BOOT_PY


# ------------------------------------------------------ a hostile HTTP server
class _RawServer:
    """Answers every connection on 127.0.0.1 with the same bytes, then closes."""

    def __init__(self, reply):
        import socket
        import threading

        self.reply = reply
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/rel/manifest.json" % self.sock.getsockname()[1]

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon in this header line\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Name: \xff\xfe\r\nContent-Length: 2\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n{}",
        b"HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
    ],
    ids=["cl_text", "cl_5000_digits", "no_colon", "not_utf8", "short_body", "redirect", "junk"],
)
def test_malformed_http_answers_are_a_download_error(dev, head):
    server = _RawServer(head)
    try:
        before = _snapshot(dev)
        f = fetcher(server.url, dev["pub"], dev["root"], retries=2)
        with pytest.raises(errors.OTAError) as info:
            f.apply()
        assert info.value.code in ("download_failed", "bad_manifest"), info.value
        assert _snapshot(dev) == before
    finally:
        server.close()
