"""``call-companion import FILE``: a session bundle, or a recording analysed and stored as a session."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from companion import exit_codes
from companion.audio.files import parse_channel_pick
from companion.commands.channels import add_channels_option
from companion.commands.playbook_choice import chosen_playbook
from companion.commands.store_location import add_store_option, open_store
from companion.store.bundle import SUFFIX, import_bundle
from companion.store.recorder import RecorderSettings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help=f"import a session bundle ({SUFFIX}) or a call recording")
    p.add_argument("file", type=Path, help="a bundle made by 'export --format bundle', or a recording")
    p.add_argument("--agent", default=None, metavar="left|right", help="the agent's channel (stereo recordings)")
    add_channels_option(p)
    p.add_argument("--agent-name", default="", help="the agent's name, kept with the session")
    p.add_argument("--model", default="bundled", help="speech model for recordings")
    p.add_argument("--no-redact", action="store_true", help="store card numbers and the like in the clear")
    p.add_argument("--playbook", default=None, metavar="FILE", help="the playbook to score recordings by")
    add_store_option(p)
    p.set_defaults(handler=run)


def is_bundle(path: Path) -> bool:
    return path.suffix == SUFFIX or (zipfile.is_zipfile(path) and path.suffix.lower() not in (".m4a", ".mp4"))


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if path.exists() and is_bundle(path):
        with open_store(args) as store:
            result = import_bundle(store, path)
        print(f"{path}: {result.message}")
        return 0
    from companion.analysis.coach import coach_for
    from companion.call_analysis import record_file

    # Before the store is opened: a bad --playbook or --channels must leave nothing behind.
    channels = parse_channel_pick(args.channels) if args.channels else None
    playbook = chosen_playbook(args.playbook, "importing")
    coach = coach_for(playbook) if playbook is not None else None
    settings = RecorderSettings(agent=args.agent_name, redact=not args.no_redact, title=path.stem)
    with open_store(args) as store:
        session_id, _report, error = record_file(
            path, store, args.agent, args.model, settings, coach=coach, channels=channels
        )
    print(f"{path}: imported as session {session_id}")
    if error is not None:
        print(f"call-companion: {error} (the part before it was kept)", file=sys.stderr)
        return exit_codes.USER_ERROR
    return 0
