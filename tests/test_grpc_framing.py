# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Property tests for frames, trailers, percent-decoding and the HTTP body reader."""

import urllib.parse

from hypothesis import given, settings
from hypothesis import strategies as st

from jotunheim.grpc import frame_parser, framing
from jotunheim.grpc.client import parse_trailers, trailer_status
from jotunheim.grpc.framing import percent_encode
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.grpc.status_decode import percent_decode

payloads = st.lists(st.binary(max_size=300), max_size=6)


def parse_all(data, cuts, max_size=4096):
    parser = frame_parser.FrameParser(max_size, bytearray(8))
    frames = []
    pieces = []
    last = 0
    for cut in sorted(cuts):
        pieces.append(data[last:cut])
        last = cut
    pieces.append(data[last:])
    for piece in pieces:
        view = memoryview(piece)
        while view:
            used = parser.feed(view)
            view = view[used:]
            if parser.ready:
                frames.append((parser.flag, bytes(parser.payload)))
                parser.next()
    parser.finish()
    return frames


@settings(max_examples=200, deadline=None)
@given(payloads, st.data())
def test_any_split_of_any_frame_sequence_parses_back(messages, data):
    wire = b"".join(framing.encode_frame(m) for m in messages)
    wire += framing.encode_trailer_frame({"grpc-status": "0", "x-k": "v"})
    cuts = data.draw(st.lists(st.integers(0, len(wire)), max_size=20))
    frames = parse_all(wire, cuts)
    assert [p for f, p in frames[:-1]] == messages
    assert frames[-1][0] == framing.FLAG_TRAILERS
    assert parse_trailers(frames[-1][1]) == {"grpc-status": "0", "x-k": "v"}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_either_parse_or_raise_grpc_error(data):
    try:
        parse_all(data, [], max_size=1 << 20)
    except GrpcError as err:
        assert err.code in (StatusCode.INTERNAL, StatusCode.RESOURCE_EXHAUSTED)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_percent_decode_roundtrip_and_agrees_with_urllib(text):
    encoded = percent_encode(text)
    assert percent_decode(encoded) == text
    assert percent_decode(urllib.parse.quote(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="%0123456789abcdefABCDEFGxyz\u00e9 "))
def test_percent_decode_never_raises(text):
    assert isinstance(percent_decode(text), str)


@given(st.binary(max_size=40))
def test_trailer_parsing_raises_only_grpc_errors(data):
    try:
        trailers = parse_trailers(data)
    except GrpcError as err:
        assert err.code == StatusCode.INTERNAL
        return
    try:
        trailer_status(trailers)
    except GrpcError as err:
        assert err.code == StatusCode.INTERNAL


def test_trailers_are_lower_cased_and_repeated_names_joined():
    trailers = parse_trailers(b"Grpc-Status: 0\r\nX-A: 1\r\nx-a: 2\r\n")
    assert trailers == {"grpc-status": "0", "x-a": "1,2"}
