"""``call-companion import FILE``: a session bundle, or a recording analysed and stored as a session."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from companion import exit_codes
from companion.analysis.playbook import Playbook, load_playbook_or_default
from companion.commands.store_location import add_store_option, open_store
from companion.errors import PlaybookError
from companion.store.bundle import SUFFIX, import_bundle
from companion.store.recorder import RecorderSettings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help=f"import a session bundle ({SUFFIX}) or a call recording")
    p.add_argument("file", type=Path, help="a bundle made by 'export --format bundle', or a recording")
    p.add_argument("--agent", default=None, metavar="left|right", help="the agent's channel (stereo recordings)")
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
    with open_store(args) as store:
        if path.exists() and is_bundle(path):
            result = import_bundle(store, path)
            print(f"{path}: {result.message}")
            return 0
        from companion.analysis.coach import coach_for
        from companion.call_analysis import record_file

        playbook = _playbook(args.playbook)
        coach = coach_for(playbook) if playbook is not None else None
        settings = RecorderSettings(agent=args.agent_name, redact=not args.no_redact, title=path.stem)
        session_id, _report, error = record_file(path, store, args.agent, args.model, settings, coach=coach)
    print(f"{path}: imported as session {session_id}")
    if error is not None:
        print(f"call-companion: {error} (the part before it was kept)", file=sys.stderr)
        return exit_codes.USER_ERROR
    return 0


def _playbook(path: str | None) -> Playbook | None:
    """The playbook to judge an imported recording by: as ``analyze`` chooses it."""
    try:
        playbook, problem = load_playbook_or_default(Path(path) if path else None)
    except PlaybookError as exc:
        print(f"call-companion: {exc}; importing without a playbook", file=sys.stderr)
        return None
    if problem is not None:
        print(f"call-companion: {problem}; using the default playbook", file=sys.stderr)
    return playbook
