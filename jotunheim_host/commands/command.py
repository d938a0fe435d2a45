# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim command URL NAME [key=value ...]``: send a device command (SendDeviceCommand)."""

import os

from jotunheim_host.commands.call import add_common


def register(subparsers):
    p = subparsers.add_parser(
        "command",
        help="send a device command (ping, reboot, ota_check, announce, reload_settings)",
        description="Send one command to a Jotunheim device (JotunheimService.SendDeviceCommand) "
        "and print its answer. Owner commands (reboot, ota_check, ...) need --owner-token. "
        "Parameters as for `jotunheim call`. Exit codes: 0 ok, 1 the command failed (gRPC "
        "status or failure), 2 usage error, 3 device unreachable or no answer in time.",
    )
    p.add_argument("url", help="the device, e.g. http://192.168.1.42:8080")
    p.add_argument("name", help="the command, e.g. ping, reboot, ota_check")
    p.add_argument(
        "params", nargs="*", metavar="key=value", help="a parameter (repeat), e.g. install=true"
    )
    p.add_argument(
        "--owner-token",
        default=os.environ.get("JOTUNHEIM_OWNER_TOKEN", ""),
        help="the device's JOTUNHEIM_OWNER_TOKEN, sent instead of --token when given "
        "(default $JOTUNHEIM_OWNER_TOKEN)",
    )
    add_common(p)
    p.set_defaults(func=run)


def run(args):
    import sys

    from jotunheim_host import device_rpc
    from jotunheim_host.cli import CliError

    try:
        params = device_rpc.parse_params(args.params)
        caller = device_rpc.DeviceCaller(
            args.url, args.owner_token or args.token, args.timeout, args.auth
        )
    except ValueError as exc:
        raise CliError(str(exc), device_rpc.USAGE) from None
    try:
        return device_rpc.run_rpc(
            "command",
            args.name,
            lambda: (caller.send_command(args.name, params), ""),
            args,
            sys.stdout,
        )
    finally:
        caller.close()
