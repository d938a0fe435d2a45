# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Settings errors: the shapes shared by the validator and the wording module.

A leaf: imports nothing, so :mod:`jotunheim.settings.validator` and
:mod:`jotunheim.settings.explain` both depend on it and never on each other's insides.
"""

# Stands for "the key is absent" where None would be a value (JSON null).
MISSING = object()


class SettingError:
    """One problem in a settings file.

    :param str path: the key path, e.g. ``network.resilience.retries``
    :param str expected: what the schema wants, e.g. ``an integer in 0..10``
    :param found: the value found (:data:`MISSING` when absent)
    :param str message: the whole sentence shown to the user
    """

    __slots__ = ("path", "expected", "found", "message")

    def __init__(self, path, expected, found, message) -> None:
        self.path = path
        self.expected = expected
        self.found = found
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return "SettingError({!r})".format(self.message)


class SettingsError(ValueError):
    """Every error of one settings document at once; ``errors`` holds them.

    :param list errors: the :class:`SettingError` objects
    """

    def __init__(self, errors) -> None:
        self.errors = errors
        lines = ["{} settings error(s):".format(len(errors))]
        for err in errors:
            lines.append("  - " + err.message)
        super().__init__("\n".join(lines))
