"""The real model on real speech: words, speakers and call-time stamps from a two-channel call."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.call_analysis import analyze_file
from tests import speech

# An insurance claim call: nothing like the evaluation calls, plain words tiny.en should hear.
SCRIPT = [
    ("agent", "Good morning, you are through to Harbor Insurance, my name is Priya."),
    ("customer", "Hello, I need to make a claim because a tree fell on my garage last night."),
    ("agent", "I am sorry to hear that, is everyone safe at home?"),
    ("customer", "Yes, we are all fine, but the roof of the garage is broken."),
    ("agent", "Thank you, I will open the claim now and send an assessor tomorrow morning."),
]


@pytest.fixture(scope="module")
def call(espeak: None) -> tuple[Path, list[speech.Turn]]:
    return speech.synthesize_call(SCRIPT)


@pytest.fixture(scope="module")
def report(call: tuple[Path, list[speech.Turn]]) -> dict:
    wav, _ = call
    result, error = analyze_file(wav)
    assert error is None
    return result


def _match(report: dict, turn: speech.Turn) -> list[dict]:
    """The utterances that overlap a scripted turn in time."""
    return [u for u in report["utterances"] if u["start"] < turn.end and u["end"] > turn.start]


def test_every_turn_is_heard_with_its_words(call, report) -> None:
    _, turns = call
    said = []
    for turn in turns:
        hits = _match(report, turn)
        assert hits, f"nothing recognised for {turn.text!r}"
        text = " ".join(u["text"] for u in hits)
        # tiny.en slips on a word or two in a short line; a whole line going wrong is a bug.
        assert speech.word_error_rate(turn.text, text) <= 0.4, (turn.text, text)
        said.append(text)
    assert speech.word_error_rate(" ".join(t.text for t in turns), " ".join(said)) <= 0.15


def test_words_are_attributed_to_the_right_speaker(call, report) -> None:
    _, turns = call
    for turn in turns:
        assert {u["speaker"] for u in _match(report, turn)} == {turn.speaker}
    assert report["channels"] == {"agent": "left", "customer": "right"}


def test_timestamps_are_in_call_time(call, report) -> None:
    _, turns = call
    for turn in turns:
        first, last = _match(report, turn)[0], _match(report, turn)[-1]
        assert abs(first["start"] - turn.start) <= 0.35, (first, turn)
        assert abs(last["end"] - turn.end) <= 0.35, (last, turn)
    assert report["duration"] == pytest.approx(turns[-1].end + 0.5, abs=0.1)


def test_report_has_every_field_of_the_format(report) -> None:
    assert report["schema"] == "call-companion/analysis@1"
    assert set(report) >= {
        "source",
        "duration",
        "channels",
        "utterances",
        "steps",
        "alerts",
        "sentiment",
        "warnings",
        "timings",
    }
    first = report["utterances"][0]
    assert set(first) == {
        "id",
        "speaker",
        "start",
        "end",
        "text",
        "sentiment",
        "steps",
        "acts",
        "next_step",
        "emitted",
        "first_partial",
    }
    # Faster than real time there is no "when was it shown" to report.
    assert first["emitted"] is None and first["first_partial"] is None
    assert report["timings"]["audio_s"] == report["duration"]
    assert 0 < report["timings"]["wall_s"] < report["duration"]


def test_swapped_channel_map_swaps_the_speakers(call) -> None:
    wav, turns = call
    swapped, error = analyze_file(wav, agent="right")
    assert error is None
    assert swapped["channels"] == {"agent": "right", "customer": "left"}
    first = next(u for u in swapped["utterances"] if u["start"] < turns[0].end)
    assert first["speaker"] == "customer"  # the left channel (the real agent) is now "customer"
