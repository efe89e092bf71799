"""Replay of a real stored call: the player's position drives the fold, clicks seek, notes persist."""

from __future__ import annotations

from pathlib import Path

import psutil
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from companion.analysis.state import fold
from companion.events import Alert, NextStep, StepDone, Utterance
from companion.store.db import SessionStore, new_uid, now_iso
from companion.store.records import SessionInfo
from companion.ui.coaching import load_coaching
from companion.ui.replay_view import ReplayView
from companion.ui.sessions_window import SessionsWindow
from tests.ui.conftest import StoredCall


def _replay(qtbot: QtBot, stored_call: StoredCall) -> tuple[ReplayView, SessionStore]:
    view = ReplayView(load_coaching("").steps)
    qtbot.addWidget(view)
    view.resize(1280, 860)
    view.show()
    qtbot.waitExposed(view)
    store = SessionStore(stored_call.store_dir)
    assert view.load(store, stored_call.session_id)
    return view, store


def _heard_at(utterances: list[Utterance], t: float) -> Utterance | None:
    """The line being heard at t, worked out independently: the last one begun."""
    begun = [u for u in sorted(utterances, key=lambda u: u.start) if u.start <= t]
    return begun[-1] if begun else None


def _assert_moment(view: ReplayView, stored_call: StoredCall, t: float) -> None:
    state = fold(stored_call.events, t)
    assert view.position == t
    assert set(view.steps_panel.done) == {tick.step for tick in state.steps_done}, t
    expected_next = state.next_step or view.steps[0].id
    assert view.steps_panel.next_step == expected_next and view.next_step.step_id == expected_next, t
    # The alerts the live window still showed: raised in the last 9.5 s (8 s shown, 1.5 s fading), newest 3.
    on_screen = [a for a in state.alerts if t - 9.5 < a.t <= t][-3:]
    assert [n.alert for n in view.alerts.shown()] == on_screen[::-1], t
    heard = _heard_at([e for e in stored_call.events if isinstance(e, Utterance)], t)
    assert view.transcript.highlighted_utterance() == heard, t
    assert view.chart.cursor_t == t and view.timeline.position == t


def test_seeking_shows_what_the_agent_saw_at_that_moment(stored_call: StoredCall, qtbot: QtBot, shots: Path) -> None:
    view, store = _replay(qtbot, stored_call)
    events = stored_call.events
    ticks = [e for e in events if isinstance(e, StepDone)]
    changes = [e for e in events if isinstance(e, NextStep)]
    assert ticks and len({e.step for e in changes}) >= 2, "the call must exercise the playbook panel"
    alerts = [e for e in events if isinstance(e, Alert)]
    assert alerts, "the call must raise an alert"
    # Every moment where a panel changes, just before and just after (an alert also when it leaves), and between.
    marks = [e.t for e in ticks + changes + alerts] + [a.t + 9.5 for a in alerts]
    moments = sorted({round(m + d, 3) for m in marks for d in (-0.05, 0.05)} | {0.0, 7.5, 21.0})
    for t in [*moments, *reversed(moments)]:  # forwards and backwards: seeking back undoes ticks
        t = min(max(0.0, t), view.player.duration)  # a seek stays within the call
        view.seek(t)
        _assert_moment(view, stored_call, t)
    # Before the first step and after the last, the panels differ.
    view.seek(ticks[-1].t + 0.05)
    done_late = set(view.steps_panel.done)
    view.seek(0.0)
    assert set(view.steps_panel.done) == set() != done_late

    # Clicking a transcript line seeks to it.
    line = view.transcript.item(3)
    target = view.transcript.utterances[3]
    rect = view.transcript.visualItemRect(line)
    qtbot.mouseClick(view.transcript.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.position == target.start
    assert view.transcript.highlighted_utterance() == target
    _assert_moment(view, stored_call, target.start)

    # Clicking the chart or the timeline seeks to the time under the mouse.
    plot = view.chart.chart_.plotArea()
    scene = view.chart.chart_.mapToScene(plot.center())
    click = view.chart.mapFromScene(scene)
    expected = view.chart.time_at(click.x(), click.y())
    qtbot.mouseClick(view.chart.viewport(), Qt.MouseButton.LeftButton, pos=click)
    assert abs(view.position - expected) < 0.01 and expected > 0
    timeline_x = round(view.timeline.x_of(12.0))
    qtbot.mouseClick(view.timeline, Qt.MouseButton.LeftButton, pos=QPoint(timeline_x, 30))
    assert abs(view.position - 12.0) < view.timeline.duration / view.timeline.width() * 2
    _assert_moment(view, stored_call, view.position)
    # Rows added to a visible panel are shown by Qt's event loop: the playbook must really be on screen.
    qtbot.waitUntil(lambda: all(row.isVisible() for row in view.steps_panel.rows.values()), timeout=2000)
    view.grab().save(str(shots / "replay.png"))
    store.close()


def test_playing_moves_every_panel_and_the_controls_work(stored_call: StoredCall, qtbot: QtBot) -> None:
    view, store = _replay(qtbot, stored_call)
    assert view.player.has_audio  # the recorder kept the call's sound, and Qt's player opened it
    view.seek(4.0)
    view.transport.set_rate(2.0)
    assert view.player.rate == 2.0 and view.player.media.playbackRate() == 2.0
    view.transport.play_button.click()
    assert view.player.playing and "Pause" in view.transport.play_button.text()
    qtbot.waitUntil(lambda: view.position > 5.0, timeout=8000)
    # Privacy: the replay (Qt Multimedia and all) opens no network connection of any kind.
    assert psutil.Process().net_connections(kind="inet") == []
    view.transport.play_button.click()
    assert not view.player.playing
    _assert_moment(view, stored_call, view.position)
    at = view.position
    view.transport.on_button.click()
    assert abs(view.position - (at + 5.0)) < 1e-6
    view.transport.back_button.click()
    view.transport.back_button.click()
    assert abs(view.position - (at - 5.0)) < 1e-6
    view.player.seek(-3.0)
    assert view.position == 0.0
    store.close()


def test_notes_are_kept_at_a_moment_with_their_author(stored_call: StoredCall, qtbot: QtBot, shots: Path) -> None:
    view, store = _replay(qtbot, stored_call)
    view.seek(10.0)
    panel = view.notes
    panel.author.setText("Lee")
    panel.text.setPlainText("Good use of 'please go on' here.")
    panel.add_button.click()
    view.seek(21.0)
    panel.set_kind("follow-up")
    panel.text.setPlainText("Callbacks are not logged: ask the team lead to review the queue.")
    panel.add_button.click()
    panel.text.setPlainText("")
    panel.add_button.click()  # an empty note is refused with a word, not stored
    assert panel.problem.isVisibleTo(panel) and "Write the note" in panel.problem.text()
    store.close()

    with SessionStore(stored_call.store_dir) as fresh:
        notes = [n for n in fresh.notes(stored_call.session_id) if n.author == "Lee"]
    assert [(n.t, n.kind) for n in notes] == [(10.0, "note"), (21.0, "follow-up")]
    assert "review the queue" in notes[1].text
    assert panel.list.count() >= 2 and "follow-up: process issue" in panel.list.item(panel.list.count() - 1).text()
    assert {n.t for n in view.timeline.notes} >= {10.0, 21.0}
    assert view.chart.notes.count() == len(view.timeline.notes)
    assert "follow-up: process issue" in view.scorecard.toPlainText()

    # Clicking a note's flag on the timeline goes to its moment.
    qtbot.mouseClick(view.timeline, Qt.MouseButton.LeftButton, pos=QPoint(round(view.timeline.x_of(10.0)) + 2, 10))
    assert view.position == 10.0


def test_the_sessions_window_opens_a_replay_and_returns(stored_call: StoredCall, qtbot: QtBot, shots: Path) -> None:
    window = SessionsWindow(stored_call.store_dir, load_coaching("").steps, reviewer="Lee")
    qtbot.addWidget(window)
    window.show()
    assert window.library.model.rowCount() == 1
    with qtbot.waitSignal(window.library.open_requested, timeout=1000):
        window.library.open_selected()
    assert window.pages.currentIndex() == 1 and window.replay.session is not None
    assert window.replay.notes.author.text() == "Lee"
    window.replay.seek(23.0)
    notices = window.replay.alerts.shown()
    assert [n.alert.kind for n in notices] == ["trigger-words"] and all(n.isVisible() for n in notices)
    window.replay.tabs.setCurrentIndex(1)
    # The keyboard: Right and Left jump five seconds, Space plays and pauses.
    window.activateWindow()
    window.replay.transcript.setFocus()
    qtbot.waitUntil(lambda: window.replay.transcript.hasFocus(), timeout=2000)
    qtbot.keyClick(window.replay.transcript, Qt.Key.Key_Right)
    assert window.replay.position == 28.0
    qtbot.keyClick(window.replay.transcript, Qt.Key.Key_Left)
    assert window.replay.position == 23.0
    qtbot.keyClick(window.replay.transcript, Qt.Key.Key_Space)
    assert window.replay.player.playing
    qtbot.keyClick(window.replay.transcript, Qt.Key.Key_Space)
    assert not window.replay.player.playing
    window.replay.seek(23.0)
    window.grab().save(str(shots / "replay-scorecard.png"))
    window.back_button.click()
    assert window.pages.currentIndex() == 0
    window.close()


def test_a_session_without_audio_replays_silently_on_its_transcript(
    stored_call: StoredCall, qtbot: QtBot, tmp_path: Path
) -> None:
    with SessionStore(tmp_path / "store") as store:
        sid = store.create_session(SessionInfo(new_uid(), now_iso(), agent="Dana", title="No sound"))
        store.append_events(sid, list(enumerate(stored_call.events)))
        store.finish_session(sid, 34.0)
    view = ReplayView(load_coaching("").steps)
    qtbot.addWidget(view)
    store = SessionStore(tmp_path / "store")
    assert view.load(store, sid)
    assert not view.player.has_audio and "no stored audio" in view.banner.text()
    view.seek(20.0)
    _assert_moment(view, stored_call, 20.0)
    view.player.set_rate(2.0)
    view.player.play()
    qtbot.waitUntil(lambda: view.position > 20.5, timeout=3000)
    view.player.pause()
    _assert_moment(view, stored_call, view.position)
    store.close()
