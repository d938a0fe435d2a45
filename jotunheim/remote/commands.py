# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""CommandService: JotunheimService.SendDeviceCommand and the device's command table."""

import json

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.pb import jotunheim as jpb


class CommandService:
    """Runs named device commands: ``fn(params, context)`` returns JSON-able data.

    :param gate: the :class:`jotunheim.remote.handler.RemoteCommandHandler` (its checks)
    :param commands: name -> (fn, owner_only, description), a dict it fills (remote.groups
        gives it an empty one): it gets ``ping`` and the rows of ``source`` for names it
        does not hold yet
    :param logger: a jotunheim.log logger for failed commands
    :param source: callable returning ``(name, fn, owner_only, description)`` rows
    """

    def __init__(self, gate, commands, logger=None, source=None) -> None:
        self.gate = gate
        self.commands = commands
        self.logger = logger
        commands.setdefault("ping", (self.ping, False, "Answer with pong and the uptime"))
        if source is not None:
            for name, fn, owner_only, description in source():
                commands.setdefault(name, (fn, owner_only, description))

    def ping(self, params, context):
        """The ``ping`` command: pong, this device's id and its uptime."""
        from jotunheim.compat import monotonic

        return {
            "pong": True,
            "device_id": self.gate.device.device_id_now(),
            "uptime_s": int(monotonic()),
        }

    def send_device_command(self, request, context):
        """SendDeviceCommand: checks, then the command; its result as JSON bytes."""
        gate = self.gate
        level = gate.authorize(context, request.device_id)
        name = request.command.strip()
        entry = self.commands.get(name)
        if entry is None:
            known = ", ".join(sorted(self.commands))
            raise gate.refuse(
                StatusCode.INVALID_ARGUMENT,
                "unknown command %r; this device knows: %s" % (name, known),
            )
        fn, owner_only, _ = entry
        if owner_only and level != "owner":
            raise gate.refuse(
                StatusCode.PERMISSION_DENIED,
                "%s needs the owner token (JOTUNHEIM_OWNER_TOKEN)" % name,
            )
        params = gate.params(request.parameters, name)
        try:
            body = json.dumps(fn(params, context)).encode("utf-8")
        except GrpcError:
            raise
        except MemoryError:
            return jpb.DeviceCommandResponse(success=False, error_message=name + ": out of memory")
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            from jotunheim.remote import refusals

            message = "%s failed: %s" % (name, refusals.describe(exc))
            if self.logger is not None:
                self.logger.error(message)
            return jpb.DeviceCommandResponse(success=False, error_message=message)
        return jpb.DeviceCommandResponse(success=True, result=body)
