# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim call URL TOOL [key=value ...]``: call one tool of a device (CallTool)."""

import os


def add_common(parser, token_env="JOTUNHEIM_TOKEN"):
    """The options ``call`` and ``command`` share: ``--token``, ``--timeout``, ``--json``.

    :param parser: the subcommand's parser
    :param token_env: environment variable the token defaults to
    """
    parser.add_argument(
        "--token",
        default=os.environ.get(token_env, ""),
        help="the device's token (its JOTUNHEIM_TOKEN; default $%s)" % token_env,
    )
    parser.add_argument(
        "--auth",
        choices=("signed", "bearer"),
        default="signed",
        help="how the token is proven: signed (HMAC request signature, the device's default "
        "remote.auth_mode) or bearer (sent as is: a device with remote.auth_mode bearer, or "
        "behind TLS)",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for the answer (default 10)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def register(subparsers):
    p = subparsers.add_parser(
        "call",
        help="call a tool of a device (JotunheimService.CallTool) and print its result",
        description="Call one tool of a Jotunheim device over gRPC-Web and print its result "
        "(value and unit). Parameters are key=value pairs; a value that parses as JSON "
        "(3, 0.5, true, [1,2], {...}) is sent as that JSON value, anything else as a string. "
        "Exit codes: 0 ok, 1 the call failed (gRPC status or tool failure), 2 usage error, "
        "3 device unreachable or no answer in time.",
    )
    p.add_argument("url", help="the device, e.g. http://192.168.1.42:8080")
    p.add_argument("tool", help="the tool's name (`jotunheim inspect URL` lists them)")
    p.add_argument(
        "params", nargs="*", metavar="key=value", help="a parameter (repeat), e.g. brightness=0.5"
    )
    p.add_argument(
        "--json-params",
        metavar="JSON",
        help="all parameters as one JSON object, e.g. '{\"on\": true}' (key=value pairs win)",
    )
    add_common(p)
    p.set_defaults(func=run)


def run(args):
    import sys

    from jotunheim_host import device_rpc
    from jotunheim_host.cli import CliError

    try:
        params = device_rpc.parse_params(args.params, args.json_params)
        caller = device_rpc.DeviceCaller(args.url, args.token, args.timeout, args.auth)
    except ValueError as exc:  # UsageError, or a URL the client refuses
        raise CliError(str(exc), device_rpc.USAGE) from None

    def one_call():
        response = caller.call_tool(args.tool, params)
        unit = caller.tool_unit(args.tool) if response.success else ""
        return response, unit

    try:
        return device_rpc.run_rpc("tool", args.tool, one_call, args, sys.stdout)
    finally:
        caller.close()
