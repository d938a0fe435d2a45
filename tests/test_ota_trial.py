# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Trial boot: a version that crashes at import or never confirms is rolled back after the
configured number of boots; one that confirms stays. Runs the real ``jotunheim ota boot
--run code.py`` command (in-process) the way a board runs boot.py then code.py."""

import pytest

from jotunheim.ota import boot, errors
from jotunheim.ota.installer import Installer
from jotunheim_host.cli import main
from tests.test_ota_support import (
    fetcher,
    files_hash,
    make_key,
    publish,
    read_state,
    served,  # noqa: F401  (fixture)
    tree_hash,
)

V1 = {"code.py": b"print('v1 running')\n", "lib/app.py": b"VERSION = 1\n"}
CRASHING = {"code.py": b"import lib.missing_module  # ImportError at import\n"}
SILENT = {"code.py": b"print('v2 runs but never confirms')\n", "lib/app.py": b"VERSION = 2\n"}
HEALTHY = {
    "code.py": b"from jotunheim.ota import confirm\nconfirm(OTA_ROOT)\nprint('v2 ok')\n",
    "lib/app.py": b"VERSION = 2\n",
}
MAX_BOOTS = 3


@pytest.fixture
def device(tmp_path, served):  # noqa: F811
    www, base = served
    key, pub = make_key()
    root = tmp_path / "CIRCUITPY"
    root.mkdir()
    publish(www / "v1", key, V1, 1)
    f = fetcher(base + "v1/manifest.json", pub, root)
    f.apply()
    f.installer.confirm()
    return {"www": www, "base": base, "key": key, "pub": pub, "root": root}


def _install(device, files, version=2):
    publish(device["www"] / ("v%d" % version), device["key"], files, version)
    f = fetcher(device["base"] + "v%d/manifest.json" % version, device["pub"], device["root"])
    return f.apply()


def _boot(root, capsys=None):
    return main(
        [
            "ota",
            "boot",
            "--root",
            str(root),
            "--max-boots",
            str(MAX_BOOTS),
            "--run",
            str(root / "code.py"),
        ]
    )


@pytest.mark.parametrize("files,exit_code", [(CRASHING, 3), (SILENT, 0)])
def test_failing_trial_is_rolled_back_after_max_boots(device, files, exit_code):
    state = _install(device, files)
    assert state["trial"] and state["version"] == 2
    for n in range(1, MAX_BOOTS + 1):
        assert _boot(device["root"]) == exit_code
        st = read_state(device["root"])
        assert st["version"] == 2 and st["trial"] and st["boots"] == n
    # Boot MAX_BOOTS + 1: the helper gives up on v2 before the app runs.
    assert _boot(device["root"]) == 0
    st = read_state(device["root"])
    assert st["version"] == 1 and not st["trial"] and st["bad_versions"] == [2]
    assert st["last_event"].startswith("rolled_back")
    assert tree_hash(device["root"]) == files_hash(V1)
    # And the same bad version is not taken again.
    with pytest.raises(errors.KnownBad):
        _install(device, files)


def test_confirming_version_stays(device):
    _install(device, HEALTHY)
    for _ in range(MAX_BOOTS + 3):
        assert _boot(device["root"]) == 0
    st = read_state(device["root"])
    assert st["version"] == 2 and not st["trial"] and st["confirmed"]
    assert tree_hash(device["root"]) == files_hash(HEALTHY)
    # Manual rollback still works afterwards (previous version kept in the backup).
    assert main(["ota", "rollback", "--root", str(device["root"])]) == 0
    assert tree_hash(device["root"]) == files_hash(V1)
    assert main(["ota", "rollback", "--root", str(device["root"])]) == 1  # nothing left


def test_confirm_window_enforced(device):
    _install(device, SILENT)
    result = boot.run(str(device["root"]), confirm_window_s=30, remount=False)
    assert result["action"] == "trial" and result["writable"]
    assert boot.enforce_window(10, str(device["root"])) == 20
    with pytest.raises(boot.TrialFailed):
        boot.enforce_window(31, str(device["root"]))
    Installer(str(device["root"])).confirm()
    assert boot.enforce_window(1000, str(device["root"])) is None


def test_on_activated_hook_and_announce_flag(device):
    _install(device, HEALTHY)
    seen = []
    boot.run(str(device["root"]), on_activated=seen.append, remount=False)
    assert seen and seen[0]["version"] == 2 and seen[0]["announce"]
    Installer(str(device["root"])).confirm()
    seen.clear()
    boot.run(str(device["root"]), on_activated=seen.append, remount=False)
    assert not seen and not read_state(device["root"])["announce"]


def test_no_update_pending_needs_no_write(device):
    before = tree_hash(device["root"], skip_ota=False)
    result = boot.run(str(device["root"]), remount=False)
    assert result["action"] is None and not result["writable"]
    assert tree_hash(device["root"], skip_ota=False) == before


def test_apply_refused_during_trial(device):
    _install(device, SILENT)
    with pytest.raises(errors.StateError):
        _install(device, HEALTHY, version=3)


def test_cli_status_and_confirm(device, capsys):
    _install(device, SILENT)
    assert main(["ota", "status", "--root", str(device["root"])]) == 0
    assert '"trial": true' in capsys.readouterr().out
    assert main(["ota", "confirm", "--root", str(device["root"])]) == 0
    assert "confirmed" in capsys.readouterr().out
    assert not read_state(device["root"])["trial"]
