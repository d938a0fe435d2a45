# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Attack tests: every rejection of the verifier, with crafted manifests and files.

Each case starts from a device root with v1 installed and confirmed, tries to install a
crafted update through the real fetcher over HTTP, expects the specific error, and checks
that nothing in the root changed (hash of every file, the OTA state included).
"""

import json
import pathlib
import time

import pytest

from jotunheim.ota import errors
from jotunheim.ota import manifest as mf
from tests.test_ota_support import (
    fetcher,
    make_key,
    publish,
    resign,
    served,  # noqa: F401  (fixture)
    tree_hash,
)

V1 = {"code.py": b"print('v1')\n", "lib/util.py": b"X = 1\n"}
V2 = {
    "code.py": b"print('v2')\n",
    "lib/util.py": b"X = 2\n",
    "data/blob.bin": bytes(range(256)) * 20,
}


@pytest.fixture
def device(tmp_path, served):  # noqa: F811
    www, base = served
    key, pub = make_key()
    root = tmp_path / "CIRCUITPY"
    root.mkdir()
    (root / "settings.toml").write_bytes(b"WIFI='x'\n")  # not managed by OTA: must survive
    publish(www / "v1", key, V1, 1)
    f = fetcher(base + "v1/manifest.json", pub, root)
    f.apply()
    f.installer.confirm()
    return {"www": www, "base": base, "key": key, "pub": pub, "root": root}


def _attempt(device, folder, exc_type, *, whole_tree=True, **kw):
    root = device["root"]
    before = tree_hash(root, skip_ota=not whole_tree)
    f = fetcher(
        device["base"] + folder + "/manifest.json", kw.pop("pub", device["pub"]), root, **kw
    )
    with pytest.raises(exc_type) as info:
        f.apply()
    if whole_tree:
        assert tree_hash(root, skip_ota=False) == before, "root changed on rejection"
    else:
        assert tree_hash(root) == before, "installed files changed on rejection"
        assert f.installer.state["version"] == 1
    assert info.value.code == exc_type.code
    return info.value


def test_good_update_installs(device):
    publish(device["www"] / "v2", device["key"], V2, 2)
    f = fetcher(device["base"] + "v2/manifest.json", device["pub"], device["root"])
    state = f.apply()
    assert state["version"] == 2 and state["trial"]
    got = tree_hash(device["root"])
    assert got["data/blob.bin"] and "settings.toml" in got


def test_bad_signature_tampered_manifest(device):
    publish(device["www"] / "bad", device["key"], V2, 2)
    path = device["www"] / "bad" / "manifest.json"
    path.write_bytes(path.read_bytes().replace(b'"version": 2', b'"version": 3'))
    _attempt(device, "bad", errors.BadSignature)


def test_bad_signature_tampered_sig_and_garbage_sig(device):
    publish(device["www"] / "bad", device["key"], V2, 2)
    sig = device["www"] / "bad" / "manifest.json.sig"
    text = bytearray(sig.read_bytes())
    text[5] = ord("0") if text[5] != ord("0") else ord("1")
    sig.write_bytes(bytes(text))
    _attempt(device, "bad", errors.BadSignature)
    sig.write_bytes(b"not a signature")
    _attempt(device, "bad", errors.BadSignature)


def test_unknown_key(device):
    other, _ = make_key()
    publish(device["www"] / "other", other, V2, 2)
    _attempt(device, "other", errors.UnknownKey)


def test_key_id_lies_about_the_signer(device):
    # Signed by another key but claiming our key id: the signature must fail.
    other, _ = make_key()
    doc = publish(device["www"] / "liar", device["key"], V2, 2)
    resign(device["www"] / "liar", other, doc)
    _attempt(device, "liar", errors.BadSignature)


def test_wrong_board(device):
    publish(device["www"] / "b", device["key"], V2, 2, boards=["pimoroni_tiny2040"])
    _attempt(device, "b", errors.WrongBoard)


def test_wrong_package(device):
    publish(device["www"] / "p", device["key"], V2, 2)
    _attempt(device, "p", errors.WrongPackage, package="other-app")


@pytest.mark.parametrize("version", [0, 1])
def test_anti_rollback_not_newer(device, version):
    publish(device["www"] / "old", device["key"], V2, version)
    _attempt(device, "old", errors.NotNewer)


def test_downgrade_needs_signed_field_and_device_flag(device):
    publish(device["www"] / "down", device["key"], V2, 0, allow_downgrade=True)
    _attempt(device, "down", errors.NotNewer)  # device flag off
    publish(device["www"] / "down2", device["key"], V2, 0)
    _attempt(device, "down2", errors.NotNewer, device_allows_downgrade=True)  # not signed
    f = fetcher(
        device["base"] + "down/manifest.json",
        device["pub"],
        device["root"],
        device_allows_downgrade=True,
    )
    assert f.apply()["version"] == 0  # both: allowed


def test_expired(device):
    publish(device["www"] / "e", device["key"], V2, 2, expires=int(time.time()) - 1)
    _attempt(device, "e", errors.Expired)


def test_clock_not_set(device):
    publish(device["www"] / "c", device["key"], V2, 2)
    _attempt(device, "c", errors.ClockUnset, now=946684800)  # 2000-01-01: board default


def test_size_mismatch_longer_file_served(device):
    doc = publish(device["www"] / "s", device["key"], V2, 2)
    (device["www"] / "s" / "files" / "lib" / "util.py").write_bytes(b"X = 2\n# extra bytes\n")
    assert doc["files"]
    _attempt(device, "s", errors.SizeMismatch, whole_tree=False)


def test_size_mismatch_shorter_file_served(device):
    publish(device["www"] / "s", device["key"], V2, 2)
    (device["www"] / "s" / "files" / "data" / "blob.bin").write_bytes(b"short")
    _attempt(device, "s", errors.SizeMismatch, whole_tree=False)


def test_hash_mismatch_same_size(device):
    publish(device["www"] / "h", device["key"], V2, 2)
    (device["www"] / "h" / "files" / "lib" / "util.py").write_bytes(b"X = 9\n")
    _attempt(device, "h", errors.HashMismatch, whole_tree=False)


@pytest.mark.parametrize(
    "path",
    [
        "../evil.py",
        "lib/../../evil.py",
        "/abs.py",
        "lib\\evil.py",
        "C:evil.py",
        "./code.py",
        "lib//x.py",
        "",
        "code.py.",
        "lib/x.py ",
        "SETTIN~1.TOM",
        "lib/a\x01b.py",
    ],
)
def test_path_escaping_root(device, path):
    doc = publish(device["www"] / "path", device["key"], V2, 2)
    doc["files"][0]["path"] = path
    resign(device["www"] / "path", device["key"], doc)
    _attempt(device, "path", errors.UnsafePath)


@pytest.mark.parametrize(
    "path",
    [".ota/state.json", ".OTA/journal.json", "settings.toml", "Settings.TOML", "boot_out.txt"],
)
def test_protected_paths_are_never_written(device, path):
    doc = publish(device["www"] / "prot", device["key"], V2, 2)
    doc["files"][0]["path"] = path
    resign(device["www"] / "prot", device["key"], doc)
    exc = _attempt(device, "prot", errors.ProtectedPath)
    assert path in exc.message


def test_duplicate_path_case_insensitive(device):
    doc = publish(device["www"] / "dup", device["key"], V2, 2)
    doc["files"].append(dict(doc["files"][0], path=doc["files"][0]["path"].upper()))
    resign(device["www"] / "dup", device["key"], doc)
    _attempt(device, "dup", errors.UnsafePath)


def test_too_many_files(device):
    many = {"f/%03d.txt" % i: b"x" for i in range(mf.MAX_FILES + 1)}
    publish(device["www"] / "many", device["key"], many, 2)
    _attempt(device, "many", errors.TooManyFiles)


def test_too_large_for_free_space(device):
    doc = publish(device["www"] / "big", device["key"], V2, 2)
    doc["files"][0]["size"] = 1 << 50  # a petabyte
    resign(device["www"] / "big", device["key"], doc)
    _attempt(device, "big", errors.NoSpace)


def test_malformed_manifests(device):
    doc = publish(device["www"] / "m", device["key"], V2, 2)
    for bad in (
        dict(doc, format=2),
        dict(doc, version="2"),
        dict(doc, boards=[]),
        dict(doc, version_name={"a": [1]}),
        dict(doc, min_circuitpython=9),
        {k: v for k, v in doc.items() if k != "key_id"},
        dict(doc, files=[{"path": "a", "size": -1, "sha256": "00" * 32}]),
        dict(doc, files=[{"path": "a", "size": 1, "sha256": "zz" * 32}]),
    ):
        resign(device["www"] / "m", device["key"], bad)
        _attempt(device, "m", errors.BadManifest)
    # Unsigned junk never reaches the parser: the signature check refuses it first.
    (device["www"] / "m" / "manifest.json").write_bytes(b"{not json")
    _attempt(device, "m", errors.UnknownKey)
    # Signed junk (a publisher's mistake) is parsed, and refused as a bad manifest.
    for junk in (b"{not json", b'{"key_id": "%s"' % doc["key_id"].encode(), b"[" * 5 + b"]" * 5):
        (device["www"] / "m" / "manifest.json").write_bytes(junk)
        (device["www"] / "m" / "manifest.json.sig").write_bytes(
            device["key"].sign(junk).hex().encode()
        )
        _attempt(device, "m", errors.BadManifest)


def test_known_bad_version_is_not_reinstalled(device):
    publish(device["www"] / "v2", device["key"], V2, 2)
    f = fetcher(device["base"] + "v2/manifest.json", device["pub"], device["root"])
    f.apply()
    f.installer.rollback("test")
    _attempt(device, "v2", errors.KnownBad)


def test_verify_unit_policy_checks():
    key, pub = make_key()
    from jotunheim_host import ota_tools

    doc = {
        "format": 1,
        "package": "app",
        "version": 5,
        "version_name": "5",
        "boards": ["*"],
        "min_circuitpython": "9.2.1",
        "expires": int(time.time()) + 60,
        "key_id": mf.key_id(pub),
        "files": [],
    }
    raw, sig = ota_tools.sign_manifest(key, doc)
    man = mf.verify(raw, sig, [pub], board_id="x", firmware_version=(9, 2, 1), now=int(time.time()))
    assert man.version == 5 and man.files == []
    with pytest.raises(errors.FirmwareTooOld):
        mf.verify(raw, sig, [pub], firmware_version=(9, 1, 0), now=int(time.time()))
    with pytest.raises(errors.ClockUnset):
        mf.verify(raw, sig, [pub])
    assert mf.verify(raw, sig, {mf.key_id(pub): pub}, check_expiry=False).version == 5
    assert mf.verify(raw, bytes.fromhex(sig.decode()), [pub], check_expiry=False)  # raw sig
    with pytest.raises(errors.UnknownKey):
        mf.verify(raw, sig, [make_key()[1]], check_expiry=False)
    assert json.loads(raw)["key_id"] == mf.key_id(pub)
    assert pathlib.Path(mf.__file__).exists()
