# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Settings validated at deploy time (jotunheim.settings.stamp): a stamped file is used
without the validator; an edited, cut or foreign-schema file is validated on the device,
fails with its errors named and keeps the last good settings."""

import hashlib
import json
import os
import subprocess
import sys

import pytest

from jotunheim.settings import loader as loader_module
from jotunheim.settings import schema, stamp
from jotunheim.settings.loader import SettingsLoader
from jotunheim.settings.secrets import Secrets
from jotunheim.settings.validator import validate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _deployed(raw):
    data, errors = validate(raw)
    assert not errors, errors
    return stamp.stamped(data)


_MTIME = [1_700_000_000]


def _write(tmp_path, blob):
    path = tmp_path / "jotunheim.json"
    path.write_bytes(blob)
    # A rewrite within the same second must still look changed to poll(): a new mtime.
    _MTIME[0] += 10
    os.utime(path, (_MTIME[0], _MTIME[0]))
    return path


def _loader(tmp_path):
    return SettingsLoader(root=str(tmp_path), secrets=Secrets(str(tmp_path)), min_poll_interval=0)


def test_a_stamped_file_is_used_as_deploy_validated_it(tmp_path):
    raw = {"logging": {"level": "INFO"}, "remote": {"listen_port": 9000}}
    blob = _deployed(raw)
    assert blob.startswith(b'{"validated": "') and json.loads(blob)["validated"]
    _write(tmp_path, blob)
    loader = _loader(tmp_path)
    settings = loader.load()
    assert loader.stamped and loader.last_error is None
    data = validate(raw)[0]  # every key, defaults filled in, no stamp key
    assert {name: settings.section(name) for name in data} == data
    assert settings.get("validated") is None
    assert settings.get("remote.listen_port") == 9000


def test_a_stamped_file_answers_every_key_as_the_validated_dict(tmp_path):
    # The loader keeps a stamped file's bytes and parses a section when one is read.
    raw = {
        "remote": {"host": "a,b\n", "allowed_gpio_pins": [1, 2]},
        "network": {"wifi_networks": [{"ssid": "x"}]},
    }
    data = validate(raw)[0]
    _write(tmp_path, _deployed(raw))
    loader = _loader(tmp_path)
    settings = loader.load()
    assert loader.stamped
    for path in schema.paths():
        assert settings.get(path) == schema.get_path(data, path), path
    for name in data:
        assert settings.section(name) == data[name]
        assert settings.get(name) == data[name]
    assert settings.section("nothing") == {} and settings.get("nothing.here", 7) == 7
    assert settings.get("remote.host.deeper", 7) == 7 and settings.get("validated") is None


def test_the_device_does_not_load_the_validator_for_a_stamped_file(tmp_path):
    _write(tmp_path, _deployed({"logging": {"level": "ERROR"}}))
    code = (
        "import sys\n"
        "from jotunheim.settings.loader import SettingsLoader\n"
        "loader = SettingsLoader(root=sys.argv[1])\n"
        "assert loader.load().get('logging.level') == 'ERROR', loader.last_error\n"
        "print(loader.stamped, 'jotunheim.settings.validator' in sys.modules,"
        " 'jotunheim.safejson' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    ).stdout
    assert out.split() == ["True", "False", "False"]


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b.replace(b'"level":"ERROR"', b'"level":"LOUD"'),  # hand-edited, invalid
        lambda b: b[: len(b) // 2],  # cut short (power loss during a copy)
        lambda b: b[:80] + b"not json",  # a stamp's head over garbage
    ],
    ids=["edited-invalid", "truncated", "garbage"],
)
def test_a_broken_stamped_file_fails_clearly_and_keeps_the_last_good(tmp_path, edit):
    good = _deployed({"logging": {"level": "ERROR"}})
    _write(tmp_path, good)
    loader = _loader(tmp_path)
    assert loader.load().get("logging.level") == "ERROR" and loader.stamped
    _write(tmp_path, edit(good))
    assert loader.poll() == []
    assert loader.settings.get("logging.level") == "ERROR"
    assert str(tmp_path / "jotunheim.json") in loader.last_error
    assert "keeping the previous settings" in loader.last_error
    assert loader.stamped  # the settings in effect are still deploy's


def test_a_valid_hand_edit_of_a_stamped_file_is_validated_on_the_device(tmp_path):
    good = _deployed({"logging": {"level": "ERROR"}})
    _write(tmp_path, good)
    loader = _loader(tmp_path)
    loader.load()
    changes = []
    loader.on_change(lambda sections, s: changes.append(sections))
    _write(tmp_path, good.replace(b'"level":"ERROR"', b'"level":"DEBUG"'))
    assert loader.poll() == ["logging"]
    assert loader.settings.get("logging.level") == "DEBUG" and not loader.stamped
    assert "validated" not in loader.settings.data  # the stale stamp is not a setting
    assert changes == [["logging"]]
    _write(tmp_path, _deployed({"logging": {"level": "INFO"}}))  # deployed again
    assert loader.poll() == ["logging"] and loader.stamped


def test_a_stamp_made_for_another_schema_is_not_trusted(tmp_path, monkeypatch):
    # Written by a deploy whose schema differs (an older or newer library).
    monkeypatch.setattr(loader_module, "SCHEMA", b"0123456789abcdef")
    blob = _deployed({"logging": {"level": "INFO"}})
    monkeypatch.undo()
    _write(tmp_path, blob)
    loader = _loader(tmp_path)
    assert loader.load().get("logging.level") == "INFO"  # validated on the device
    assert not loader.stamped and loader.last_error is None


def test_the_schema_digest_follows_the_schema_table():
    # The board checks stamps against loader.SCHEMA without loading the table: it must be
    # the table's digest, so that a changed table makes every older stamp a mismatch.
    table = hashlib.sha256(schema.TABLE.encode()).hexdigest()[:16].encode()
    assert loader_module.SCHEMA == table, (
        "schema.TABLE changed: set SCHEMA = %r in loader.py" % table
    )


def test_stamped_needs_validated_settings():
    with pytest.raises(ValueError, match="validated settings"):
        stamp.stamped({})
    with pytest.raises(ValueError, match="validated"):
        stamp.stamped({"validated": "x", "version": 1})


def test_a_file_without_a_stamp_is_validated_on_the_device(tmp_path):
    _write(tmp_path, b'{"version": 1}')
    loader = _loader(tmp_path)
    assert loader.load().get("remote.listen_port") == 8080  # defaults filled in
    assert not loader.stamped and loader.last_error is None


def test_the_defaults_module_follows_the_schema():
    path = os.path.join(ROOT, "jotunheim", "settings", "defaults.py")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert text == stamp.defaults_module(), "run: .venv/bin/python scripts/settings_defaults.py"
    from jotunheim.settings import defaults

    assert json.loads(b"{" + defaults.text() + b"}") == schema.defaults()


def test_a_stamped_file_holds_only_what_differs_from_the_defaults(tmp_path):
    blob = _deployed({"logging": {"level": "INFO"}})
    body = json.loads(blob)
    assert sorted(body) == ["logging", "validated", "version"]
    assert _deployed({}).endswith(b'",\n  "version": 1\n}\n')
    _write(tmp_path, blob)
    settings = _loader(tmp_path).load()
    assert settings.get("logging.level") == "INFO"
    assert settings.get("remote.listen_port") == 8080  # from jotunheim.settings.defaults
    assert settings.section("discovery") == schema.defaults()["discovery"]
