# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The CLI a maker meets first: help text on every option of every subcommand, and the
first-run findings of issue 15 (missing folders, keys as keygen prints them, confirm()
under `ota boot --run`)."""

import os
import re
import subprocess
import sys

import pytest

from jotunheim_host import cli

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, BLINKA_OS_AGNOSTIC="1", PYTHONPATH=ROOT_DIR)


def run_cli(*argv, cwd=None, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "jotunheim_host.cli", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENV,
        cwd=cwd,
        check=False,
    )


# ------------------------------------------------------------ --help everywhere


def help_text(argv, capsys):
    with pytest.raises(SystemExit) as done:
        cli.build_parser().parse_args([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def help_entries(text):
    """(invocation, help) of each argument listed in an argparse help text."""
    entries = []
    in_section = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            in_section = line.endswith(":") and line != "usage:"
            continue
        if not in_section:
            continue
        if re.match(r"^  \S", line):  # a new argument
            invocation, _, rest = line.strip().partition("  ")
            entries.append([invocation, rest.strip(), []])
        elif re.match(r"^    \S", line) and entries:  # a choice of a subcommand argument
            entries[-1][2].append(line.split()[0])
            entries[-1][1] = entries[-1][1] or "(subcommands)"
        elif entries:  # its help, on the next lines
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
    return entries


def subcommands(entries):
    return [name for _, _, choices in entries for name in choices]


def walk(argv, capsys, seen):
    entries = help_entries(help_text(argv, capsys))
    seen.append((argv, entries))
    for name in subcommands(entries):
        walk([*argv, name], capsys, seen)


def test_every_option_of_every_subcommand_has_help(capsys):
    seen = []
    walk([], capsys, seen)
    names = [" ".join(argv) for argv, _ in seen]
    for expected in ("call", "command", "deploy", "simulate", "loki", "ota keygen", "ota boot"):
        assert expected in names, names
    missing = [
        "jotunheim %s: %s" % (" ".join(argv), invocation)
        for argv, entries in seen
        for invocation, text, _ in entries
        if not text and not invocation.startswith("-h")
    ]
    assert not missing, "options without help:\n" + "\n".join(missing)


def test_the_help_walker_sees_an_option_without_help(capsys):
    # The check above must be able to fail: an option added without help is reported.
    import argparse

    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("--bare")
    parser.add_argument("--told", help="has help")
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    entries = {inv: text for inv, text, _ in help_entries(capsys.readouterr().out)}
    assert entries["--bare BARE"] == "" and entries["--told TOLD"] == "has help"


# ------------------------------------------------------------ ota keygen / apply --pubkey


def test_keygen_creates_missing_parent_folders(tmp_path):
    proc = run_cli("ota", "keygen", "--out", "keys/release.pem", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "keys" / "release.pem").read_bytes().startswith(b"-----BEGIN")
    assert (tmp_path / "keys" / "release.pem.pub").is_file()


def test_pubkey_accepts_the_hex_keygen_prints(tmp_path):
    from jotunheim_host.ota_tools import load_public_key

    proc = run_cli("ota", "keygen", "--out", str(tmp_path / "k.pem"))
    printed = re.search(r"paste into the device settings\): ([0-9a-f]{64})", proc.stdout)
    assert printed, proc.stdout
    hex_key = printed.group(1)
    from_file = load_public_key(str(tmp_path / "k.pem.pub"))
    assert load_public_key(hex_key) == from_file == bytes.fromhex(hex_key)
    with pytest.raises(ValueError, match="neither a key file nor a public key of 64 hex"):
        load_public_key("deadbeef")


def test_ota_apply_takes_a_hex_pubkey(tmp_path):
    from jotunheim_host import ota_tools

    key = tmp_path / "k.pem"
    pub = ota_tools.generate_key(key)
    src = tmp_path / "src"
    src.mkdir()
    (src / "code.py").write_text("print('v2')\n")
    ota_tools.build(src, tmp_path / "out", 2, key, package="app")
    server = ota_tools.make_server(str(tmp_path / "out"), "127.0.0.1", 0)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = "http://127.0.0.1:%d/manifest.json" % server.server_address[1]
        root = tmp_path / "CIRCUITPY"
        root.mkdir()
        proc = run_cli("ota", "apply", "--root", str(root), "--manifest-url", url,
                       "--pubkey", pub.hex(), "--quiet")  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (root / "code.py").read_text() == "print('v2')\n"
        wrong = run_cli("ota", "apply", "--root", str(root), "--manifest-url", url,
                        "--pubkey", "ab" * 31, "--quiet")  # fmt: skip
        assert wrong.returncode == 1 and "64 hex digits" in wrong.stderr
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------ confirm() under ota boot --run


def test_confirm_in_code_py_confirms_the_boot_runners_root(tmp_path):
    from jotunheim.ota import status
    from jotunheim_host import ota_tools

    key = tmp_path / "k.pem"
    pub = ota_tools.generate_key(key)
    src = tmp_path / "src"
    src.mkdir()
    # The docs' code.py: confirm() with no root, as on a board.
    (src / "code.py").write_text(
        "import jotunheim.ota\nprint('confirm ->', jotunheim.ota.confirm())\n"
    )
    ota_tools.build(src, tmp_path / "out", 2, key, package="app")
    server = ota_tools.make_server(str(tmp_path / "out"), "127.0.0.1", 0)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = tmp_path / "CIRCUITPY"
    root.mkdir()
    try:
        url = "http://127.0.0.1:%d/manifest.json" % server.server_address[1]
        applied = run_cli("ota", "apply", "--root", str(root), "--manifest-url", url,
                          "--pubkey", pub.hex(), "--quiet")  # fmt: skip
        assert applied.returncode == 0, applied.stderr
    finally:
        server.shutdown()
        server.server_close()
    assert status(str(root))["trial"] is True
    proc = run_cli("ota", "boot", "--root", str(root), "--run", str(root / "code.py"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "confirm -> True" in proc.stdout
    assert "OTA: version 2 confirmed healthy (root %s)" % root in proc.stdout
    state = status(str(root))
    assert state["trial"] is False and state["confirmed"] is True and state["version"] == 2


# ------------------------------------------------------------ loki creates its folders


def test_loki_creates_missing_ota_and_scripts_folders(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jotunheim_host.cli",
            "loki",
            "--listen",
            "127.0.0.1:0",
            "--scripts",
            "./loki-scripts",
            "--ota-dir",
            "./ota",
            "--open",
        ],  # fmt: skip
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()  # blocks until Loki serves (or exits)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert first.startswith("Loki listening on http://127.0.0.1:"), first + out + err
    assert "INFO created --ota-dir folder %s" % (tmp_path / "ota") in err
    assert "INFO created --scripts folder %s" % (tmp_path / "loki-scripts") in err
    assert (tmp_path / "ota").is_dir() and (tmp_path / "loki-scripts").is_dir()


def _stderr_once_stopped(proc, seconds=20):
    """``proc``'s stderr once it and every process holding its pipes are gone; if that
    takes longer than ``seconds``, fail with what each of its threads was doing
    (SIGABRT under PYTHONFAULTHANDLER) and which processes still hold the pipes."""
    try:
        return proc.communicate(timeout=seconds)[1]
    except subprocess.TimeoutExpired:
        exited = proc.poll()
        holders = subprocess.run(
            ["ps", "-eo", "pid,ppid,stat,args"], check=False, capture_output=True, text=True
        ).stdout
        if exited is None:
            proc.send_signal(6)
        try:
            _, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        pytest.fail(
            f"not stopped {seconds} s after SIGTERM (exit code then: {exited})\n"
            f"{err}\nprocesses:\n{holders}"
        )


def test_loki_warns_when_scripts_shares_a_folder_with_other_files(tmp_path):
    shared = tmp_path / "scripts"
    shared.mkdir()
    for name in ("bootstrap.sh", "demo.sh", "test.sh", "x.lua"):
        (shared / name).write_text("#")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jotunheim_host.cli", "loki", "--listen", "127.0.0.1:0",
         "--scripts", "scripts", "--open"],  # fmt: skip
        cwd=tmp_path, env=dict(ENV, PYTHONFAULTHANDLER="1"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = proc.stdout.readline()
    finally:
        proc.terminate()
        err = _stderr_once_stopped(proc)
    assert first.startswith("Loki listening"), first + err
    assert (
        "WARNING --scripts 'scripts' also holds bootstrap.sh, demo.sh, test.sh: Loki writes a"
        " .lua and a .json file per registered script there; give it a folder of its own"
    ) in err


def test_loki_refuses_an_ota_dir_that_is_a_file(tmp_path):
    (tmp_path / "ota").write_text("not a folder")
    proc = run_cli("loki", "--listen", "127.0.0.1:0", "--scripts", "s", "--ota-dir", "ota",
                   "--open", cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 1
    assert "--ota-dir 'ota' is not a folder" in proc.stderr and "Traceback" not in proc.stderr


def test_docs_cli_md_lists_every_subcommand_and_option(capsys):
    text = open(os.path.join(ROOT_DIR, "docs", "cli.md"), encoding="utf-8").read()
    sections = {}
    for chunk in text.split("\n### `")[1:]:
        title, _, body = chunk.partition("`")
        sections[title] = body.split("\n### ")[0]
    seen = []
    walk([], capsys, seen)
    missing = []
    for argv, entries in seen[1:]:
        name = "jotunheim " + " ".join(argv)
        body = sections.get(name)
        if body is None:
            missing.append(name + " (no section)")
            continue
        for invocation, _text, choices in entries:
            if not invocation.startswith("-h") and not choices and invocation not in body:
                missing.append("%s: %s" % (name, invocation))
    assert not missing, "docs/cli.md lacks:\n" + "\n".join(missing)
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in text
