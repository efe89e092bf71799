"""Sessions from the companion window: a call run by the window is stored, recovery is reported, store failures too."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from PySide6.QtGui import QKeySequence
from pytestqt.qtbot import QtBot

from companion.events import CallStarted, Utterance
from companion.store.db import SessionStore, new_uid, now_iso
from companion.store.records import SessionInfo
from companion.ui.main_window import MainWindow
from companion.ui.sessions_entry import install_sessions
from companion.ui.settings import Key, Settings
from tests import speech
from tests.ui.conftest import SHORT_CALL


@pytest.fixture
def window(qtbot: QtBot, settings: Settings) -> MainWindow:
    settings.set(Key.AGENT_NAME, "Dana")
    w = MainWindow(settings, audible=False)
    qtbot.addWidget(w)
    w.show()
    return w


def test_a_call_run_by_the_window_becomes_a_session(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, espeak: None, shots: Path
) -> None:
    wav, _ = speech.synthesize_call(SHORT_CALL)
    entry = install_sessions(window, tmp_path / "store", spool_dir=tmp_path / "spool")
    assert entry.action.shortcut() == QKeySequence("Ctrl+L")
    assert entry.action in window.toolbar.actions()
    with qtbot.waitSignal(window.call_finished, timeout=60_000):
        assert window.start_demo(wav, realtime=False)
    assert entry.keeper.last_session_id is not None
    assert "saved as session" in entry.store_label.text()
    with SessionStore(tmp_path / "store") as store:
        summary = store.session(entry.keeper.last_session_id)
        events = store.events(summary.id)
    assert summary.state == "complete" and summary.agent == "Dana"
    assert [s for s, _ in summary.playbook_steps] == [s.id for s in window.live.steps]
    assert summary.audio is not None and summary.audio.stat().st_size > 1000
    assert isinstance(events[0], CallStarted)
    heard = " ".join(e.text for e in events if isinstance(e, Utterance)).lower()
    assert "sam" in heard and "hello" in heard
    assert psutil.Process().net_connections(kind="inet") == []  # the call went nowhere
    # The live view saw the same utterances the store kept.
    assert [e for e in window.last_events if isinstance(e, Utterance)] == [
        e for e in events if isinstance(e, Utterance)
    ]

    entry.action.trigger()
    sessions = entry.sessions_window
    assert sessions is not None and sessions.isVisible()
    assert sessions.library.model.rowCount() == 1
    # The reviewer's name is remembered for the next note.
    assert sessions.open_session(entry.keeper.last_session_id)
    sessions.replay.notes.author.setText("Lee")
    sessions.replay.notes.text.setPlainText("Greeting was clear.")
    sessions.replay.notes.add_button.click()
    assert window.settings.text(Key.REVIEWER) == "Lee"
    sessions.show_library()
    sessions.grab().save(str(shots / "sessions-window.png"))
    sessions.close()


def test_start_up_recovers_a_cut_off_call_and_says_so(window: MainWindow, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    with SessionStore(store_dir) as store:
        # A call whose app died: the row is still "recording" and no process holds its lock.
        sid = store.create_session(SessionInfo(new_uid(), now_iso(), agent="Dana", channels=(("agent", "left"),)))
        store.append_events(
            sid,
            [
                (0, CallStarted(0.0, "mic", (("agent", "left"),), True)),
                (1, Utterance(0, "agent", 0.5, 2.0, "Hello, this is Dana.")),
            ],
        )
    entry = install_sessions(window, store_dir, spool_dir=tmp_path / "spool")
    assert "Recovered a cut-off call" in entry.store_label.text()
    assert "1 utterances" in entry.store_label.text()
    with SessionStore(store_dir) as store:
        assert store.session(sid).state == "recovered"


def test_a_store_that_cannot_be_written_gives_one_message_and_the_call_goes_on(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, espeak: None
) -> None:
    wav, _ = speech.synthesize_call(SHORT_CALL)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    entry = install_sessions(window, blocker / "store", spool_dir=tmp_path / "spool")
    messages: list[str] = []
    entry.keeper.store_failed.connect(messages.append)
    first = entry.store_label.text()
    assert first.startswith("⚠  Sessions:") and "session store" in first
    assert str(tmp_path) not in first and str(tmp_path) in entry.store_label.toolTip(), "no full path in the bar"
    with qtbot.waitSignal(window.call_finished, timeout=60_000):
        assert window.start_demo(wav, realtime=False)
    assert any(isinstance(e, Utterance) for e in window.last_events)  # the call itself went on
    assert len(messages) == 1  # one message for the call, not one per event
    assert entry.store_label.text().startswith("⚠")
    assert list((tmp_path / "spool").glob("*.jsonl")), "the call's events wait in the spool file"
