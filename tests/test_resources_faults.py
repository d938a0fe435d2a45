# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A MemoryError injected at every allocation-heavy step of a CallTool (head parse, body
buffer, request decode, tool run, response encode, response send) is answered, never
crashes a device step, and the next call is served normally."""

import select
import socket
import urllib.parse

import pytest

from jotunheim.capability.drivers.simulated import SimulatedRelay
from jotunheim.grpc.framing import encode_frame
from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.http.server import HttpServer
from jotunheim.pb import jotunheim as jpb
from tests.test_device import SERVICE, Loop, call_tool, client, make_device


def call_tool_in_pieces(device, name, params=""):
    """CallTool whose body arrives in two reads, so the server holds it in a body buffer
    from the pool (a body that arrives whole with its head is read where it landed)."""
    body = encode_frame(jpb.ToolCallRequest(tool_name=name, parameters=params).encode())
    head = (
        "POST %sCallTool HTTP/1.1\r\nHost: d\r\nContent-Type: application/grpc-web+proto\r\n"
        "Content-Length: %d\r\nConnection: close\r\n\r\n" % (SERVICE, len(body))
    )
    with socket.create_connection(("127.0.0.1", device.port), timeout=10) as s:
        s.sendall(head.encode() + body[:1])
        if not select.select([s], [], [], 0.3)[0]:  # not answered yet: it waits for the rest
            s.sendall(body[1:])
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + int(
            data.lower().split(b"content-length: ")[1].split(b"\r\n")[0]
        ):
            chunk = s.recv(65536)
            assert chunk, data
            data += chunk
    lines, _, rest = data.partition(b"\r\n\r\n")
    headers = {}
    for line in lines.decode().split("\r\n")[1:]:
        key, value = line.split(": ", 1)
        headers[key.lower()] = value
    code = int(headers.get("grpc-status", "0"))
    if code:  # trailers-only
        raise GrpcError(code, urllib.parse.unquote(headers.get("grpc-message", "")))
    size = int.from_bytes(rest[1:5], "big")  # the message frame, then the trailer frame
    return jpb.ToolCallResponse.decode(rest[5 : 5 + size])


def _raise(*args, **kwargs):
    raise MemoryError("injected")


def _patch_head_parse(monkeypatch, device):
    monkeypatch.setattr(HttpServer, "_advance", _raise)  # where a head is parsed


def _patch_body_buffer(monkeypatch, device):
    monkeypatch.setattr(device.resources.buffers, "acquire", _raise)


def _patch_decode(monkeypatch, device):
    monkeypatch.setattr(jpb.ToolCallRequest, "decode", classmethod(_raise))


def _patch_encode(monkeypatch, device):
    monkeypatch.setattr(jpb.ToolCallResponse, "encode", _raise)


def _patch_send(monkeypatch, device):
    monkeypatch.setattr(HttpServer, "respond", _raise)  # where the response is made


STEPS = {
    "head parse": _patch_head_parse,
    "body buffer": _patch_body_buffer,
    "request decode": _patch_decode,
    "response encode": _patch_encode,
    "response send": _patch_send,
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_memory_error_at_a_step_is_answered_resource_exhausted_and_the_device_serves_on(
    tmp_path, monkeypatch, step
):
    device = make_device(str(tmp_path / "root"))
    device.add_actuator("pump", SimulatedRelay())
    with Loop(device) as dev:  # Loop fails the test if a step raised
        c = client(dev)
        assert call_tool(c, "set_relay_sim", '{"on": true}').success
        with monkeypatch.context() as patch:
            STEPS[step](patch, dev)
            with pytest.raises(GrpcError) as err:
                if step == "body buffer":
                    call_tool_in_pieces(dev, "set_relay_sim", '{"on": false}')
                else:
                    call_tool(client(dev), "set_relay_sim", '{"on": false}')
        assert err.value.code == StatusCode.RESOURCE_EXHAUSTED, (step, err.value)
        assert "out of memory" in err.value.message
        for _ in range(3):  # the memory is back: served as before, on a new connection
            assert call_tool(client(dev), "set_relay_sim", '{"on": false}').success
        server = dev.server
        if step in ("head parse", "body buffer", "response send"):
            assert server.out_of_memory_answers == 1
        # Every buffer the pool made is back in it, but the server's receive buffer.
        buffers = dev.resources.buffers
        out = [b for b in buffers.pooled if not any(b is f for f in buffers.free)]
        assert len(out) == 1 and out[0] is server.buf, (len(out), len(buffers.pooled))


def test_a_tool_that_runs_out_of_memory_answers_a_failed_call(tmp_path):
    device = make_device(str(tmp_path / "root"))
    state = {"fail": True}

    def hungry():
        if state["fail"]:
            raise MemoryError("injected")
        return {"ok": True}

    device.add_tool("hungry", hungry, "needs heap")
    with Loop(device) as dev:
        answer = call_tool(client(dev), "hungry")
        assert not answer.success and "out of memory" in answer.error_message
        state["fail"] = False
        assert call_tool(client(dev), "hungry").success


def test_an_out_of_memory_answer_that_cannot_be_sent_closes_the_connection(tmp_path, monkeypatch):
    device = make_device(str(tmp_path / "root"))
    device.add_actuator("pump", SimulatedRelay())
    with Loop(device) as dev:  # Loop fails the test if a step raised
        with monkeypatch.context() as patch:
            patch.setattr(HttpServer, "respond", _raise)
            # Sending the prepared answer fails too (socket.send refuses a str).
            patch.setattr(dev.server, "out_of_memory", "not bytes")
            with pytest.raises(GrpcError) as err:
                call_tool(client(dev), "set_relay_sim", '{"on": false}')
            assert err.value.code == StatusCode.UNAVAILABLE  # closed without an answer
        assert dev.server.out_of_memory_answers == 1  # tried, failed, closed
        assert call_tool(client(dev), "set_relay_sim", '{"on": true}').success


def test_a_body_the_pool_cannot_hold_is_answered_resource_exhausted_with_why(tmp_path, monkeypatch):
    from jotunheim.resources import ResourceExhausted

    device = make_device(str(tmp_path / "root"))
    device.add_actuator("pump", SimulatedRelay())

    def refuse(size, minimum=0):
        raise ResourceExhausted("buffers: 2 of 2 in use; heap: 3 KB free, below the 8 KB line")

    with Loop(device) as dev:
        with monkeypatch.context() as patch:
            patch.setattr(dev.resources.buffers, "acquire", refuse)
            with pytest.raises(GrpcError) as err:
                call_tool_in_pieces(dev, "set_relay_sim", '{"on": false}')
        assert err.value.code == StatusCode.RESOURCE_EXHAUSTED
        assert err.value.message.startswith("buffers: 2 of 2 in use; heap: 3 KB free")
        assert call_tool(client(dev), "set_relay_sim", '{"on": true}').success
