"""``call-companion analyze FILE``: the live pipeline run headless on a recording or transcript."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from companion import exit_codes
from companion.audio.files import parse_channel_pick
from companion.commands.channels import add_channels_option
from companion.commands.effort import add_effort_option, effort_from
from companion.commands.playbook_choice import chosen_playbook
from companion.commands.store_location import add_store_option, open_store
from companion.errors import CompanionError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="run the live pipeline on a recording or transcript")
    p.add_argument("file", help="WAV, FLAC, MP3, OGG/Opus or M4A recording, or a .txt transcript")
    p.add_argument(
        "--agent",
        default=None,
        metavar="left|right",
        help="the channel that carries the agent (stereo files; default left)",
    )
    add_channels_option(p)
    p.add_argument("--realtime", action="store_true", help="feed the file at real-time pace (also with --store)")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the analysis here, not stdout")
    p.add_argument("--model", default="bundled", help="speech model: bundled, a folder, or a model name")
    add_effort_option(p)
    p.add_argument(
        "--playbook",
        default=None,
        metavar="FILE",
        help="your team's playbook (YAML); one that is missing or malformed is an error (exit 2)",
    )
    p.add_argument("--text", action="store_true", help="print a readable transcript instead of JSON")
    p.add_argument("--store", action="store_true", help="also keep the call as a session in the store")
    add_store_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from companion.call_analysis import analyze_file

    channels = parse_channel_pick(args.channels) if args.channels else None
    playbook = chosen_playbook(args.playbook, "analysing")
    if args.store:
        report, error = _analyze_into_store(args, playbook, channels)
    else:
        report, error = analyze_file(
            Path(args.file),
            agent=args.agent,
            realtime=args.realtime,
            model=args.model,
            playbook=playbook,
            effort=effort_from(args),
            channels=channels,
        )
    for warning in report.get("warnings", []):
        print(f"call-companion: {warning}", file=sys.stderr)
    if args.text:
        text = "\n".join(_text_line(u) for u in report["utterances"])
    else:
        text = json.dumps(report, indent=1)
    if args.json_out:
        Path(args.json_out).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if error is not None:
        print(f"call-companion: {error}", file=sys.stderr)
        return exit_codes.USER_ERROR
    return 0


def _text_line(u: dict) -> str:
    span = f"{u['start']:7.2f}-{u['end']:7.2f}" if u["start"] is not None else " " * 15
    return f"[{span}] {u['speaker']:>8}: {u['text']}"


def _analyze_into_store(
    args: argparse.Namespace, playbook: Any, channels: tuple[int, int] | None
) -> tuple[dict[str, Any], CompanionError | None]:
    from companion.analysis.coach import coach_for
    from companion.call_analysis import record_file
    from companion.store.recorder import RecorderSettings

    path = Path(args.file)
    coach = coach_for(playbook) if playbook is not None else None
    with open_store(args) as store:
        session_id, report, error = record_file(
            path,
            store,
            args.agent,
            args.model,
            RecorderSettings(title=path.stem),
            coach=coach,
            realtime=args.realtime,
            channels=channels,
        )
    print(f"call-companion: stored as session {session_id}", file=sys.stderr)
    return report, error
