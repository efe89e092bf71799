"""Sync against a real PostgreSQL: the check of done, a push killed and resumed, a server gone, notes back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg
import pytest

from companion.cli import main
from companion.store.audio_file import read_audio
from companion.store.db import SessionStore
from companion.team import library
from companion.team.connection import connect
from companion.team.errors import TeamError
from companion.team.outbox import Outbox
from companion.team.sync import sync
from tests.team.local_calls import CARD_DIGITS, CARD_SPOKEN, add_call
from tests.team.pg_cluster import BIN
from tests.team.pg_fixtures import TeamDb

ROOT = Path(__file__).resolve().parents[2]


def _cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_two_agents_and_a_lead(team_db: TeamDb, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The check of done: each agent lists only its calls, the lead both, raw SQL agrees, no card number stored."""
    ann = team_db.add_user("ann", "agent", "billing", capsys)
    bob = team_db.add_user("bob", "agent", "billing", capsys)
    lead = team_db.add_user("lee", "lead", "billing", capsys)
    stores = {"ann": tmp_path / "ann", "bob": tmp_path / "bob"}
    uids: dict[str, set[str]] = {}
    for name, minutes in (("ann", (90, 30)), ("bob", (60,))):
        with SessionStore(stores[name]) as store:
            uids[name] = {add_call(store, name.title(), minutes_ago=m) for m in minutes}
            add_call(store, name.title(), minutes_ago=1, finished=False)  # a call under way: never pushed
    for name, url in (("ann", ann), ("bob", bob)):
        capsys.readouterr()
        assert main(["team", "sync", "--db", url, "--store-dir", str(stores[name])]) == 0
        out = capsys.readouterr().out
        assert f"{len(uids[name])} pushed" in out and all(f"pushed {u}" in out for u in uids[name])

    local = _cli_json(["sessions", "list", "--json", "--store-dir", str(stores["ann"])], capsys)
    for name, url in (("ann", ann), ("bob", bob)):
        listed = _cli_json(["sessions", "list", "--team", "--db", url, "--json"], capsys)
        assert {r["uid"] for r in listed} == uids[name]
        assert all(set(r) == set(local[0]) for r in listed)  # the local list's fields
        assert all(r["audio"] == f"team:{r['uid']}" and r["state"] == "complete" for r in listed)
    both = _cli_json(["sessions", "list", "--team", "--db", lead, "--json"], capsys)
    assert {r["uid"] for r in both} == uids["ann"] | uids["bob"]

    (bob_uid,) = uids["bob"]
    with psycopg.connect(ann) as conn:
        for table, column in (("sessions", "uid"), ("events", "session_uid"), ("audio_chunks", "session_uid")):
            found = conn.execute(f"SELECT count(*) FROM team.{table} WHERE {column} = %s", (bob_uid,)).fetchone()
            assert found == (0,), table
    with pytest.raises(TeamError, match="no session"), connect(ann) as conn:
        library.load_session(conn, bob_uid)
    with connect(bob) as conn:  # the audio went up with the card number's span silenced on the customer's side
        audio = library.save_audio(conn, bob_uid, tmp_path / "bob.ogg")
    assert audio is not None
    pcm = read_audio(audio)
    rms = lambda row, a, b: float(np.sqrt(np.mean(pcm[row, int(a * 16000) : int(b * 16000)] ** 2)))  # noqa: E731
    assert rms(1, 6.2, 9.3) < 0.005 and rms(1, 2.0, 3.0) > 0.05 and rms(0, 6.2, 9.3) > 0.05

    dump = subprocess.run(
        _as_postgres(
            [
                str(BIN / "pg_dump"),
                "-h",
                str(team_db.cluster.socket_dir),
                "-p",
                str(team_db.cluster.port),
                "-U",
                "postgres",
                team_db.name,
            ]
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "charged twice" in dump  # the calls are in it...
    assert "[card number]" in dump  # ...redacted
    for secret in (CARD_DIGITS, "4111 1111 1111 1111", CARD_SPOKEN, "four one one one"):
        assert secret not in dump


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _store_with_calls(root: Path, agent: str, without_audio: int, with_audio: int) -> list[str]:
    """Oldest first: the calls without audio, then those with audio (the push order)."""
    with SessionStore(root) as store:
        n = without_audio + with_audio
        return [add_call(store, agent, minutes_ago=100 - i, audio=i >= without_audio) for i in range(n)]


def _server_counts(db: TeamDb) -> dict[str, tuple[int, int]]:
    with db.admin() as conn:
        rows = conn.execute(
            "SELECT s.uid, (SELECT count(*) FROM team.events e WHERE e.session_uid = s.uid), "
            "(SELECT coalesce(sum(length(a.data)), 0) FROM team.audio_chunks a WHERE a.session_uid = s.uid) "
            "FROM team.sessions s"
        ).fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


def test_sync_killed_mid_push_then_resumed(team_db: TeamDb, tmp_path: Path, capsys) -> None:
    url = team_db.add_user("kim", "agent", "north", capsys)
    store_dir = tmp_path / "kim"
    uids = _store_with_calls(store_dir, "Kim", without_audio=3, with_audio=3)
    admin = psycopg.connect(team_db.admin_url)
    # Hold the audio table: the fourth session (the first with audio) stops inside its transaction.
    admin.execute("LOCK TABLE team.audio_chunks IN SHARE MODE")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "team", "sync", "--db", url, "--store-dir", str(store_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        with team_db.admin() as watcher:
            while time.monotonic() < deadline:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND wait_event_type = 'Lock'",
                    (team_db.login("kim"),),
                ).fetchone()
                if waiting and waiting[0] == 1:
                    break
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.05)
            else:
                pytest.fail("the sync never reached the audio of its fourth session")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        admin.rollback()  # the lock goes; the killed client's transaction is rolled back by the server
        admin.close()
    # Let the server notice the dead client and roll its transaction back.
    deadline = time.monotonic() + 30
    with team_db.admin() as watcher:
        while watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (team_db.login("kim"),)
        ).fetchone() != (0,):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    counts = _server_counts(team_db)
    assert set(counts) == set(uids[:3])  # three whole sessions, nothing of the fourth

    capsys.readouterr()
    assert main(["team", "sync", "--db", url, "--store-dir", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert "3 pushed, 0 unchanged, 0 failed" in out
    counts = _server_counts(team_db)
    assert set(counts) == set(uids)
    with SessionStore(store_dir, readonly=True) as store:
        for uid in uids:
            local_id = store.find_uid(uid)
            assert local_id is not None
            events, audio = counts[uid]
            assert events == store.next_seq(local_id)  # every event once
            summary = store.session(local_id)
            assert (audio > 0) == (summary.audio is not None)

    # An outbox lost after a push (killed between the server's commit and the outbox's note):
    # the server recognises the same content and writes nothing twice.
    (store_dir / "team-outbox.db").unlink()
    capsys.readouterr()
    assert main(["team", "sync", "--db", url, "--store-dir", str(store_dir)]) == 0
    assert "0 pushed, 6 unchanged, 0 failed" in capsys.readouterr().out
    assert _server_counts(team_db) == counts


def test_server_down_during_sync(team_db: TeamDb, tmp_path: Path, capsys) -> None:
    url = team_db.add_user("dan", "agent", "north", capsys)
    store_dir = tmp_path / "dan"
    uids = _store_with_calls(store_dir, "Dan", without_audio=1, with_audio=2)

    # No server at all: one line, exit 2, everything waits in the outbox with its error.
    gone = f"postgresql://x:y@/{team_db.name}?host={tmp_path}&port=5999"
    capsys.readouterr()
    assert main(["team", "sync", "--db", gone, "--store-dir", str(store_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot reach the team database" in err[0]
    assert main(["team", "status", "--store-dir", str(store_dir)]) == 0
    status = capsys.readouterr().out
    assert "pending: 3 (waiting to retry: 3)" in status and "cannot reach" in status
    with Outbox(store_dir) as outbox:
        assert outbox.due() == []  # backoff: the background sync waits...
        assert len(outbox.due(honour_backoff=False)) == 3  # ...a sync asked for now does not

    # The server drops the connection in the middle of the second session.
    admin = psycopg.connect(team_db.admin_url)
    admin.execute("LOCK TABLE team.audio_chunks IN SHARE MODE")
    with SessionStore(store_dir) as store, Outbox(store_dir) as outbox:
        import threading

        result: dict[str, object] = {}
        worker = threading.Thread(target=lambda: result.setdefault("report", sync(store, outbox, url)))
        worker.start()
        with team_db.admin() as killer:
            deadline = time.monotonic() + 60
            while True:
                row = killer.execute(
                    "SELECT pid FROM pg_stat_activity WHERE usename = %s AND wait_event_type = 'Lock'",
                    (team_db.login("dan"),),
                ).fetchone()
                if row:
                    killer.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                    break
                assert time.monotonic() < deadline
                time.sleep(0.05)
        admin.rollback()
        admin.close()
        worker.join(60)
        report = result["report"]
        assert report.pushed == uids[:1] and report.stopped  # type: ignore[attr-defined]
        assert "connection" in report.stopped  # type: ignore[attr-defined]
        assert set(_server_counts(team_db)) == set(uids[:1])
        assert outbox.status().pending == 2
        # The server is back: the rest goes, the first is not sent again.
        again = sync(store, outbox, url)
        assert again.pushed == uids[1:] and again.unchanged == [] and not again.stopped
        assert outbox.status().pending == 0 and outbox.status().last_error == ""
    assert set(_server_counts(team_db)) == set(uids)


def test_notes_come_back_onto_the_calls_timeline(team_db: TeamDb, tmp_path: Path, capsys) -> None:
    agent = team_db.add_user("eve", "agent", "west", capsys)
    lead = team_db.add_user("lou", "lead", "west", capsys)
    store_dir = tmp_path / "eve"
    with SessionStore(store_dir) as store, Outbox(store_dir) as outbox:
        uid = add_call(store, "Eve", audio=False)
        sync(store, outbox, agent)
        with connect(lead) as conn:
            library.add_note(conn, uid, 5.5, "Lou", "Good empathy here; keep it.")
            library.add_note(conn, uid, 8.0, "Lou", "Stop the customer before they read the card out.", "follow-up")
        report = sync(store, outbox, agent)
        assert report.notes_pulled == 2 and report.pushed == []
        local = store.notes(store.find_uid(uid) or 0)
        assert [(n.t, n.author, n.kind) for n in local] == [(5.5, "Lou", "note"), (8.0, "Lou", "follow-up")]
        assert sync(store, outbox, agent).notes_pulled == 0  # not twice
    with connect(agent) as conn:  # the agent reads them on the server too, and cannot write any
        assert len(library.load_session(conn, uid).notes) == 2
        with pytest.raises(TeamError, match="not allowed"):
            library.add_note(conn, uid, 1.0, "Eve", "me too")


def test_a_changed_session_is_pushed_again_whole(team_db: TeamDb, tmp_path: Path, capsys) -> None:
    url = team_db.add_user("fay", "agent", "west", capsys)
    store_dir = tmp_path / "fay"
    with SessionStore(store_dir) as store, Outbox(store_dir) as outbox:
        uid = add_call(store, "Fay", audio=False)
        sync(store, outbox, url)
        sid = store.find_uid(uid) or 0
        store.finish_session(sid, 12.0, note="called back")
        report = sync(store, outbox, url)
        assert report.pushed == [uid]
        with connect(url) as conn:
            session = library.load_session(conn, uid)
        assert session.summary.note == "called back" and len(session.events) == store.next_seq(sid)
