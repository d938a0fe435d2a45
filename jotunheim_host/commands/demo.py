# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim demo``: a reference Loki and a simulated device, end to end, on free local ports."""


def register(subparsers):
    p = subparsers.add_parser(
        "demo",
        help="run the end-to-end demo (reference Loki + simulated device, no hardware)",
        description="Start the reference Loki and a simulated device on free 127.0.0.1 ports and "
        "walk through network join, negotiation, tool calls through Loki, a streamed script, "
        "and signed OTA updates (applied, tampered, broken and rolled back). Exits 0 when every "
        "step passed.",
    )
    p.add_argument("--keep", action="store_true", help="keep the work folder (printed at start)")
    p.set_defaults(func=run)


def run(args):
    from jotunheim_host.demo import run_demo

    return run_demo(keep=args.keep)
