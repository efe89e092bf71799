"""A labelled call spoken with espeak-ng and run through the real model and pipeline.

The transcript-level tests check the playbook fast; this one checks that it
survives real recognition errors, end to end through `analyze_file`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from companion.analysis.labelled_calls import Score, read_call, score_report
from companion.analysis.playbook import Playbook
from companion.call_analysis import analyze_file
from tests import speech
from tests.analysis.conftest import FIXTURES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def coached(espeak: None, playbook: Playbook) -> tuple[dict[str, Any], Score]:
    _, turns = read_call(FIXTURES / "laptop-repair-early-fix.call")
    wav, timed = speech.synthesize_call([(t.speaker, t.text) for t in turns])
    turns = [replace(t, start=s.start, end=s.end) for t, s in zip(turns, timed, strict=True)]
    report, error = analyze_file(wav, playbook=playbook)
    assert error is None
    return report, score_report(report, turns, "laptop")


def test_steps_survive_real_recognition(coached: tuple[dict[str, Any], Score]) -> None:
    report, score = coached
    assert score.step_recall >= 0.7, score.misses
    assert score.step_precision >= 0.8, score.misses
    done = {s["id"]: s for s in report["steps"]}
    assert done["empathize"]["done"] and done["empathize"]["evidence"]
    assert done["thank"]["done"]


def test_next_step_and_pitfalls_on_real_audio(coached: tuple[dict[str, Any], Score]) -> None:
    report, score = coached
    assert score.next_accuracy >= 0.7, score.misses
    assert score.pitfall_recall == 1.0, score.misses
    assert score.false_alerts <= 1, score.misses
    assert all(u["next_step"] for u in report["utterances"])
    assert all(u["sentiment"] is not None for u in report["utterances"])


def test_the_customer_recovers_on_the_timeline(coached: tuple[dict[str, Any], Score]) -> None:
    report, _ = coached
    figures = report["customer_sentiment"]
    assert figures["min"] < -0.3
    assert figures["recovery"] > 0.3
    assert [m["kind"] for m in report["moods"]][:1] == ["escalated"]
