# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Wording of settings errors: how a wrong value is shown, where secrets go, "did you mean".

Loaded by :mod:`jotunheim.settings.validator` only when a file has a mistake, so a board
whose settings are valid never holds this code.
"""

from jotunheim.settings.errors import MISSING, SettingError


def mismatch(path, expected, found) -> SettingError:
    """The error "``path``: expected ``expected``, found ``found``".

    :param str path: the key path
    :param str expected: what the schema wants
    :param found: the value found (:data:`~jotunheim.settings.errors.MISSING` if absent)
    """
    return SettingError(
        path, expected, found, "{}: expected {}, found {}".format(path, expected, show(found))
    )


def show(value) -> str:
    """A value as the user wrote it, shortened, with its JSON type: ``'x' (string)``.

    :param value: any parsed JSON value, or MISSING
    """
    if value is MISSING:
        return "nothing"
    if value is None:
        return "null"
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return "{} ({})".format(text, type_name(value))


def type_name(value) -> str:
    """The JSON name of ``value``'s type (``string``, ``object``, ``number``...).

    :param value: any parsed JSON value
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def secret_error(path, wifi=False) -> SettingError:
    """The error for a secret found in the JSON, saying where it belongs instead.

    :param str path: the key path of the secret
    :param bool wifi: the key is inside a ``network.wifi_networks`` entry
    """
    if wifi:
        hint = (
            'put the password in settings.toml (e.g. HOME_WIFI_PASSWORD = "...") and name '
            'that key here with "password_setting"'
        )
    else:
        hint = 'put it in settings.toml (e.g. JOTUNHEIM_TOKEN = "...")'
    message = "{}: secrets are not allowed in jotunheim.json; {}".format(path, hint)
    return SettingError(path, "no secret", "a secret", message)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between ``a`` and ``b`` (for "did you mean").

    :param str a: one word
    :param str b: the other
    """
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a):
        current = [i + 1]
        for j, cb in enumerate(b):
            cost = 0 if ca == cb else 1
            current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + cost))
        previous = current
    return previous[-1]


def unknown_error(path, key, known) -> SettingError:
    """The error for an unknown key, with the closest known name as a hint.

    :param str path: the key path
    :param str key: the unknown name
    :param known: the names allowed at that place
    """
    best = None
    best_distance = 3  # suggest only close names
    for name in known:
        distance = edit_distance(key, name)
        if distance < best_distance:
            best, best_distance = name, distance
    message = "{}: unknown key".format(path)
    if best is not None:
        message += " (did you mean '{}'?)".format(best)
    return SettingError(path, "a known key", key, message)
