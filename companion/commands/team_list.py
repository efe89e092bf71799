"""``sessions list --team``: the team database's sessions this login may see, as the local list shows them."""

from __future__ import annotations

import argparse

from companion.commands.sessions import summary_dict
from companion.commands.team import db_url
from companion.store.records import SessionSummary
from companion.team import library
from companion.team.connection import connect


def team_rows(args: argparse.Namespace) -> tuple[list[SessionSummary], list[dict[str, object]]]:
    """(rows for the table, the local list's JSON fields with ``audio`` saying ``team:<uid>``)."""
    limit = args.limit if args.limit is not None else 1000
    with connect(db_url(args)) as conn:
        found = library.list_sessions(conn, library.TeamFilter(search=args.search or "", limit=limit))
    dicts = [summary_dict(s.summary) | {"audio": f"team:{s.summary.uid}" if s.audio_bytes else None} for s in found]
    return [s.summary for s in found], dicts
