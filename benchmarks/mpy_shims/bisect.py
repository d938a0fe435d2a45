# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Minimal stand-in for the MicroPython interpreter, which has no bisect module.


def bisect_right(items, value, lo=0, hi=None):
    hi = len(items) if hi is None else hi
    while lo < hi:
        mid = (lo + hi) // 2
        if value < items[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo
