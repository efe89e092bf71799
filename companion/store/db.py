"""The session store: one SQLite database (WAL) plus one compressed audio file per session.

Plain ``sqlite3`` so it is used and tested without Qt.  Every failure of the
database reaches callers as a ``StoreError`` whose message says what is wrong
(locked, read-only, full, damaged) and what to do about it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from companion.errors import StoreError
from companion.events import Event
from companion.store import event_codec
from companion.store.private_files import is_private, private_dir, private_file, tighten_tree
from companion.store.records import Note, SearchHit, SessionInfo, SessionSummary
from companion.store.rows import (
    UTTERANCE_BITS,
    insert_events,
    insert_note,
    insert_session,
    now_iso,
    refresh_summary,
)
from companion.store.schema import migrate

log = logging.getLogger(__name__)

DB_NAME = "sessions.db"
AUDIO_DIR = "audio"


def store_error(exc: BaseException, path: Path) -> StoreError:
    """Turn an SQLite or file-system failure into a message a person can act on."""
    text = str(exc).lower()
    if isinstance(exc, StoreError):
        return exc
    if "locked" in text or "busy" in text:
        msg = f"the session store {path} is locked by another program; close other copies of the app"
    elif "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        msg = f"the session store {path} is read-only; check the folder's permissions"
    elif "full" in text or "no space" in text:
        msg = f"the disk holding the session store {path} is full; free some space"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        msg = f"the session store {path} is damaged ({exc}); move it aside and the app will start a new one"
    elif "unable to open" in text:
        msg = f"the session store {path} cannot be opened: the folder is missing or not writable"
    else:
        msg = f"the session store {path} failed: {exc}"
    return StoreError(msg)


def new_uid() -> str:
    return uuid.uuid4().hex


class SessionStore:
    """Sessions, their events and notes, in ``root/sessions.db`` with audio under ``root/audio``.

    The store is passed its folder; it never decides where user data lives.
    Safe to share between threads (one connection behind a lock).
    """

    def __init__(self, root: Path | str, readonly: bool = False, busy_timeout_s: float = 2.0) -> None:
        # Absolute from the start: SQLite's read-only URI needs it, and a store must not move with the cwd.
        self.root = Path(root).expanduser().absolute()
        self.path = self.root / DB_NAME
        self.audio_dir = self.root / AUDIO_DIR
        self.readonly = readonly
        self._lock = threading.RLock()
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"the session store {self.root} is a file, not a folder; give the store a folder")
        try:
            if readonly:
                if not self.path.exists():
                    raise StoreError(f"there is no session store at {self.root}")
                self._conn = sqlite3.connect(
                    f"{self.path.as_uri()}?mode=ro",
                    uri=True,
                    timeout=busy_timeout_s,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                opened_up = self.root.is_dir() and not is_private(self.root)
                private_dir(self.root)
                private_dir(self.audio_dir)
                if opened_up:  # made by a version that left it readable to every account
                    tighten_tree(self.root)
                # SQLite gives the -wal and -shm files the database file's mode, so this one covers all three.
                private_file(self.path)
                self._conn = sqlite3.connect(
                    self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
                )
                # FULL: each committed event survives a power cut, not only a killed process.
                self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            if readonly:
                (version,) = self._conn.execute("PRAGMA user_version").fetchone()
                if version == 0:
                    raise StoreError(f"{self.path} is not a session store")
            else:
                self._prepare(busy_timeout_s)
        except (sqlite3.Error, OSError) as exc:
            raise store_error(exc, self.path) from exc

    def _prepare(self, busy_timeout_s: float) -> None:
        """WAL mode and the schema, retried while another window sets up the same new store.

        Switching a new database to WAL takes an exclusive lock without waiting on
        the busy handler, so two windows opening a fresh store at once would
        otherwise see "locked" for a moment that is not a real conflict.
        """
        deadline = time.monotonic() + busy_timeout_s
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode=WAL")
                migrate(self._conn, where=f" {self.path}")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    # -- plumbing -----------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; everything in it is kept or nothing is."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise store_error(exc, self.path) from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error | OSError):
                    raise store_error(exc, self.path) from exc
                raise

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cur = self._conn.execute(sql, args)
                cur.row_factory = sqlite3.Row
                return cur.fetchall()
            except sqlite3.Error as exc:
                raise store_error(exc, self.path) from exc

    def audio_path(self, uid: str) -> Path:
        return self.audio_dir / f"{uid}.ogg"

    # -- writing --------------------------------------------------------------------

    def create_session(self, info: SessionInfo) -> int:
        with self.transaction() as conn:
            return insert_session(conn, info)

    def append_events(self, session_id: int, items: Sequence[tuple[int, Event]]) -> None:
        """Commit events (with their sequence numbers) in one transaction; re-sent ones are ignored."""
        with self.transaction() as conn:
            insert_events(conn, session_id, items)

    def set_audio(self, session_id: int, audio: Path | None) -> None:
        value = None
        if audio is not None:
            value = str(audio.relative_to(self.root)) if audio.is_relative_to(self.root) else str(audio)
        with self.transaction() as conn:
            conn.execute("UPDATE sessions SET audio = ? WHERE id = ?", (value, session_id))

    def finish_session(self, session_id: int, duration: float, state: str = "complete", note: str = "") -> None:
        """Close a session: its duration, its state and the figures the library lists."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE sessions SET duration = ?, state = ?, note = ? WHERE id = ?",
                (duration, state, note, session_id),
            )
            refresh_summary(conn, session_id)

    def add_note(self, session_id: int, t: float, author: str, text: str, kind: str = "note") -> Note:
        note = Note(new_uid(), t, author, text, kind, now_iso())
        with self.transaction() as conn:
            insert_note(conn, session_id, note)
        return note

    def delete_session(self, session_id: int) -> None:
        summary = self.session(session_id)
        with self.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        if summary.audio is not None and summary.audio.is_relative_to(self.root):
            summary.audio.unlink(missing_ok=True)

    # -- reading --------------------------------------------------------------------

    def session(self, ref: int | str) -> SessionSummary:
        """A session by number, or by its uid (or a unique start of it)."""
        if isinstance(ref, int) or str(ref).isdigit():
            rows = self._query("SELECT * FROM sessions WHERE id = ?", (int(ref),))
        else:
            rows = self._query("SELECT * FROM sessions WHERE uid LIKE ? LIMIT 2", (f"{ref}%",))
        if len(rows) > 1:
            raise StoreError(f"'{ref}' matches more than one session; give more of its id")
        if not rows:
            raise StoreError(f"there is no session '{ref}' in {self.root}")
        return self._summary(rows[0])

    def find_uid(self, uid: str) -> int | None:
        rows = self._query("SELECT id FROM sessions WHERE uid = ?", (uid,))
        return int(rows[0]["id"]) if rows else None

    def sessions(
        self,
        search: str | None = None,
        limit: int | None = None,
        agent: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[SessionSummary]:
        """Sessions, newest first: ``search`` keeps those whose transcript matches it,
        ``agent`` those of one agent, ``since`` / ``until`` (ISO dates) those started in the range."""
        where: list[str] = []
        args: list[object] = []
        if search:
            where.append(f"id IN (SELECT rowid >> {UTTERANCE_BITS} FROM utterances_fts WHERE utterances_fts MATCH ?)")
            args.append(fts_query(search))
        if agent:
            where.append("agent = ?")
            args.append(agent)
        if since:
            where.append("started_at >= ?")
            args.append(since)
        if until:
            where.append("started_at < ?")
            args.append(until)
        sql = "SELECT * FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [self._summary(r) for r in self._query(sql, args)]

    def open_sessions(self) -> list[SessionSummary]:
        return [self._summary(r) for r in self._query("SELECT * FROM sessions WHERE state = 'recording'")]

    def search(self, text: str, limit: int = 100) -> list[SearchHit]:
        """Utterances across all sessions whose text matches every word of ``text``, newest calls first.

        Newest first rather than by relevance: ranking every hit of a common word
        across thousands of calls costs ten times more, and people look for recent calls.
        """
        rows = self._query(
            "SELECT u.session_id, u.utterance, u.speaker, u.start, u.text FROM utterances_fts f "
            "JOIN utterances u ON u.rowid = f.rowid WHERE utterances_fts MATCH ? "
            "ORDER BY f.rowid DESC LIMIT ?",
            (fts_query(text), limit),
        )
        return [SearchHit(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def events(self, session_id: int) -> list[Event]:
        """Every stored event of a session, in the order it happened."""
        rows = self._query("SELECT type, data FROM events WHERE session_id = ? ORDER BY seq", (session_id,))
        out: list[Event] = []
        for type_name, data in rows:
            try:
                out.append(event_codec.decode(type_name, data))
            except StoreError as exc:
                log.warning("session %s: skipping a stored event: %s", session_id, exc)
        return out

    def event_rows(self, session_id: int) -> list[tuple[int, str, str]]:
        """(seq, type, JSON) as stored: what a bundle carries."""
        rows = self._query("SELECT seq, type, data FROM events WHERE session_id = ? ORDER BY seq", (session_id,))
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def next_seq(self, session_id: int) -> int:
        rows = self._query("SELECT COALESCE(MAX(seq), -1) + 1 FROM events WHERE session_id = ?", (session_id,))
        return int(rows[0][0])

    def notes(self, session_id: int) -> list[Note]:
        rows = self._query(
            "SELECT uid, t, author, text, kind, created_at FROM notes WHERE session_id = ? ORDER BY t, id",
            (session_id,),
        )
        return [Note(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def _summary(self, r: sqlite3.Row) -> SessionSummary:
        audio = None
        if r["audio"]:
            audio = Path(r["audio"])
            if not audio.is_absolute():
                audio = self.root / audio
        return SessionSummary(
            id=r["id"],
            uid=r["uid"],
            started_at=r["started_at"],
            duration=r["duration"],
            state=r["state"],
            agent=r["agent"],
            title=r["title"],
            source=r["source"],
            channels=tuple((s, n) for s, n in json.loads(r["channels"])),
            playbook_steps=tuple((s, n) for s, n in json.loads(r["playbook_steps"])),
            audio=audio,
            redacted=bool(r["redacted"]),
            note=r["note"],
            sentiment_start=r["sentiment_start"],
            sentiment_min=r["sentiment_min"],
            sentiment_end=r["sentiment_end"],
            steps_done=r["steps_done"],
            steps_missed=r["steps_missed"],
            alerts=r["alerts"],
            utterances=r["utterances"],
        )


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """A user's search words as an FTS5 query: every word must appear (prefix match on the last)."""
    words = _WORD.findall(text)
    if not words:
        raise StoreError("the search has no words to look for")
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)
