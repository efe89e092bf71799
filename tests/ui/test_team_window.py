"""The window's team parts against the real server: Settings' Team page, the Team source, the dashboard.

Two agents push calls over several weeks; the lead's login drives the Sessions
window: search (PostgreSQL full-text), filters, a replay whose audio streams
out of the database, a note that reaches the agent at the next sync, and the
dashboard with its chart and CSV.  Screenshots go to CALL_COMPANION_SHOTS when set.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.store.db import SessionStore
from companion.team.outbox import Outbox
from companion.team.sync import sync
from companion.ui.coaching import StepInfo
from companion.ui.sessions_window import SessionsWindow
from companion.ui.settings import Key, Settings
from companion.ui.settings_dialog import SettingsDialog
from companion.ui.team_sync import team_url
from tests.team.local_calls import PLAYBOOK, add_call
from tests.team.pg_fixtures import TeamDb

DAY = 24 * 60


@pytest.fixture
def team_settings(settings: Settings) -> Settings:
    return settings


def _push_team_calls(db: TeamDb, tmp_path: Path, capsys) -> tuple[str, dict[str, str], dict[str, list[str]]]:
    ann = db.add_user("ann", "agent", "billing", capsys)
    bob = db.add_user("bob", "agent", "billing", capsys)
    lead = db.add_user("lee", "lead", "billing", capsys)
    uids: dict[str, list[str]] = {"ann": [], "bob": []}
    plan = {
        # (days ago, topic, empathy, mood at the end): Ann recovers her customers, Bob skips empathy lately.
        "ann": [
            (40, "phone bill", True, 0.3),
            (26, "roaming", True, 0.5),
            (12, "refund", True, 0.4),
            (5, "late fee", True, 0.6),
            (2, "internet outage", True, 0.5),
        ],
        "bob": [
            (38, "phone bill", True, 0.2),
            (24, "upgrade", False, -0.4),
            (10, "router", False, -0.5),
            (3, "double charge", False, -0.3),
        ],
    }
    for name, url in (("ann", ann), ("bob", bob)):
        with SessionStore(tmp_path / name) as store, Outbox(tmp_path / name) as outbox:
            for days, topic, empathy, mood in plan[name]:
                uids[name].append(
                    add_call(
                        store,
                        name.title(),
                        topic,
                        minutes_ago=days * DAY,
                        audio=days < 4,
                        empathy=empathy,
                        mood_end=mood,
                    )
                )
            assert len(sync(store, outbox, url).pushed) == len(plan[name])
    return lead, {"ann": ann, "bob": bob}, uids


def test_team_page_source_and_dashboard(
    team_db: TeamDb, team_settings: Settings, tmp_path: Path, qtbot: QtBot, capsys, shots: Path
) -> None:
    lead, agents, uids = _push_team_calls(team_db, tmp_path, capsys)

    # Settings → Team: the URL is kept without its password; the password in a 0600 file (no keyring here).
    dialog = SettingsDialog(team_settings)
    qtbot.addWidget(dialog)
    dialog.pages.setCurrentWidget(dialog.team_page)
    page = dialog.team_page
    page.url.setText(lead)
    page.url.editingFinished.emit()  # as when the agent pastes the URL and moves on
    password = lead.split(":")[2].split("@")[0]
    assert password not in page.url.text() and page.password.text() == password
    page.sync.setChecked(True)
    page.test_connection()
    qtbot.waitUntil(lambda: page.result.text().startswith(("✓", "⚠")), timeout=15000)
    assert page.result.text().startswith("✓  Connected as " + team_db.login("lee")), page.result.text()
    dialog.resize(760, 520)
    dialog.grab().save(str(shots / "team-settings.png"))
    dialog.accept()
    saved = team_settings.text(Key.TEAM_URL)
    assert saved and password not in saved and password not in Path(team_settings.file_name).read_text()
    secret_file = Path(team_settings.file_name).parent / "team-passwords.json"
    assert password in secret_file.read_text() and stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert team_url(team_settings) == lead and team_settings.flag(Key.TEAM_SYNC)

    # The Sessions window's Team source, as the lead.
    catalogue = [StepInfo(step_id, title) for step_id, title in PLAYBOOK]
    window = SessionsWindow(tmp_path / "lead-local", catalogue=catalogue, team_url=lambda: team_url(team_settings))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    team = window.team
    assert team is not None and window.dashboard is not None
    window.sources.setCurrentWidget(team)
    qtbot.waitUntil(lambda: len(team.rows) == 9, timeout=10000)
    every = uids["ann"] + uids["bob"]
    assert {r.summary.uid for r in team.rows} == set(every)

    team.search_box.setText("roaming")
    qtbot.waitUntil(lambda: len(team.rows) == 1, timeout=5000)
    assert team.rows[0].summary.uid == uids["ann"][1]
    team.search_box.setText("")
    team.step_box.setCurrentIndex(team.step_box.findData("empathize"))  # calls where empathy was missed
    qtbot.waitUntil(lambda: {r.summary.uid for r in team.rows} == set(uids["bob"][1:]), timeout=5000)
    team.step_box.setCurrentIndex(0)
    team.pitfall_box.setCurrentIndex(team.pitfall_box.findData("early-solution"))
    qtbot.waitUntil(lambda: {r.summary.uid for r in team.rows} == set(uids["bob"][1:]), timeout=5000)
    team.pitfall_box.setCurrentIndex(0)
    team.outcome_box.setCurrentText("Customer recovered")
    qtbot.waitUntil(lambda: {r.summary.uid for r in team.rows} == set(uids["ann"]) | {uids["bob"][0]}, timeout=5000)
    team.outcome_box.setCurrentText("Any outcome")
    team.agent_box.setText("Bob")
    qtbot.waitUntil(lambda: {r.summary.uid for r in team.rows} == set(uids["bob"]), timeout=5000)
    team.agent_box.setText("")
    qtbot.waitUntil(lambda: len(team.rows) == 9, timeout=5000)
    assert team.select_uid(uids["bob"][-1])
    window.grab().save(str(shots / "team-source.png"))

    # Replay a team call: the audio comes out of the database into the cache, the notes go back in.
    assert window.open_team_session(uids["bob"][-1])
    replay = window.replay
    assert replay.session is not None and replay.session.summary.uid == uids["bob"][-1]
    audio = replay.audio_path
    assert audio is not None and audio.exists() and audio.stat().st_size > 1000
    replay.seek(5.0)
    assert replay.add_note("note", "Lee", "Acknowledge the double charge before fixing it.")
    assert [n.text for n in replay.session.notes] == ["Acknowledge the double charge before fixing it."]
    window.grab().save(str(shots / "team-replay.png"))
    window.show_library()

    # The dashboard: per agent and week, a chart of the chosen figure, and CSV.
    window.sources.setCurrentWidget(window.dashboard)
    board = window.dashboard
    qtbot.waitUntil(lambda: sum(r.calls for r in board.rows) == 9, timeout=10000)
    assert {r.agent for r in board.rows} == {"Ann", "Bob"}
    assert len(board.chart.series()) == 2
    bob_recent = [r for r in board.rows if r.agent == "Bob" and r.calls and r.steps.get("empathize") == 0.0]
    assert len(bob_recent) == 3
    assert board.table.rowCount() == len(board.rows) >= 7  # some weeks hold two of Ann's calls
    qtbot.wait(300)  # the chart lays out its axes and legend on the next turns of the event loop
    window.grab().save(str(shots / "team-dashboard.png"))
    csv = board.export_csv(tmp_path / "board.csv")
    assert csv is not None
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("agent,login,week,calls,recovery,first_empathy_s,pitfalls_per_call,talk_ratio,step:")
    assert len(lines) == len(board.rows) + 1
    # Deleting from the Team source: the lead may; the call is gone for every login.
    window.sources.setCurrentWidget(team)
    assert team.select_uid(uids["bob"][0])
    assert team.delete_selected(confirm=False)
    assert uids["bob"][0] not in {r.summary.uid for r in team.rows} and len(team.rows) == 8
    cache = team.cache_dir
    window.close()
    assert not cache.exists()  # the team's audio is not left on the lead's machine

    # The note reaches Bob's own library on that call's timeline at his next sync.
    with SessionStore(tmp_path / "bob") as store, Outbox(tmp_path / "bob") as outbox:
        assert sync(store, outbox, agents["bob"]).notes_pulled == 1
        (note,) = store.notes(store.find_uid(uids["bob"][-1]) or 0)
    assert (note.t, note.author, note.text) == (5.0, "Lee", "Acknowledge the double charge before fixing it.")


def test_sync_after_a_call_never_during_one(
    team_db: TeamDb, team_settings: Settings, tmp_path: Path, qtbot: QtBot, capsys
) -> None:
    from companion.ui.team_sync import SyncIndicator, TeamSync, passwords

    url = team_db.add_user("ivy", "agent", "north", capsys)
    team_settings.set(Key.TEAM_URL, passwords(team_settings).save_url(url))
    team_settings.set(Key.TEAM_SYNC, True)
    store_dir = tmp_path / "ivy"
    with SessionStore(store_dir) as store:
        uid = add_call(store, "Ivy", audio=False)
    in_call = [True]
    syncer = TeamSync(team_settings, store_dir, busy=lambda: in_call[0])
    indicator = SyncIndicator(syncer)
    assert not syncer.request()  # a call is under way: nothing goes
    in_call[0] = False
    with qtbot.waitSignal(syncer.synced, timeout=20000) as done:
        assert syncer.request()
    assert done.args[0].pushed == [uid]
    qtbot.waitUntil(lambda: indicator.text().startswith("Team: synced"), timeout=5000)
    syncer.wait()

    team_settings.set(Key.TEAM_URL, f"postgresql://ivy@/{team_db.name}?host={tmp_path}&port=5999")  # no server
    with SessionStore(store_dir) as store:
        add_call(store, "Ivy", minutes_ago=3, audio=False)
    assert syncer.request()
    qtbot.waitUntil(lambda: "⚠" in indicator.text(), timeout=20000)
    assert "cannot reach" in indicator.toolTip()
    syncer.wait()
    syncer.timer.stop()
