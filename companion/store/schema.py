"""The store's schema, versioned with ``PRAGMA user_version`` and migrated step by step.

Each migration takes the database from version ``n - 1`` to ``n`` inside one
transaction, so a failed upgrade leaves the old store as it was.  A store made
by a newer app (a version above the last known) is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from companion.errors import StoreError

V1 = """
CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    started_at      TEXT NOT NULL,
    duration        REAL NOT NULL DEFAULT 0,
    state           TEXT NOT NULL DEFAULT 'recording',
    agent           TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT '',
    channels        TEXT NOT NULL DEFAULT '[]',
    playbook_steps  TEXT NOT NULL DEFAULT '[]',
    audio           TEXT,
    redacted        INTEGER NOT NULL DEFAULT 1,
    note            TEXT NOT NULL DEFAULT '',
    sentiment_start REAL,
    sentiment_min   REAL,
    sentiment_end   REAL,
    steps_done      INTEGER NOT NULL DEFAULT 0,
    steps_missed    INTEGER NOT NULL DEFAULT 0,
    alerts          INTEGER NOT NULL DEFAULT 0,
    utterances      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_started ON sessions(started_at);

CREATE TABLE events (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    t          REAL NOT NULL,
    type       TEXT NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

-- rowid = session_id << 20 | utterance: search finds a hit's session from the full-text
-- index alone, without a lookup per hit (the difference between 70 ms and 5 ms at 10,000 calls).
CREATE TABLE utterances (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    utterance  INTEGER NOT NULL,
    speaker    TEXT NOT NULL,
    start      REAL NOT NULL,
    end        REAL NOT NULL,
    text       TEXT NOT NULL,
    UNIQUE (session_id, utterance)
);

CREATE VIRTUAL TABLE utterances_fts USING fts5(text, content='utterances', content_rowid='rowid');
CREATE TRIGGER utterances_ai AFTER INSERT ON utterances BEGIN
    INSERT INTO utterances_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER utterances_ad AFTER DELETE ON utterances BEGIN
    INSERT INTO utterances_fts(utterances_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;

CREATE TABLE sentiment (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t          REAL NOT NULL,
    speaker    TEXT NOT NULL,
    score      REAL NOT NULL,
    smoothed   REAL NOT NULL,
    utterance  INTEGER
);
CREATE INDEX sentiment_session ON sentiment(session_id, t);

CREATE TABLE steps (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t          REAL NOT NULL,
    step       TEXT NOT NULL,
    utterance  INTEGER,
    evidence   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX steps_session ON steps(session_id, t);

CREATE TABLE alerts (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t          REAL NOT NULL,
    kind       TEXT NOT NULL,
    text       TEXT NOT NULL,
    utterance  INTEGER,
    value      REAL,
    speaker    TEXT
);
CREATE INDEX alerts_session ON alerts(session_id, t);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t          REAL NOT NULL,
    author     TEXT NOT NULL,
    text       TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'note',
    created_at TEXT NOT NULL
);
CREATE INDEX notes_session ON notes(session_id, t);
"""

MIGRATIONS: tuple[str, ...] = (V1,)
"""``MIGRATIONS[n - 1]`` takes the store from version ``n - 1`` to ``n``."""


def migrate(conn: sqlite3.Connection, migrations: Sequence[str] = MIGRATIONS, where: str = "") -> int:
    """Bring the store up to the last version; return the version it had before."""
    (before,) = conn.execute("PRAGMA user_version").fetchone()
    latest = len(migrations)
    if before > latest:
        raise StoreError(
            f"the session store{where} was made by a newer version of the app "
            f"(schema {before}, this app knows up to {latest}); update the app to open it"
        )
    if before == latest:
        return int(before)  # the usual case: no write lock taken to open a store
    while True:
        # executescript would commit on its own, so each step runs in our transaction; the
        # version is read again under the write lock because another window may be opening
        # the same new store at this moment and have migrated it already.
        conn.execute("BEGIN IMMEDIATE")
        try:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version > latest:
                raise StoreError(
                    f"the session store{where} was made by a newer version of the app "
                    f"(schema {version}, this app knows up to {latest}); update the app to open it"
                )
            if version == latest:
                conn.execute("COMMIT")
                return int(before)
            for statement in _statements(migrations[version]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (with their inner ';') whole."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
