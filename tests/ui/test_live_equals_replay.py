"""Live and replay draw the same call the same way: one stored call, fed to both, compared at many moments.

The live view is fed the stored events one by one, as the engine hands them
to the window; replay loads the session from a real store and seeks to each
moment.  At every moment both must show the same transcript lines, next step,
ticks, mood reading, chart points and alerts (the demo call's run is in
test_demo_call.py).
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from companion.analysis.state import CallFold, fold
from companion.events import Mood, NextStep, StepDone
from companion.ui.coaching import load_coaching
from companion.ui.replay_moment import MomentIndex
from tests.ui.reescalation import reescalation_call
from tests.ui.views_compare import compare_live_and_replay, moments, store_call


def test_a_call_with_a_re_escalation_looks_the_same_live_and_in_replay(qtbot: QtBot, tmp_path: Path) -> None:
    events = reescalation_call()
    moods = [e.kind for e in events if isinstance(e, Mood)]
    assert moods == ["escalated", "calmed", "escalated", "calmed"], "the fixture must re-escalate"
    done = {e.step for e in events if isinstance(e, StepDone)}
    again = [e for e in events if isinstance(e, NextStep) and e.step == "empathize" and e.t > 45]
    assert "empathize" in done and again, "empathy is asked for again after it was done"
    store_dir, sid = store_call(events, tmp_path / "store", "Heating cut off")
    compared = compare_live_and_replay(qtbot, store_dir, sid, load_coaching("").steps)
    assert compared.moments >= 50
    assert compared.distinct >= 30, "the moments cover the call as it changes (lines, settled text, steps, alerts)"
    assert compared.alerts_seen >= 5 and compared.fading_seen >= 1


def test_replay_folds_forwards_and_backwards_as_a_fresh_fold_would() -> None:
    events = reescalation_call()
    index = MomentIndex(events)
    times = [float(e.t) for e in events]
    path = [t + d for t in times[::7] for d in (0.0, 0.2)] + [80.0, 3.0, 44.0, 43.4, 90.0]
    for t in path:
        state, _changed = index.state_at(t)
        assert state == fold(events, t), t


def test_the_live_fold_equals_the_replay_fold_at_each_consistent_moment() -> None:
    events = reescalation_call()
    folder, fed = CallFold(), 0
    points = moments(events)
    assert len(points) >= 100
    for k in points:
        while fed <= k:
            folder.add(events[fed])
            fed += 1
        assert folder.state() == fold(events, float(events[k].t))
