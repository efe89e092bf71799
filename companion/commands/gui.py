"""The window: ``call-companion`` with no sub-command (options on the top-level parser)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from companion import exit_codes
from companion.commands.effort import add_effort_option


def add_options(parser: argparse.ArgumentParser) -> None:
    window = parser.add_argument_group("window")
    window.add_argument("--demo", action="store_true", help="play the bundled demo call through the live pipeline")
    window.add_argument("--call", action="store_true", help="start a live call on the inputs chosen in Settings")
    window.add_argument("--screenshot", type=Path, metavar="PATH", help="save a PNG of the window (with --quit-after)")
    window.add_argument("--quit-after", type=float, metavar="SECONDS", help="close the window after this long")
    window.add_argument("--compact", action="store_true", default=None, help="start in compact, always-on-top mode")
    window.add_argument("--theme", choices=("auto", "light", "dark"), help="the look for this run")
    window.add_argument("--mute", action="store_true", help="do not play the demo call aloud")
    window.add_argument("--store-dir", type=Path, metavar="DIR", help="keep this run's calls in another session store")
    add_effort_option(window, default=None, extra="; default: the one chosen in Settings")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the companion window (the default)")
    add_options(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from companion.ui.app import WindowOptions, run_window

    if args.screenshot is not None and args.quit_after is None:
        print("call-companion: --screenshot needs --quit-after SECONDS", file=sys.stderr)
        return exit_codes.USER_ERROR
    if args.quit_after is not None and args.quit_after < 0:
        print("call-companion: --quit-after must be 0 or more seconds", file=sys.stderr)
        return exit_codes.USER_ERROR
    return run_window(
        WindowOptions(
            demo=args.demo,
            call=args.call,
            screenshot=args.screenshot,
            quit_after=args.quit_after,
            compact=args.compact,
            theme=args.theme,
            audible=not args.mute,
            store_dir=getattr(args, "store_dir", None),
            effort=getattr(args, "effort", None),
        )
    )
