# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim protogen``: regenerate jotunheim/pb/ (and the betterproto reference) from proto/."""

from jotunheim_host.cli import CliError


def register(subparsers):
    p = subparsers.add_parser(
        "protogen",
        help="regenerate jotunheim/pb/ from proto/*.proto",
        description="Regenerate the device codec tables (jotunheim/pb/) and the betterproto "
        "reference modules (jotunheim_host/reference_pb/) from proto/*.proto.",
    )
    p.add_argument("--proto-dir", help="folder of .proto files (default: proto/)")
    p.add_argument("--out", help="output folder for the device modules (default: jotunheim/pb/)")
    p.add_argument("--no-reference", action="store_true", help="skip the betterproto reference")
    p.set_defaults(func=run)


def run(args):
    from jotunheim_host import protogen

    proto_dir = args.proto_dir or protogen.PROTO_DIR
    out_dir = args.out or protogen.PB_DIR
    try:
        written = protogen.generate(proto_dir, out_dir)
        if not args.no_reference and not args.out:
            protogen.generate_betterproto(proto_dir)
    except (RuntimeError, OSError) as exc:
        raise CliError(str(exc)) from exc
    for path in written:
        print("wrote", path)
    return 0
