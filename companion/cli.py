"""The command line: the window by default, sub-commands for headless work."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from companion import exit_codes
from companion.commands import analyze, export, gui, import_session, live, sessions, team
from companion.errors import CompanionError

# Each module adds its own sub-command; the window's options live on the top parser.
COMMANDS = (analyze, live, sessions, export, import_session, team, gui)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="call-companion",
        description="A private, local companion for live customer calls.",
    )
    parser.add_argument("--verbose", action="store_true", help="log what the engine does")
    gui.add_options(parser)
    sub = parser.add_subparsers(dest="command")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        handler = getattr(args, "handler", None)
        if handler is None:
            return gui.run(args)  # no sub-command: open the window
        return int(handler(args))
    except CompanionError as exc:
        print(f"call-companion: {exc}", file=sys.stderr)
        return exit_codes.USER_ERROR
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED
