"""The outbox: which finished sessions still have to reach the team database, beside the local store.

Its own small SQLite file (``team-outbox.db`` in the store's folder) so the
store's schema is untouched.  A session is queued with a cheap fingerprint of
its local rows (state, length, events, audio size): a session that changes
after it was sent (a late recovery, a re-import) is queued again.  Failed
pushes wait before the next try, longer each time (30 s doubling, at most an hour).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from companion.errors import StoreError
from companion.store.db import SessionStore
from companion.store.private_files import private_dir, private_file
from companion.store.records import SessionSummary

OUTBOX_NAME = "team-outbox.db"
FIRST_WAIT_S = 30.0
LONGEST_WAIT_S = 3600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    uid         TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    state       TEXT NOT NULL,             -- pending, sent
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try    REAL NOT NULL DEFAULT 0,   -- unix time before which no retry is made
    last_error  TEXT NOT NULL DEFAULT '',
    checksum    TEXT NOT NULL DEFAULT '',  -- of the content last sent
    sent_at     REAL
);
CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    uid: str
    attempts: int
    next_try: float
    last_error: str


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    pending: int
    sent: int
    waiting: int  # pending items held back by their backoff
    last_sync: float | None
    last_error: str
    errors: tuple[tuple[str, str], ...]  # (uid, error) of items whose last try failed


def backoff_s(attempts: int) -> float:
    return min(LONGEST_WAIT_S, FIRST_WAIT_S * 2 ** max(0, attempts - 1))


def fingerprint(store: SessionStore, s: SessionSummary) -> str:
    audio = s.audio.stat().st_size if s.audio is not None and s.audio.exists() else 0
    return f"{s.state}|{s.duration:.3f}|{store.next_seq(s.id)}|{audio}|{s.title}|{s.note}"


class Outbox:
    """The queue of sessions to push, kept in ``root/team-outbox.db``."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / OUTBOX_NAME
        try:
            private_dir(self.path.parent)
            private_file(self.path)  # in the store's folder, owner-only like the rest (SQLite copies it to -wal/-shm)
            self._conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL: a mark lost to a power cut only means a session is offered again, and the
            # server, holding its checksum, writes nothing twice.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"the team outbox {self.path} cannot be opened: {exc}") from exc

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            yield self._conn
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            raise StoreError(f"the team outbox {self.path} cannot be written: {exc}") from exc

    def enqueue(self, store: SessionStore, finished_states: tuple[str, ...]) -> int:
        """Queue every finished session not sent as it is now; return how many were queued."""
        known = dict(self._conn.execute("SELECT uid, fingerprint FROM outbox").fetchall())
        queued = 0
        with self._write() as conn:
            for s in reversed(store.sessions()):  # oldest first: pushed in the order they happened
                if s.state not in finished_states:
                    continue  # a call still being recorded is never pushed
                fp = fingerprint(store, s)
                if known.get(s.uid) == fp:
                    continue
                conn.execute(
                    "INSERT INTO outbox (uid, fingerprint, state) VALUES (?, ?, 'pending') "
                    "ON CONFLICT (uid) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'pending', "
                    "attempts = 0, next_try = 0, last_error = ''",
                    (s.uid, fp),
                )
                queued += 1
        return queued

    def due(self, now: float | None = None, honour_backoff: bool = True) -> list[OutboxItem]:
        """Pending items, oldest queued first; with ``honour_backoff`` only those whose wait is over."""
        now = time.time() if now is None else now
        limit = now if honour_backoff else float("inf")
        rows = self._conn.execute(
            "SELECT uid, attempts, next_try, last_error FROM outbox WHERE state = 'pending' AND next_try <= ? "
            "ORDER BY rowid",
            (limit,),
        ).fetchall()
        return [OutboxItem(*r) for r in rows]

    def mark_sent(self, uid: str, checksum: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET state = 'sent', checksum = ?, sent_at = ?, last_error = '', attempts = 0 "
                "WHERE uid = ?",
                (checksum, time.time(), uid),
            )

    def mark_failed(self, uid: str, error: str, now: float | None = None) -> float:
        """Note a failed try; return the seconds to wait before the next."""
        now = time.time() if now is None else now
        row = self._conn.execute("SELECT attempts FROM outbox WHERE uid = ?", (uid,)).fetchone()
        attempts = (row[0] if row else 0) + 1
        wait = backoff_s(attempts)
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET attempts = ?, next_try = ?, last_error = ? WHERE uid = ?",
                (attempts, now + wait, error, uid),
            )
        return wait

    def forget(self, uid: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM outbox WHERE uid = ?", (uid,))

    def get(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def status(self, now: float | None = None) -> OutboxStatus:
        now = time.time() if now is None else now
        pending, sent, waiting = self._conn.execute(
            "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'sent'), 0), "
            "coalesce(sum(state = 'pending' AND next_try > ?), 0) FROM outbox",
            (now,),
        ).fetchone()
        errors = self._conn.execute(
            "SELECT uid, last_error FROM outbox WHERE state = 'pending' AND last_error != '' ORDER BY rowid"
        ).fetchall()
        last = self.get("last_sync")
        return OutboxStatus(
            int(pending),
            int(sent),
            int(waiting),
            float(last) if last else None,
            self.get("last_error") or "",
            tuple((str(u), str(e)) for u, e in errors),
        )
