"""The library's swap action on a stored mono call: agent and customer exchanged, the call coached again."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.analysis.coach import coach_for
from companion.analysis.playbook import load_playbook
from companion.call_analysis import record_file
from companion.events import StepDone
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings
from companion.store.session_data import load_session
from companion.ui.library_view import LibraryView
from tests import speech
from tests.asr.mono_script import SCRIPT

pytestmark = pytest.mark.skipif(not speech.have_tools(), reason="needs espeak-ng and sox")


def test_swap_exchanges_agent_and_customer_of_a_mono_call(ui_resources: None, qtbot: QtBot, tmp_path: Path) -> None:
    mono, _timed = speech.synthesize_mono_call(SCRIPT)
    store_dir = tmp_path / "store"
    with SessionStore(store_dir) as store:
        session_id, report, error = record_file(
            mono, store, coach=coach_for(load_playbook()), recorder_settings=RecorderSettings(title="mono bill")
        )
        assert error is None and session_id is not None
        before = load_session(store, session_id)
    assert report["roles"]["agent"] == "first"
    said_by = {u.id: u.speaker for u in before.utterances}
    assert set(said_by.values()) == {"agent", "customer"}

    view = LibraryView(store_dir)
    qtbot.addWidget(view)
    view.resize(1100, 420)
    view.show()
    view.refresh()
    assert view.select_session(session_id)
    assert view.swap_button.isEnabled()
    with qtbot.waitSignal(view.sessions_changed, timeout=30_000):
        view.swap_button.click()
    assert "swapped" in view.status.text()

    with SessionStore(store_dir) as store:
        after = load_session(store, session_id)
    other = {"agent": "customer", "customer": "agent"}
    assert {u.id: u.speaker for u in after.utterances} == {i: other[s] for i, s in said_by.items()}
    # The coach ran again over the swapped lines: the steps now quote what the old customer said, or nothing.
    old_agent_lines = {i for i, s in said_by.items() if s == "agent"}
    assert before.summary.steps_done >= 3
    assert after.summary.steps_done < before.summary.steps_done
    assert all(e.utterance not in old_agent_lines for e in after.events if isinstance(e, StepDone))
    assert dict(after.summary.channels) == {"agent": "mono: second voice", "customer": "mono: first voice"}
    view.close_store()
