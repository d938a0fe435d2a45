# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim stream``: receive uplinks, send a file up, or serve a file as a downlink."""

from jotunheim_host.cli import CliError


def register(subparsers):
    """Add ``stream receive`` and ``stream send`` to the CLI."""
    p = subparsers.add_parser(
        "stream",
        help="receive or send device streams (docs/streaming.md)",
        description="Host end of device streams: frames on chunked HTTP/1.1, resumable.",
    )
    sub = p.add_subparsers(dest="stream_command", required=True)
    rx = sub.add_parser(
        "receive",
        help="store uplinks: POST http://HOST:PORT/<name>",
        description="Take device uplinks on POST /<name> and store each under OUT/<name>/ "
        "(data, state.json); prints progress and rate. Restarting it resumes every stream.",
    )
    rx.add_argument(
        "--listen",
        metavar="HOST:PORT",
        default="127.0.0.1:8090",
        help="HOST:PORT (default %(default)s)",
    )
    rx.add_argument("--out", required=True, help="folder the streams are stored in")
    rx.add_argument("--max-frame", type=int, default=65536, help="largest frame accepted")
    rx.set_defaults(func=run_receive)
    tx = sub.add_parser(
        "send",
        help="uplink FILE to URL, or --serve FILE as a downlink",
        description="Send FILE as an uplink stream to a receiver URL (as a device would), or "
        "with --serve HOST:PORT serve it as a downlink on GET /<name>?from_sequence=N.",
    )
    tx.add_argument("target", nargs="?", help="receiver URL (without --serve)")
    tx.add_argument("file", help="the file to stream")
    tx.add_argument("--serve", metavar="HOST:PORT", help="serve FILE as a downlink instead")
    tx.add_argument("--id", help="stream id (default: the file's name)")
    tx.add_argument("--chunk-size", type=int, default=4096, help="payload bytes per frame")
    tx.add_argument("--rate", type=int, default=0, help="frames per second (0 = unpaced)")
    tx.add_argument("--timeout", type=float, default=600.0, help="give up after SECONDS")
    tx.set_defaults(func=run_send)


def _listen(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise CliError("--listen/--serve needs HOST:PORT, not %r" % text)
    return host or "127.0.0.1", int(port)


def run_receive(args):
    """``stream receive``: serve until interrupted."""
    from jotunheim_host.streams import StreamReceiver

    host, port = _listen(args.listen)

    def say(line):
        print(line, flush=True)

    try:
        receiver = StreamReceiver(args.out, host, port, printer=say, max_frame=args.max_frame)
    except OSError as exc:
        raise CliError("cannot listen on %s: %s" % (args.listen, exc)) from exc
    say(
        "receiving streams on %s (POST /<name>), storing under %s"
        % (receiver.url("<name>"), args.out)
    )
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.close()
    return 0


def run_send(args):
    """``stream send``: an uplink of FILE, or ``--serve`` it as a downlink."""
    import os

    from jotunheim_host import streams

    if not os.path.isfile(args.file):
        raise CliError("no such file: %s" % args.file)
    if args.serve:
        return _serve(args, streams)
    if not args.target:
        raise CliError("stream send needs a receiver URL (or --serve HOST:PORT)")
    try:
        status = streams.send_file(
            args.target,
            args.file,
            args.id,
            args.chunk_size,
            args.rate,
            args.timeout,
            printer=lambda line: print(line, flush=True),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    print(
        "%s: %s, %d frames, %d bytes %s"
        % (status["id"], status["state"], status["sequence"], status["bytes"], status["error"]),
        flush=True,
    )
    return 0 if status["state"] == "done" else 1


def _serve(args, streams):
    host, port = _listen(args.serve)

    def say(line):
        print(line, flush=True)

    try:
        server = streams.DownlinkServer(
            args.file, host, port, chunk_size=args.chunk_size, rate=args.rate, printer=say
        )
    except OSError as exc:
        raise CliError("cannot listen on %s: %s" % (args.serve, exc)) from exc
    say(
        "serving %s as a downlink on %s?from_sequence=N"
        % (args.file, server.url(args.id or "<name>"))
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
