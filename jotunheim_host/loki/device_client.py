# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Client side of ``device.call``: one gRPC-Web unary ``CallTool`` to a device.

HTTP goes through ``http.client``; the messages are the betterproto reference classes.
The device answers per the wire contract (section 5): message frame(s) then a trailer
frame, or status in the headers ("trailers-only").
"""

import http.client
import json
import re
import struct
import time
from urllib.parse import unquote, urlsplit

from jotunheim_host.reference_pb import jotunheim as jpb
from jotunheim_host.signing import auth_headers

CALL_TOOL_PATH = "/jotunheim.JotunheimService/CallTool"
MAX_RESPONSE_BYTES = 4 * 1024 * 1024
# HTTP status without grpc-status -> gRPC code (wire contract section 5).
_HOST_RE = re.compile(r"^[A-Za-z0-9._:%-]+$")  # names, IPv4, IPv6 (brackets stripped)
HTTP_TO_GRPC = {400: 13, 401: 16, 403: 7, 404: 12, 429: 14, 502: 14, 503: 14, 504: 14}


class DeviceCallError(Exception):
    """The call did not produce a successful tool result; the text says why."""

    def __init__(self, message: str, grpc_status: int = 2):
        super().__init__(message)
        self.grpc_status = grpc_status


def parse_address(address: str):
    """``host:port`` or ``http[s]://host[:port][/prefix]`` -> (scheme, host, port, prefix)."""
    text = address.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    host_ok = parts.hostname and _HOST_RE.match(parts.hostname)
    if parts.scheme not in ("http", "https") or not host_ok or any(c.isspace() for c in text):
        raise DeviceCallError(f"device.call: bad device address {address!r} (want host:port)")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DeviceCallError(f"device.call: bad port in device address {address!r}") from None
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


def frame(payload: bytes, flags: int = 0) -> bytes:
    """One gRPC-Web frame: flag byte, 4-byte big-endian length, payload."""
    return struct.pack(">BI", flags, len(payload)) + payload


def split_frames(body: bytes):
    """Split a gRPC-Web body into (messages, trailers dict); raise on bad framing."""
    messages = []
    trailers = {}
    pos = 0
    while pos < len(body):
        if len(body) - pos < 5:
            raise DeviceCallError("device.call: truncated gRPC-Web frame header", 13)
        flags, length = struct.unpack_from(">BI", body, pos)
        pos += 5
        if len(body) - pos < length:
            raise DeviceCallError("device.call: truncated gRPC-Web frame", 13)
        payload = body[pos : pos + length]
        pos += length
        if flags & 0x80:
            for line in payload.decode("utf-8", "replace").split("\r\n"):
                if ":" in line:
                    key, value = line.split(":", 1)
                    trailers[key.strip().lower()] = value.strip()
            break
        if flags & 0x01:
            raise DeviceCallError("device.call: compressed frame without agreed encoding", 13)
        messages.append(payload)
    return messages, trailers


def call_tool(
    address: str,
    tool: str,
    params,
    *,
    device_id: str = "",
    token: str = "",
    timeout: float = 10.0,
) -> jpb.ToolCallResponse:
    """Send ``ToolCallRequest`` to the device at ``address``; return its response.

    Raises :class:`DeviceCallError` for transport and gRPC failures (not for
    ``success=false``: that is the caller's decision).
    """
    scheme, host, port, prefix = parse_address(address)
    request = jpb.ToolCallRequest(
        device_id=device_id,
        tool_name=tool,
        parameters=params if isinstance(params, str) else json.dumps(params),
    )
    body = frame(bytes(request))
    timeout = max(0.05, timeout)
    headers = {
        "content-type": "application/grpc-web+proto",
        "accept": "application/grpc-web+proto",
        "x-grpc-web": "1",
        "grpc-timeout": f"{max(1, int(timeout * 1000))}m",
        "content-length": str(len(body)),
    }
    # Signed with the device's token (a device's default remote.auth_mode): the token never
    # crosses the network, even on plain http.
    headers.update(auth_headers(token, prefix + CALL_TOOL_PATH, body))
    conn_cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(host, port, timeout=timeout)
    deadline = time.monotonic() + timeout
    try:
        conn.request("POST", prefix + CALL_TOOL_PATH, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read(MAX_RESPONSE_BYTES + 1)
        status_header = resp.getheader("grpc-status")
        message_header = resp.getheader("grpc-message", "")
        http_status = resp.status
    except (OSError, http.client.HTTPException, ValueError) as exc:
        late = time.monotonic() >= deadline
        what = "timed out" if late or "timed out" in str(exc) else "unreachable"
        raise DeviceCallError(f"device.call: device {address} {what}: {exc}", 14) from None
    finally:
        conn.close()
    if len(data) > MAX_RESPONSE_BYTES:
        raise DeviceCallError(f"device.call: response from {address} is too large", 8)
    if http_status != 200 and status_header is None:
        code = HTTP_TO_GRPC.get(http_status, 2)
        raise DeviceCallError(f"device.call: device {address} answered HTTP {http_status}", code)
    messages, trailers = split_frames(data)
    status = trailers.get("grpc-status", status_header)
    detail = trailers.get("grpc-message", message_header) or ""
    if status is None:
        raise DeviceCallError(f"device.call: no grpc-status from {address}", 13)
    try:
        code = int(status)
    except ValueError:
        raise DeviceCallError(
            f"device.call: bad grpc-status {status!r} from {address}", 13
        ) from None
    if code != 0:
        text = unquote(detail, errors="replace") or "no message"
        raise DeviceCallError(
            f"device.call: {tool} on {address} failed (gRPC {code}): {text}", code
        )
    if len(messages) != 1:
        raise DeviceCallError(
            f"device.call: expected one response message from {address}, got {len(messages)}", 13
        )
    try:
        return jpb.ToolCallResponse().parse(messages[0])
    except Exception as exc:  # betterproto raises assorted errors on bad bytes
        raise DeviceCallError(
            f"device.call: undecodable response from {address}: {exc}", 13
        ) from None


def decode_result(result: bytes):
    """``ToolCallResponse.result`` as data: parsed JSON when it is JSON, else text."""
    text = result.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
