"""``jotunheim loki``: run the reference Loki (gRPC-Web ``loki.LokiService``, real Lua)."""

import os


def _listen(text):
    import argparse

    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:50051)")
    return host.strip("[]") or "127.0.0.1", int(port)


def _positive(kind):
    import argparse

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
        return value

    return parse


def register(subparsers):
    parser = subparsers.add_parser(
        "loki",
        help="run the reference Loki script service",
        description=(
            "Serve loki.LokiService over gRPC-Web (HTTP/1.1) and run registered Lua scripts "
            "in a sandbox. Scripts persist in --scripts. See docs/loki.md."
        ),
    )
    parser.add_argument(
        "--listen",
        type=_listen,
        default=("127.0.0.1", 50051),
        metavar="HOST:PORT",
        help="address to serve on (default 127.0.0.1:50051; port 0 picks a free one)",
    )
    parser.add_argument(
        "--scripts", required=True, metavar="DIR", help="scripts folder (created if missing)"
    )
    parser.add_argument("--ota-dir", metavar="DIR", help="serve this folder at /ota/ for updates")
    parser.add_argument(
        "--device-token",
        default=os.environ.get("JOTUNHEIM_DEVICE_TOKEN", ""),
        metavar="TOKEN",
        help="bearer token device.call sends to devices (default $JOTUNHEIM_DEVICE_TOKEN)",
    )
    parser.add_argument(
        "--max-instructions",
        type=_positive(int),
        default=200_000_000,
        help="Lua instructions per run (default 200000000)",
    )
    parser.add_argument(
        "--max-seconds", type=_positive(float), default=10.0, help="wall time per run (default 10)"
    )
    parser.add_argument(
        "--max-memory-mb",
        type=_positive(float),
        default=32.0,
        help="Lua heap per run in MiB (default 32)",
    )
    parser.add_argument(
        "--threads", type=_positive(int), default=32, help="HTTP worker threads (default 32)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every registration")
    parser.set_defaults(func=run)


def _stop_on_sigterm():
    """SIGTERM (service managers, `kill`) stops the server as cleanly as Ctrl-C does."""
    import signal
    import threading

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def run(args):
    import logging

    from jotunheim_host.cli import CliError

    from ..loki import Limits, LokiServer

    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if args.ota_dir and not os.path.isdir(args.ota_dir):
        raise CliError(f"--ota-dir {args.ota_dir!r} is not a folder")
    try:
        os.makedirs(args.scripts, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot use --scripts {args.scripts!r}: {exc}") from None
    limits = Limits(
        max_instructions=args.max_instructions,
        max_seconds=args.max_seconds,
        max_memory=int(args.max_memory_mb * 1024 * 1024),
    )
    host, port = args.listen
    server = LokiServer(
        args.scripts,
        host=host,
        port=port,
        ota_dir=args.ota_dir,
        device_token=args.device_token,
        limits=limits,
        threads=args.threads,
    )
    try:
        server.start()
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc}") from None
    count = len(server.service.store.list())
    print(f"Loki listening on {server.url}  ({count} script(s) in {server.service.store.root})")
    if args.ota_dir:
        print(f"OTA files: {server.url}/ota/  <- {os.path.realpath(args.ota_dir)}")
    print("Ctrl-C to stop.", flush=True)
    _stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped.")
    return 0
