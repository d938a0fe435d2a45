# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim.mailbox.CommandMailbox``: commands queued for devices that deep-sleep.

A caller queues a command (``QueueCommand``); the device, on its next wake, fetches the
commands after the last one it handled (``FetchCommands``, which also drops everything
up to ``after_seq`` and records the results it brings); the caller reads the results
(``GetCommandResults``). In memory: a restarted Loki forgets its mailboxes.

Access: in token mode only the admin may queue; a device may fetch and read only its
own mailbox. In open mode anyone may do anything (local demos).
"""

import threading
import time

from jotunheim_host.reference_pb.jotunheim import mailbox as pb

from . import access

SERVICE = "jotunheim.mailbox.CommandMailbox"
MAX_QUEUED = 64  # commands waiting per device; more are refused
MAX_RESULTS = 64  # results kept per device (the newest)
MAX_FETCH = 16
MAX_COMMAND_BYTES = 4096


class _Box:
    def __init__(self):
        self.next_seq = 1
        self.pending = []  # PendingCommand, oldest first
        self.results = []  # CommandResult, oldest first
        self.handled = 0


class CommandMailbox:
    """Every device's mailbox (thread-safe)."""

    def __init__(self):
        self._boxes = {}
        self._lock = threading.Lock()

    def _box(self, device_id: str) -> _Box:
        box = self._boxes.get(device_id)
        if box is None:
            box = self._boxes[device_id] = _Box()
        return box

    @staticmethod
    def _check_device(caller, device_id: str) -> None:
        if not device_id:
            raise access.AccessError(3, "device_id is required")
        own = caller.device_id
        if own and own != device_id:
            raise access.AccessError(
                access.PERMISSION_DENIED, f"device {own} may not use the mailbox of {device_id}"
            )

    def queue_command(self, request, time_remaining=None, caller=None):
        caller = caller or access.OPERATOR
        self._check_device(caller, request.device_id)
        if caller.device_id:
            raise access.AccessError(access.PERMISSION_DENIED, "devices may not queue commands")
        if not request.command.strip():
            return pb.QueueCommandResponse(success=False, error_message="command is empty")
        size = len(request.command) + len(request.parameters)
        if size > MAX_COMMAND_BYTES:
            return pb.QueueCommandResponse(
                success=False, error_message=f"command is over {MAX_COMMAND_BYTES} bytes"
            )
        with self._lock:
            box = self._box(request.device_id)
            if len(box.pending) >= MAX_QUEUED:
                return pb.QueueCommandResponse(
                    success=False,
                    error_message=f"{MAX_QUEUED} commands already wait for {request.device_id}",
                )
            seq = box.next_seq
            box.next_seq += 1
            box.pending.append(
                pb.PendingCommand(
                    seq=seq,
                    command=request.command,
                    parameters=request.parameters,
                    queued_at_ms=int(time.time() * 1000),
                )
            )
        return pb.QueueCommandResponse(success=True, seq=seq)

    def fetch_commands(self, request, time_remaining=None, caller=None):
        caller = caller or access.OPERATOR
        self._check_device(caller, request.device_id)
        limit = min(request.max_commands or MAX_FETCH, MAX_FETCH)
        with self._lock:
            box = self._box(request.device_id)
            box.pending = [c for c in box.pending if c.seq > request.after_seq]
            box.handled = max(box.handled, min(request.after_seq, box.next_seq - 1))
            known = {r.seq for r in box.results}
            for result in request.results:
                if result.seq not in known and 0 < result.seq < box.next_seq:
                    box.results.append(result)
            box.results = box.results[-MAX_RESULTS:]
            return pb.FetchCommandsResponse(commands=list(box.pending[:limit]))

    def get_command_results(self, request, time_remaining=None, caller=None):
        caller = caller or access.OPERATOR
        self._check_device(caller, request.device_id)
        with self._lock:
            box = self._box(request.device_id)
            results = [r for r in box.results if r.seq > request.after_seq]
            return pb.GetCommandResultsResponse(results=results, last_handled_seq=box.handled)

    def methods(self):
        """``(name, fn, request class)`` of the unary RPCs."""
        return (
            ("QueueCommand", self.queue_command, pb.QueueCommandRequest),
            ("FetchCommands", self.fetch_commands, pb.FetchCommandsRequest),
            ("GetCommandResults", self.get_command_results, pb.GetCommandResultsRequest),
        )
