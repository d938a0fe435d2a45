# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Pending commands from the mailbox, run on the device as a SendDeviceCommand would be.

``call_tool`` (``{"tool": NAME, "params": {...}}``) calls a tool; the other names are
the Device's own commands (``announce``, ``reload_settings``). Owner-only commands and
user-only tools are refused: the mailbox does not carry the owner token.
"""

import json


def _call_tool(device, params):
    name = params.get("tool")
    if not isinstance(name, str) or not name:
        raise ValueError('call_tool needs {"tool": NAME, "params": {...}}')
    return device.registry.call(name, params.get("params") or {})


def _device_command(device, name, params):
    from jotunheim.device.commands import DeviceCommands

    for entry in DeviceCommands(device).table():
        if entry[0] == name:
            if entry[2]:
                raise ValueError("%s needs the owner token: not accepted from the mailbox" % name)
            return entry[1](params, None)
    raise ValueError("unknown command %r" % name)


def run_command(device, command: str, parameters: str) -> tuple:
    """Run one pending command; ``(success, result JSON bytes, error message)``.

    :param device: the Device (public API only)
    :param str command: the command name
    :param str parameters: its JSON parameters ("" = none)
    """
    try:
        params = json.loads(parameters) if parameters else {}
        if not isinstance(params, dict):
            raise ValueError("parameters must be a JSON object")
        name = command.strip()
        if name == "call_tool":
            value = _call_tool(device, params)
        else:
            value = _device_command(device, name, params)
        return True, json.dumps(value).encode("utf-8"), ""
    except MemoryError:
        return False, b"", command + ": out of memory"
    except Exception as exc:  # noqa: BLE001 - reported back through the mailbox
        return False, b"", "%s: %s: %s" % (command, type(exc).__name__, exc)
