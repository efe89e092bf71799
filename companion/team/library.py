"""Reading the team's sessions: the list (with search and filters), one session whole, its audio, notes.

Every query runs as the login in the URL and sees what the database's policies
let it see; nothing here adds a filter of its own for who may see what.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from companion.store import event_codec
from companion.store.db import new_uid
from companion.store.records import Note, SessionSummary
from companion.store.rows import now_iso
from companion.store.session_data import StoredSession
from companion.team.connection import database_error
from companion.team.errors import TeamError


@dataclass(frozen=True, slots=True)
class TeamFilter:
    """What the Team source's search box and filters ask for (all optional)."""

    search: str = ""  # PostgreSQL full-text search over the settled transcript
    agent: str = ""
    since: str = ""  # ISO date
    until: str = ""
    recovered: bool | None = None  # the customer's mood came back 0.2 or more from its lowest, ending not negative
    step_missed: str = ""
    pitfall: str = ""
    limit: int = 200


RECOVERED_BY = 0.2


@dataclass(frozen=True, slots=True)
class TeamSession:
    """A session as the team store lists it."""

    summary: SessionSummary
    login: str
    team: str
    recovery: float | None
    first_empathy_s: float | None
    talk_ratio: float | None
    steps_missed: tuple[str, ...]
    pitfall_kinds: tuple[str, ...]
    audio_bytes: int


_COLUMNS = (
    "s.id, s.uid, s.started_at, s.duration, s.state, s.agent, s.title, s.source, s.channels, s.playbook_steps, "
    "s.note, s.sentiment_start, s.sentiment_min, s.sentiment_end, cardinality(s.steps_done) AS n_done, "
    "cardinality(s.steps_missed) AS n_missed, s.alerts, s.utterances, s.agent_login, t.name AS team, s.recovery, "
    "s.first_empathy_s, s.talk_ratio, s.steps_missed, s.pitfall_kinds, s.audio_bytes"
)


def list_sessions(conn: psycopg.Connection, f: TeamFilter | None = None) -> list[TeamSession]:
    """The sessions this login may see, newest first, narrowed by ``f``."""
    f = f or TeamFilter()
    where: list[str] = []
    args: list[object] = []
    if f.search.strip():
        where.append("s.transcript @@ websearch_to_tsquery('english', %s)")
        args.append(f.search.strip())
    if f.agent:
        where.append("(s.agent = %s OR s.agent_login = %s)")
        args += [f.agent, f.agent]
    if f.since:
        where.append("s.started_at >= %s::timestamptz")
        args.append(f.since)
    if f.until:
        where.append("s.started_at < %s::timestamptz")
        args.append(f.until)
    if f.recovered is not None:
        recovered = "(coalesce(s.recovery, 0) >= %s AND coalesce(s.sentiment_end, 0) >= 0)"
        where.append(recovered if f.recovered else f"NOT {recovered}")
        args.append(RECOVERED_BY)
    if f.step_missed:
        where.append("%s = ANY (s.steps_missed)")
        args.append(f.step_missed)
    if f.pitfall:
        where.append("%s = ANY (s.pitfall_kinds)")
        args.append(f.pitfall)
    sql = f"SELECT {_COLUMNS} FROM team.sessions s JOIN team.teams t ON t.id = s.team_id"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY s.started_at DESC, s.id DESC LIMIT %s"
    args.append(max(1, f.limit))
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(sql, args).fetchall()
    except psycopg.Error as exc:
        raise database_error(exc, "cannot list the team's sessions") from exc
    return [_team_session(r) for r in rows]


def _team_session(r: dict) -> TeamSession:
    summary = SessionSummary(
        id=int(r["id"]),
        uid=r["uid"],
        started_at=r["started_at"].isoformat(timespec="seconds"),
        duration=float(r["duration"]),
        state=r["state"],
        agent=r["agent"],
        title=r["title"],
        source=r["source"],
        channels=tuple((a, b) for a, b in r["channels"]),
        playbook_steps=tuple((a, b) for a, b in r["playbook_steps"]),
        audio=None,
        redacted=True,
        note=r["note"],
        sentiment_start=r["sentiment_start"],
        sentiment_min=r["sentiment_min"],
        sentiment_end=r["sentiment_end"],
        steps_done=int(r["n_done"]),
        steps_missed=int(r["n_missed"]),
        alerts=int(r["alerts"]),
        utterances=int(r["utterances"]),
    )
    return TeamSession(
        summary,
        r["agent_login"],
        r["team"],
        r["recovery"],
        r["first_empathy_s"],
        r["talk_ratio"],
        tuple(r["steps_missed"]),
        tuple(r["pitfall_kinds"]),
        int(r["audio_bytes"]),
    )


def team_session(conn: psycopg.Connection, uid: str) -> TeamSession:
    try:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                f"SELECT {_COLUMNS} FROM team.sessions s JOIN team.teams t ON t.id = s.team_id WHERE s.uid = %s",
                (uid,),
            ).fetchone()
    except psycopg.Error as exc:
        raise database_error(exc, "cannot read the session") from exc
    if row is None:
        raise TeamError(f"there is no session {uid} in the team database that this login may see")
    return _team_session(row)


def load_session(conn: psycopg.Connection, uid: str) -> StoredSession:
    """One session whole (row, events, notes), as the replay reads a local one."""
    session = team_session(conn, uid)
    try:
        with conn.transaction():
            rows = conn.execute(
                "SELECT type, data FROM team.events WHERE session_uid = %s ORDER BY seq", (uid,)
            ).fetchall()
            notes = session_notes(conn, uid)
    except psycopg.Error as exc:
        raise database_error(exc, "cannot read the session") from exc
    events = tuple(event_codec.decode(t, d) for t, d in rows)
    return StoredSession(session.summary, events, tuple(notes))


def session_notes(conn: psycopg.Connection, uid: str) -> list[Note]:
    rows = conn.execute(
        "SELECT uid, t, author, text, kind, created_at FROM team.notes WHERE session_uid = %s ORDER BY t, created_at",
        (uid,),
    ).fetchall()
    return [Note(r[0], float(r[1]), r[2], r[3], r[4], r[5].isoformat(timespec="seconds")) for r in rows]


def audio_chunks(conn: psycopg.Connection, uid: str) -> Iterator[bytes]:
    """The session's audio, chunk by chunk in order (a server-side cursor: one chunk in memory at a time)."""
    try:
        with conn.transaction(), conn.cursor(name="audio") as cur:
            cur.itersize = 4
            cur.execute("SELECT data FROM team.audio_chunks WHERE session_uid = %s ORDER BY n", (uid,))
            for (data,) in cur:
                yield bytes(data)
    except psycopg.Error as exc:
        raise database_error(exc, "cannot read the session's audio") from exc


def save_audio(conn: psycopg.Connection, uid: str, out: Path) -> Path | None:
    """Stream the audio to ``out`` (replaced in one step); None when the session has none."""
    part = out.with_name(out.name + ".part")
    wrote = False
    try:
        with open(part, "wb") as fh:
            for chunk in audio_chunks(conn, uid):
                fh.write(chunk)
                wrote = True
        if not wrote:
            part.unlink(missing_ok=True)
            return None
        os.replace(part, out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise TeamError(f"cannot write the session's audio to {out}: {exc.strerror or exc}") from exc
    return out


def add_note(conn: psycopg.Connection, uid: str, t: float, author: str, text: str, kind: str = "note") -> Note:
    """A lead's note on a session (the policies refuse it for a session the login does not lead)."""
    note_uid = new_uid()
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO team.notes (uid, session_uid, t, author, text, kind) VALUES (%s, %s, %s, %s, %s, %s) "
                "RETURNING created_at",
                (note_uid, uid, t, author, text, kind),
            ).fetchone()
    except psycopg.Error as exc:
        raise database_error(exc, "cannot add the note") from exc
    created = row[0].isoformat(timespec="seconds") if row else now_iso()
    return Note(note_uid, t, author, text, kind, created)


def delete_session(conn: psycopg.Connection, uid: str) -> bool:
    """Delete a session (its events, audio and notes go with it); False when the login may not or it is gone."""
    try:
        with conn.transaction():
            cur = conn.execute("DELETE FROM team.sessions WHERE uid = %s", (uid,))
    except psycopg.Error as exc:
        raise database_error(exc, "cannot delete the session") from exc
    return cur.rowcount == 1
