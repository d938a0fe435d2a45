# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Minimal stand-in for the MicroPython interpreter, which has no logging module: enough
# for peers benchmarked there (minipb asks for a logger and calls .warning on it).


class _Logger:
    def __init__(self, name):
        self.name = name

    def debug(self, *args):
        return None

    def warning(self, msg, *args):
        print("WARNING:%s:%s" % (self.name, msg % args if args else msg))


def getLogger(name):  # noqa: N802 - the stdlib's name
    return _Logger(name)
