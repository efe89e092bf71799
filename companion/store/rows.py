"""Writing a session's rows: the session, its events with their typed copies, notes, and its summary.

Free functions over a connection, so the store, bundle import and recovery
write the same rows inside whatever transaction they hold.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from companion.errors import StoreError
from companion.events import Alert, Event, Revision, SentimentPoint, StepDone, Utterance
from companion.store import event_codec
from companion.store.records import Note, SessionInfo


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


UTTERANCE_BITS = 20  # a call of a million utterances would last twelve days


def utterance_rowid(session_id: int, utterance: int) -> int:
    if not 0 <= utterance < 1 << UTTERANCE_BITS:
        raise StoreError(f"utterance number {utterance} is out of range")
    return (session_id << UTTERANCE_BITS) | utterance


def insert_session(conn: sqlite3.Connection, info: SessionInfo, state: str = "recording") -> int:
    cur = conn.execute(
        "INSERT INTO sessions (uid, started_at, state, agent, title, source, channels, playbook_steps, "
        "redacted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            info.uid,
            info.started_at,
            state,
            info.agent,
            info.title,
            info.source,
            json.dumps([list(c) for c in info.channels]),
            json.dumps([list(s) for s in info.playbook_steps]),
            int(info.redacted),
        ),
    )
    return int(cur.lastrowid or 0)


def insert_events(conn: sqlite3.Connection, session_id: int, items: Sequence[tuple[int, Event]]) -> None:
    for seq, event in items:
        type_name, data = event_codec.encode(event)
        cur = conn.execute(
            "INSERT OR IGNORE INTO events (session_id, seq, t, type, data) VALUES (?, ?, ?, ?, ?)",
            (session_id, seq, event.t, type_name, data),
        )
        if cur.rowcount == 1:
            insert_derived(conn, session_id, event)


def insert_derived(conn: sqlite3.Connection, session_id: int, event: Event) -> None:
    """The typed tables the library and search read, kept beside the generic event log."""
    if isinstance(event, Utterance):
        row = (session_id, event.id, event.speaker, event.start, event.end, event.text)
        conn.execute(
            "INSERT OR REPLACE INTO utterances (rowid, session_id, utterance, speaker, start, end, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (utterance_rowid(session_id, event.id), *row),
        )
    elif isinstance(event, Revision):
        # The settled text replaces the first in the typed table, so search finds what was said.
        rowid = utterance_rowid(session_id, event.utterance)
        old = conn.execute("SELECT text FROM utterances WHERE rowid = ?", (rowid,)).fetchone()
        if old is not None:
            conn.execute(
                "INSERT INTO utterances_fts(utterances_fts, rowid, text) VALUES ('delete', ?, ?)", (rowid, old[0])
            )
            conn.execute("UPDATE utterances SET text = ? WHERE rowid = ?", (event.text, rowid))
            conn.execute("INSERT INTO utterances_fts(rowid, text) VALUES (?, ?)", (rowid, event.text))
    elif isinstance(event, SentimentPoint):
        conn.execute(
            "INSERT INTO sentiment (session_id, t, speaker, score, smoothed, utterance) VALUES (?, ?, ?, ?, ?, ?)",
            (session_id, event.t, event.speaker, event.score, event.smoothed, event.utterance),
        )
    elif isinstance(event, StepDone):
        conn.execute(
            "INSERT INTO steps (session_id, t, step, utterance, evidence) VALUES (?, ?, ?, ?, ?)",
            (session_id, event.t, event.step, event.utterance, event.evidence),
        )
    elif isinstance(event, Alert):
        conn.execute(
            "INSERT INTO alerts (session_id, t, kind, text, utterance, value, speaker) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (session_id, event.t, event.kind, event.text, event.utterance, event.value, event.speaker),
        )


def insert_note(conn: sqlite3.Connection, session_id: int, note: Note) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO notes (uid, session_id, t, author, text, kind, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (note.uid, session_id, note.t, note.author, note.text, note.kind, note.created_at or now_iso()),
    )


def refresh_summary(conn: sqlite3.Connection, session_id: int) -> None:
    """Recompute the figures the library lists from the session's stored rows."""
    customer = conn.execute(
        "SELECT smoothed FROM sentiment WHERE session_id = ? AND speaker IN ('customer', 'call') "
        "AND utterance IS NOT NULL ORDER BY t",
        (session_id,),
    ).fetchall()
    values = [r[0] for r in customer]
    (steps_json,) = conn.execute("SELECT playbook_steps FROM sessions WHERE id = ?", (session_id,)).fetchone()
    done = {r[0] for r in conn.execute("SELECT DISTINCT step FROM steps WHERE session_id = ?", (session_id,))}
    playbook = [s for s, _title in json.loads(steps_json)]
    missed = sum(1 for s in playbook if s not in done)
    (alerts,) = conn.execute("SELECT COUNT(*) FROM alerts WHERE session_id = ?", (session_id,)).fetchone()
    (utterances,) = conn.execute("SELECT COUNT(*) FROM utterances WHERE session_id = ?", (session_id,)).fetchone()
    conn.execute(
        "UPDATE sessions SET sentiment_start = ?, sentiment_min = ?, sentiment_end = ?, steps_done = ?, "
        "steps_missed = ?, alerts = ?, utterances = ? WHERE id = ?",
        (
            values[0] if values else None,
            min(values) if values else None,
            values[-1] if values else None,
            len(done),
            missed,
            alerts,
            utterances,
            session_id,
        ),
    )
