# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim deploy APP_DIR --to CIRCUITPY``: copy an app onto a board, safely."""

from jotunheim_host.cli import CliError


def register(subparsers):
    p = subparsers.add_parser(
        "deploy",
        help="copy an app folder (code.py, boot.py, jotunheim.json, assets) onto CIRCUITPY",
        description="Validate APP_DIR/jotunheim.json with the device's own validator, copy the "
        "app's files onto the board (temporary name, fsync, rename; unchanged files left "
        "alone), merge settings.toml without touching the board's values, and install the "
        "libraries the app imports with circup. Exit codes: 0 deployed, 1 refused or "
        "libraries missing, 2 usage error.",
    )
    p.add_argument("app_dir", metavar="APP_DIR", help="the app folder (holds code.py)")
    p.add_argument(
        "--to",
        required=True,
        metavar="CIRCUITPY_PATH",
        help="the board's drive (or a folder playing it, with a boot_out.txt)",
    )
    p.add_argument("--dry-run", action="store_true", help="say what would be copied; write nothing")
    p.add_argument(
        "--offline",
        action="store_true",
        help="run circup with --offline (its bundle cache only, no network)",
    )
    p.add_argument("--no-install", action="store_true", help="copy files only; do not run circup")
    p.set_defaults(func=run)


def run(args):
    from jotunheim_host.deploy import DeployError, deploy

    try:
        report = deploy(
            args.app_dir,
            args.to,
            dry_run=args.dry_run,
            offline=args.offline,
            install=not args.no_install,
        )
    except DeployError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError("cannot write to %s: %s" % (args.to, exc)) from None
    for line in report.lines(args.dry_run):
        print(line)
    if report.missing and args.no_install:
        print("not installed (--no-install): " + ", ".join(report.missing))
    elif report.missing:
        code, output = report.circup if report.circup else (None, "")
        detail = "circup exited %s" % code if code is not None else output
        tail = output.splitlines()[-1] if output and code is not None else ""
        raise CliError(
            "libraries missing on %s: %s (%s%s); install them with `circup --path %s install %s`"
            % (
                args.to,
                ", ".join(report.missing),
                detail,
                ": " + tail if tail else "",
                args.to,
                " ".join(report.missing),
            )  # fmt: skip
        )
    print("dry run: nothing written" if args.dry_run else "deployed to %s" % args.to)
    return 0
