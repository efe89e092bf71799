from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from companion.errors import StoreError
from companion.events import Revision, Utterance
from companion.store.db import SessionStore, new_uid
from companion.store.records import SessionInfo
from companion.store.rows import now_iso
from companion.store.schema import MIGRATIONS, migrate
from tests.store.calls import PLAYBOOK, internet_outage_events


def _add_call(store: SessionStore, agent: str = "Priya") -> int:
    info = SessionInfo(new_uid(), now_iso(), agent=agent, playbook_steps=PLAYBOOK)
    session_id = store.create_session(info)
    events = internet_outage_events()
    store.append_events(session_id, list(enumerate(events)))
    store.finish_session(session_id, events[-1].t)
    return session_id


def test_a_session_is_stored_and_read_back(tmp_path: Path) -> None:
    with SessionStore(tmp_path) as store:
        session_id = _add_call(store)
        assert store.events(session_id) == internet_outage_events()
        s = store.session(session_id)
        assert s.state == "complete" and s.agent == "Priya" and s.duration == 49.0
        assert (s.sentiment_start, s.sentiment_min, s.sentiment_end) == (-0.4, -0.62, 0.1)
        assert (s.steps_done, s.steps_missed, s.alerts, s.utterances) == (3, 2, 4, 8)
        assert store.session(s.uid[:8]).id == session_id
        # Sending the same events again (a retry after a failed commit) adds nothing.
        store.append_events(session_id, list(enumerate(internet_outage_events())))
        assert len(store.events(session_id)) == len(internet_outage_events())
        note = store.add_note(session_id, 21.0, "Team lead Ana", "Let the customer finish first.")
        store.add_note(session_id, 45.0, "Ana", "Outages over 2 days need a callback", kind="follow-up")
        notes = store.notes(session_id)
        assert [(n.text, n.kind) for n in notes] == [
            (note.text, "note"),
            ("Outages over 2 days need a callback", "follow-up"),
        ]
    assert (tmp_path / "sessions.db").exists()
    with sqlite3.connect(tmp_path / "sessions.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_full_text_search_finds_sessions_and_utterances(tmp_path: Path) -> None:
    with SessionStore(tmp_path) as store:
        first = _add_call(store, "Priya")
        second = store.create_session(SessionInfo(new_uid(), now_iso(), agent="Sam"))
        store.append_events(second, [(0, Utterance(0, "customer", 1.0, 3.0, "My parcel never arrived."))])
        hits = store.search("router")
        assert [(h.session_id, h.utterance) for h in hits] == [(first, 3)]
        assert [s.id for s in store.sessions(search="parcel")] == [second]
        assert [s.id for s in store.sessions(search="arriv")] == [second]  # the last word is a prefix
        assert {s.id for s in store.sessions()} == {first, second}
        assert [s.id for s in store.sessions(agent="Sam")] == [second]
        assert [s.id for s in store.sessions(search="router", agent="Sam")] == []
        today = now_iso()[:10]
        assert len(store.sessions(since=today)) == 2 and store.sessions(until=today) == []
        assert store.sessions(search="refrigerator") == []
        # A line's settled text replaces its first text in the search index.
        store.append_events(second, [(1, Revision(4.0, 0, "customer", "My parcel never came."))])
        assert [s.id for s in store.sessions(search="came")] == [second]
        assert store.sessions(search="arrived") == [] and store.search("parcel")[0].utterance == 0
        with pytest.raises(StoreError, match="no words"):
            store.search("  ?! ")


def test_deleting_a_session_removes_its_rows_and_search_entries(tmp_path: Path) -> None:
    with SessionStore(tmp_path) as store:
        session_id = _add_call(store)
        store.delete_session(session_id)
        assert store.sessions() == [] and store.search("router") == []
        with pytest.raises(StoreError, match="no session"):
            store.session(session_id)


def test_migrations_run_in_order_and_a_newer_store_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    assert migrate(conn) == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    # A later version adds a column; a store at the current version is upgraded in place.
    v2 = "ALTER TABLE sessions ADD COLUMN rating INTEGER;"
    assert migrate(conn, (*MIGRATIONS, v2)) == len(MIGRATIONS)
    assert "rating" in [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
    # A failed step leaves the store at the version it had.
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, (*MIGRATIONS, v2, "ALTER TABLE nowhere ADD COLUMN x;"))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    conn.close()
    with pytest.raises(StoreError, match="newer version of the app"):
        path = tmp_path / "newer"
        path.mkdir()
        with sqlite3.connect(path / "sessions.db") as c:
            c.execute("PRAGMA user_version = 99")
        SessionStore(path)


def test_a_damaged_database_gives_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "sessions.db").write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError, match="is damaged"):
        SessionStore(tmp_path)


def test_a_database_damaged_inside_is_reported_not_crashed_on(tmp_path: Path) -> None:
    with SessionStore(tmp_path) as store:
        for _ in range(20):
            _add_call(store)
    with sqlite3.connect(tmp_path / "sessions.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray((tmp_path / "sessions.db").read_bytes())
    data[8192:40960] = b"\xff" * (40960 - 8192)  # scribble over pages in the middle
    (tmp_path / "sessions.db").write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        store = SessionStore(tmp_path)
        for s in store.sessions():
            store.events(s.id)


def test_a_locked_store_says_so(tmp_path: Path) -> None:
    with SessionStore(tmp_path) as store:
        other = sqlite3.connect(tmp_path / "sessions.db", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError, match="locked by another program"):
                store.create_session(SessionInfo(new_uid(), now_iso()))
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.create_session(SessionInfo(new_uid(), now_iso()))  # and works once it is free


def test_a_read_only_store_says_so(tmp_path: Path) -> None:
    with SessionStore(tmp_path) as store:
        _add_call(store)
    with SessionStore(tmp_path, readonly=True) as store:
        assert len(store.sessions()) == 1
        with pytest.raises(StoreError, match="read-only"):
            store.create_session(SessionInfo(new_uid(), now_iso()))
    with pytest.raises(StoreError, match="no session store"):
        SessionStore(tmp_path / "elsewhere", readonly=True)


def test_a_full_store_says_so(tmp_path: Path) -> None:
    with SessionStore(tmp_path) as store:
        # SQLite's own page limit stands in for a full disk: the same error reaches the store.
        (pages,) = store._conn.execute("PRAGMA page_count").fetchone()
        store._conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        session_id = store.create_session(SessionInfo(new_uid(), now_iso()))
        big = [(i, Utterance(i, "agent", i, i + 1.0, "words " * 400)) for i in range(50)]
        with pytest.raises(StoreError, match="is full"):
            store.append_events(session_id, big)
        assert store.events(session_id) == []  # nothing half-written


def test_two_windows_opening_a_new_store_at_once(tmp_path: Path) -> None:
    import threading

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_store() -> None:
        start.wait()
        try:
            SessionStore(tmp_path).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with SessionStore(tmp_path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
