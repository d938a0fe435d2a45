# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""jotunheim.pb: API, malformed input, fuzzing, unknown fields, generated-code freshness."""

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jotunheim import pb
from jotunheim.pb import jotunheim_capability as cap
from jotunheim.pb import loki
from jotunheim_host import protogen
from tests import pb_support
from tests.pb_gen import kitchen_sink as ks

CLASSES = [c[0] for c in pb_support.message_classes()]


# ---------------------------------------------------------------- API


def test_api_fields_lists_maps_oneofs():
    req = loki.ExecuteScriptRequest(script_id="blink", parameters={"times": "3"})
    assert req.script_id == "blink" and req.script_content == ""
    assert req.parameters == {"times": "3"}
    chunk = loki.ScriptChunk(output=loki.ScriptOutput(data="x"))
    assert chunk.which_oneof("chunk_type") == "output"
    assert loki.ScriptChunk().which_oneof("chunk_type") is None
    assert loki.ScriptChunk.decode(chunk.encode()) == chunk
    assert loki.GetCapabilitiesResponse().capabilities == []
    with pytest.raises(TypeError):
        loki.ScriptOutput(nope=1)


def test_fresh_lists_are_not_shared():
    a, b = loki.ListScriptsResponse(), loki.ListScriptsResponse()
    a.scripts.append(loki.ScriptInfo(name="x"))
    assert b.scripts == []


def test_oneof_last_member_on_the_wire_wins():
    data = loki.ScriptChunk(output=loki.ScriptOutput(data="a")).encode()
    data += loki.ScriptChunk(error=loki.ScriptError(error_message="b")).encode()
    chunk = loki.ScriptChunk.decode(data)
    assert chunk.which_oneof("chunk_type") == "error" and chunk.output is None


def test_oneof_member_with_default_value_is_still_sent():
    req = loki.RegisterScriptRequest(name="n", inline_script="")
    back = loki.RegisterScriptRequest.decode(req.encode())
    assert back.which_oneof("script_source") == "inline_script"
    assert back.script_path is None


def test_proto3_optional_presence():
    p = cap.ParameterDefinition(name="level", minimum=0.0)
    back = cap.ParameterDefinition.decode(p.encode())
    assert back.minimum == 0.0 and back.maximum is None


def test_equality_by_value():
    assert loki.ScriptOutput(data="a") == loki.ScriptOutput(data="a")
    assert loki.ScriptOutput(data="a") != loki.ScriptOutput(data="b")
    assert loki.ScriptOutput(data="a") != loki.ScriptError(error_message="a")


def test_known_bytes():
    # Hand-checked against the proto3 encoding rules.
    assert loki.ListScriptsRequest(name_pattern="t*").encode() == b"\n\x02t*"
    assert cap.GpioInfo(available_pins=[1, 300]).encode() == b"\n\x03\x01\xac\x02"
    assert (
        ks.Scalars(f_sint32=-1, f_int32=-1).encode()
        == b"(\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x88\x01\x01"
    )
    assert ks.Scalars(f_fixed32=1).encode() == b"=\x01\x00\x00\x00"


def test_unpacked_and_packed_both_decode():
    packed = ks.Repeats(r_int32=[1, 2, 3]).encode()
    unpacked = b"".join(b"\x28" + bytes([v]) for v in (1, 2, 3))
    assert ks.Repeats.decode(unpacked).r_int32 == [1, 2, 3]
    assert ks.Repeats.decode(packed).r_int32 == [1, 2, 3]
    assert ks.Repeats(unpacked_int32=[5, 6]).encode() == b"\x98\x01\x05\x98\x01\x06"


def test_unknown_fields_survive_a_round_trip_through_an_older_version():
    new = ks.Node(
        name="root", children=[ks.Node(name="kid")], labels=[ks.Node_Label(key="k", tint=2)]
    )
    old = ks.NodeV1.decode(new.encode())
    assert old.name == "root" and old._unknown
    old.name = "renamed"
    again = ks.Node.decode(old.encode())
    assert again.name == "renamed" and again.children == new.children and again.labels == new.labels


# ---------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("cls", "data", "needle"),
    [
        (loki.ScriptOutput, b"\x0a\x05ab", "runs past the end"),
        (loki.ScriptOutput, b"\x10", "truncated varint"),
        (loki.ScriptOutput, b"\x10" + b"\xff" * 11, "over 10 bytes"),
        (loki.ScriptOutput, b"\x0d\x00\x00\x00\x00", "wrong wire type"),
        (loki.ScriptOutput, b"\x0a\xff\xff\xff\xff\x0f", "runs past the end"),
        (loki.ScriptOutput, b"\x0a\x02\xff\xfe", "invalid UTF-8"),
        (loki.ScriptOutput, b"\x00\x01", "field 0 with wire type 0"),
        (loki.ScriptOutput, b"\x1b\x00", "wire type 3"),
        (loki.ScriptOutput, b"\x1f\x00", "wire type 7"),
        (ks.Scalars, b"\x09\x00\x00", "truncated fixed64"),
        (ks.Repeats, b"\x3a\x03\x00\x00\x00", "not a multiple of 4"),
        (loki.ScriptChunk, b"\x0a\x03\x08\x01", "runs past the end"),
    ],
)
def test_malformed_input_names_what_and_where(cls, data, needle):
    with pytest.raises(pb.DecodeError) as err:
        cls.decode(data)
    assert needle in str(err.value)
    assert isinstance(err.value, ValueError)


def test_nesting_deeper_than_the_limit_is_refused():
    data = b""
    for _ in range(pb.MAX_DEPTH + 5):
        data = b"\x12" + bytes(_varint(len(data))) + data
    with pytest.raises(pb.DecodeError, match="nesting deeper"):
        ks.Node.decode(data)


def test_size_limit():
    data = loki.ScriptOutput(data="x" * 100).encode()
    with pytest.raises(pb.DecodeError, match="over the 50 byte limit"):
        loki.ScriptOutput.decode(data, max_size=50)
    with pytest.raises(pb.DecodeError, match="limit"):
        loki.ScriptOutput.decode(b"\x0a" + b"\x00" * (pb.MAX_SIZE + 1))
    assert loki.ScriptOutput.decode(data, max_size=1000).data == "x" * 100


def test_huge_length_prefix_does_not_allocate():
    # claims 2 GB of string in a 7-byte message
    with pytest.raises(pb.DecodeError):
        loki.ScriptOutput.decode(b"\x0a\xff\xff\xff\xff\x07ab")


def _varint(n):
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return out


FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(cls=st.sampled_from(CLASSES), data=st.binary(max_size=200))
def test_fuzz_random_bytes_only_decode_error(cls, data):
    try:
        cls.decode(data)
    except pb.DecodeError:
        pass


@FUZZ
@given(data=st.data(), cls=st.sampled_from(CLASSES), seed=st.integers(0, 2**32))
def test_fuzz_mutated_valid_messages_only_decode_error(data, cls, seed):
    raw = bytearray(data.draw(pb_support.message_strategy(cls)).encode())
    rnd = random.Random(seed)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(4)
        if op == 0 and raw:
            raw[rnd.randrange(len(raw))] ^= 1 << rnd.randrange(8)
        elif op == 1 and raw:
            del raw[rnd.randrange(len(raw)) :]
        elif op == 2:
            raw.insert(rnd.randrange(len(raw) + 1), rnd.randrange(256))
        else:
            raw[rnd.randrange(len(raw) + 1) : 0] = b"\xff" * rnd.randint(1, 12)
    try:
        msg = cls.decode(bytes(raw))
    except pb.DecodeError:
        return
    # whatever decoded must re-encode and decode to the same value (compared as bytes: a
    # mutated double can be NaN, which is not equal to itself)
    again = cls.decode(msg.encode())
    assert again.encode() == msg.encode()
    assert again == msg or "nan" in repr(vars(msg)).lower()


# ---------------------------------------------------------------- generated code


def test_generated_modules_are_up_to_date():
    with tempfile.TemporaryDirectory() as tmp:
        for proto_dir, committed in (("proto", "jotunheim/pb"), ("tests/proto", "tests/pb_gen")):
            out = Path(tmp) / committed.replace("/", "_")
            out.mkdir()
            written = protogen.generate(protogen.ROOT / proto_dir, out)
            assert written, proto_dir
            for path, source in written.items():
                current = (protogen.ROOT / committed / Path(path).name).read_text(encoding="utf-8")
                assert current == source, "%s is stale: run `jotunheim protogen`" % Path(path).name


def test_betterproto_reference_is_up_to_date():
    with tempfile.TemporaryDirectory() as tmp:
        for proto_dir, committed in (
            ("proto", "jotunheim_host/reference_pb"),
            ("tests/proto", "tests/pb_gen/ref"),
        ):
            out = Path(tmp) / committed.replace("/", "_")
            protogen.generate_betterproto(protogen.ROOT / proto_dir, out)
            for path in out.rglob("*.py"):
                current = protogen.ROOT / committed / path.relative_to(out)
                assert current.read_text() == path.read_text(), "%s is stale" % current
