# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim loki``: run the reference Loki (gRPC-Web ``loki.LokiService``, real Lua)."""

import os
import sys


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


def _device_entry(text):
    import argparse

    from ..loki.access import DeviceEntry

    device_id, sep, tokens = text.partition("=")
    token, _, call_token = tokens.partition(":")
    if not sep or not device_id or not token:
        raise argparse.ArgumentTypeError(f"{text!r} is not ID=TOKEN[:CALL_TOKEN]")
    return DeviceEntry(device_id, token, call_token)


def _policy(args):
    """The AccessPolicy the options describe; CliError when they say nothing or clash."""
    from jotunheim_host.cli import CliError

    from ..loki.access import AccessPolicy

    quotas = {"max_scripts": args.max_scripts_per_caller, "max_bytes": args.max_bytes_per_caller}
    quotas = {k: v for k, v in quotas.items() if v is not None}
    try:
        if args.open:
            if args.admin_token or args.device or args.auth_file or args.device_token:
                raise ValueError("--open takes no tokens (admin, device, auth file, call token)")
            return AccessPolicy.open(**quotas)
        if args.auth_file:
            return AccessPolicy.from_file(
                args.auth_file,
                admin_token=args.admin_token,
                device_token=args.device_token,
                devices=args.device,
                **quotas,
            )
        return AccessPolicy(
            admin_token=args.admin_token,
            devices=args.device,
            device_token=args.device_token,
            **quotas,
        )
    except ValueError as exc:
        raise CliError(
            f"{exc} (give --admin-token, --device or --auth-file; or --open for a local demo)"
        ) from None


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
        "--scripts",
        required=True,
        metavar="DIR",
        help="folder Loki keeps registered scripts in (created if missing; use a folder of its"
        " own: Loki writes a .lua and a .json file per script)",
    )
    parser.add_argument(
        "--ota-dir",
        metavar="DIR",
        help="serve this folder at /ota/ for updates (created if missing)",
    )
    parser.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate")
    parser.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    parser.add_argument(
        "--open",
        action="store_true",
        help="OPEN MODE: no caller authentication, for local demos only",
    )
    parser.add_argument(
        "--admin-token",
        default=os.environ.get("JOTUNHEIM_LOKI_ADMIN_TOKEN", ""),
        metavar="TOKEN",
        help="the operator's bearer token (default $JOTUNHEIM_LOKI_ADMIN_TOKEN)",
    )
    parser.add_argument(
        "--device",
        action="append",
        default=[],
        type=_device_entry,
        metavar="ID=TOKEN[:CALL_TOKEN]",
        help=(
            "a device allowed to call Loki with TOKEN (its JOTUNHEIM_LOKI_TOKEN);"
            " device.call sends it CALL_TOKEN (its JOTUNHEIM_TOKEN). Repeatable"
        ),
    )
    parser.add_argument(
        "--auth-file",
        default=os.environ.get("JOTUNHEIM_LOKI_AUTH_FILE", ""),
        metavar="FILE",
        help="JSON file with admin_token, devices, quotas (default $JOTUNHEIM_LOKI_AUTH_FILE)",
    )
    parser.add_argument(
        "--device-token",
        default=os.environ.get("JOTUNHEIM_DEVICE_TOKEN", ""),
        metavar="TOKEN",
        help=(
            "call token for devices configured without their own"
            " (default $JOTUNHEIM_DEVICE_TOKEN; not in open mode)"
        ),
    )
    parser.add_argument(
        "--max-scripts-per-caller",
        type=_positive(int),
        default=None,
        help="scripts each device (or anonymous) may own (default 256)",
    )
    parser.add_argument(
        "--max-bytes-per-caller",
        type=_positive(int),
        default=None,
        help="bytes each device (or anonymous) may store (default 16 MiB)",
    )
    parser.add_argument(
        "--workers",
        type=_positive(int),
        default=8,
        help="script worker processes alive at most (default 8)",
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
    parser.add_argument(
        "--advertise",
        nargs="?",
        const="loki",
        choices=("loki", "controller"),
        help="advertise on mDNS (loopback only) as _loki._tcp, or as _edda-controller._tcp "
        "with 'controller' (see docs/discovery.md)",
    )
    parser.add_argument(
        "--created-at",
        type=int,
        metavar="SECONDS",
        help="created_at advertised (seconds since 1970; default now): the oldest leads",
    )
    parser.set_defaults(func=run)


def _advertise(args, server):
    """The mDNS advertisement --advertise asks for (None without it)."""
    import time

    from jotunheim_host.mdns_adapter import advertise

    kind = "_edda-controller" if args.advertise == "controller" else "_loki"
    created = args.created_at if args.created_at is not None else int(time.time())
    name = "loki-%d@%d" % (server.port, created)
    txt = {"version": "1", "created_at": str(created)}
    adv = advertise(kind, server.port, txt, instance_name=name)
    print(f"advertised {name} as {kind}._tcp on mDNS (127.0.0.1)", flush=True)
    return adv


def _ensure_folder(option, folder):
    """Create ``folder`` when missing (one INFO line says so); CliError when it cannot be."""
    from jotunheim_host.cli import CliError

    if os.path.isdir(folder):
        return
    if os.path.exists(folder):
        raise CliError(f"{option} {folder!r} is not a folder")
    try:
        os.makedirs(folder)
    except OSError as exc:
        raise CliError(f"cannot create {option} {folder!r}: {exc}") from None
    print(f"INFO created {option} folder {os.path.realpath(folder)}", file=sys.stderr, flush=True)


def _warn_shared_scripts_folder(folder):
    """One WARNING line when --scripts holds files Loki would not write (a repo's own
    scripts/ with bootstrap.sh, say): Loki's .lua/.json files would land among them."""
    others = sorted(
        name
        for name in os.listdir(folder)
        if not name.startswith(".") and os.path.splitext(name)[1] not in (".lua", ".json")
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        print(
            f"WARNING --scripts {folder!r} also holds {shown}: Loki writes a .lua and a .json"
            " file per registered script there; give it a folder of its own",
            file=sys.stderr,
            flush=True,
        )


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
    for option, folder in (("--scripts", args.scripts), ("--ota-dir", args.ota_dir)):
        if folder:
            _ensure_folder(option, folder)
    _warn_shared_scripts_folder(args.scripts)
    for flag, path in (("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key)):
        if path and not os.path.isfile(path):
            raise CliError(f"{flag} {path!r} is not a file")
    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("--tls-cert and --tls-key go together")
    limits = Limits(
        max_instructions=args.max_instructions,
        max_seconds=args.max_seconds,
        max_memory=int(args.max_memory_mb * 1024 * 1024),
    )
    policy = _policy(args)
    host, port = args.listen
    server = LokiServer(
        args.scripts,
        host=host,
        port=port,
        ota_dir=args.ota_dir,
        policy=policy,
        limits=limits,
        threads=args.threads,
        workers=args.workers,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
    )
    try:
        server.start()
    except OSError as exc:
        raise CliError(f"cannot listen on {host}:{port}: {exc}") from None
    count = len(server.service.store.list())
    print(f"Loki listening on {server.url}  ({count} script(s) in {server.service.store.root})")
    if args.ota_dir:
        print(f"OTA files: {server.url}/ota/  <- {os.path.realpath(args.ota_dir)}")
    if policy.open_mode:
        print(
            "WARNING: OPEN MODE - anyone who reaches this port may register and run scripts;"
            " device.call sends no credentials. For local demos only.",
            flush=True,
        )
    else:
        print(
            f"caller tokens: admin={'yes' if policy.admin_token else 'no'},"
            f" devices={len(policy.devices)}"
        )
    adv = _advertise(args, server) if args.advertise else None
    print("Ctrl-C to stop.", flush=True)
    _stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped.")
    finally:
        if adv is not None:
            adv.deinit()  # goodbye: devices fail over at once
    return 0
