"""``call-companion sessions list|recover``: the stored calls, for scripts and people."""

from __future__ import annotations

import argparse
import json

from companion.commands.store_location import add_store_option, open_store, store_exists
from companion.store.lengths import length_text
from companion.store.recorder import default_spool_dir
from companion.store.records import SessionSummary
from companion.store.recovery import recover


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="list the stored calls, or recover calls cut off by a crash")
    actions = p.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="list the stored calls, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.add_argument("--search", metavar="WORDS", help="only calls whose transcript has these words")
    listing.add_argument("--limit", type=int, default=None, help="at most this many calls")
    listing.add_argument("--team", action="store_true", help="the team database's calls this login may see (--db)")
    listing.add_argument("--db", metavar="URL", default=None, help="the team database (with --team)")
    add_store_option(listing)
    listing.set_defaults(handler=run_list)
    rec = actions.add_parser("recover", help="finish calls left open by a crash and save spooled calls")
    add_store_option(rec)
    rec.set_defaults(handler=run_recover)


def summary_dict(s: SessionSummary) -> dict[str, object]:
    return {
        "id": s.id,
        "uid": s.uid,
        "started_at": s.started_at,
        "duration": s.duration,
        "state": s.state,
        "agent": s.agent,
        "title": s.title,
        "sentiment_start": s.sentiment_start,
        "sentiment_end": s.sentiment_end,
        "steps_done": s.steps_done,
        "steps_missed": s.steps_missed,
        "alerts": s.alerts,
        "utterances": s.utterances,
        "audio": str(s.audio) if s.audio else None,
        "note": s.note,
    }


def _mood(value: float | None) -> str:
    return "  –  " if value is None else f"{value:+.2f}"


def run_list(args: argparse.Namespace) -> int:
    if args.team:
        from companion.commands.team_list import team_rows

        rows, dicts = team_rows(args)
    else:
        rows = []
        if store_exists(args):  # no calls kept yet: an empty list, not an error
            with open_store(args, readonly=True) as store:
                rows = store.sessions(search=args.search, limit=args.limit)
        dicts = [summary_dict(s) for s in rows]
    if args.json:
        print(json.dumps(dicts, indent=1))
        return 0
    if not rows:
        print("no sessions")
        return 0
    print(f"{'id':>5}  {'started (UTC)':<19}  {'length':>8}  {'agent':<12}  mood start→end  missed  alerts  state")
    for s in rows:
        started = s.started_at.replace("T", " ")[:19]
        print(
            f"{s.id:>5}  {started:<19}  {length_text(s.duration):>8}  {s.agent[:12]:<12}  "
            f"{_mood(s.sentiment_start)} → {_mood(s.sentiment_end)}  "
            f"{s.steps_missed:>6}  {s.alerts:>6}  {s.state}"
        )
    return 0


def run_recover(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        recovered = recover(store, default_spool_dir())
    for r in recovered:
        print(r.message)
    if not recovered:
        print("nothing to recover")
    return 0
