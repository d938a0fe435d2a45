# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# The protobuf runtime under MicroPython: round trips, oneofs, maps, packed fields,
# unknown fields and malformed input.
from jotunheim import pb
from jotunheim.pb import jotunheim_capability as cap
from jotunheim.pb import loki


def _raises_decode_error(cls, data, needle):
    try:
        cls.decode(data)
    except pb.DecodeError as exc:
        assert needle in str(exc), str(exc)
        assert isinstance(exc, ValueError)
        return
    raise AssertionError("no DecodeError for %r" % (data,))


def test_round_trip_with_oneof_and_map():
    chunk = loki.ScriptChunk(
        result=loki.ScriptResult(success=True, output="ok", metadata={"a": "b"}), timestamp=-5
    )
    data = chunk.encode()
    back = loki.ScriptChunk.decode(data)
    assert back == chunk
    assert back.which_oneof("chunk_type") == "result"
    assert back.result.metadata == {"a": "b"}
    assert back.timestamp == -5


def test_known_bytes_match_cpython():
    assert loki.ListScriptsRequest(name_pattern="t*").encode() == b"\n\x02t*"
    assert cap.GpioInfo(available_pins=[1, 300]).encode() == b"\n\x03\x01\xac\x02"
    req = loki.RegisterScriptRequest(name="n", inline_script="")
    assert req.encode() == b"\n\x01n2\x00"


def test_capabilities_round_trip():
    tools = [
        cap.Tool(
            name="set_led",
            parameters=[
                cap.ParameterDefinition(name="level", type="Number", minimum=0.0, maximum=1.0)
            ],
        )
    ]
    caps = cap.JotunheimCapabilities(
        device_id="abc",
        tools=tools,
        hardware=cap.HardwareCapabilities(gpio=cap.GpioInfo(available_pins=list(range(20)))),
    )
    back = cap.JotunheimCapabilities.decode(caps.encode())
    assert back == caps
    assert back.tools[0].parameters[0].maximum == 1.0
    assert back.tools[0].parameters[0].unit == ""


def test_unpacked_repeated_also_decodes():
    data = b"\x0a\x01\x05" + b"\x08\x07"  # packed [5] then unpacked 7
    assert cap.GpioInfo.decode(data).available_pins == [5, 7]


def test_unknown_fields_are_kept():
    data = loki.ScriptOutput(data="x").encode() + b"\xa0\x06\x01"  # field 100 varint 1
    msg = loki.ScriptOutput.decode(data)
    assert msg.data == "x"
    assert msg.encode() == data


def test_malformed_input_raises_decode_error():
    _raises_decode_error(loki.ScriptOutput, b"\x0a\x05ab", "runs past the end")
    _raises_decode_error(loki.ScriptOutput, b"\x10", "truncated varint")
    _raises_decode_error(loki.ScriptOutput, b"\x10" + b"\xff" * 11, "over 10 bytes")
    _raises_decode_error(loki.ScriptOutput, b"\x0d\x00\x00\x00\x00", "wrong wire type")
    _raises_decode_error(loki.ScriptOutput, b"\x0a\x02\xff\xfe", "invalid UTF-8")
    _raises_decode_error(loki.ScriptChunk, b"\x0a\x03\x08\x01", "runs past the end")


# A recursive message declared the way generated modules do it, for the depth limit.
class Node(pb.Message):
    pass


TABLES = """
Node::name 9;children 11 1 Node
"""


def _varint(n):
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def test_size_and_depth_limits():
    big = loki.ScriptOutput(data="x" * 100).encode()
    _raises = False
    try:
        loki.ScriptOutput.decode(big, max_size=50)
    except pb.DecodeError as exc:
        _raises = "limit" in str(exc)
    assert _raises
    tree = Node(name="root", children=[Node(name="kid", children=[Node(name="leaf")])])
    assert Node.decode(tree.encode()) == tree
    data = b""
    for _ in range(pb.MAX_DEPTH + 3):
        data = b"\x12" + _varint(len(data)) + data
    _raises_decode_error(Node, data, "nesting deeper")


def test_fuzzed_bytes_only_raise_decode_error():
    seed = 12345
    classes = (
        loki.ScriptChunk,
        loki.ExecuteScriptRequest,
        cap.JotunheimCapabilities,
        loki.ScriptInfo,
    )
    good = loki.ScriptChunk(
        result=loki.ScriptResult(success=True, output="o", metadata={"k": "v"})
    ).encode()
    for i in range(400):
        seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
        data = bytearray(good)
        data[seed % len(data)] ^= 1 << (seed >> 8) % 8
        if i % 3 == 0:
            data = data[: seed % len(data)]
        try:
            classes[i % len(classes)].decode(bytes(data))
        except pb.DecodeError:
            pass


def test_the_table_parser_is_forgotten_after_each_class():
    # A class's field table is parsed on its first use by jotunheim.pb.tables, which the
    # package forgets after each parse: every later class imports it again, each gets its
    # defaults, and a class parsed once is never parsed again.
    import sys

    from jotunheim.pb import jotunheim as rpc

    parser = "jotunheim.pb.tables"
    request = rpc.ToolCallRequest(tool_name="read", parameters=b"{}")
    assert parser not in sys.modules
    assert request.device_id == "" and request.parameters == b"{}"
    reply = rpc.ToolCallResponse.decode(b"\x08\x01\x12\x02ok")  # a second class
    assert parser not in sys.modules
    assert (reply.success, reply.result, reply.error_message) == (True, b"ok", "")
    assert rpc.ToolCallResponse().success is False  # defaults from the class
    table = pb.fields_of(rpc.ToolCallResponse)
    assert pb.fields_of(rpc.ToolCallResponse) is table  # parsed once
    chunk = loki.ScriptChunk.decode(loki.ScriptChunk(timestamp=3).encode())  # a oneof
    assert parser not in sys.modules
    assert chunk.which_oneof("chunk_type") is None and chunk.timestamp == 3
    assert cap.GpioInfo().available_pins == [] and parser not in sys.modules
