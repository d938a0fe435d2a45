# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim simulate``: run a simulated device (the real Device, simulated parts) on this host."""

from jotunheim_host.cli import CliError


def register(subparsers):
    p = subparsers.add_parser(
        "simulate",
        help="run a simulated device (sensor, LED, relay, button) that answers JotunheimService",
        description="Run the real jotunheim.Device under CPython/Blinka with simulated parts: a "
        "temperature/humidity sensor, an LED, a relay and a button. Call it with any gRPC-Web "
        "client (e.g. `jotunheim inspect URL`). Stop with Ctrl-C.",
    )
    p.add_argument(
        "--listen",
        default="127.0.0.1:8080",
        metavar="HOST:PORT",
        help="address to serve JotunheimService on (default 127.0.0.1:8080; port 0 picks a "
        "free one)",
    )
    p.add_argument("--loki", metavar="URL", help="Loki to register the tools with")
    p.add_argument("--token", help="bearer token callers must send (default: settings.toml)")
    p.add_argument("--owner-token", help="token for user-only tools (default: settings.toml)")
    p.add_argument("--settings", metavar="FILE", help="a jotunheim.json (default: ROOT's)")
    p.add_argument(
        "--root", metavar="DIR", help="folder playing CIRCUITPY (default: a new temporary folder)"
    )
    p.add_argument("--name", default="simulated-device", help="device name")
    p.add_argument("--device-id", help="device id (default: derived from this host)")
    p.add_argument("--prefix", default="", help="prefix for the Loki script names")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulated values")
    p.add_argument(
        "--advertise",
        action="store_true",
        help="advertise the device as _jotunheim._tcp on mDNS (loopback only)",
    )
    p.add_argument(
        "--ota-pubkey",
        action="append",
        metavar="KEY",
        help="trusted OTA public key: the hex `ota keygen` prints, or a key file (repeat)",
    )
    p.add_argument(
        "--log-level",
        default="INFO",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="what the simulator logs to stderr (default INFO: listening address, Loki "
        "registration, OTA checks/installs/refusals, reboots)",
    )
    p.set_defaults(func=run)


def parse_listen(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise CliError("--listen must be HOST:PORT (e.g. 127.0.0.1:8080), not %r" % text)
    return host, int(port)


def run(args):
    import logging
    import os
    import tempfile

    from jotunheim_host.simulate import SimulatedDevice

    logging.basicConfig(
        level=getattr(logging, args.log_level),
        format="%(asctime)s %(levelname)s %(message)s",
    )
    host, port = parse_listen(args.listen)
    root = args.root or tempfile.mkdtemp(prefix="jotunheim-sim-")
    if args.settings and not os.path.isfile(args.settings):
        raise CliError("settings file %s does not exist" % args.settings)
    keys = None
    if args.ota_pubkey:
        from jotunheim_host.ota_tools import load_public_key

        try:
            keys = [load_public_key(k) for k in args.ota_pubkey]
        except (OSError, ValueError) as exc:
            raise CliError("cannot read OTA public key: %s" % exc) from None
    try:
        sim = SimulatedDevice(
            root,
            host=host,
            port=port,
            loki_url=args.loki,
            token=args.token,
            owner_token=args.owner_token,
            settings_file=args.settings,
            name=args.name,
            device_id=args.device_id,
            script_prefix=args.prefix,
            seed=args.seed,
            ota_keys=keys,
        )
        if sim.device.settings.get("discovery.enabled"):
            from jotunheim_host import mdns_adapter

            sim.device.mdns = mdns_adapter  # the device's discovery over python-zeroconf
        sim.device.start()
    except ValueError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        why = exc.strerror if isinstance(exc.strerror, str) else str(exc)
        raise CliError("%s (or pick another with --listen HOST:PORT)" % why) from None
    device = sim.device
    print("simulated device %s (%s)" % (device.builder.device_name(), device.device_id))
    print("  serving JotunheimService at %s" % device.url)
    print("  root (plays CIRCUITPY): %s" % root)
    print("  Loki: %s" % (device.loki_url or "none"))
    print("  token required: %s" % ("yes" if device.handler.required else "no"))
    print("  tools: %s" % ", ".join(tool.name for tool in device.registry.tools()))
    adv = None
    if args.advertise:
        from jotunheim.discovery.records import device_txt
        from jotunheim_host.mdns_adapter import advertise

        adv = advertise("_jotunheim", device.port, device_txt(device), instance_name=args.name)
        print("  advertised %s as _jotunheim._tcp on mDNS (127.0.0.1)" % args.name)
    print("Ctrl-C to stop.", flush=True)
    try:
        sim.run_forever()
    finally:
        if adv is not None:
            adv.deinit()
    return 0
