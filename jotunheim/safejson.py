# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""One JSON reader for text the device did not write: settings files, OTA manifests,
tool parameters.

:func:`loads` bounds what a hostile or broken input can cost before the parser sees it:

* size: more than ``max_bytes`` is refused without decoding anything;
* depth: nesting deeper than ``max_depth`` is refused by a scan of the brackets outside
  strings (CPython's parser recurses and dies with RecursionError at ~1,000 levels; a
  board's stack is far smaller);
* encoding: bytes that are not UTF-8 are refused with the source named;
* numbers: NaN and +-Infinity (CPython accepts ``NaN``, and ``1e999`` overflows to
  infinity everywhere) are refused, because every comparison with NaN is false and a
  limit check would let it through.

Every refusal is a :class:`JSONError` (a ValueError) whose message names the source and
the problem, e.g. ``"/jotunheim.json: nested deeper than 16 levels"``.
"""


class JSONError(ValueError):
    """Bad JSON input. ``source`` names where it came from, ``problem`` what is wrong.

    :param str source: the file, URL or field the text came from
    :param str problem: what is wrong with it
    """

    def __init__(self, source, problem):
        super().__init__("%s: %s" % (source, problem))
        self.source = source
        self.problem = problem


def loads(data, source="JSON", max_depth=32, max_bytes=16384):
    """Parse ``data`` (str, bytes or bytearray) into Python values, or raise JSONError.

    :param data: the JSON text, or its UTF-8 bytes
    :param str source: named in every error message (a path, a URL, ``"set_led"``)
    :param int max_depth: deepest nesting of arrays and objects accepted
    :param int max_bytes: longest input accepted, in bytes (or characters for a str)
    :raises JSONError: too long, too deep, not UTF-8, not JSON, or NaN/Infinity inside

    Example::

        doc = loads(b'{"led": {"on": true}}', source="set_led", max_depth=4)
    """
    text = isinstance(data, str)
    if not text and not isinstance(data, bytes):
        data = bytes(data)  # a bytearray: MicroPython's has no count() or find()
    if len(data) > max_bytes:
        raise JSONError(
            source,
            "%d %s, more than the %d allowed"
            % (len(data), "characters" if text else "bytes", max_bytes),
        )
    if too_deep(data, max_depth):
        raise JSONError(source, "nested deeper than %d levels" % max_depth)
    import json

    try:
        if not text:
            data = data.decode("utf-8")  # only the text is kept from here
        value = json.loads(data)
    except MemoryError:
        raise JSONError(source, "too large for the free memory") from None
    except ValueError as exc:  # JSONDecodeError on CPython, ValueError on MicroPython
        problem = "not valid UTF-8 text" if isinstance(exc, UnicodeError) else "not valid JSON"
        raise JSONError(source, "%s (%s)" % (problem, str(exc) or type(exc).__name__)) from None
    where = non_finite(value)
    if where is not None:
        raise JSONError(source, "NaN or Infinity at $%s (only finite numbers)" % where)
    return value


def too_deep(data, max_depth):
    """True when ``data`` (str or bytes) nests ``[``/``{`` deeper than ``max_depth`` outside
    strings. Cheap: counting brackets is done in C, and only text with more brackets than
    ``max_depth`` is walked; string bodies are skipped with ``find``.

    :param data: JSON text or its bytes
    :param int max_depth: the deepest nesting allowed
    """
    if isinstance(data, str):
        if data.count("[") + data.count("{") <= max_depth:
            return False
        data = data.encode()  # rare: walk bytes, which iterate as ints (no garbage)
    elif data.count(b"[") + data.count(b"{") <= max_depth:
        return False
    depth = 0
    i = 0
    end = len(data)
    while i < end:
        c = data[i]
        i += 1
        if c == 34:  # '"': jump past the string
            # To the quote closing it: a quote after an odd number of backslashes is
            # escaped. Each backslash is looked at once.
            while True:
                i = data.find(b'"', i)
                if i < 0:
                    return False  # unterminated: the parser will say so
                k = i - 1
                while data[k] == 92:  # '\\'
                    k -= 1
                i += 1
                if (i - 2 - k) % 2 == 0:
                    break
        elif c == 91 or c == 123:  # '[' '{'
            depth += 1
            if depth > max_depth:
                return True
        elif c == 93 or c == 125:  # ']' '}'
            depth -= 1
    return False


def non_finite(value):
    """Where the first NaN or infinite float inside ``value`` is: ``""`` for ``value``
    itself, ``".a[2]"`` below it, None when every number is finite.

    :param value: parsed JSON (dicts, lists, scalars)
    """
    if isinstance(value, float):
        return "" if value - value != 0.0 else None  # inf - inf and nan - nan are nan
    # The path is built only on the way out of a failure: a clean document allocates none.
    if isinstance(value, dict):
        for key in value:
            inner = non_finite(value[key])
            if inner is not None:
                return "." + str(key) + inner
    elif isinstance(value, list):
        for i in range(len(value)):
            inner = non_finite(value[i])
            if inner is not None:
                return "[%d]" % i + inner
    return None
