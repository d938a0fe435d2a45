# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# A remote control for a Jotunheim device, run on a computer (CPython): asks the device for
# its status and tools, then switches its LED on, reads the state back, and switches it off
# again, all over JotunheimService (gRPC-Web) with the library's own client.
#
#   python jotunheim_remote_control.py http://192.168.1.42:8080 --token "$JOTUNHEIM_TOKEN"
#
# Works against any example here that has an LED (jotunheim_simpletest.py, */led.py) and
# against `jotunheim simulate` (--set set_led_sim --get get_led_sim_state). The token is the device's
# JOTUNHEIM_TOKEN (also read from the environment).

import argparse
import json
import os
import socket
import sys

from jotunheim.grpc.client import GrpcWebClient
from jotunheim.pb import jotunheim as jpb
from jotunheim.pb import jotunheim_capability as cap


def connect(url, token):
    """A gRPC-Web client for the device at ``url`` presenting ``token``: each call signed
    with it where the host tools can sign (the token then never goes on the wire), else
    sent as a bearer token."""
    try:
        from jotunheim_host.signing import client_signer
    except ImportError:
        metadata = {"authorization": "Bearer " + token} if token else {}
        return GrpcWebClient(url, socket_pool=socket, timeout=5, metadata=metadata)
    return GrpcWebClient(url, socket_pool=socket, timeout=5, signer=client_signer(token))


def call_tool(client, tool, **params):
    """Call ``tool`` with ``params``; returns its decoded JSON result or raises RuntimeError."""
    response = client.unary(
        "/jotunheim.JotunheimService/CallTool",
        jpb.ToolCallRequest(tool_name=tool, parameters=json.dumps(params) if params else ""),
        decode=jpb.ToolCallResponse.decode,
    )
    if not response.success:
        raise RuntimeError("%s failed: %s" % (tool, response.error_message))
    return json.loads(response.result)


def main(argv=None):
    """Show the device's status and tools, then blink its LED once through CallTool."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="the device, e.g. http://192.168.1.42:8080")
    parser.add_argument("--token", default=os.environ.get("JOTUNHEIM_TOKEN", ""))
    parser.add_argument("--set", default="set_led", help="the LED's set tool")
    parser.add_argument("--get", default="get_led_state", help="the LED's state tool")
    args = parser.parse_args(argv)
    client = connect(args.url, args.token)
    status = client.unary(
        "/jotunheim.JotunheimService/GetDeviceStatus",
        jpb.DeviceStatusRequest(),
        decode=jpb.DeviceStatusResponse.decode,
    )
    print("device", status.device_id, "is", status.status)
    caps = client.unary(
        "/jotunheim.JotunheimService/GetCapabilities",
        cap.CapabilityRequest(),
        decode=cap.CapabilityResponse.decode,
    ).capabilities
    print("tools:", ", ".join(tool.name for tool in caps.tools))
    print(args.set, "on ->", call_tool(client, args.set, on=True))
    print(args.get, "->", call_tool(client, args.get))
    print(args.set, "off ->", call_tool(client, args.set, on=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
