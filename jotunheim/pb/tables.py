# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Parsing a message class's field table from its module's ``TABLES``."""

# Once per class, on its first use (jotunheim.pb.fields_of), never again: the pb package
# forgets this module after each use (jotunheim.compat.run_and_forget), so on a board its
# code goes back to the heap. It defines no classes and keeps no state; what it makes
# (tuples, default values) holds none of its functions.

import sys


def parse(cls):
    """``(oneof names, field table)`` of message class ``cls``, parsed from its module's
    ``TABLES``; sets the class defaults of its singular fields. A line per class:
    ``name:oneofs:row;row...``, a row ``[number] name [kind [flags [sub]]]``: the number
    left out when it is the previous one + 1, the kind when it is 9 (string); ``sub`` is
    the message class of a message field, ``key kind value kind [value class]`` of a map
    (a class of another module is imported under an underscore name)."""
    module = sys.modules[cls.__module__]
    text = module.TABLES
    start = text.find("\n" + cls.__name__ + ":") + len(cls.__name__) + 2
    group, spec = text[start : text.find("\n", start)].split(":")
    table = []
    number = 0
    for field in spec.split(";") if spec else ():
        parts = field.split(" ")
        if parts[0].isdigit():
            number = int(parts.pop(0)) - 1
        number += 1
        name = parts[0]
        kind = int(parts[1]) if len(parts) > 1 else 9
        flags = int(parts[2]) if len(parts) > 2 else 0
        sub = None
        if len(parts) > 3:
            if not parts[-1].isdigit():
                sub = getattr(module, parts[-1])
            if flags & 4:
                sub = (int(parts[3]), int(parts[4]), sub)
        table.append((number, name, kind, flags, sub))
        if not flags & 5:
            # proto3 defaults: None when unset has a meaning (optional, oneof, message),
            # else what zero bytes decode to.
            value = None
            if not flags & 0xFFF8 and kind != 11:
                value = 0.0 if kind < 3 else "" if kind == 9 else b"" if kind == 12 else 0
                if kind == 8:
                    value = False
            setattr(cls, name, value)
    return tuple(group.split(",")) if group else (), tuple(table)
