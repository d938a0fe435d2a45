# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Every shell block of README.md and docs/*.md runs, so the docs cannot drift from the CLI.

Fenced blocks with the info string ``sh``, ``bash`` or ``shell`` are run in order, page by
page, each page in a fresh temporary folder (and ``$HOME``) holding a copy of
``examples/`` and a link to the repository's ``.venv`` (commands starting with
``.venv/bin/`` or ``jotunheim`` use it; the library imported is this checkout's).
Rules of the docs:

- ``sh`` blocks must end on their own and exit 0 (``bash -e``), within ``BLOCK_TIMEOUT_S``;
- ``sh background`` is a server the reader starts in a terminal of its own: the test
  starts it, waits until every ``127.0.0.1:PORT`` it names accepts connections, runs the
  page's later blocks, then stops it;
- ``console`` blocks are shown, never run (a board, a fresh clone, a command that would run
  for ever);
- a plain fence (no info string) must not hold a command: label it ``sh`` or ``console``.

Ports written in the docs (8080, 50051...) are replaced, consistently per page, by free
ones, so a running simulator or another test never clashes. The README's two opening
commands are the ones CI itself runs (`bash .ci/run`): they are checked to exist, not run.
"""

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = ("sh", "bash", "shell")
SHOWN = ("console",)
BLOCK_TIMEOUT_S = 240  # `jotunheim demo` is the longest block: ~20 s here
START_DEADLINE_S = 60
PORT = re.compile(r"(127\.0\.0\.1|localhost):(\d{2,5})\b")
COMMAND_START = re.compile(r"^\s*(\$ |\.venv/bin/|jotunheim |bash |python3? |circup |mkdir )")


def pages():
    """README.md and every docs/*.md, as paths relative to the repository."""
    found = ["README.md"] + sorted(
        os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, "docs", "*.md"))
    )
    return found


def fences(text):
    """``(info, body, line)`` of every fenced block of a Markdown text (``` or ~~~ fences,
    nested directive fences included)."""
    lines = text.split("\n")
    blocks = []
    index = 0
    while index < len(lines):
        match = re.match(r"^(\s*)(`{3,}|~{3,})(.*)$", lines[index])
        if not match:
            index += 1
            continue
        fence, info, start = match.group(2), match.group(3).strip(), index
        body = []
        index += 1
        while index < len(lines):
            close = re.match(r"^\s*(`{3,}|~{3,})\s*$", lines[index])
            if close and close.group(1)[0] == fence[0] and len(close.group(1)) >= len(fence):
                break
            body.append(lines[index])
            index += 1
        blocks.append((info, "\n".join(body), start + 1))
        index += 1
    return blocks


def shell_blocks(page):
    """The runnable blocks of ``page``: ``(body, background, line)``."""
    with open(os.path.join(REPO, page), encoding="utf-8") as handle:
        text = handle.read()
    found = []
    for info, body, line in fences(text):
        words = info.split()
        if words and words[0] in RUN:
            found.append((body, "background" in words[1:], line))
    return found


def readme_opening():
    """The README's first shell block (the demo and test commands CI runs)."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        return fences(handle.read())[0]


def runnable(page):
    blocks = shell_blocks(page)
    if page == "README.md":
        first = readme_opening()
        blocks = [b for b in blocks if b[2] != first[2]]
    return blocks


RUNNABLE_PAGES = [p for p in pages() if runnable(p)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_map(blocks):
    """A free port for every port the page's blocks name (the same one each time)."""
    mapping = {}
    for body, _, _ in blocks:
        for match in PORT.finditer(body):
            mapping.setdefault(match.group(2), str(free_port()))
    return mapping


def with_ports(body, mapping):
    return PORT.sub(lambda m: "%s:%s" % (m.group(1), mapping[m.group(2)]), body)


def workspace(tmp_path):
    """A fresh folder with what the docs' commands need: examples/ and the venv."""
    shutil.copytree(os.path.join(REPO, "examples"), str(tmp_path / "examples"))
    os.symlink(os.path.join(REPO, ".venv"), str(tmp_path / ".venv"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JOTUNHEIM_", "XDG_"))}
    home = tmp_path / "home"  # circup and friends keep their state under $HOME: not the user's
    home.mkdir()
    env.update(
        HOME=str(home),
        PATH=os.path.join(REPO, ".venv", "bin") + os.pathsep + env.get("PATH", ""),
        PYTHONPATH=REPO,
        BLINKA_OS_AGNOSTIC="1",
        PYTHONUNBUFFERED="1",
    )
    return env


class Background:
    """A ``sh background`` block started in its own process group, with its output kept."""

    def __init__(self, body, cwd, env, where):
        self.where = where
        self.log = open(os.path.join(str(cwd), ".background-%d.log" % id(self)), "w+")
        self.proc = subprocess.Popen(
            ["bash", "-e", "-o", "pipefail", "-c", body],
            cwd=str(cwd),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.ports = sorted(set(int(m.group(2)) for m in PORT.finditer(body)))

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def wait_listening(self):
        """Wait until every port of the block accepts connections (or fail, with output)."""
        deadline = time.monotonic() + START_DEADLINE_S
        for port in self.ports:
            while True:
                if self.proc.poll() is not None:
                    pytest.fail("%s exited with %s:\n%s" % (self.where, self.proc.returncode,
                                                            self.output()))  # fmt: skip
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail("%s: nothing listens on %d after %d s:\n%s"
                                    % (self.where, port, START_DEADLINE_S, self.output()))  # fmt: skip
                    time.sleep(0.1)

    def stop(self):
        """SIGTERM the whole group, then SIGKILL what is left."""
        stop_group(self.proc)
        self.log.close()


def run_block(body, cwd, env, where):
    """Run one ``sh`` block to its end; what it left running in the background (``&``) is
    stopped with it. Fails the test on a non-zero exit or after ``BLOCK_TIMEOUT_S``."""
    with open(os.path.join(str(cwd), ".block.log"), "w+") as log:
        proc = subprocess.Popen(
            ["bash", "-e", "-o", "pipefail", "-c", body],
            cwd=str(cwd),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=BLOCK_TIMEOUT_S)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        stop_group(proc)
        log.seek(0)
        out = log.read()
    if timed_out:
        pytest.fail("%s did not end within %d s (label a server 'sh background'):\n%s"
                    % (where, BLOCK_TIMEOUT_S, out))  # fmt: skip
    if proc.returncode != 0:
        pytest.fail("%s failed with exit code %d:\n%s\n---- output:\n%s"
                    % (where, proc.returncode, body, out))  # fmt: skip


def group_alive(proc):
    """Whether any process of ``proc``'s group is left (the leader is reaped first)."""
    proc.poll()
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_group(proc):
    """SIGTERM the process group of ``proc`` (bash and what it started), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not group_alive(proc):
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and group_alive(proc):
            time.sleep(0.05)
    proc.poll()


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_shell_blocks_run(page, tmp_path):
    blocks = runnable(page)
    mapping = port_map(blocks)
    env = workspace(tmp_path)
    servers = []
    try:
        for body, background, line in blocks:
            where = "%s:%d" % (page, line)
            body = with_ports(body, mapping)
            if background:
                server = Background(body, tmp_path, env, where)
                servers.append(server)
                server.wait_listening()
            else:
                run_block(body, tmp_path, env, where)
    finally:
        for server in reversed(servers):
            server.stop()


def test_readme_opens_with_the_demo_and_test_commands():
    info, body, _ = readme_opening()
    assert info.split()[0] in RUN
    commands = [line.split("#")[0].strip() for line in body.split("\n") if line.strip()]
    assert commands == ["bash scripts/demo.sh", "bash scripts/test.sh"]
    for command in commands:
        assert os.path.isfile(os.path.join(REPO, command.split()[1])), command
    with open(os.path.join(REPO, ".ci", "run"), encoding="utf-8") as handle:
        ci = handle.read()
    assert re.search(r"^exec bash scripts/test\.sh\b", ci, re.M), (
        ".ci/run must run the test command"
    )


def test_no_command_hides_in_an_unlabelled_block():
    for page in pages():
        with open(os.path.join(REPO, page), encoding="utf-8") as handle:
            text = handle.read()
        for info, body, line in fences(text):
            if info:
                continue
            first = next((b for b in body.split("\n") if b.strip()), "")
            assert not COMMAND_START.match(first), (
                "%s:%d: a command in a plain block; label it ```sh (run by this test) or "
                "```console (shown only)" % (page, line)
            )


def test_the_docs_label_every_shell_block():
    for page in pages():
        with open(os.path.join(REPO, page), encoding="utf-8") as handle:
            text = handle.read()
        for info, _, line in fences(text):
            words = info.split()
            if words and words[0] in RUN + SHOWN:
                extra = set(words[1:]) - {"background"}
                assert not extra, "%s:%d: unknown block option %s" % (page, line, extra)
