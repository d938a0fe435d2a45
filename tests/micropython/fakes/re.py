# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CircuitPython's ``re`` on MicroPython: match objects with ``groups()``.

This MicroPython build leaves out ``match.groups()``, which CircuitPython has and
adafruit_httpserver's route matching calls. Patterns and matches are thin wrappers over
the built-in module, still reachable as ``ure``.
"""

import ure


class _Match:
    def __init__(self, native):
        self._native = native

    def group(self, *indexes):
        if len(indexes) <= 1:
            return self._native.group(*indexes)
        return tuple(self._native.group(i) for i in indexes)

    def groups(self, default=None):
        found = []
        index = 1
        while True:
            try:
                value = self._native.group(index)
            except IndexError:
                return tuple(found)
            found.append(default if value is None else value)
            index += 1


def _wrap(native):
    return None if native is None else _Match(native)


class _Pattern:
    def __init__(self, native):
        self._native = native

    def match(self, string):
        return _wrap(self._native.match(string))

    def search(self, string):
        return _wrap(self._native.search(string))

    def sub(self, replacement, string, count=0):
        return self._native.sub(replacement, string, count)

    def split(self, string, max_split=-1):
        return self._native.split(string, max_split)


def compile(pattern, flags=0):  # noqa: A001  (the module's API)
    return _Pattern(ure.compile(pattern, flags) if flags else ure.compile(pattern))


def match(pattern, string):
    return compile(pattern).match(string)


def search(pattern, string):
    return compile(pattern).search(string)


def sub(pattern, replacement, string, count=0):
    return ure.sub(pattern, replacement, string, count)
