"""Retention the database enforces, and deleting a session with a lead's or an admin's right."""

from __future__ import annotations

from pathlib import Path

import psycopg

from companion.cli import main
from companion.store.db import SessionStore
from companion.team.outbox import Outbox
from companion.team.sync import sync
from tests.team.local_calls import add_call
from tests.team.pg_fixtures import TeamDb


def _uids(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT uid FROM team.sessions")}


def test_retention_hides_then_purges_old_sessions(team_db: TeamDb, tmp_path: Path, capsys) -> None:
    agent = team_db.add_user("gil", "agent", "east", capsys)
    lead = team_db.add_user("liv", "lead", "east", capsys)
    with SessionStore(tmp_path / "gil") as store, Outbox(tmp_path / "gil") as outbox:
        old = add_call(store, "Gil", minutes_ago=40 * 24 * 60, audio=False)
        new = add_call(store, "Gil", minutes_ago=24 * 60, audio=False)
        sync(store, outbox, agent)
    assert _uids(agent) == _uids(lead) == {old, new}

    with team_db.admin() as conn:  # the period alone (no purge yet): no login sees what it no longer keeps
        conn.execute("UPDATE team.settings SET retention_days = 30")
    assert _uids(agent) == _uids(lead) == {new}
    with psycopg.connect(agent) as conn:  # any login may ask for the purge; the database decides what goes
        assert conn.execute("SELECT team.purge_expired()").fetchone() == (1,)
    with team_db.admin() as conn:
        assert conn.execute("SELECT count(*) FROM team.events WHERE session_uid = %s", (old,)).fetchone() == (0,)
        assert {r[0] for r in conn.execute("SELECT uid FROM team.sessions")} == {new}

    assert main(["team", "retention", "off", "--db", team_db.admin_url]) == 0
    assert "kept for ever" in capsys.readouterr().out
    assert main(["team", "retention", "soon", "--db", team_db.admin_url]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert main(["team", "retention", "30", "--db", agent]) == 2  # only an admin sets it
    assert "not allowed" in capsys.readouterr().err


def test_delete_needs_a_lead_or_admin_and_goes_everywhere(team_db: TeamDb, tmp_path: Path, capsys) -> None:
    agent = team_db.add_user("hal", "agent", "east", capsys)
    lead = team_db.add_user("lia", "lead", "east", capsys)
    other_lead = team_db.add_user("oz", "lead", "west", capsys)
    store_dir = tmp_path / "hal"
    with SessionStore(store_dir) as store, Outbox(store_dir) as outbox:
        uid = add_call(store, "Hal")
        keep = add_call(store, "Hal", minutes_ago=5)
        sync(store, outbox, agent)
        with psycopg.connect(lead) as conn:
            conn.execute(
                "INSERT INTO team.notes (uid, session_uid, t, author, text) VALUES ('n1', %s, 1, 'Lia', 'x')", (uid,)
            )
    capsys.readouterr()
    assert main(["team", "delete", uid, "--db", agent]) == 2  # an agent may not
    assert "not allowed" in capsys.readouterr().err
    assert main(["team", "delete", uid, "--db", other_lead]) == 2  # nor the lead of another team
    assert "not deleted" in capsys.readouterr().out
    assert uid in _uids(agent)

    assert main(["team", "delete", uid, "--db", lead, "--local", "--store-dir", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert f"team database: deleted {uid}" in out and f"this store: deleted {uid}" in out
    assert _uids(lead) == {keep}
    with team_db.admin() as conn:
        for table in ("events", "audio_chunks", "notes"):
            assert conn.execute(f"SELECT count(*) FROM team.{table} WHERE session_uid = %s", (uid,)).fetchone() == (0,)
    with SessionStore(store_dir) as store, Outbox(store_dir) as outbox:
        assert store.find_uid(uid) is None
        assert sync(store, outbox, agent).pushed == []  # gone for good: not pushed again
    assert _uids(agent) == {keep}
