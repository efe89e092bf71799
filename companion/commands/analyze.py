"""``call-companion analyze FILE``: the live pipeline run headless on a recording."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from companion.commands.store_location import add_store_option, open_store
from companion.errors import CompanionError

EXIT_USER_ERROR = 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="run the live pipeline on a recording or transcript")
    p.add_argument("file", help="WAV, FLAC, MP3, OGG/Opus or M4A recording, or a .txt transcript")
    p.add_argument(
        "--agent",
        default=None,
        metavar="left|right",
        help="the channel that carries the agent (stereo files; default left)",
    )
    p.add_argument("--realtime", action="store_true", help="feed the file at real-time pace")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the analysis here, not stdout")
    p.add_argument("--model", default="bundled", help="speech model: bundled, a folder, or a model name")
    p.add_argument("--text", action="store_true", help="print a readable transcript instead of JSON")
    p.add_argument("--store", action="store_true", help="also keep the call as a session in the store")
    add_store_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from companion.analyze import analyze_file

    if args.store:
        report, error = _analyze_into_store(args)
    else:
        report, error = analyze_file(
            Path(args.file), agent=args.agent, realtime=args.realtime, model=args.model
        )
    if args.text:
        lines = [
            f"[{u['start']:7.2f}-{u['end']:7.2f}] {u['speaker']:>8}: {u['text']}"
            for u in report["utterances"]
        ]
        text = "\n".join(lines)
    else:
        text = json.dumps(report, indent=1)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if error is not None:
        print(f"call-companion: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0


def _analyze_into_store(args: argparse.Namespace) -> tuple[dict[str, Any], CompanionError | None]:
    from companion.analyze import record_file
    from companion.store.recorder import RecorderSettings

    path = Path(args.file)
    with open_store(args) as store:
        session_id, report, error = record_file(
            path, store, args.agent, args.model, RecorderSettings(title=path.stem)
        )
    print(f"call-companion: stored as session {session_id}", file=sys.stderr)
    return report, error
