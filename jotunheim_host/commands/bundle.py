# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim bundle --out DIR``: the CircuitPython bundle of the device library, for circup.

Exit codes: 0 built (``.mpy`` bundles may be missing: a warning says why), 1 the build failed.
"""

import os

from jotunheim_host.cli import CliError


def register(subparsers):
    """Add the ``bundle`` subcommand.

    :param subparsers: the ``jotunheim`` parser's subparsers
    """
    p = subparsers.add_parser(
        "bundle",
        help="build the circup bundle of the device library (jotunheim-py-VERSION.zip)",
        description="Build the CircuitPython bundle of the device library with "
        "circuitpython-build-tools, offline: DIR/jotunheim-py-VERSION.zip and "
        "DIR/jotunheim-VERSION.json, plus DIR/jotunheim-9.x-mpy-VERSION.zip and "
        "-10.x-mpy- when CircuitPython's mpy-cross is given. Only jotunheim/ enters it.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the bundle files")
    p.add_argument(
        "--mpy-cross",
        action="append",
        default=[],
        metavar="TARGET=PATH",
        help="CircuitPython's mpy-cross for TARGET (9.x or 10.x); repeat per target. "
        "Checked to write the .mpy format that CircuitPython loads.",
    )
    p.add_argument(
        "--register",
        action="store_true",
        help="also put the built bundle into circup's bundle cache, as `circup bundle-add` "
        "and a download would, so `circup --offline install jotunheim` finds it",
    )
    p.add_argument(
        "--repo",
        metavar="OWNER/NAME",
        help="with --register: the bundle's name in circup (default: from __repo__)",
    )
    p.add_argument(
        "--circup-data",
        metavar="DIR",
        help="with --register: circup's data folder (default: circup's own, which honours "
        "XDG_DATA_HOME)",
    )
    p.set_defaults(func=run)


def _compilers(pairs):
    compilers = {}
    for pair in pairs:
        target, sep, path = pair.partition("=")
        if not sep or not path:
            raise CliError("--mpy-cross %r: expected TARGET=PATH, e.g. 9.x=./mpy-cross-9" % pair)
        if not os.path.isfile(path):
            raise CliError("--mpy-cross %s: %s is not a file" % (target, path))
        compilers[target] = path
    return compilers


def run(args):
    """Build (and optionally register) the bundle.

    :param args: the parsed ``bundle`` arguments
    :returns: the exit code
    """
    import time

    from jotunheim_host import bundle

    started = time.monotonic()
    try:
        result = bundle.build(args.out, mpy_cross=_compilers(args.mpy_cross))
        for path in [result["py"], *result["mpy"].values(), result["json"]]:
            print("built %s (%d bytes)" % (path, os.path.getsize(path)))
        if args.register:
            for folder in bundle.register_with_circup(
                args.out, result["version"], args.repo, args.circup_data
            ):
                print("registered with circup: %s" % folder)
    except bundle.BundleError as exc:
        raise CliError(str(exc)) from None
    print("jotunheim %s bundled in %.1f s" % (result["version"], time.monotonic() - started))
    return 0
