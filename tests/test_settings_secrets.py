# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.settings.secrets: where settings.toml is looked for, the environment and
os.getenv overrides, and a settings.toml that changes or cannot be read."""

import os

from jotunheim.settings.loader import SettingsLoader
from jotunheim.settings.secrets import Secrets, default_root


def test_default_root_is_env_then_cwd_then_slash(tmp_path, monkeypatch):
    monkeypatch.setenv("JOTUNHEIM_ROOT", str(tmp_path / "board"))
    assert default_root() == str(tmp_path / "board")
    monkeypatch.delenv("JOTUNHEIM_ROOT")
    monkeypatch.chdir(tmp_path)
    assert default_root() == str(tmp_path)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the working folder no longer exists: getcwd() raises
    assert default_root() == "/"


def test_paths_handle_a_trailing_slash(tmp_path):
    (tmp_path / "settings.toml").write_text('A = "1"\n')
    for root in (str(tmp_path), str(tmp_path) + "/"):
        secrets = Secrets(root, environ={})
        assert secrets.get("A") == "1" and secrets.path == str(tmp_path / "settings.toml")
    secrets = Secrets("/", environ={})
    secrets.get("A")
    assert secrets.path == "/settings.toml"
    assert SettingsLoader(root="/").path == "/jotunheim.json"
    assert SettingsLoader(root="/data/", secrets={}).path == "/data/jotunheim.json"


def test_file_values_and_environment_override(tmp_path):
    (tmp_path / "settings.toml").write_text('LOKI_TOKEN = "from-file"\nPORT = 80\nEMPTY = ""\n')
    secrets = Secrets(root=str(tmp_path), environ={"LOKI_TOKEN": "from-env"})
    assert secrets("LOKI_TOKEN") == "from-env"
    assert secrets.get("PORT") == 80
    assert secrets.path == str(tmp_path / "settings.toml")
    assert secrets.get("MISSING", "dflt") == "dflt"
    assert secrets.get("EMPTY") == "" and secrets.get("NOPE") is None
    assert secrets.errors == []


def test_changed_file_is_read_again_and_errors_name_the_line(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('A = "1"\n')
    secrets = Secrets(root=str(tmp_path), environ={})
    assert secrets.get("A") == "1"
    path.write_text('A = "2"\nthis is not toml\n')
    os.utime(path, (1_000_000_000, 1_000_000_000))  # a different mtime, whatever the clock
    assert secrets.get("A") == "2"
    assert len(secrets.errors) == 1 and "line 2" in secrets.errors[0]
    path.unlink()
    assert secrets.get("A") is None and secrets.errors == []


def test_unreadable_settings_file_is_an_error_not_a_crash(tmp_path):
    (tmp_path / "settings.toml").mkdir()  # stat works, open fails
    secrets = Secrets(root=str(tmp_path), environ={})
    assert secrets.get("A", "dflt") == "dflt"
    assert secrets.errors and secrets.errors[0].startswith("cannot read ")
    assert str(tmp_path / "settings.toml") in secrets.errors[0]


def test_getenv_mode_reads_the_process_environment(tmp_path, monkeypatch):
    (tmp_path / "settings.toml").write_text('A = "file"\n')
    monkeypatch.setenv("JH_SECRETS_PROBE", "from-getenv")
    secrets = Secrets(root=str(tmp_path), environ={}, use_getenv=True)
    assert secrets.get("JH_SECRETS_PROBE") == "from-getenv"
    assert secrets.get("A", "dflt") == "dflt"  # os.getenv is the only source then
    default = Secrets(root=str(tmp_path))
    assert default.use_getenv is False and default.environ is os.environ
