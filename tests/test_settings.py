# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Settings: schema defaults, every field's validation error, corrupt files, secrets
refused, hot reload of a file edited while running, settings.toml reading, redaction."""

import json
import os
import re
from pathlib import Path

import pytest

from jotunheim.net.tls import custom_ca
from jotunheim.settings import schema
from jotunheim.settings.errors import SettingsError
from jotunheim.settings.loader import SettingsLoader
from jotunheim.settings.report import loader_status
from jotunheim.settings.schema import defaults, get_path, paths, rows, set_path
from jotunheim.settings.secrets import Secrets
from jotunheim.settings.tomlreader import parse_toml
from jotunheim.settings.validator import check, validate

SCHEMA = tuple(rows())  # (path, type, default, low, high, choices) per key
DOCS = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def write(root, data):
    path = Path(root) / "jotunheim.json"
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    path.write_text(text)
    # make every write visible to the mtime/size check even within one clock tick
    st = path.stat()
    bump = getattr(write, "bump", 0) + 1
    write.bump = bump
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000))
    return path


def loader_for(root, **kw):
    return SettingsLoader(root=str(root), secrets=Secrets(str(root), environ={}), **kw)


def bad_values(row):
    """Values that must be rejected for this schema row (at least one wrong type and,
    where there are limits, one out of range)."""
    path, kind, default, low, high, choices = row
    if kind == "bool":
        return ["yes", 1, None]
    if kind == "int":
        out = ["1", 1.5, True]
        if high is not None:
            out.append(high + 1)
        if low is not None:
            out.append(low - 1)
        return out
    if kind == "num":
        return ["fast", False, high * 2 + 1, low - 1]
    if kind == "str":
        if choices:
            return ["LOUD", 3, "warning"]
        out = [42, ["x"]]
        out.append("x" * (high + 1))
        if low:
            out.append("")
        return out
    if kind == "url":
        return ["ftp://host/x", "loki.local", "http://", 5, "http://h/" + "x" * 200]
    if kind == "ints":
        return ["1,2", [high + 1], [low - 1], ["3"], list(range(choices + 1))]
    if kind == "wifi":
        return [
            "home",
            [{"ssid": ""}],
            [{"ssid": "x" * 33}],
            [{}],
            ["home"],
            [{"ssid": "a", "password_setting": 5}],
            [{"ssid": "n%d" % i} for i in range(choices + 1)],
        ]
    raise AssertionError(kind)


CASES = [(row, bad) for row in SCHEMA for bad in bad_values(row)]


@pytest.mark.parametrize(("row", "bad"), CASES, ids=["%s=%r" % (r[0], b)[:60] for r, b in CASES])
def test_every_field_rejects_bad_values(tmp_path, row, bad):
    path = row[0]
    raw = {}
    set_path(raw, path, bad)
    # the loader keeps the last good settings and says why
    good = {}
    set_path(good, "capabilities.device_name", "good-one")
    loader = loader_for(tmp_path)
    write(tmp_path, good)
    assert loader.load().get("capabilities.device_name") == "good-one"
    write(tmp_path, raw)
    settings = loader.load()
    assert settings.get("capabilities.device_name") == "good-one"
    assert loader.errors, "no error for %s = %r" % (path, bad)
    err = loader.errors[0]
    assert err.path == path or err.path.startswith(path + "[")
    assert err.path in loader.last_error
    assert "expected" in err.message and "found" in err.message
    assert err.expected


def test_error_messages_name_path_expected_and_found():
    _, errors = validate(
        {"network": {"resilience": {"retries": 99}}, "remote": {"listen_port": "80"}}
    )
    messages = sorted(str(e) for e in errors)
    assert messages == [
        "network.resilience.retries: expected an integer in 0..10, found 99 (int)",
        "remote.listen_port: expected an integer in 1..65535, found '80' (string)",
    ]


def test_all_errors_at_once():
    raw = {
        "capabilities": {"device_name": "", "features": {"streaming": "yes"}},
        "network": {"loki_url": "loki", "resilience": {"base_delay": 0}},
        "logging": {"level": "LOUD", "ring_sise": 3},
        "extra": 1,
    }
    with pytest.raises(SettingsError) as info:
        check(raw)
    paths = sorted(e.path for e in info.value.errors)
    assert paths == [
        "capabilities.device_name",
        "capabilities.features.streaming",
        "extra",
        "logging.level",
        "logging.ring_sise",
        "network.loki_url",
        "network.resilience.base_delay",
    ]
    assert "7 settings error(s)" in str(info.value)


def test_unknown_keys_are_reported_with_a_hint():
    _, errors = validate({"network": {"resilience": {"retires": 3}}, "remot": {}})
    text = [str(e) for e in errors]
    assert "network.resilience.retires: unknown key (did you mean 'retries'?)" in text
    assert "remot: unknown key (did you mean 'remote'?)" in text


def test_section_must_be_an_object():
    _, errors = validate({"network": "wifi"})
    assert [e.path for e in errors] == ["network"]
    assert "expected an object" in str(errors[0])
    _, errors = validate([1, 2])
    assert "expected a JSON object" in str(errors[0])


def test_cross_field_checks():
    _, errors = validate({"network": {"resilience": {"base_delay": 10, "max_delay": 5}}})
    assert [e.path for e in errors] == ["network.resilience.base_delay"]
    assert "at most network.resilience.max_delay (5)" in str(errors[0])
    _, errors = validate({"ota": {"enabled": True}})
    assert [e.path for e in errors] == ["ota.manifest_url"]


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ({"network": {"wifi_password": "hunter2"}}, "network.wifi_password"),
        ({"remote": {"token": "abc"}}, "remote.token"),
        ({"secret": "x"}, "secret"),
        ({"ota": {"signing_key": "x"}}, "ota.signing_key"),
        ({"network": {"api_key": "x"}}, "network.api_key"),
        ({"network": {"wifi_networks": [{"ssid": "home", "password": "pw"}]}},
         "network.wifi_networks[0].password"),
        ({"network": {"resilience": {"auth_token": "x"}}}, "network.resilience.auth_token"),
    ],
)  # fmt: skip
def test_secrets_are_refused_with_a_clear_error(tmp_path, raw, where):
    loader = loader_for(tmp_path)
    write(tmp_path, raw)
    loader.load()
    assert loader.source == "defaults"  # nothing from the bad file was applied
    assert [e.path for e in loader.errors] == [where]
    assert "settings.toml" in loader.last_error
    assert "secrets are not allowed in jotunheim.json" in loader.last_error


def test_private_key_values_are_refused():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"
    _, errors = validate({"ota": {"key_id": pem[:64]}, "network": {"hostname": "ok"}})
    assert any("private key" in str(e) for e in errors)


def test_defaults_when_file_missing(tmp_path):
    loader = loader_for(tmp_path)
    settings = loader.load()
    assert settings.data == defaults()
    assert loader.last_error is None and loader.source == "defaults"
    assert settings.get("network.resilience.retries") == 3
    assert settings.get("logging.level") == "WARNING"


def test_partial_file_is_merged_with_defaults(tmp_path):
    write(
        tmp_path, {"network": {"loki_url": "http://127.0.0.1:50051", "resilience": {"retries": 5}}}
    )
    settings = loader_for(tmp_path).load()
    assert settings.get("network.loki_url") == "http://127.0.0.1:50051"
    assert settings.get("network.resilience.retries") == 5
    assert settings.get("network.resilience.max_delay") == 30
    assert settings.section("remote")["listen_port"] == 8080


@pytest.mark.parametrize(
    "text",
    [
        '{"network": {"loki_url": "http://x"',  # truncated by a power cut
        "not json at all",
        "",
        '{"network": {"loki_url": "http://x"},}',  # trailing comma
        "\x00\x00\x00\x00",
    ],
)
def test_corrupt_file_keeps_last_good(tmp_path, text):
    loader = loader_for(tmp_path)
    write(tmp_path, {"capabilities": {"device_name": "kitchen"}})
    loader.load()
    write(tmp_path, text)
    settings = loader.load()
    assert settings.get("capabilities.device_name") == "kitchen"
    assert "not valid JSON" in loader.last_error
    assert "keeping the previous settings" in loader.last_error
    # fixed again: accepted, error cleared
    write(tmp_path, {"capabilities": {"device_name": "hall"}})
    assert loader.load().get("capabilities.device_name") == "hall"
    assert loader.last_error is None


def test_oversized_and_deleted_file(tmp_path):
    loader = loader_for(tmp_path)
    write(tmp_path, {"capabilities": {"device_name": "a"}})
    loader.load()
    write(tmp_path, '{"x": "' + "y" * 20000 + '"}')
    assert loader.load().get("capabilities.device_name") == "a"
    assert "more than the 16384 allowed" in loader.last_error
    os.remove(tmp_path / "jotunheim.json")
    assert loader.load().get("capabilities.device_name") == "a"
    assert "missing" in loader.last_error


def test_hot_reload_of_a_file_edited_while_running(tmp_path):
    clock = Clock()
    loader = loader_for(tmp_path, clock=clock, min_poll_interval=1.0)
    write(tmp_path, {"logging": {"level": "WARNING"}, "network": {"resilience": {"retries": 2}}})
    loader.load()
    applied = []
    loader.on_change(lambda sections, s: applied.append((sections, s.get("logging.level"))))

    def broken(sections, s):
        raise RuntimeError("a bad observer")

    loader.on_change(broken)  # must not stop the others or the reload
    assert loader.poll() == []  # unchanged
    # the user edits the file on CIRCUITPY while the device runs
    write(tmp_path, {"logging": {"level": "DEBUG"}, "network": {"resilience": {"retries": 2}}})
    assert loader.poll() == []  # rate limited: too soon after the last poll
    clock.now += 1
    assert loader.poll() == ["logging"]
    assert applied == [(["logging"], "DEBUG")]
    assert loader.settings.get("logging.level") == "DEBUG"
    # an edit that breaks the file: nothing applied, last good kept, error reported
    clock.now += 1
    write(tmp_path, '{"logging": {"level": "DEBUG"')
    assert loader.poll() == []
    assert loader.settings.get("logging.level") == "DEBUG" and loader.last_error
    clock.now += 1
    assert loader.poll() == []  # the same broken file is not re-parsed every poll
    # fixed, two sections changed
    clock.now += 1
    write(tmp_path, {"logging": {"level": "INFO"}, "network": {"resilience": {"retries": 7}}})
    assert sorted(loader.poll()) == ["logging", "network"]
    assert applied[-1] == (["network", "logging"], "INFO")
    assert loader.settings.get("network.resilience.retries") == 7
    assert loader.last_error is None


def test_hot_reload_applies_to_running_components(tmp_path):
    """The callbacks reconfigure live objects: the resilience manager and the log level."""
    from jotunheim import log, logconfig
    from jotunheim.resilience.manager import ConnectionResilienceManager

    clock = Clock()
    loader = loader_for(tmp_path, clock=clock, min_poll_interval=0)
    write(tmp_path, {})
    settings = loader.load()
    manager = ConnectionResilienceManager.from_settings(settings.get("network.resilience"))
    manager.endpoint("loki")

    def apply(sections, s):
        if "network" in sections:
            manager.configure(s.get("network.resilience"))
        if "logging" in sections:
            logconfig.apply_settings(s.section("logging"))

    loader.on_change(apply)
    write(tmp_path, {"network": {"resilience": {"breaker_threshold": 2, "max_delay": 4}},
                     "logging": {"level": "DEBUG"}})  # fmt: skip
    loader.poll()
    for _ in range(4):  # the breaker is made at the first failure, with the new settings
        manager.record_failure("loki")
    state = manager.endpoint("loki")
    assert state.breaker.threshold == 2
    assert max(state.recent_delays) <= 4  # max_delay 4 caps the backoff
    assert log.getLogger("jotunheim.test").getEffectiveLevel() == log.DEBUG
    logconfig.set_level("WARNING")


def test_as_dict_redacts_and_reports_toml_keys(tmp_path):
    (tmp_path / "settings.toml").write_text(
        'CIRCUITPY_WIFI_SSID = "home"\nCIRCUITPY_WIFI_PASSWORD = "pw"\nHOME2 = "x"\n'
    )
    write(tmp_path, {"network": {"wifi_networks": [{"ssid": "b", "password_setting": "HOME2"}]}})
    loader = loader_for(tmp_path)
    loader.load()
    out = loader_status(loader)
    text = json.dumps(out)
    assert "pw" not in text.replace("password_setting", "").replace("wifi_networks", "")
    assert out["settings_toml"]["CIRCUITPY_WIFI_SSID"] == "home"
    assert out["settings_toml"]["CIRCUITPY_WIFI_PASSWORD"] == "set"
    assert out["settings_toml"]["JOTUNHEIM_TOKEN"] == "unset"
    assert out["settings_toml"]["HOME2"] == "set"
    assert out["settings_source"] == "file" and out["settings_error"] is None
    # anything secret-looking that got into the data is redacted in the output
    loader.settings.data["network"]["token"] = "leak"
    assert loader_status(loader)["network"]["token"] == "***"


def test_ca_pem_from_file_or_toml(tmp_path):
    (tmp_path / "ca.pem").write_text("PEM-FROM-FILE")
    write(tmp_path, {"network": {"ca_cert_file": "ca.pem"}})
    loader = loader_for(tmp_path)
    loader.load()
    root = str(tmp_path)
    assert custom_ca(loader.secrets, loader.settings, root) == "PEM-FROM-FILE"
    (tmp_path / "settings.toml").write_text('JOTUNHEIM_CA_CERT = "PEM\\nFROM-TOML"\n')
    assert custom_ca(loader.secrets, loader.settings, root) == "PEM\nFROM-TOML"
    write(tmp_path, {})
    loader.load()
    (tmp_path / "settings.toml").write_text("")
    assert custom_ca(loader.secrets, loader.settings, root) is None


# -- settings.toml reader ------------------------------------------------------------------
def test_toml_subset_parser():
    values, errors = parse_toml(
        "# comment\n"
        'CIRCUITPY_WIFI_SSID = "my net"\n'
        "CIRCUITPY_WIFI_PASSWORD = 'lit\\eral'  # trailing comment\n"
        "PORT = 8080\n"
        "HEX = 0x1F\n"
        "BIG = 1_000\n"
        'ESC = "tab\\tquote\\"uni\\u00e9"\n'
        "broken line\n"
        "BAD = nope\n"
        'OPEN = "unterminated\n'
        "[table]\n"
        'INSIDE = "ignored"\n'
    )
    assert values == {
        "CIRCUITPY_WIFI_SSID": "my net",
        "CIRCUITPY_WIFI_PASSWORD": "lit\\eral",
        "PORT": 8080,
        "HEX": 31,
        "BIG": 1000,
        "ESC": 'tab\tquote"unié',
    }
    assert [e.split(":")[0] for e in errors] == ["line 8", "line 9", "line 10"]


def test_secrets_env_overrides_file_and_reloads(tmp_path):
    toml = tmp_path / "settings.toml"
    toml.write_text('JOTUNHEIM_TOKEN = "from-file"\n')
    s = Secrets(str(tmp_path), environ={})
    assert s.get("JOTUNHEIM_TOKEN") == "from-file"
    assert s("MISSING", "d") == "d" and s.get("MISSING") is None
    toml.write_text('JOTUNHEIM_TOKEN = "changed-file"\n')
    st = toml.stat()
    os.utime(toml, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000))
    assert s.get("JOTUNHEIM_TOKEN") == "changed-file"
    s2 = Secrets(str(tmp_path), environ={"JOTUNHEIM_TOKEN": "from-env"})
    assert s2.get("JOTUNHEIM_TOKEN") == "from-env"
    assert Secrets(str(tmp_path / "nowhere"), environ={}).get("X") is None


# -- docs ------------------------------------------------------------------------------------
def test_docs_list_every_key_with_its_default():
    text = DOCS.read_text()
    for path, _kind, default, *_ in SCHEMA:
        line = next((ln for ln in text.splitlines() if "`%s`" % path in ln), None)
        assert line is not None, "docs/settings.md does not document %s" % path
        shown = json.dumps(default)
        assert shown in line or str(default) in line, (path, line)
    for key in schema.TOML_KEYS:
        assert "`%s`" % key in text
    assert re.search(r"schema\.paths|jotunheim\.json", text)
    assert len(paths()) == len(SCHEMA)


def test_defaults_pass_their_own_validation():
    assert check(defaults()) == defaults()
    assert get_path(defaults(), "remote.allowed_gpio_pins") == []


# ---------------------------------------------------------------- issue 16, items 9-12
SETTINGS_DIR = Path(__file__).resolve().parent.parent / "jotunheim" / "settings"


def _imports(path):
    """Every module a file imports (top level or inside functions), and the names taken."""
    import ast

    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [a.name for a in node.names]
            if node.module == "jotunheim.settings":
                out.extend(("jotunheim.settings." + n, []) for n in names)
            else:
                out.append((node.module, names))
        elif isinstance(node, ast.Import):
            out.extend((a.name, []) for a in node.names)
    return out


def test_settings_imports_point_one_way_and_take_no_private_names():
    graph = {}
    for path in sorted(SETTINGS_DIR.glob("*.py")):
        module = "jotunheim.settings." + path.stem
        graph[module] = set()
        for target, names in _imports(path):
            if target.startswith("jotunheim."):
                graph[module].add(target)
                private = [n for n in names if n.startswith("_")]
                assert not private, "%s imports %s from %s" % (module, private, target)
    assert graph["jotunheim.settings.errors"] == set(), "errors must be a leaf"
    assert "jotunheim.settings.validator" not in graph["jotunheim.settings.explain"]

    def reach(start, seen):
        for nxt in graph.get(start, ()):
            if nxt not in seen:
                seen.add(nxt)
                reach(nxt, seen)
        return seen

    for module in graph:
        assert module not in reach(module, set()), "import cycle through " + module


def test_safejson_is_a_leaf():
    path = SETTINGS_DIR.parent / "safejson.py"
    targets = {t for t, _ in _imports(path)}
    assert targets <= {"json"}, targets


def test_error_wording_unchanged_after_the_split():
    _, errors = validate({"network": {"resilience": {"retries": 99}}, "ota": {"enabeld": 1}})
    messages = sorted(e.message for e in errors)
    assert messages == [
        "network.resilience.retries: expected an integer in 0..10, found 99 (int)",
        "ota.enabeld: unknown key (did you mean 'enabled'?)",
    ]
    from jotunheim.settings.errors import SettingError
    from jotunheim.settings.errors import SettingsError as Leaf

    assert Leaf is SettingsError and all(isinstance(e, SettingError) for e in errors)


def test_invalid_utf8_names_the_file_cold_and_on_hot_reload(tmp_path):
    clock = Clock()
    loader = loader_for(tmp_path, clock=clock, min_poll_interval=0)
    path = tmp_path / "jotunheim.json"
    path.write_bytes(b'{"logging": {"level": "\xc3\x28"}}')
    loader.load()  # cold start: defaults, and the reason
    assert str(path) in loader.last_error and "not valid UTF-8" in loader.last_error
    assert (
        loader.source == "defaults" and loader_status(loader)["settings_error"] == loader.last_error
    )
    write(tmp_path, {"logging": {"level": "ERROR"}})
    assert loader.poll() == ["logging"] and loader.last_error is None
    good = loader.settings
    path.write_bytes(b'{"logging": {"level": "DEBUG\xff"}}')
    clock.now += 1
    assert loader.poll() == []
    assert loader.settings is good and str(path) in loader.last_error
    assert loader.errors == []


@pytest.mark.parametrize("depth", [9, 990, 8000])
def test_deep_json_is_refused_before_parsing(tmp_path, depth):
    loader = loader_for(tmp_path)
    write(tmp_path, "[" * depth + "]" * depth)
    loader.load()
    assert "nested deeper than 8 levels" in loader.last_error
    write(tmp_path, '{"network": {"wifi_networks": [{"ssid": "x"}]}}')  # 4 deep: fine
    assert loader.load().get("network.wifi_networks") == [{"ssid": "x"}]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_non_finite_numbers_in_the_file_are_refused(tmp_path, text):
    loader = loader_for(tmp_path)
    write(tmp_path, '{"network": {"resilience": {"base_delay": %s}}}' % text)
    loader.load()
    assert "NaN or Infinity at $.network.resilience.base_delay" in loader.last_error
    assert loader.settings.get("network.resilience.base_delay") == 0.5


def test_safejson_limits_and_messages():
    from jotunheim.safejson import JSONError, loads, too_deep

    assert loads('{"a": [1, {"b": "]]]"}]}', max_depth=3) == {"a": [1, {"b": "]]]"}]}
    with pytest.raises(JSONError) as info:
        loads("[[[[1]]]]", source="set_led", max_depth=3)
    assert str(info.value) == "set_led: nested deeper than 3 levels"
    assert isinstance(info.value, ValueError) and info.value.source == "set_led"
    with pytest.raises(JSONError, match="5000 characters, more than the 4096 allowed"):
        loads(" " * 5000, max_bytes=4096)
    with pytest.raises(JSONError, match="not valid UTF-8"):
        loads(b'["\xed\xa0\x80"]')  # a UTF-16 surrogate encoded as UTF-8
    with pytest.raises(JSONError, match="not valid JSON"):
        loads(b"[1, 2")
    # Brackets in strings, escaped quotes and escaped backslashes.
    assert not too_deep('["\\"[[[[[[", "\\\\"]', 1)
    assert too_deep('["\\\\", [[', 2)
    assert not too_deep(b'"' + b"[" * 50, 2)  # unterminated string: the parser will say so
    # The tool-parameter case of issue 16: depth >= 990 within 4 KB.
    with pytest.raises(JSONError, match="nested deeper"):
        loads('{"a": ' + "[" * 990 + "]" * 990 + "}", "set_led", 32, 4096)


def test_reload_names_sections_in_schema_order():
    # reload.SECTIONS is the order changed sections are reported in; the board does not load
    # the schema table for it, so it must follow the table.
    from jotunheim.settings.reload import SECTIONS

    top = []
    for path in paths():
        name = path.split(".")[0]
        if name not in top:
            top.append(name)
    assert list(SECTIONS) == top
