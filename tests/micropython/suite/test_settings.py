# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.settings under MicroPython: validation errors, corrupt file kept out, secrets
refused, hot reload of an edited file, the settings.toml reader."""

import json
import os

from jotunheim.settings.report import loader_status

ROOT = "/jh_settings_test"


def _fresh_root(name):
    for d in (ROOT, ROOT + "/" + name):
        try:
            os.mkdir(d)
        except OSError:
            pass
    root = ROOT + "/" + name
    for f in ("jotunheim.json", "settings.toml"):
        try:
            os.remove(root + "/" + f)
        except OSError:
            pass
    return root


def _write(root, data):
    with open(root + "/jotunheim.json", "w") as f:
        f.write(data if isinstance(data, str) else json.dumps(data))


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _loader(root, **kw):
    from jotunheim.settings.loader import SettingsLoader
    from jotunheim.settings.secrets import Secrets

    return SettingsLoader(root=root, secrets=Secrets(root), **kw)


def test_every_schema_row_rejects_a_wrong_type():
    from jotunheim.settings.schema import rows, set_path
    from jotunheim.settings.validator import validate

    wrong = {"bool": "yes", "int": "1", "num": "x", "str": 5, "url": "ftp://x",
             "ints": "1,2", "wifi": "home"}  # fmt: skip
    for row in rows():
        raw = {}
        set_path(raw, row[0], wrong[row[1]])
        _, errors = validate(raw)
        assert errors and errors[0].path == row[0], (row[0], errors)
        assert "expected" in errors[0].message and "found" in errors[0].message


def test_messages_all_at_once_and_unknown_keys():
    from jotunheim.settings.errors import SettingsError
    from jotunheim.settings.validator import check

    try:
        check(
            {"network": {"resilience": {"retries": 99, "retires": 1}}, "remote": {"listen_port": 0}}
        )
    except SettingsError as exc:
        text = str(exc)
        assert "3 settings error(s)" in text
        assert "network.resilience.retries: expected an integer in 0..10, found 99 (int)" in text
        assert "did you mean 'retries'?" in text
        assert "remote.listen_port" in text
    else:
        raise AssertionError("no error")


def test_secrets_refused():
    from jotunheim.settings.validator import validate

    _, errors = validate({"network": {"wifi_networks": [{"ssid": "a", "password": "x"}],
                                      "token": "t"}})  # fmt: skip
    paths = sorted(e.path for e in errors)
    assert paths == ["network.token", "network.wifi_networks[0].password"]
    assert all("settings.toml" in e.message for e in errors)


def test_corrupt_file_keeps_last_good_and_hot_reload():
    root = _fresh_root("reload")
    clock = Clock()
    loader = _loader(root, clock=clock, min_poll_interval=0)
    _write(root, {"logging": {"level": "ERROR"}})
    assert loader.load().get("logging.level") == "ERROR"
    changes = []
    loader.on_change(lambda sections, s: changes.append((sections, s.get("logging.level"))))
    _write(root, '{"logging": {"level": "DEBUG"')  # cut short
    assert loader.poll() == []
    assert loader.settings.get("logging.level") == "ERROR"
    assert "not valid JSON" in loader.last_error
    _write(root, {"logging": {"level": "DEBUG"}, "network": {"resilience": {"retries": 1}}})
    assert loader.poll() == ["network", "logging"]
    assert changes == [(["network", "logging"], "DEBUG")]
    assert loader.last_error is None
    _write(root, {"logging": {"level": "LOUD"}})
    assert loader.poll() == [] and loader.settings.get("logging.level") == "DEBUG"
    assert "logging.level: expected one of" in loader.last_error


def test_settings_toml_reader_and_redacted_status():
    root = _fresh_root("toml")
    with open(root + "/settings.toml", "w") as f:
        f.write('CIRCUITPY_WIFI_SSID = "edda"\nCIRCUITPY_WIFI_PASSWORD = "pw\\u00e4"\nN = 0x10\n')
    from jotunheim.net.configure import networks_from_settings
    from jotunheim.settings.secrets import Secrets

    s = Secrets(root)
    assert s.get("N") == 16
    assert networks_from_settings({}, s.get) == [("edda", "pw\u00e4")]
    loader = _loader(root)
    loader.load()
    status = loader_status(loader)
    assert status["settings_toml"]["CIRCUITPY_WIFI_PASSWORD"] == "set"
    assert "pw" not in json.dumps(status["settings_toml"])


def test_hostile_files_name_the_file_and_keep_the_last_good():
    root = _fresh_root("hostile")
    loader = _loader(root, clock=Clock(), min_poll_interval=0)
    _write(root, {"network": {"resilience": {"base_delay": 2}}})
    good = loader.load()
    assert loader.last_error is None and good.get("network.resilience.base_delay") == 2
    cases = (
        (b'{"logging": {"level": "\xff"}}', "not valid UTF-8"),
        (b"[" * 8000 + b"]" * 8000, "nested deeper than 8 levels"),
        (b'{"network": {"resilience": {"base_delay": 1e999}}}', "NaN or Infinity"),
    )
    for data, problem in cases:
        with open(root + "/jotunheim.json", "wb") as f:
            f.write(data)
        assert loader.poll() == []
        assert loader.settings is good, problem
        assert problem in loader.last_error and root + "/jotunheim.json" in loader.last_error
        assert loader_status(loader)["settings_error"] == loader.last_error


def test_validator_refuses_non_finite_numbers_from_any_source():
    from jotunheim.settings.validator import validate

    for bad in (float("nan"), float("inf"), float("-inf")):
        _, errors = validate({"network": {"connect_timeout": bad}})
        assert [e.path for e in errors] == ["network.connect_timeout"], errors
        assert "a finite number in 1..120" in errors[0].message
    _, errors = validate({"network": {"connect_timeout": 2.5}})
    assert errors == []


def test_stamped_file_skips_the_validator_and_edits_are_validated():
    import sys

    from jotunheim.settings.stamp import stamped
    from jotunheim.settings.validator import validate

    root = _fresh_root("stamp")
    data, errors = validate({"logging": {"level": "ERROR"}})
    assert not errors
    sys.modules.pop("jotunheim.settings.validator")
    with open(root + "/jotunheim.json", "wb") as f:
        f.write(stamped(data))  # what `jotunheim deploy` writes
    clock = Clock()
    loader = _loader(root, clock=clock, min_poll_interval=0)
    assert loader.load().get("logging.level") == "ERROR" and loader.stamped
    assert loader.last_error is None and loader.settings.get("validated") is None
    assert "jotunheim.settings.validator" not in sys.modules
    # A hand edit breaks the stamp: validated here, refused, the last good settings stay.
    _write(root, '{"validated": "00", "logging": {"level": "LOUD"}}')
    assert loader.poll() == [] and loader.settings.get("logging.level") == "ERROR"
    assert "logging.level: expected one of" in loader.last_error
    assert "keeping the previous settings" in loader.last_error
    _write(root, '{"validated": "00", "logging": {"level": "DEBUG"}}')
    assert loader.poll() == ["logging"] and not loader.stamped
