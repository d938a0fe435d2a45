# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Validate a parsed ``jotunheim.json`` against the schema.

``validate(raw)`` returns ``(settings, errors)``: the complete settings (defaults filled in)
and a list of :class:`SettingError`, every problem at once, each naming the key path, what
was expected and what was found. Unknown keys are errors (a typo must not be silently
ignored) with a "did you mean" hint; secrets in the JSON are errors that say where they go.
``validate_file(data, ...)`` parses a file's bytes first (:mod:`jotunheim.safejson`) and
words the loader's message.
"""

from jotunheim.settings.errors import MISSING, SettingError, SettingsError
from jotunheim.settings.schema import defaults, get_path, rows, set_path
from jotunheim.settings.secrecy import is_secret_name

MAX_DEPTH = 8  # the schema nests 4 deep (network.wifi_networks[0].ssid); room for mistakes
# The key of deploy's stamp (jotunheim.settings.stamp): dropped from a file whose stamp no
# longer matches (edited by hand), so the stale stamp is not an unknown-key error.
STAMP = "validated"

# Keys of one wifi_networks entry: name -> (type, low, high).
WIFI_ENTRY = {"ssid": ("str", 1, 32), "password_setting": ("str", 1, 64)}


def _explain():
    # Error wording lives in a module loaded on the first error: valid files never need it.
    from jotunheim.settings import explain  # noqa: PLC0415

    return explain


def _mismatch(path, expected, found) -> SettingError:
    return _explain().mismatch(path, expected, found)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_num(value) -> bool:
    if isinstance(value, float):
        # NaN fails every comparison, so a range check alone lets it through; inf - inf is NaN.
        return value - value == 0.0
    return _is_int(value)


def _range_text(low, high) -> str:
    if low is None and high is None:
        return ""
    if low == high:
        return " equal to {}".format(low)
    return " in {}..{}".format(low, high)


def _check_value(path, kind, value, low, high, choices, errors) -> None:
    """Append errors for ``value`` at ``path``; nothing when it is valid."""
    if kind == "bool":
        if not isinstance(value, bool):
            errors.append(_mismatch(path, "true or false", value))
    elif kind in ("int", "num"):
        ok = _is_int(value) if kind == "int" else _is_num(value)
        what = "an integer" if kind == "int" else "a finite number"
        if not ok:
            errors.append(_mismatch(path, what + _range_text(low, high), value))
        elif (low is not None and value < low) or (high is not None and value > high):
            errors.append(_mismatch(path, what + _range_text(low, high), value))
    elif kind in ("str", "url"):
        _check_string(path, kind, value, low, high, choices, errors)
    elif kind == "ints":
        _check_int_list(path, value, low, high, choices, errors)
    elif kind == "wifi":
        _check_wifi(path, value, choices, errors)
    else:  # pragma: no cover - schema typo
        errors.append(_mismatch(path, "a known type", kind))


def _check_string(path, kind, value, low, high, choices, errors) -> None:
    if not isinstance(value, str):
        errors.append(_mismatch(path, "a string", value))
        return
    if choices is not None:
        if value not in choices:
            errors.append(_mismatch(path, "one of " + ", ".join(choices), value))
        return
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        expected = "a string of {}..{} characters".format(low, high)
        errors.append(_mismatch(path, expected, value))
        return
    if kind == "url" and value:
        low_value = value.lower()
        rest = None
        for scheme in ("http://", "https://"):
            if low_value.startswith(scheme):
                rest = value[len(scheme) :]
        if rest is None or not rest.split("/", 1)[0] or " " in value:
            errors.append(_mismatch(path, "an http:// or https:// URL (or empty)", value))
    if "-----BEGIN" in value and "PRIVATE KEY" in value:
        errors.append(
            SettingError(
                path,
                "no private key",
                "a private key",
                "{}: a private key is a secret; put it in settings.toml, not in the JSON".format(
                    path
                ),
            )
        )


def _check_int_list(path, value, low, high, max_items, errors) -> None:
    if not isinstance(value, list):
        errors.append(_mismatch(path, "a list of integers", value))
        return
    if max_items is not None and len(value) > max_items:
        expected = "at most {} items".format(max_items)
        errors.append(_mismatch(path, expected, "{} items".format(len(value))))
    for i, item in enumerate(value):
        item_path = "{}[{}]".format(path, i)
        if not _is_int(item) or item < low or item > high:
            errors.append(_mismatch(item_path, "an integer" + _range_text(low, high), item))


def _check_wifi(path, value, max_items, errors) -> None:
    if not isinstance(value, list):
        errors.append(_mismatch(path, "a list of {ssid, password_setting} objects", value))
        return
    if max_items is not None and len(value) > max_items:
        expected = "at most {} networks".format(max_items)
        errors.append(_mismatch(path, expected, "{} networks".format(len(value))))
    for i, entry in enumerate(value):
        entry_path = "{}[{}]".format(path, i)
        if not isinstance(entry, dict):
            errors.append(_mismatch(entry_path, "an object with ssid", entry))
            continue
        for key in entry:
            key_path = entry_path + "." + key
            if is_secret_name(key):
                errors.append(_explain().secret_error(key_path, wifi=True))
            elif key not in WIFI_ENTRY:
                errors.append(_explain().unknown_error(key_path, key, WIFI_ENTRY))
        if "ssid" not in entry:
            errors.append(_mismatch(entry_path + ".ssid", "a string of 1..32 characters", MISSING))
        for key, spec in WIFI_ENTRY.items():
            if key in entry:
                kind, low, high = spec
                _check_string(entry_path + "." + key, kind, entry[key], low, high, None, errors)


def _children() -> dict:
    """{object path ("" for the top): set of allowed child names}."""
    tree = {}
    for entry in rows():
        parts = entry[0].split(".")
        for depth in range(len(parts)):
            parent = ".".join(parts[:depth])
            tree.setdefault(parent, set()).add(parts[depth])
    return tree


def _walk_unknown(node, path, tree, errors) -> None:
    allowed = tree.get(path, ())
    for key in node:
        key_path = path + "." + key if path else key
        value = node[key]
        if is_secret_name(key):
            errors.append(_explain().secret_error(key_path))
        elif key not in allowed:
            errors.append(_explain().unknown_error(key_path, key, allowed))
        elif key_path in tree:  # an object in the schema
            if isinstance(value, dict):
                _walk_unknown(value, key_path, tree, errors)
            else:
                errors.append(_mismatch(key_path, "an object", value))


def validate(raw) -> tuple:
    """Check ``raw`` (the parsed JSON); returns ``(settings, errors)``.

    ``settings`` has every key (defaults where ``raw`` has none); it is only meaningful
    when ``errors`` is empty."""
    errors = []
    if not isinstance(raw, dict):
        errors.append(_mismatch("(top level)", "a JSON object", raw))
        return defaults(), errors
    tree = _children()
    _walk_unknown(raw, "", tree, errors)
    result = defaults()
    for path, kind, _default, low, high, choices in rows():
        value = get_path(raw, path, MISSING)
        if value is MISSING:
            continue
        before = len(errors)
        _check_value(path, kind, value, low, high, choices, errors)
        if len(errors) == before:
            set_path(result, path, list(value) if isinstance(value, list) else value)
    _cross_checks(result, raw, errors)
    return result, errors


def _cross_checks(result, raw, errors) -> None:
    base = get_path(result, "network.resilience.base_delay")
    cap = get_path(result, "network.resilience.max_delay")
    if base > cap:
        errors.append(
            _mismatch(
                "network.resilience.base_delay",
                "at most network.resilience.max_delay ({})".format(cap),
                base,
            )
        )
    if get_path(result, "ota.enabled") and not get_path(result, "ota.manifest_url"):
        errors.append(
            _mismatch(
                "ota.manifest_url",
                "a URL when ota.enabled is true",
                get_path(raw, "ota.manifest_url", MISSING),
            )
        )


def check(raw) -> dict:
    """Like :func:`validate` but raises :class:`SettingsError` listing every problem."""
    result, errors = validate(raw)
    if errors:
        raise SettingsError(errors)
    return result


def validate_file(data, path, max_bytes, keeping="", size=0) -> tuple:
    """``(settings, None, [])`` for a file whose bytes parse (at most :data:`MAX_DEPTH`
    deep) and pass :func:`validate`, else ``(None, why, errors)``: ``why`` names ``path``
    and every error, then ``keeping``. A stale stamp (:data:`STAMP`) is dropped first.

    :param data: the file's content (bytes); the ``OSError`` reading it raised; or None:
        not read, since its ``size`` was over ``max_bytes``
    :param str path: the file, named in the message
    :param int max_bytes: longest file allowed
    :param str keeping: said after the problem (the loader: the previous settings stay)
    :param int size: the file's size in bytes
    """
    if data is None:
        why = "{} is {} bytes, more than the {} allowed{}".format(path, size, max_bytes, keeping)
        return None, why, []
    if isinstance(data, OSError):
        return None, "cannot read {}: {}{}".format(path, data, keeping), []
    from jotunheim.safejson import JSONError, loads  # noqa: PLC0415

    try:
        raw = loads(data, path, MAX_DEPTH, max_bytes)
    except JSONError as exc:
        return None, str(exc) + keeping, []
    if isinstance(raw, dict):
        raw.pop(STAMP, None)
    settings, errors = validate(raw)
    if not errors:
        return settings, None, []
    lines = ["{} has {} error(s){}:".format(path, len(errors), keeping)]
    for err in errors:
        lines.append("  - " + err.message)
    return None, "\n".join(lines), errors
