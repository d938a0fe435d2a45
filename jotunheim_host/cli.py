# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The ``jotunheim`` command line: one subcommand per concern.

Each concern lives in its own module that exposes ``register(subparsers)``; the module
adds its parser and sets ``func`` (called with the parsed args, returns an exit code).
Modules keep heavy imports inside their functions so ``--help`` stays fast.
"""

import argparse
import importlib
import sys

# (module, what it provides) — the order is the order in --help.
COMMAND_MODULES = (
    "jotunheim_host.commands.loki",
    "jotunheim_host.commands.simulate",
    "jotunheim_host.commands.ota",
    "jotunheim_host.commands.demo",
    "jotunheim_host.commands.inspect",
    "jotunheim_host.commands.call",
    "jotunheim_host.commands.command",
    "jotunheim_host.commands.deploy",
    "jotunheim_host.commands.bundle",
    "jotunheim_host.commands.protogen",
    "jotunheim_host.commands.stream",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jotunheim",
        description="Host tools for Jotunheim devices: reference Loki, simulator, OTA, demo.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that concern has not landed yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CliError as exc:
        print(f"jotunheim {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code


class CliError(Exception):
    """A failure the user can act on: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


if __name__ == "__main__":
    # Run the module's own import, so `python -m jotunheim_host.cli` raises and catches
    # the same CliError class the commands import.
    from jotunheim_host.cli import main as run

    sys.exit(run())
