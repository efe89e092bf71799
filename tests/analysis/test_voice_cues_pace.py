"""Pace and monologue, on synthesized speech at measured rates and turns of known length."""

from __future__ import annotations

import pytest

from companion.analysis.cue_settings import CueThresholds
from companion.events import Event
from tests.analysis.cue_calls import Placed, Say, fold, run_call, scripted_call

AGENT = [
    "I can see your order here and I understand the parcel arrived damaged.",
    "I am going to arrange a replacement right away and it will ship tomorrow morning.",
    "You will receive an email with the tracking number as soon as it leaves the warehouse.",
    "If anything else goes wrong with it, just reply to that email and we will sort it out.",
]


def paced_script(wpm: int | None) -> list[Say]:
    says = [Say("customer", "Hi, my parcel arrived damaged and I need a new one.")]
    for i, line in enumerate(AGENT):
        says.append(Say("agent", line, wpm=wpm))
        if i % 2 == 1:
            says.append(Say("customer", "Okay."))
    return says


def speaking(placed: list[Placed]) -> list[tuple[Placed, float]]:
    """Each agent turn with the agent's speaking time so far: turns, and pauses under 1 s between them."""
    out, total, previous = [], 0.0, None
    for p in placed:
        if p.speaker != "agent":
            previous = None
            continue
        if previous is not None and p.start - previous.end < 1.0:
            total += p.start - previous.end
        total += p.end - p.start
        out.append((p, total))
        previous = p
    return out


def measured_wpm(placed: list[Placed]) -> float:
    words = sum(len(p.text.split()) for p in placed if p.speaker == "agent")
    return words / speaking(placed)[-1][1] * 60


def first_reading_at(placed: list[Placed], min_speech_s: float) -> float:
    """End of the agent turn with which the window first holds enough speech for a reading."""
    return next(p.end for p, total in speaking(placed) if total >= min_speech_s)


@pytest.fixture(scope="module")
def paced(espeak: None) -> dict[str, tuple[list[Event], list[Placed]]]:
    # espeak-ng's -s 260 measures about 300 words a minute of speaking time, its
    # slowest (-s 80) about 110 and its default (160) about 200.
    calls = {}
    for name, wpm in (("fast", 260), ("slow", 80)):
        wav, placed = scripted_call(paced_script(wpm))
        calls[name] = (run_call(wav), placed)
    return calls


@pytest.mark.parametrize(("name", "kind"), [("fast", "pace-fast"), ("slow", "pace-slow")])
def test_pace_outside_the_band_fires_once_when_the_window_has_a_reading(paced, name, kind) -> None:
    events, placed = paced[name]
    assert [a.kind for a in fold(events)] == [kind]
    # 5 s of speech for a reading keeps the expected turn clear of the threshold.
    alerts = fold(events, CueThresholds(pace_min_speech_s=5.0))
    assert [a.kind for a in alerts] == [kind]
    alert = alerts[0]
    assert alert.t == pytest.approx(first_reading_at(placed, 5.0), abs=0.5)
    assert alert.value == pytest.approx(measured_wpm(placed), rel=0.15)
    assert alert.speaker == "agent" and alert.utterance is not None


def test_the_band_comes_from_the_thresholds(paced) -> None:
    events, _ = paced["fast"]
    assert fold(events, CueThresholds(pace_fast_wpm=400.0)) == []
    events, _ = paced["slow"]
    assert fold(events, CueThresholds(pace_slow_wpm=80.0)) == []


MONOLOGUE = [
    Say("customer", "Can you explain the new charges on my bill please."),
    # One long agent turn: ~30 s of sentences with ordinary breaths between them.
    Say("agent", "Of course. Your plan changed at the start of the month when the promotion ended."),
    Say("agent", "The promotion gave you the first six months at half price, and that has now finished."),
    Say("agent", "On top of that there is a small charge for the extra data you used in the last week."),
    Say("agent", "You went over your allowance by two gigabytes, which is charged at five pounds each."),
    Say("agent", "And finally the line rental went up by the yearly amount that we wrote to you about."),
    Say("agent", "So altogether the bill is higher by about twenty pounds compared with last month."),
    Say("customer", "I see. That is a lot more than I expected."),
    # Two shorter agent stretches with a real pause between them: room for the customer.
    Say("agent", "I understand. Let me see what options there are to bring that down for you."),
    Say("agent", "There is a plan with more data that would cost less than what you pay now."),
    Say("agent", "It would also include the line rental, so the total would actually go down.", gap_s=3.5),
    Say("agent", "Would you like me to move you onto that plan from today, at no extra cost?"),
    Say("customer", "Yes please, that sounds good."),
]


@pytest.fixture(scope="module")
def monologue(espeak: None) -> tuple[list[Event], list[Placed]]:
    wav, placed = scripted_call(MONOLOGUE)
    return run_call(wav), placed


def test_a_long_agent_turn_is_one_monologue_at_the_threshold(monologue) -> None:
    events, placed = monologue
    alerts = fold(events, CueThresholds(monologue_s=20.0))
    mono = [a for a in alerts if a.kind == "monologue"]
    assert len(mono) == 1, mono
    assert mono[0].t == pytest.approx(placed[1].start + 20.0, abs=0.5)
    assert mono[0].speaker == "agent" and mono[0].value >= 20.0
    # The agent's normal pace and ordinary gaps raise nothing else.
    assert [a.kind for a in alerts] == ["monologue"]


def test_a_pause_for_the_customer_ends_the_turn(monologue) -> None:
    events, placed = monologue
    # The second stretch is 4 turns (~18 s) with a 3.5 s pause in the middle: no monologue.
    short = [a for a in fold(events, CueThresholds(monologue_s=12.0)) if a.kind == "monologue"]
    assert [a.t for a in short] == [pytest.approx(placed[1].start + 12.0, abs=0.5)]


def test_the_default_monologue_is_longer_than_this_call(monologue) -> None:
    events, _ = monologue
    assert fold(events) == []
