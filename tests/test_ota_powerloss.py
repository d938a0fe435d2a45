# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Power-loss test: the update is killed (SIGKILL) after every single filesystem write of
apply + activation, of a rollback, and of the boot-time recovery itself, plus at random
moments in a real ``jotunheim ota apply`` process. After ``ota boot`` the managed files
must be exactly the old set or exactly the new set, by hash, never a mix.

Kill-after-N-writes runs in a forked child (cheap: no interpreter start-up), which
installs the journal fault hook and SIGKILLs itself at its N-th write.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from jotunheim.ota import boot, journal
from jotunheim.ota.installer import Installer
from tests.test_ota_support import (
    env_without_kill,
    fetcher,
    files_hash,
    make_key,
    publish,
    served,  # noqa: F401  (fixture)
    tree_hash,
)
from tests.tools import require_tool

require_tool("os.fork", "power loss is a forked writer killed mid-write", hasattr(os, "fork"))

UNMANAGED = {"settings.toml": b"WIFI_SSID='edda'\n"}
V1 = {
    "code.py": b"print('v1')\n" * 40,
    "lib/util.py": b"VALUE = 1\n" * 90,
    "lib/old_only.py": b"# removed in v2\n" * 70,
    "boot.py": b"import jotunheim.ota.boot\njotunheim.ota.boot.run()\n",
}
V2 = {
    "code.py": b"print('v2')\n" * 60,
    "lib/util.py": b"VALUE = 2\n" * 100,
    "lib/new_only.py": b"# added in v2\n" * 80,
    "assets/blob.bin": bytes(random.Random(2).randrange(256) for _ in range(1500)),
    "boot.py": V1["boot.py"],
}
OLD = files_hash({**V1, **UNMANAGED})
NEW = files_hash({**V2, **UNMANAGED})


def _run_killed(fn, kill_after):
    """Run fn() in a forked child that SIGKILLs itself after its kill_after-th write.
    Returns (killed, writes) - writes is meaningful when the child was not killed."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        count = [0]

        def hook(op, path):
            count[0] += 1
            if count[0] == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

        journal.set_fault_hook(hook)
        code = 0
        try:
            fn()
        except BaseException:  # noqa: BLE001 - report any failure as exit code
            code = 1
        os.write(write_fd, str(count[0]).encode())
        os._exit(code)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    data = os.read(read_fd, 64)
    os.close(read_fd)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    if not killed:
        assert os.WEXITSTATUS(status) == 0, "child failed without being killed"
    return killed, int(data or 0)


def _check(root, where):
    got = tree_hash(root)
    assert got in (OLD, NEW), "%s: mixed file set %s" % (where, sorted(got))
    return "new" if got == NEW else "old"


@pytest.fixture
def setup(tmp_path, served):  # noqa: F811
    www, base = served
    key, pub = make_key()
    # Both versions carry boot.py, declared and allowed (docs/security.md, "boot files").
    publish(www / "v1", key, V1, 1, boot_py=True)
    publish(www / "v2", key, V2, 2, boot_py=True)
    template = tmp_path / "template"
    template.mkdir()
    for rel, data in UNMANAGED.items():
        (template / rel).write_bytes(data)
    f = fetcher(base + "v1/manifest.json", pub, template, allow_boot_py=True)
    f.apply()
    f.installer.confirm()
    assert tree_hash(template) == OLD
    return {"base": base, "pub": pub, "template": template, "tmp": tmp_path}


def _fresh(setup, name):
    root = setup["tmp"] / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(setup["template"], root)
    return root


def _apply(setup, root):
    # Small buffer: more writes per file, so more distinct kill points.
    return fetcher(
        setup["base"] + "v2/manifest.json", setup["pub"], root, buffer_size=64, allow_boot_py=True
    ).apply


def test_kill_at_every_write_of_apply_and_activation(setup):
    root = _fresh(setup, "count")
    killed, total = _run_killed(_apply(setup, root), kill_after=0)
    assert not killed and total > 100, total
    assert _check(root, "full run") == "new"
    outcomes = {"old": 0, "new": 0}
    rng = random.Random(6)
    for n in range(1, total + 1):
        root = _fresh(setup, "k%d" % n)
        killed, _ = _run_killed(_apply(setup, root), kill_after=n)
        assert killed, n
        if n % 2 == 0:
            # Power lost again while boot.py was finishing the activation.
            _run_killed(lambda r=root: boot.run(str(r), remount=False), rng.randrange(1, 6))
        boot.run(str(root), remount=False)
        outcomes[_check(root, "kill after write %d" % n)] += 1
        assert not Installer(str(root)).pending_journal()
        if n % 7 == 0:  # and the interrupted download can be finished later
            if tree_hash(root) == OLD:
                url = setup["base"] + "v2/manifest.json"
                fetcher(url, setup["pub"], root, allow_boot_py=True).apply()
                assert _check(root, "resumed after %d" % n) == "new"
        shutil.rmtree(root)
    assert outcomes["old"] and outcomes["new"], outcomes
    assert sum(outcomes.values()) == total
    print(
        "\napply+activation kill points: %d (old %d, new %d)"
        % (total, outcomes["old"], outcomes["new"])
    )


def test_kill_at_every_write_of_rollback(setup):
    template2 = _fresh(setup, "v2installed")
    _apply(setup, template2)()
    assert _check(template2, "installed") == "new"
    killed, total = _run_killed(lambda: Installer(str(template2)).rollback("count"), 0)
    assert not killed and total > 10
    assert _check(template2, "rolled back") == "old"
    print("\nrollback kill points: %d" % total)
    for n in range(1, total + 1):
        root = setup["tmp"] / ("r%d" % n)
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(setup["template"], root)
        _apply(setup, root)()
        killed, _ = _run_killed(lambda r=root: Installer(str(r)).rollback("test"), n)
        assert killed
        boot.run(str(root), remount=False)
        _check(root, "rollback killed after write %d" % n)
        shutil.rmtree(root)


def test_random_time_sigkill_of_real_cli(setup):
    rng = random.Random(42)
    outcomes = []
    for i in range(12):
        root = _fresh(setup, "cli%d" % i)
        cmd = [
            sys.executable,
            "-m",
            "jotunheim_host.cli",
            "ota",
            "apply",
            "--root",
            str(root),
            "--manifest-url",
            setup["base"] + "v2/manifest.json",
            "--pubkey",
            str(_pubfile(setup)),
            "--allow-boot-py",
            "--quiet",
        ]
        proc = subprocess.Popen(
            cmd, env=env_without_kill(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, 0.9))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        boot.run(str(root), remount=False)
        outcomes.append(_check(root, "cli kill %d" % i))
    assert len(outcomes) == 12


def _pubfile(setup):
    path = setup["tmp"] / "key.pub"
    path.write_text(setup["pub"].hex() + "\n")
    return path


def test_env_var_fault_injection_in_cli(setup):
    root = _fresh(setup, "env")
    env = env_without_kill()
    env["JOTUNHEIM_OTA_KILL_AFTER_WRITES"] = "25"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jotunheim_host.cli",
            "ota",
            "apply",
            "--root",
            str(root),
            "--manifest-url",
            setup["base"] + "v2/manifest.json",
            "--pubkey",
            str(_pubfile(setup)),
            "--allow-boot-py",
            "--quiet",
        ],
        env=env,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL
    subprocess.run(
        [sys.executable, "-m", "jotunheim_host.cli", "ota", "boot", "--root", str(root)],
        env=env_without_kill(),
        check=True,
        capture_output=True,
    )
    _check(root, "env kill")
