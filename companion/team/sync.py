"""Sync: push the outbox's sessions to the team database, then pull the notes leads wrote.

Each session goes in its own transaction (row, events, audio): a push cut off
at any point leaves the server without any of it, and the outbox still has it
pending.  The server keeps each session's checksum, so a session sent again
(sent, then killed before the outbox noted it) is recognised and not written
twice.  A lost connection stops the run (the rest waits, with backoff); a
session the server refuses waits alone while the others go on.

Called after a call has ended, never during one: only finished sessions are queued.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import psycopg

from companion.store.db import SessionStore
from companion.store.records import Note
from companion.store.rows import insert_note
from companion.team.connection import connect, connection_error, describe
from companion.team.errors import TeamError
from companion.team.outbox import Outbox, OutboxItem
from companion.team.payload import FINISHED_STATES, Upload, build_upload

log = logging.getLogger(__name__)

AUDIO_CHUNK = 256 * 1024  # replay streams the audio chunk by chunk


@dataclass
class SyncReport:
    queued: int = 0
    pushed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already on the server with the same content
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes_pulled: int = 0
    stopped: str = ""  # why the run stopped early (the server went away), else ""
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"queued {self.queued} finished session(s) for the team database"]
        out += [f"pushed {uid}" for uid in self.pushed]
        out += [f"already on the server: {uid}" for uid in self.unchanged]
        out += [f"not pushed {uid}: {why}" for uid, why in self.failed]
        out.append(f"notes pulled back: {self.notes_pulled}")
        if self.stopped:
            out.append(f"stopped: {self.stopped}")
        out.append(
            f"done in {self.seconds:.1f} s: {len(self.pushed)} pushed, {len(self.unchanged)} unchanged, "
            f"{len(self.failed)} failed"
        )
        return out


def sync(
    store: SessionStore,
    outbox: Outbox,
    url: str,
    honour_backoff: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    """Push what is due, pull notes; a server that cannot be reached raises TeamError (the outbox keeps all)."""
    started = time.perf_counter()
    report = SyncReport(queued=outbox.enqueue(store, FINISHED_STATES))
    due = outbox.due(honour_backoff=honour_backoff)
    try:
        conn = connect(url)
    except TeamError as exc:
        for item in due:
            outbox.mark_failed(item.uid, str(exc))
        outbox.put("last_error", str(exc))
        raise
    with conn:
        for item, upload in _uploads(store, due):
            uid = item.uid
            if upload is None:  # deleted locally since it was queued
                outbox.forget(uid)
                continue
            try:
                written = push(conn, upload)
            except psycopg.OperationalError as exc:
                error = str(connection_error(exc, url))
                outbox.mark_failed(uid, error)
                report.stopped = error
                break
            except psycopg.Error as exc:
                conn.rollback()
                error = str(exc).strip().splitlines()[0]
                outbox.mark_failed(uid, error)
                report.failed.append((uid, error))
                continue
            outbox.mark_sent(uid, upload.checksum)
            (report.pushed if written else report.unchanged).append(uid)
            if progress is not None:
                progress(uid)
        if not report.stopped:
            try:
                report.notes_pulled = pull_notes(conn, store, outbox)
            except psycopg.OperationalError as exc:
                report.stopped = str(connection_error(exc, url))
    outbox.put("last_sync", str(time.time()))
    outbox.put("last_error", report.stopped or (report.failed[-1][1] if report.failed else ""))
    report.seconds = time.perf_counter() - started
    log.info("team sync to %s: %s", describe(url), report.lines()[-1])
    return report


def _uploads(store: SessionStore, due: list[OutboxItem]) -> Iterator[tuple[OutboxItem, Upload | None]]:
    """The due items with their uploads, each built in a worker while the one before it is being pushed."""

    def build(uid: str) -> Upload | None:
        local_id = store.find_uid(uid)
        return None if local_id is None else build_upload(store, store.session(local_id))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="team-upload") as pool:
        ahead: deque[tuple[OutboxItem, Future[Upload | None]]] = deque()
        items = iter(due)

        def submit() -> None:
            item = next(items, None)
            if item is not None:
                ahead.append((item, pool.submit(build, item.uid)))

        submit()
        submit()
        while ahead:
            item, future = ahead.popleft()
            submit()
            yield item, future.result()


def push(conn: psycopg.Connection, up: Upload) -> bool:
    """Write one session in one transaction; False when the server already has this content."""
    s, card = up.summary, up.scorecard
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO team.sessions (uid, agent, title, source, started_at, duration, state, channels, "
            "playbook_steps, note, sentiment_start, sentiment_min, sentiment_end, recovery, first_empathy_s, "
            "talk_ratio, steps_done, steps_missed, pitfalls, pitfall_kinds, alerts, utterances, scorecard, "
            "transcript, audio_bytes, checksum) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, to_tsvector('english', %s), %s, %s) "
            "ON CONFLICT (uid) DO UPDATE SET agent = excluded.agent, title = excluded.title, "
            "duration = excluded.duration, state = excluded.state, note = excluded.note, "
            "sentiment_start = excluded.sentiment_start, sentiment_min = excluded.sentiment_min, "
            "sentiment_end = excluded.sentiment_end, recovery = excluded.recovery, "
            "first_empathy_s = excluded.first_empathy_s, talk_ratio = excluded.talk_ratio, "
            "steps_done = excluded.steps_done, steps_missed = excluded.steps_missed, pitfalls = excluded.pitfalls, "
            "pitfall_kinds = excluded.pitfall_kinds, alerts = excluded.alerts, utterances = excluded.utterances, "
            "scorecard = excluded.scorecard, transcript = excluded.transcript, "
            "audio_bytes = excluded.audio_bytes, checksum = excluded.checksum, uploaded_at = now() "
            "WHERE team.sessions.checksum IS DISTINCT FROM excluded.checksum "
            "RETURNING (xmax = 0) AS inserted",
            (
                s.uid,
                s.agent,
                s.title,
                s.source,
                s.started_at,
                s.duration,
                s.state,
                json.dumps([list(c) for c in s.channels]),
                json.dumps([list(p) for p in s.playbook_steps]),
                s.note,
                s.sentiment_start,
                s.sentiment_min,
                s.sentiment_end,
                card.sentiment_recovery,
                card.first_empathy_s,
                card.talk_ratio,
                [r.id for r in card.steps if r.done],
                [r.id for r in card.steps if not r.done],
                len(card.pitfalls),
                sorted({p.kind for p in card.pitfalls}),
                s.alerts,
                s.utterances,
                json.dumps(card.to_dict()),
                up.transcript,
                len(up.audio or b""),
                up.checksum,
            ),
        ).fetchone()
        if row is None:
            return False  # the same content is there already
        if not row[0]:  # an update: the old parts go
            conn.execute("DELETE FROM team.events WHERE session_uid = %s", (s.uid,))
            conn.execute("DELETE FROM team.audio_chunks WHERE session_uid = %s", (s.uid,))
        if up.events:
            # One JSON document for all events: one round trip, and no per-element array escaping.
            rows = [{"seq": seq, "t": t, "type": type_name, "data": data} for seq, t, type_name, data in up.events]
            conn.execute(
                "INSERT INTO team.events (session_uid, seq, t, type, data) SELECT %s, e.seq, e.t, e.type, e.data "
                "FROM json_to_recordset(%s::json) AS e(seq int, t real, type text, data text)",
                (s.uid, json.dumps(rows)),
            )
        if up.audio:
            chunks = [up.audio[i : i + AUDIO_CHUNK] for i in range(0, len(up.audio), AUDIO_CHUNK)]
            with conn.cursor() as cur:  # %b: the bytes go as binary, not as hex text
                cur.executemany(
                    "INSERT INTO team.audio_chunks (session_uid, n, data) VALUES (%s, %s, %b)",
                    [(s.uid, n, chunk) for n, chunk in enumerate(chunks)],
                )
    return True


def pull_notes(conn: psycopg.Connection, store: SessionStore, outbox: Outbox) -> int:
    """Notes written on this login's sessions since the last pull, added to the local library."""
    since = outbox.get("notes_since") or "-infinity"
    with conn.transaction():
        rows = conn.execute(
            "SELECT n.uid, n.session_uid, n.t, n.author, n.text, n.kind, n.created_at FROM team.notes n "
            "JOIN team.sessions s ON s.uid = n.session_uid "
            # A margin before the last pull: a note committed late with an earlier stamp is not missed
            # (notes already here are ignored by their uid).
            "WHERE s.agent_login = current_user AND n.created_at > %s::timestamptz - interval '10 minutes' "
            "ORDER BY n.created_at",
            (since,),
        ).fetchall()
    added = 0
    newest = since
    with store.transaction() as local:
        for uid, session_uid, t, author, text, kind, created in rows:
            newest = created.isoformat() if isinstance(created, datetime) else str(created)
            session_id = local.execute("SELECT id FROM sessions WHERE uid = ?", (session_uid,)).fetchone()
            if session_id is None:
                continue  # deleted here since it was pushed
            before = local.total_changes
            insert_note(local, int(session_id[0]), Note(uid, float(t), author, text, kind, newest))
            added += local.total_changes - before
    if rows:
        outbox.put("notes_since", newest)
    return added
