# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""`jotunheim deploy APP_DIR --to CIRCUITPY`: onto a temp folder with a boot_out.txt (as
circup reads it), with real files, the device's own settings validator and the real
circup (offline, with an empty bundle cache, so it fails for real)."""

import json
import os
import subprocess
import sys

import pytest

from jotunheim_host import deploy
from tests.tools import require_tool

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOT_OUT = (
    "Adafruit CircuitPython 9.2.1 on 2024-11-20; Raspberry Pi Pico W with rp2040\n"
    "Board ID:raspberry_pi_pico_w\nUID:E6614C311B4A8F2B\n"
)
CODE_PY = (
    "import time\nimport board\nimport adafruit_dht\n"
    "from adafruit_bus_device.i2c_device import I2CDevice\n"
    "from jotunheim import Device\nimport helpers\nfrom . import nothing\n"
)
TEMPLATE = 'CIRCUITPY_WIFI_SSID = "your-wifi"\nCIRCUITPY_WIFI_PASSWORD = "template-pw"\n' \
    'JOTUNHEIM_TOKEN = "template-token"\n'  # fmt: skip


@pytest.fixture
def app(tmp_path):
    folder = tmp_path / "app"
    (folder / "lib").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "__pycache__").mkdir()
    (folder / "code.py").write_text(CODE_PY)
    (folder / "boot.py").write_text("import jotunheim.ota.boot\njotunheim.ota.boot.run()\n")
    (folder / "lib" / "helpers.py").write_text("import math\nVALUE = 1\n")
    (folder / "images" / "logo.bmp").write_bytes(bytes(range(256)) * 4)
    (folder / "__pycache__" / "code.cpython-311.pyc").write_bytes(b"\0")
    (folder / ".hidden").write_text("x")
    (folder / "jotunheim.json").write_text(json.dumps({"capabilities": {"device_name": "lab"}}))
    (folder / "settings.toml").write_text(TEMPLATE)
    return folder


@pytest.fixture
def board(tmp_path):
    folder = tmp_path / "CIRCUITPY"
    (folder / "lib").mkdir(parents=True)
    (folder / "boot_out.txt").write_text(BOOT_OUT)
    return folder


@pytest.fixture
def circup_env(tmp_path, monkeypatch):
    """circup with an empty bundle cache of its own (XDG_DATA_HOME) and no network."""
    require_tool("circup", "deploy installs libraries with circup",
                 available=deploy.circup_command() is not None)  # fmt: skip
    data = tmp_path / "xdg-data"
    data.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    return data


def run_deploy(*argv, cwd=None):
    env = dict(os.environ, PYTHONPATH=ROOT_DIR)
    return subprocess.run(
        [sys.executable, "-m", "jotunheim_host.cli", "deploy", *argv],
        capture_output=True, text=True, timeout=120, env=env, cwd=cwd, check=False,
    )  # fmt: skip


def test_copies_the_app_and_skips_what_is_unchanged(app, board):
    report = deploy.deploy(str(app), str(board), install=False)
    actions = {path: action for path, action, _ in report.files}
    assert actions == {
        "boot.py": "copied",
        "code.py": "copied",
        "images/logo.bmp": "copied",
        "jotunheim.json": "copied",
        "lib/helpers.py": "copied",
        "settings.toml": "copied",
    }
    assert (board / "images" / "logo.bmp").read_bytes() == (
        app / "images" / "logo.bmp"
    ).read_bytes()
    assert not (board / "__pycache__").exists() and not (board / ".hidden").exists()
    assert (board / "boot_out.txt").read_text() == BOOT_OUT  # the board's own file stays
    stamp = os.stat(board / "code.py")
    again = deploy.deploy(str(app), str(board), install=False)
    assert {a for _, a, _ in again.files} == {"unchanged", "skipped"}
    after = os.stat(board / "code.py")
    assert (after.st_ino, after.st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)
    (app / "code.py").write_text(CODE_PY + "# v2\n")
    third = {p: a for p, a, _ in deploy.deploy(str(app), str(board), install=False).files}
    assert third["code.py"] == "copied" and third["boot.py"] == "unchanged"
    assert (board / "code.py").read_text().endswith("# v2\n")


def test_write_is_temp_then_rename_and_a_failed_write_keeps_the_old_file(board):
    target = board / "code.py"
    target.write_text("old")
    deploy.write_atomically(str(target), b"new")
    assert target.read_bytes() == b"new"
    with pytest.raises(TypeError):
        deploy.write_atomically(str(target), "not bytes")  # fails after the temp file opened
    assert target.read_bytes() == b"new"
    assert sorted(os.listdir(board)) == ["boot_out.txt", "code.py", "lib"]  # no temp left


def test_settings_toml_is_merged_never_overwritten(app, board):
    (board / "settings.toml").write_text(
        'CIRCUITPY_WIFI_SSID = "home"\nCIRCUITPY_WIFI_PASSWORD = "board-secret"\n'
        "[extra]\nIGNORED = 1\n"
    )
    proc = run_deploy(str(app), "--to", str(board), "--no-install")
    assert proc.returncode == 0, proc.stderr
    text = (board / "settings.toml").read_text()
    assert 'CIRCUITPY_WIFI_PASSWORD = "board-secret"' in text
    assert 'CIRCUITPY_WIFI_SSID = "home"' in text and "template-pw" not in text
    from jotunheim.settings.tomlreader import parse_toml

    values, errors = parse_toml(text)
    assert not errors
    assert values == {
        "CIRCUITPY_WIFI_SSID": "home",
        "CIRCUITPY_WIFI_PASSWORD": "board-secret",
        "JOTUNHEIM_TOKEN": "template-token",
    }  # fmt: skip (added before [extra])
    assert "merged     settings.toml  (added JOTUNHEIM_TOKEN; existing values kept)" in proc.stdout
    for secret in ("board-secret", "template-token", "template-pw"):
        assert secret not in proc.stdout + proc.stderr
    again = run_deploy(str(app), "--to", str(board), "--no-install")
    assert "skipped    settings.toml  (the board's own file is kept)" in again.stdout
    assert (board / "settings.toml").read_text() == text


def test_invalid_jotunheim_json_is_refused_with_the_validators_messages(app, board):
    (app / "jotunheim.json").write_text(
        json.dumps({"network": {"request_timeout": "fast"}, "remote": {"listen_prot": 80}})
    )
    proc = run_deploy(str(app), "--to", str(board), "--no-install")
    assert proc.returncode == 1
    assert "is not valid, nothing deployed" in proc.stderr
    from jotunheim.settings.validator import validate

    _, errors = validate(json.loads((app / "jotunheim.json").read_text()))
    assert len(errors) == 2
    for err in errors:
        assert err.message in proc.stderr
    assert sorted(os.listdir(board)) == ["boot_out.txt", "lib"]  # nothing was copied
    (app / "jotunheim.json").write_text("{not json")
    broken = run_deploy(str(app), "--to", str(board), "--no-install")
    assert broken.returncode == 1 and "jotunheim.json" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_dry_run_writes_nothing(app, board):
    proc = run_deploy(str(app), "--to", str(board), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "would be copied code.py" in proc.stdout and "dry run: nothing written" in proc.stdout
    assert sorted(os.listdir(board)) == ["boot_out.txt", "lib"]


def test_imports_found_by_ast_leave_out_builtins_and_the_apps_own_modules(app):
    assert deploy.required_libraries(str(app)) == ["adafruit_bus_device", "adafruit_dht",
                                                   "jotunheim"]  # fmt: skip
    (app / "broken.py").write_text("def (:\n")
    with pytest.raises(deploy.DeployError, match="broken.py does not parse"):
        deploy.required_libraries(str(app))


def test_missing_libraries_are_reported_when_circup_fails(app, board, circup_env):
    proc = run_deploy(str(app), "--to", str(board), "--offline")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # The copy happened first.
    assert (board / "code.py").read_text() == CODE_PY
    assert "missing libraries: adafruit_bus_device, adafruit_dht, jotunheim" in proc.stdout
    assert "libraries missing on %s: adafruit_bus_device, adafruit_dht, jotunheim (" % board \
        in proc.stderr  # fmt: skip
    assert "circup exited 1" in proc.stderr
    assert "circup --path %s install adafruit_bus_device adafruit_dht jotunheim" % board \
        in proc.stderr  # fmt: skip


def test_libraries_already_on_the_board_need_no_circup(app, board, circup_env):
    for name in ("adafruit_bus_device", "jotunheim"):
        (board / "lib" / name).mkdir()
        (board / "lib" / name / "__init__.py").write_text("")
    (board / "lib" / "adafruit_dht.mpy").write_bytes(b"C\x06")
    report = deploy.deploy(str(app), str(board), offline=True)
    assert report.missing == [] and report.circup is None
    (board / "lib" / "adafruit_dht.mpy").unlink()
    report = deploy.deploy(str(app), str(board), offline=True)
    assert report.missing == ["adafruit_dht"]
    code, output = report.circup
    assert code == 1 and "raspberry_pi_pico_w" in output  # circup read our boot_out.txt


def test_target_must_exist(app, tmp_path):
    proc = run_deploy(str(app), "--to", str(tmp_path / "nope"))
    assert proc.returncode == 1 and "is not a folder (is the board mounted?)" in proc.stderr


def fill_bundle_cache(data_home):
    """circup's own offline cache, filled by hand: one local bundle (its config, its tag,
    its py lib folder), so `circup --offline` installs from it for real."""
    data = data_home / "circup"
    lib = data / "jotunheim-test" / "test-bundle-py" / "test-bundle-py-20261201" / "lib"
    (lib / "adafruit_fake_pkg").mkdir(parents=True)
    (data / "bundle_config.json").write_text(json.dumps({"test": "jotunheim-test/test_bundle"}))
    (data / "circup.json").write_text(json.dumps({"jotunheim-test/test_bundle": ["20261201"]}))
    (lib / "adafruit_fake_dht.py").write_text(
        '__version__ = "1.2.3"\n__repo__ = "https://example.invalid/fake_dht.git"\nVALUE = 1\n'
    )
    (lib / "adafruit_fake_pkg" / "__init__.py").write_text(
        '__version__ = "2.0.0"\n__repo__ = "https://example.invalid/fake_pkg.git"\n'
    )


def test_circup_installs_the_apps_imports_from_its_offline_cache(app, board, circup_env):
    fill_bundle_cache(circup_env)
    (app / "code.py").write_text(
        "import board\nimport adafruit_fake_dht\nfrom adafruit_fake_pkg import thing\n"
    )
    proc = run_deploy(str(app), "--to", str(board), "--offline")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "libraries: adafruit_fake_dht, adafruit_fake_pkg" in proc.stdout
    assert "VALUE = 1" in (board / "lib" / "adafruit_fake_dht.py").read_text()
    assert (board / "lib" / "adafruit_fake_pkg" / "__init__.py").is_file()
    # A library no bundle has: circup only warns (exit 0); deploy names it and fails.
    (app / "code.py").write_text("import adafruit_fake_dht\nimport adafruit_nowhere\n")
    proc = run_deploy(str(app), "--to", str(board), "--offline")
    assert proc.returncode == 1
    assert "libraries missing on %s: adafruit_nowhere (circup exited 0" % board in proc.stderr


def test_deployed_jotunheim_json_is_stamped_so_the_board_skips_its_validator(app, board):
    from jotunheim.settings.loader import SettingsLoader

    report = deploy.deploy(str(app), str(board), install=False)
    notes = {path: note for path, _, note in report.files}
    assert "stamped" in notes["jotunheim.json"]
    written = (board / "jotunheim.json").read_bytes()
    assert written.startswith(b'{"validated": "')
    loader = SettingsLoader(root=str(board))
    assert loader.load().get("capabilities.device_name") == "lab", loader.last_error
    assert loader.stamped, "the device did not take deploy's file as validated"
    again = {p: a for p, a, _ in deploy.deploy(str(app), str(board), install=False).files}
    assert again["jotunheim.json"] == "unchanged"
