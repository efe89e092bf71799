"""Replaying a session kept from a transcript, in a real offscreen window: no audio, it steps through lines."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from companion.analysis.coach import coach_for
from companion.analysis.playbook import load_playbook
from companion.call_analysis import record_file
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings
from companion.ui.coaching import load_coaching
from companion.ui.library_view import LibraryView
from companion.ui.replay_view import ReplayView
from companion.ui.session_table import COL_DURATION, COL_TITLE
from tests.edges.transcripts import SCRIPT_TAG, write_call


def _stored_transcript(tmp_path: Path) -> tuple[Path, int]:
    store_dir = tmp_path / "store"
    with SessionStore(store_dir) as store:
        call = write_call(tmp_path)
        settings = RecorderSettings(title=call.stem)
        coach = coach_for(load_playbook())
        session_id, _report, error = record_file(call, store, recorder_settings=settings, coach=coach)
    assert error is None and session_id is not None
    return store_dir, session_id


def test_the_replay_steps_through_the_lines_of_a_transcript(qtbot: QtBot, tmp_path: Path) -> None:
    store_dir, session_id = _stored_transcript(tmp_path)
    view = ReplayView(load_coaching("").steps)
    qtbot.addWidget(view)
    view.resize(1280, 860)
    view.show()
    qtbot.waitExposed(view)
    store = SessionStore(store_dir)
    assert view.load(store, session_id)
    assert not view.player.has_audio
    assert view.banner.isVisible() and "transcript" in view.banner.text()
    assert view.transport.on_button.text() == "Line ▶"

    starts = [u.start for u in view.transcript.utterances]
    assert starts == [1.0, 5.0, 11.0, 17.0, 21.0, 26.0]
    # The keys and the buttons go a line at a time, not five seconds.
    view.activateWindow()
    view.transcript.setFocus()
    qtbot.waitUntil(view.transcript.hasFocus, timeout=2000)
    qtbot.keyClick(view.transcript, Qt.Key.Key_Right)
    first = view.transcript.highlighted_utterance()
    assert view.position == 1.0 and first is not None and first.start == 1.0
    qtbot.keyClick(view.transcript, Qt.Key.Key_Right)
    assert view.position == 5.0
    qtbot.keyClick(view.transcript, Qt.Key.Key_Left)
    assert view.position == 1.0
    qtbot.keyClick(view.transcript, Qt.Key.Key_Right)
    view.transport.on_button.click()
    assert view.position == 11.0
    highlighted = view.transcript.highlighted_utterance()
    assert highlighted is not None and highlighted.text.startswith("I am so sorry")
    view.transport.back_button.click()
    assert view.position == 5.0
    # The markup the customer "said" is a line of text in the transcript, as written.
    said = view.transcript.highlighted_utterance()
    assert said is not None and SCRIPT_TAG in said.text
    # Past the last line there is nowhere further to go; back from the start stays at the start.
    view.seek(26.0)
    view.transport.on_button.click()
    assert view.position == 26.0
    view.seek(0.0)
    view.transport.back_button.click()
    assert view.position == 0.0

    # Play runs through the lines at their times on the silent clock.
    view.seek(16.5)
    view.transport.play_button.click()
    qtbot.waitUntil(lambda: view.position >= 17.0, timeout=3000)
    heard = view.transcript.highlighted_utterance()
    assert heard is not None and heard.start == 17.0
    view.transport.play_button.click()
    assert not view.player.playing
    # Notes can be added at the moment shown, and the scorecard is filled.
    assert view.add_note("note", "Lead", "Check the refund went through.")
    assert "Check the refund went through." in view.scorecard.toPlainText()
    assert "Empathize" in view.scorecard.toPlainText()
    store.close()


def test_the_library_lists_a_transcript_session(qtbot: QtBot, tmp_path: Path) -> None:
    store_dir, _session_id = _stored_transcript(tmp_path)
    library = LibraryView(store_dir)
    qtbot.addWidget(library)
    library.refresh()
    assert library.model.rowCount() == 1
    assert library.model.data(library.model.index(0, COL_TITLE)) == "support-call"
    with SessionStore(store_dir) as store:
        duration = store.session(1).duration
    assert library.model.data(library.model.index(0, COL_DURATION)) == f"{round(duration)} s"


def test_the_library_imports_a_transcript(qtbot: QtBot, tmp_path: Path) -> None:
    library = LibraryView(tmp_path / "store")
    qtbot.addWidget(library)
    library.refresh()
    job = library.import_recording(write_call(tmp_path), agent_channel="left")  # the box's choice: text ignores it
    assert job is not None
    with qtbot.waitSignal(library.import_finished, timeout=30_000) as finished:
        pass
    assert library.model.rowCount() == 1 and library.selected_session_id() == finished.args[0]
    with SessionStore(tmp_path / "store") as store:
        summary = store.session(finished.args[0])
    assert summary.audio is None and summary.utterances == 6 and summary.steps_done >= 2
