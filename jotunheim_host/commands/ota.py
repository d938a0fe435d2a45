# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim ota``: keys, build, serve, and the device-side steps run against a folder
playing CIRCUITPY (the same ``jotunheim.ota`` code a board runs).

Fault injection for tests: ``JOTUNHEIM_OTA_KILL_AFTER_WRITES=N`` makes ``apply``,
``boot`` and ``rollback`` SIGKILL themselves right after their N-th filesystem write.
"""

import json
import os
import sys


def register(subparsers):
    p = subparsers.add_parser("ota", help="over-the-air updates: keys, build, serve, apply")
    sub = p.add_subparsers(dest="ota_command", metavar="STEP")

    k = sub.add_parser("keygen", help="new Ed25519 signing key (writes KEY and KEY.pub)")
    k.add_argument(
        "--out",
        required=True,
        metavar="KEY",
        help="private key file to write (missing folders are created); KEY.pub gets the public key",
    )
    k.add_argument("--force", action="store_true", help="overwrite an existing key")
    k.set_defaults(func=_keygen)

    b = sub.add_parser("build", help="manifest + signature + files for SRC")
    b.add_argument("src", help="folder holding the files of the update (as on CIRCUITPY)")
    b.add_argument("--version", type=int, required=True, help="monotonic integer version")
    b.add_argument("--key", required=True, help="the private key from `ota keygen`")
    b.add_argument(
        "--out", required=True, help="output folder (manifest.json, its signature, files/)"
    )
    b.add_argument("--package", default="app", help="package name devices may expect (default app)")
    b.add_argument("--board", action="append", help="board id (repeat); default: any")
    b.add_argument("--version-name", help="human-readable version, e.g. 1.2.0 (default: VERSION)")
    b.add_argument(
        "--min-circuitpython",
        default="9.0.0",
        help="oldest CircuitPython the update runs on (default 9.0.0)",
    )
    b.add_argument(
        "--expires-days",
        type=float,
        default=365.0,
        help="days until devices refuse the manifest (default 365)",
    )
    b.add_argument(
        "--allow-downgrade",
        action="store_true",
        help="let devices install it over a newer version",
    )
    b.add_argument(
        "--boot-py",
        action="store_true",
        help="the update carries boot.py (devices need ota.allow_boot_py to install it)",
    )
    b.set_defaults(func=_build)

    s = sub.add_parser("serve", help="serve a built folder over HTTP (Range supported)")
    s.add_argument("dir", help="a folder built by `ota build`")
    s.add_argument(
        "--listen", default="127.0.0.1:8266", help="HOST:PORT to serve on (default 127.0.0.1:8266)"
    )
    s.set_defaults(func=_serve)

    a = sub.add_parser("apply", help="download, verify and activate an update into --root")
    _root(a)
    a.add_argument(
        "--manifest-url", required=True, help="URL of manifest.json (e.g. from `ota serve`)"
    )
    a.add_argument(
        "--pubkey",
        required=True,
        action="append",
        metavar="KEY",
        help="trusted key: the hex string `ota keygen` prints, or a .pub/PEM file (repeat)",
    )
    a.add_argument("--board", help="this device's board id (default: skip the board check)")
    a.add_argument("--package", help="expected package name")
    a.add_argument("--allow-downgrade", action="store_true", help="device-side downgrade flag")
    a.add_argument(
        "--allow-boot-py", action="store_true", help="device-side ota.allow_boot_py setting"
    )
    a.add_argument(
        "--check-only", action="store_true", help="verify the manifest, download nothing"
    )
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.set_defaults(func=_apply)

    bt = sub.add_parser("boot", help="what boot.py does: finish/undo, count trial boots")
    _root(bt)
    bt.add_argument(
        "--max-boots",
        type=int,
        default=3,
        help="unconfirmed trial boots before a rollback (default 3)",
    )
    bt.add_argument(
        "--confirm-window",
        type=int,
        default=120,
        help="seconds the app has to call jotunheim.ota.confirm() (default 120)",
    )
    bt.add_argument(
        "--run",
        metavar="FILE",
        help="then run the app (e.g. code.py in the root); its jotunheim.ota.confirm() "
        "confirms the trial of --root",
    )
    bt.set_defaults(func=_boot)

    st = sub.add_parser("status", help="print the OTA state as JSON")
    _root(st)
    st.set_defaults(func=_status)

    c = sub.add_parser("confirm", help="mark the running version healthy")
    _root(c)
    c.set_defaults(func=_confirm)

    r = sub.add_parser("rollback", help="put the previous version back")
    _root(r)
    r.set_defaults(func=_rollback)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _root(parser):
    parser.add_argument("--root", required=True, help="folder playing CIRCUITPY")


def _error(msg):
    from jotunheim_host.cli import CliError

    return CliError(msg)


def _install_fault_hook():
    limit = os.environ.get("JOTUNHEIM_OTA_KILL_AFTER_WRITES")
    if not limit:
        return
    import signal

    from jotunheim.ota import journal

    count = [0]
    limit = int(limit)

    def hook(op, path):
        count[0] += 1
        if count[0] >= limit:
            os.kill(os.getpid(), signal.SIGKILL)

    journal.set_fault_hook(hook)


def _keygen(args):
    from jotunheim.ota.manifest import key_id
    from jotunheim_host import ota_tools

    if os.path.exists(args.out) and not args.force:
        raise _error("%s exists (use --force to overwrite)" % args.out)
    try:
        pub = ota_tools.generate_key(args.out)
    except OSError as exc:
        raise _error("cannot write %s: %s" % (args.out, exc)) from None
    print(
        "private key: %s\npublic key:  %s.pub\nkey id:      %s" % (args.out, args.out, key_id(pub))
    )
    print("public key (hex, paste into the device settings): %s" % pub.hex())
    return 0


def _build(args):
    import time

    from jotunheim.ota.errors import OTAError
    from jotunheim_host import ota_tools

    if not os.path.isdir(args.src):
        raise _error("%s is not a folder" % args.src)
    try:
        doc = ota_tools.build(
            args.src,
            args.out,
            args.version,
            args.key,
            package=args.package,
            version_name=args.version_name,
            boards=args.board or ["*"],
            min_circuitpython=args.min_circuitpython,
            expires=int(time.time() + args.expires_days * 86400),
            allow_downgrade=args.allow_downgrade,
            boot_py=args.boot_py,
        )
    except OTAError as exc:  # a path every device would refuse: fail the build instead
        raise _error("%s: %s" % (exc.code, exc.message)) from None
    except (OSError, ValueError) as exc:
        raise _error(str(exc)) from None
    total = sum(f["size"] for f in doc["files"])
    print(
        "built %s v%d (%s): %d files, %d bytes -> %s"
        % (doc["package"], doc["version"], doc["version_name"], len(doc["files"]), total, args.out)
    )
    return 0


def _serve(args):
    from jotunheim_host import ota_tools

    host, _, port = args.listen.rpartition(":")
    server = ota_tools.make_server(args.dir, host or "127.0.0.1", int(port))
    server.verbose = True
    print("serving %s on http://%s:%d/manifest.json" % ((args.dir,) + server.server_address[:2]))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


_last = [-1]


def _progress(done, total):
    width = 30
    pct = 100 * done // total if total else 100
    if pct == _last[0]:
        return
    _last[0] = pct
    filled = width * pct // 100
    sys.stderr.write(
        "\r[%s%s] %3d%% %d/%d bytes" % ("#" * filled, "." * (width - filled), pct, done, total)
    )
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _apply(args):
    from jotunheim.ota import errors
    from jotunheim.ota.fetcher import Fetcher
    from jotunheim_host.ota_tools import load_public_key

    _install_fault_hook()
    try:
        keys = [load_public_key(p) for p in args.pubkey]
    except (OSError, ValueError) as exc:
        raise _error("cannot read public key: %s" % exc) from None
    fetcher = Fetcher(
        args.manifest_url,
        keys,
        root=args.root,
        board_id=args.board,
        package=args.package,
        firmware_version=None,
        device_allows_downgrade=args.allow_downgrade,
        allow_boot_py=args.allow_boot_py,
        progress=None if args.quiet else _progress,
    )
    try:
        man = fetcher.check()
        print(
            "manifest ok: %s v%d (%s), %d files, %d bytes"
            % (man.package, man.version, man.version_name, len(man.files), man.total_size)
        )
        if args.check_only:
            return 0
        fetcher.download(man)
        state = fetcher.installer.activate(man)
    except errors.OTAError as exc:
        raise _error("%s: %s" % (exc.code, exc.message)) from None
    print(
        "activated v%d (trial: confirm it, or it rolls back after failed boots)" % state["version"]
    )
    return 0


def _boot(args):
    import runpy

    from jotunheim.ota import boot

    _install_fault_hook()
    result = boot.run(
        args.root,
        max_trial_boots=args.max_boots,
        confirm_window_s=args.confirm_window,
        remount=False,
    )
    state = result["state"]
    print(
        "boot: recovered=%s action=%s version=%s trial=%s boots=%d"
        % (result["recovered"], result["action"], state["version"], state["trial"], state["boots"])
    )
    if args.run:
        # boot.run made --root the default root of jotunheim.ota.confirm()/status().
        print("running %s (jotunheim.ota.confirm() acts on %s)" % (args.run, args.root))
        sys.stdout.flush()
        try:
            runpy.run_path(args.run, init_globals={"OTA_ROOT": args.root}, run_name="__main__")
        except Exception as exc:  # the app crashed: like a board, this boot failed
            print("app crashed: %s: %s" % (type(exc).__name__, exc), file=sys.stderr)
            return 3
    return 0


def _status(args):
    from jotunheim.ota import status

    print(json.dumps(status(args.root), indent=1, sort_keys=True))
    return 0


def _confirm(args):
    from jotunheim.ota import confirm

    if not confirm(args.root):  # confirm() prints its own line when it ends a trial
        print("nothing on trial under %s" % args.root)
    return 0


def _rollback(args):
    from jotunheim.ota import errors, rollback

    _install_fault_hook()
    try:
        state = rollback(args.root)
    except errors.OTAError as exc:
        raise _error("%s: %s" % (exc.code, exc.message)) from None
    print("rolled back to v%s" % state["version"])
    return 0
