# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""MailboxClient: the device's side of ``jotunheim.mailbox.CommandMailbox``.

A deep-sleeping device cannot be called; callers queue commands at its Loki instead
(``QueueCommand``). On each wake the device asks ``FetchCommands`` for those after the
last one it handled, runs them, and hands the results (and the acknowledgement) back
with its next ``FetchCommands``. Delivery is at most once: the handled sequence number is
kept in sleep memory, so a command is never run twice, even when a result is lost.
"""

from jotunheim.pb import mailbox as pb

SERVICE = "/jotunheim.mailbox.CommandMailbox/"


class MailboxClient:
    """Calls the mailbox over a :class:`jotunheim.grpc.client.GrpcWebClient` (the Loki
    client's own, so its URL, token and connections are shared).

    :param grpc: the GrpcWebClient
    :param float timeout: deadline of each call
    """

    def __init__(self, grpc, timeout: float = 5.0) -> None:
        self.grpc = grpc
        self.timeout = timeout

    def fetch(self, device_id: str, after_seq: int, results=(), max_commands: int = 0):
        """The pending commands after ``after_seq`` (oldest first); ``results`` are
        ``(seq, success, result_bytes, error)`` of commands handled since the last call."""
        request = pb.FetchCommandsRequest(
            device_id=device_id,
            after_seq=after_seq,
            max_commands=max_commands,
            results=[
                pb.CommandResult(seq=s, success=ok, result=body, error_message=err)
                for s, ok, body, err in results
            ],
        )
        response = self.grpc.unary(
            SERVICE + "FetchCommands",
            request,
            decode=pb.FetchCommandsResponse.decode,
            idempotent=False,
            timeout=self.timeout,
        )
        return list(response.commands)

    def queue(self, device_id: str, command: str, parameters: str = "") -> int:
        """Queue a command for ``device_id``; returns its sequence number."""
        response = self.grpc.unary(
            SERVICE + "QueueCommand",
            pb.QueueCommandRequest(device_id=device_id, command=command, parameters=parameters),
            decode=pb.QueueCommandResponse.decode,
            idempotent=False,
            timeout=self.timeout,
        )
        if not response.success:
            raise ValueError("QueueCommand refused: " + response.error_message)
        return response.seq
