# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.safejson under MicroPython: the one reader for untrusted JSON (settings,
manifests, tool parameters) refuses deep, long, non-UTF-8 and non-finite input with an
error naming the source, and parses the rest like json.loads."""

from jotunheim.safejson import JSONError, loads, non_finite, too_deep


def _refused(data, **kw):
    try:
        loads(data, source="src.json", **kw)
    except JSONError as exc:
        assert isinstance(exc, ValueError)
        assert str(exc).startswith("src.json: "), str(exc)
        assert exc.source == "src.json"
        return exc.problem
    raise AssertionError("accepted %r" % (data[:40],))


def test_parses_like_json_loads():
    doc = b'{"a": [1, 2.5, {"b": "x\\"]]]]"}], "c": null, "d": true, "e": "\\u00e4"}'
    assert loads(doc) == {"a": [1, 2.5, {"b": 'x"]]]]'}], "c": None, "d": True, "e": "\u00e4"}
    assert loads(bytearray(b"[1]")) == [1]
    assert loads("[]") == []


def test_depth_bounded_by_the_scan_before_parsing():
    # 8,000 levels: the interpreter's parser never sees it (150 frames is this build's limit).
    assert "nested deeper than 32 levels" in _refused(b"[" * 8000 + b"]" * 8000)
    assert "nested deeper than 4" in _refused('{"a": [[[[1]]]]}', max_depth=4)
    assert loads("[[[[1]]]]", max_depth=4) == [[[[1]]]]
    # Brackets inside strings do not count, escaped quotes do not end a string.
    inside = '{"k": "' + "[" * 100 + '\\"' + "{" * 100 + '"}'
    assert loads(inside, max_depth=2)["k"].startswith("[[[")
    assert too_deep(b'["\\\\"' + b"[" * 5, 3)  # the string ends after an escaped backslash
    assert not too_deep(b'["\\"' + b"[" * 5 + b'"]', 3)


def test_size_utf8_and_json_errors_name_the_source():
    assert "20000 bytes, more than the 16384 allowed" in _refused(b" " * 20000)
    assert "not valid UTF-8" in _refused(b'{"a": "\xff\xfe"}')
    assert "not valid JSON" in _refused(b'{"a": ')
    assert "not valid JSON" in _refused("NaN")


def test_non_finite_numbers_refused_with_their_place():
    problem = _refused(b'{"net": {"delay": [1, 1e999]}}')
    assert "$.net.delay[1]" in problem and "NaN or Infinity" in problem
    assert non_finite({"a": [1.0, float("nan")]}) == ".a[1]"
    assert non_finite(float("-inf")) == ""
    assert non_finite({"a": [1.5, -2, "inf"]}) is None
