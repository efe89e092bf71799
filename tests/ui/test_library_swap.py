"""The library's swap action on a stored mono call: agent and customer exchanged, the call coached again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from companion.analysis.coach import coach_for
from companion.analysis.playbook import load_playbook
from companion.call_analysis import record_file
from companion.events import StepDone
from companion.store.audio_file import read_audio
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings
from companion.store.session_data import load_session
from companion.ui.library_view import LibraryView
from tests import speech
from tests.asr.mono_script import SCRIPT

pytestmark = pytest.mark.skipif(not speech.have_tools(), reason="needs espeak-ng and sox")


def _envelope(x: np.ndarray, hop: int = 800) -> np.ndarray:
    """Loudness every 50 ms: what a re-encoding keeps even where it changes the waveform."""
    n = len(x) // hop
    return np.sqrt((x[: n * hop].reshape(n, hop) ** 2).mean(axis=1))


def test_swap_exchanges_agent_and_customer_of_a_mono_call(ui_resources: None, qtbot: QtBot, tmp_path: Path) -> None:
    mono, _timed = speech.synthesize_mono_call(SCRIPT)
    store_dir = tmp_path / "store"
    with SessionStore(store_dir) as store:
        session_id, report, error = record_file(
            mono, store, coach=coach_for(load_playbook()), recorder_settings=RecorderSettings(title="mono bill")
        )
        assert error is None and session_id is not None
        before = load_session(store, session_id)
    assert before.summary.audio is not None
    sound_before = read_audio(before.summary.audio)
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
    # The stored sound follows: the agent's channel is now the voice that was the customer's.
    sound_after = read_audio(before.summary.audio)
    for now, was in ((0, 1), (1, 0)):
        n = min(sound_after.shape[1], sound_before.shape[1])
        match = np.corrcoef(_envelope(sound_after[now, :n]), _envelope(sound_before[was, :n]))[0, 1]
        assert match > 0.9, f"channel {now} does not carry what channel {was} did ({match:.2f})"
    view.close_store()
