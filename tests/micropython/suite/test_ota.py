# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.ota under MicroPython: SHA-512, Ed25519 (RFC 8032), the manifest verifier,
and a whole download + activation over fake_net."""

import os

import adafruit_requests
import fake_net

from jotunheim.ota import ed25519, errors
from jotunheim.ota import manifest as mf
from jotunheim.ota.sha512 import SHA512, sha512

# RFC 8032 7.1 TEST 1 key (its secret is public: fine for a test fixture)
PUB = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC_SIG1 = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701"
    "cf9b46bd25bf5f0595bbe24655141438e7a100b"
)
PUB2 = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
RFC_SIG2 = bytes.fromhex(
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
    "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
)
# A manifest signed with the TEST 1 key by the host tools (cryptography).
MANIFEST = (
    b'{"allow_downgrade":false,"boards":["fake_board"],"expires":4102444800,"files":[{"path":'
    b'"code.py","sha256":"55a7d5d738359d1897ddd89a51c78ab2dcf27ca5b5d185ca21a447aae6cee408",'
    b'"size":12}],"format":1,"key_id":"21fe31dfa154a261","min_circuitpython":"9.0.0",'
    b'"package":"app","version":2,"version_name":"2.0"}'
)
MANIFEST_SIG = (
    b"05c80e6b29f17f5f2a33c8e21e91cae5db753e69bbb3ef7556cb36f73549742baf5d63fb9f6dc3ebb2b10c10"
    b"24f6962428aeedb961d5a50fc0e0f9c1b6dd3a0c\n"
)
NOW = 1767225600  # 2026-01-01


def _raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("%s not raised" % exc_type.__name__)


def test_sha512_known_digests():
    assert SHA512(b"abc").hexdigest() == (
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    )
    assert SHA512(b"").hexdigest().startswith("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc")
    two = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
    two += b"klmnopqrlmnopqrsmnopqrstnopqrstu"
    h = SHA512()
    for i in range(0, len(two), 13):
        h.update(two[i : i + 13])
    assert h.hexdigest() == (
        "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
        "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
    )
    # hashlib here has no sha512, so the factory falls back to the pure version
    assert sha512(b"abc").digest() == SHA512(b"abc").digest()


def test_ed25519_rfc8032_vectors():
    assert ed25519.verify(PUB, b"", RFC_SIG1)
    assert ed25519.verify(PUB2, b"\x72", RFC_SIG2)
    assert not ed25519.verify(PUB2, b"\x73", RFC_SIG2)
    bad = bytearray(RFC_SIG1)
    bad[40] ^= 4
    assert not ed25519.verify(PUB, b"", bytes(bad))
    s = int.from_bytes(RFC_SIG1[32:], "little") + ed25519.L
    assert not ed25519.verify(PUB, b"", RFC_SIG1[:32] + s.to_bytes(32, "little"))
    _raises(ed25519.BadPublicKey, ed25519.VerifyKey, (2).to_bytes(32, "little"))


def test_ed25519_half_size_and_full_length_paths_agree():
    # RFC 8032 TEST 1: the half-size loop and the full-length loop reach the same answer.
    s = int.from_bytes(RFC_SIG1[32:], "little")
    h = int.from_bytes(SHA512(RFC_SIG1[:32] + PUB).digest(), "little") % ed25519.L
    table = ed25519.VerifyKey(PUB)._table
    rx, ry = ed25519._decode_point(RFC_SIG1[:32])
    half = ed25519._half_size(h)
    assert half is not None
    assert ed25519._is_neutral(s, h, table, rx, ry, half)
    assert ed25519._is_neutral(s, h, table, rx, ry, None)
    assert not ed25519._is_neutral(s + 1, h, table, rx, ry, ed25519._half_size(h))
    assert not ed25519._is_neutral(s + 1, h, table, rx, ry, None)


def test_ed25519_lattice_reduction_edges():
    L8 = 8 * ed25519.L
    assert ed25519._half_size(0) == (0, 1)
    assert ed25519._half_size(ed25519.L - 1) is None  # no short odd d: full-length path
    h = 1
    for _ in range(40):
        h = (h * 0x9E3779B97F4A7C15 + 12345) % ed25519.L
        c, d = ed25519._half_size(h)
        assert (d * h - c) % L8 == 0 and d & 1 and 0 < d < ed25519.HALF_LIMIT
        assert -ed25519.HALF_LIMIT < c < ed25519.HALF_LIMIT


def test_ed25519_key_cache_and_verify_key():
    key1 = ed25519.VerifyKey(PUB)
    for _ in range(2):
        assert ed25519.verify(PUB, b"", RFC_SIG1)
        assert ed25519.verify(PUB2, b"\x72", RFC_SIG2)
        assert not ed25519.verify(PUB, b"\x72", RFC_SIG2)
        assert key1.verify(b"", RFC_SIG1)
        assert not key1.verify(b"x", RFC_SIG1)
    _raises(ed25519.BadPublicKey, ed25519.verify, (2).to_bytes(32, "little"), b"", RFC_SIG1)
    assert ed25519.verify(PUB, b"", RFC_SIG1)


def test_manifest_verifier():
    man = mf.verify(
        MANIFEST, MANIFEST_SIG, [PUB], board_id="fake_board", now=NOW, installed_version=1
    )
    assert man.version == 2 and man.files[0][0] == "code.py" and man.key_id == mf.key_id(PUB)
    assert mf.key_id(PUB) == "21fe31dfa154a261"
    tampered = MANIFEST.replace(b'"version":2', b'"version":9')
    _raises(errors.BadSignature, mf.verify, tampered, MANIFEST_SIG, [PUB], now=NOW)
    _raises(errors.UnknownKey, mf.verify, MANIFEST, MANIFEST_SIG, [PUB2], now=NOW)
    _raises(errors.WrongBoard, mf.verify, MANIFEST, MANIFEST_SIG, [PUB], board_id="pico", now=NOW)
    _raises(errors.NotNewer, mf.verify, MANIFEST, MANIFEST_SIG, [PUB], now=NOW, installed_version=2)
    _raises(errors.Expired, mf.verify, MANIFEST, MANIFEST_SIG, [PUB], now=4102444800)
    _raises(errors.ClockUnset, mf.verify, MANIFEST, MANIFEST_SIG, [PUB], now=0)
    _raises(errors.NoSpace, mf.verify, MANIFEST, MANIFEST_SIG, [PUB], now=NOW, free_bytes=5)
    _raises(
        errors.FirmwareTooOld,
        mf.verify,
        MANIFEST,
        MANIFEST_SIG,
        [PUB],
        now=NOW,
        firmware_version=(8, 2, 0),
    )
    for path in ("../x.py", "/x.py", "a\\b", "C:x", ".ota/state.json", "a/./b"):
        _raises(errors.UnsafePath, mf.check_path, path)


def test_unsigned_bytes_are_never_parsed_and_paths_are_guarded():
    from jotunheim.ota import journal, paths

    deep = b"[" * 3000 + b"]" * 3000  # unsigned: refused by the signature, never parsed
    _raises(errors.UnknownKey, mf.verify, deep, MANIFEST_SIG, [PUB], now=NOW)
    forged = b'{"key_id": "21fe31dfa154a261", "x": ' + deep + b"}"
    _raises(errors.BadSignature, mf.verify, forged, MANIFEST_SIG, [PUB], now=NOW)
    for path in ("settings.toml", "SETTINGS.TOML", "boot_out.txt", ".OTA/x"):
        _raises(errors.ProtectedPath, paths.check_path, path)
    for path in ("code.py.", "lib/x ", "SETTIN~1.TOM", "a\x01"):
        _raises(errors.UnsafePath, paths.check_path, path)
    paths.check_path("boot.py")  # a boot file is decided by check_boot_file
    _raises(errors.ProtectedPath, paths.check_boot_file, "boot.py", False, True)
    _raises(errors.ProtectedPath, paths.check_boot_file, "Boot.py", True, False)
    paths.check_boot_file("boot.py", True, True)
    paths.check_boot_file("lib/boot.py", False, False)  # only the root's boot files run
    # No links on this filesystem (and no os.lstat): the check must cost nothing and pass.
    assert not hasattr(os, "lstat")
    assert journal.first_link("/", "lib/x.py") is None and not journal.is_link("/")


def _rmtree(path):
    try:
        entries = os.listdir(path)
    except OSError:
        return
    for name in entries:
        full = path + "/" + name
        if os.stat(full)[0] & 0x4000:
            _rmtree(full)
        else:
            os.remove(full)
    os.rmdir(path)


def test_download_verify_activate_over_fake_net():
    from jotunheim.ota.fetcher import Fetcher

    root = "/ota_root"
    _rmtree(root)
    os.mkdir(root)
    hdr = {"Connection": "close"}
    fake_net.add_host("ota.local", "10.0.0.9")
    fake_net.serve(
        "ota.local",
        80,
        fake_net.respond(fake_net.http_response(200, MANIFEST, hdr), chunks=100),
        fake_net.respond(fake_net.http_response(200, MANIFEST_SIG, hdr)),
        # the file: first connection dies after 5 body bytes, the retry asks for a Range
        fake_net.reset(fake_net.http_response(200, b"print('v2')\n", hdr)[:-7]),
        fake_net.respond(
            fake_net.http_response(
                206, b"('v2')\n", {"Content-Range": "bytes 5-11/12", "Connection": "close"}
            )
        ),
    )
    session = adafruit_requests.Session(fake_net.FakeSocketPool(), None)
    seen = []
    f = Fetcher(
        "http://ota.local/rel/manifest.json",
        [PUB],
        root=root,
        session=session,
        board_id="fake_board",
        now=NOW,
        sleep=seen.append,
        progress=lambda done, total: seen.append((done, total)),
    )
    state = f.apply()
    assert state["version"] == 2 and state["trial"]
    with open(root + "/code.py", "rb") as fh:
        assert fh.read() == b"print('v2')\n"
    assert f.resumed == 1
    assert b"Range: bytes=5-" in bytes(fake_net.connections[3].sent)
    assert (12, 12) in seen
    from jotunheim.ota.installer import Installer

    inst = Installer(root)
    assert inst.confirm() and not inst.state["trial"]
    inst.rollback("test")
    assert inst.state["version"] is None
    _rmtree(root)


def test_boot_remounts_only_when_an_update_needs_writing():
    import storage

    from jotunheim.ota import boot, journal
    from jotunheim.ota.installer import Installer

    root = "/ota_boot"
    _rmtree(root)
    os.mkdir(root)
    result = boot.run(root, remount=True)
    assert result["action"] is None and storage.remounts == []
    # A trial in progress: boot.py must remount so boot counting and confirm() can write.
    state = Installer(root).state
    state["trial"] = True
    state["version"] = 3
    state["previous"] = {"version": None, "version_name": None, "files": []}
    journal.makedirs(Installer(root).ota)
    journal.write_record(Installer(root).state_path, state)
    result = boot.run(root, max_trial_boots=1, remount=True)
    assert storage.remounts == [("/", False, False)]
    assert result["action"] == "trial" and Installer(root).state["boots"] == 1
    result = boot.run(root, max_trial_boots=1, remount=True)
    assert result["action"] == "rolled_back" and Installer(root).state["bad_versions"] == [3]
    _rmtree(root)
