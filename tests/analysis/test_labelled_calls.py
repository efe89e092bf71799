"""The playbook against the project's own labelled calls, fed to `analyze` as transcripts.

Eight calls in eight industries (tests/fixtures/calls): upset customers who
recover, a calm call, trigger words, a fix offered too early, an agent drawn in,
a re-escalation after a fix, a fix turned down, a repeated complaint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.analysis.labelled_calls import Score, as_transcript, read_call, score_report
from companion.analysis.playbook import Playbook
from companion.call_analysis import analyze_file
from tests.analysis.conftest import FIXTURES

CALLS = sorted(FIXTURES.glob("*.call"))


@pytest.fixture(scope="module")
def scores(playbook: Playbook, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Score]:
    folder = tmp_path_factory.mktemp("transcripts")
    out = {}
    for call in CALLS:
        _, turns = read_call(call)
        path = folder / f"{call.stem}.txt"
        path.write_text(as_transcript(turns), encoding="utf-8")
        report, error = analyze_file(path, playbook=playbook)
        assert error is None
        out[call.stem] = score_report(report, turns, call.stem)
    return out


def total(scores: dict[str, Score]) -> Score:
    out = Score()
    for score in scores.values():
        out.add(score)
    return out


def test_there_are_enough_varied_fixtures() -> None:
    assert len(CALLS) >= 8
    labels = {label for call in CALLS for turn in read_call(call)[1] for label in turn.labels}
    assert {"pitfall:trigger-words", "pitfall:early-solution", "pitfall:agent-negativity"} <= labels


def test_steps_are_found_with_high_recall_and_precision(scores: dict[str, Score]) -> None:
    score = total(scores)
    assert score.step_recall >= 0.9, score.misses
    assert score.step_precision >= 0.9, score.misses


def test_next_step_follows_the_labels(scores: dict[str, Score]) -> None:
    score = total(scores)
    assert score.next_total >= 50
    assert score.next_accuracy >= 0.9, score.misses


def test_every_labelled_pitfall_is_alerted_without_false_alarms(scores: dict[str, Score]) -> None:
    score = total(scores)
    assert score.pitfalls_total >= 3
    assert score.pitfall_recall == 1.0, score.misses
    for name, one in scores.items():
        assert one.false_alerts <= 1, (name, one.misses)


def test_each_call_is_coached_sensibly_on_its_own(scores: dict[str, Score]) -> None:
    for name, one in scores.items():
        assert one.step_recall >= 0.75, (name, one.misses)
        assert one.next_accuracy >= 0.7, (name, one.misses)


def test_fixture_format_errors_name_the_line(tmp_path: Path) -> None:
    from companion.errors import InputError

    bad = tmp_path / "bad.call"
    bad.write_text("A: hello\n@next shout\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_call(bad)
