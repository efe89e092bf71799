"""The schema and who sees what, checked with each role's own login and raw SQL on a real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from companion.cli import main
from companion.store.db import SessionStore
from companion.team.connection import connect
from companion.team.errors import TeamError
from companion.team.outbox import Outbox
from companion.team.schema import MIGRATIONS
from companion.team.sync import sync
from tests.team.local_calls import add_call
from tests.team.pg_fixtures import TeamDb


def test_init_is_safe_to_run_again(team_db: TeamDb, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team", "init", "--db", team_db.admin_url]) == 0
    assert "up to date" in capsys.readouterr().out
    with team_db.admin() as conn:
        versions = conn.execute("SELECT version FROM team.schema_version").fetchall()
        assert versions == [(len(MIGRATIONS),)]
        roles = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'cc_team_%'")}
        assert roles == {"cc_team_agent", "cc_team_lead", "cc_team_admin"}
        forced = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'team'::regnamespace AND relrowsecurity"
        ).fetchall()
        assert {r[0] for r in forced} >= {"sessions", "events", "audio_chunks", "notes", "members"}


def test_a_newer_schema_gets_one_clear_message(team_db: TeamDb, capsys: pytest.CaptureFixture[str]) -> None:
    with team_db.admin() as conn:
        conn.execute("INSERT INTO team.schema_version VALUES (%s)", (len(MIGRATIONS) + 1,))
    with pytest.raises(TeamError, match=r"newer version of Call Companion \(schema 2, this app knows up to 1\)"):
        connect(team_db.admin_url)
    assert main(["team", "init", "--db", team_db.admin_url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "newer version" in err[0]


def test_a_database_without_the_schema_says_what_to_run(pg_cluster, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(TeamError, match="team init"):
        connect(pg_cluster.url("postgres"))


def test_bad_urls_and_unreachable_servers_are_one_line(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    for url in ("not a url at all ===", f"postgresql://x:y@/nodb?host={tmp_path}&port=5999"):
        assert main(["sessions", "list", "--team", "--db", url]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("call-companion: "), err


def test_each_login_sees_only_what_its_role_allows(team_db: TeamDb, tmp_path, capsys) -> None:
    ann = team_db.add_user("ann", "agent", "north", capsys)
    bob = team_db.add_user("bob", "agent", "north", capsys)
    cid = team_db.add_user("cid", "agent", "south", capsys)
    lead_north = team_db.add_user("lena", "lead", "north", capsys)
    lead_south = team_db.add_user("sol", "lead", "south", capsys)
    uids = {}
    for name, url in (("ann", ann), ("bob", bob), ("cid", cid)):
        with SessionStore(tmp_path / name) as store, Outbox(tmp_path / name) as outbox:
            uids[name] = add_call(store, name, audio=False)
            assert sync(store, outbox, url).pushed == [uids[name]]

    def visible(url: str, sql: str) -> set[str]:
        with psycopg.connect(url) as conn:
            return {r[0] for r in conn.execute(sql).fetchall()}

    for name, url in (("ann", ann), ("bob", bob), ("cid", cid)):
        # Raw SQL with the agent's own login: only its own session, its events, nothing else.
        assert visible(url, "SELECT uid FROM team.sessions") == {uids[name]}
        assert visible(url, "SELECT DISTINCT session_uid FROM team.events") == {uids[name]}
        assert visible(url, "SELECT login FROM team.members") == {team_db.login(name)}
    assert visible(lead_north, "SELECT uid FROM team.sessions") == {uids["ann"], uids["bob"]}
    assert visible(lead_north, "SELECT DISTINCT session_uid FROM team.events") == {uids["ann"], uids["bob"]}
    assert visible(lead_south, "SELECT uid FROM team.sessions") == {uids["cid"]}

    with psycopg.connect(ann) as conn:
        # An agent cannot write into another's session, pretend to be another, or delete.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO team.events (session_uid, seq, t, type, data) VALUES (%s, 999, 0, 'x', '{}')",
                (uids["bob"],),
            )
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO team.sessions (uid, agent_login, started_at, checksum) VALUES ('z', %s, now(), 'x')",
                (team_db.login("bob"),),
            )
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM team.sessions")
        conn.rollback()
        assert conn.execute("UPDATE team.sessions SET title = 'x' WHERE uid = %s", (uids["bob"],)).rowcount == 0
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO team.notes (uid, session_uid, t, author, text) VALUES ('n', %s, 0, 'a', 'b')",
                (uids["ann"],),
            )
    with psycopg.connect(lead_south) as conn:
        # A lead of another team sees nothing of north and cannot note on it.
        assert conn.execute(
            "SELECT count(*) FROM team.audio_chunks WHERE session_uid = %s", (uids["ann"],)
        ).fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO team.notes (uid, session_uid, t, author, text) VALUES ('n', %s, 0, 'a', 'b')",
                (uids["ann"],),
            )
        conn.rollback()
        assert conn.execute("DELETE FROM team.sessions WHERE uid = %s", (uids["ann"],)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE team.members SET role = 'lead'")
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO team.members (login, team_id, role) SELECT %s, id, 'lead' FROM team.teams",
                (team_db.login("sol"),),
            )
