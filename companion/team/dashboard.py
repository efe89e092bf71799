"""The lead's dashboard: per agent and week, the figures that say who needs coaching on what.

Calls, customer recovery (end minus lowest mood), time to first empathy, the
share of calls in which each playbook step was done, pitfalls per call and the
agent's share of the talk.  Two grouped queries over the sessions this login
may see (the policies decide which); the window draws them and writes them as CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import psycopg

from companion.team.connection import database_error

DEFAULT_DAYS = 90


@dataclass
class AgentWeek:
    agent: str
    login: str
    week: date  # the Monday the week starts
    calls: int
    recovery: float | None
    first_empathy_s: float | None
    pitfalls_per_call: float
    talk_ratio: float | None
    steps: dict[str, float] = field(default_factory=dict)  # step id -> share of calls with it done


def dashboard(conn: psycopg.Connection, days: int = DEFAULT_DAYS, until: datetime | None = None) -> list[AgentWeek]:
    """The last ``days`` days, by agent and week (oldest week first)."""
    end = until or datetime.now(UTC)
    start = end - timedelta(days=days)
    try:
        with conn.transaction():
            rows = conn.execute(
                "SELECT agent_login, max(agent), date_trunc('week', started_at)::date AS week, count(*), "
                "avg(recovery), avg(first_empathy_s), avg(pitfalls), avg(talk_ratio) "
                "FROM team.sessions WHERE started_at >= %s AND started_at < %s "
                "GROUP BY agent_login, week ORDER BY week, agent_login",
                (start, end),
            ).fetchall()
            shares = conn.execute(
                "SELECT agent_login, week, step, avg((step = ANY (steps_done))::int) FROM ("
                "  SELECT agent_login, date_trunc('week', started_at)::date AS week, steps_done, "
                "         unnest(steps_done || steps_missed) AS step "
                "  FROM team.sessions WHERE started_at >= %s AND started_at < %s) x "
                "GROUP BY agent_login, week, step",
                (start, end),
            ).fetchall()
    except psycopg.Error as exc:
        raise database_error(exc, "cannot read the team dashboard") from exc
    out = {
        (r[0], r[2]): AgentWeek(
            agent=r[1] or r[0],
            login=r[0],
            week=r[2],
            calls=int(r[3]),
            recovery=_float(r[4]),
            first_empathy_s=_float(r[5]),
            pitfalls_per_call=float(r[6] or 0.0),
            talk_ratio=_float(r[7]),
        )
        for r in rows
    }
    for login, week, step, share in shares:
        if (login, week) in out:
            out[(login, week)].steps[step] = float(share)
    return list(out.values())


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def step_ids(rows: list[AgentWeek], order: list[str] | None = None) -> list[str]:
    """The steps the rows hold: those of ``order`` (the playbook's) first, in its order, then any others."""
    seen: dict[str, None] = {}
    for r in rows:
        for step in r.steps:
            seen.setdefault(step, None)
    first = [s for s in order or () if s in seen]
    return first + sorted(s for s in seen if s not in first)


def to_csv(rows: list[AgentWeek], order: list[str] | None = None) -> str:
    """One line per agent and week; step columns are the share of calls with the step done."""
    steps = step_ids(rows, order)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        ["agent", "login", "week", "calls", "recovery", "first_empathy_s", "pitfalls_per_call", "talk_ratio"]
        + [f"step:{s}" for s in steps]
    )
    for r in rows:
        writer.writerow(
            [
                r.agent,
                r.login,
                r.week.isoformat(),
                r.calls,
                _fmt(r.recovery),
                _fmt(r.first_empathy_s),
                _fmt(r.pitfalls_per_call),
                _fmt(r.talk_ratio),
            ]
            + [_fmt(r.steps.get(s)) for s in steps]
        )
    return buf.getvalue()


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
