"""Dead air and slow responses, on a synthesized call with silences of known length.

One call holds every kind of silence: the customer left waiting (with the
agent typing), a slow answer, an announced hold (with the customer breathing
into the headset), a question the customer takes time over, a normal gap and
the quiet after goodbye.  The real pipeline runs it once; the tests fold its
events with different thresholds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.analysis.cue_settings import CueThresholds
from companion.events import Alert, Event
from tests.analysis.cue_calls import NoiseOver, Placed, Say, fold, run_call, scripted_call

SCRIPT = [
    Say("agent", "Thank you for calling, this is Sam. How can I help you today?"),
    Say("customer", "My internet has been down since this morning and I work from home."),
    # 10 s: the customer waits while the agent types.
    Say("agent", "I am sorry to hear that, I can see there is an outage in your area.", gap_s=10.0),
    Say("customer", "So when will it be fixed then."),
    # 6 s: a slow answer, not yet dead air.
    Say("agent", "The engineers expect it to be back by four this afternoon.", gap_s=6.0),
    Say("agent", "Let me check whether I can add a credit to your account. Bear with me one moment please."),
    Say("customer", "Okay, sure."),
    # 12 s: an announced hold.
    Say("agent", "Thanks for waiting. I have added a credit of ten pounds.", gap_s=12.0),
    Say("agent", "Could you confirm the email address on the account?"),
    # 10 s: the customer looks it up; the agent is the one waiting.
    Say("customer", "Yes, it is jo at example dot com.", gap_s=10.0),
    Say("agent", "Perfect, you will get a confirmation shortly.", gap_s=2.0),
    Say("agent", "Thanks again for your patience, have a great day, goodbye."),
    Say("customer", "Bye."),
]


def make_call() -> tuple[Path, list[Placed]]:
    noises = (
        NoiseOver("agent", "typing", 10.0, 19.0, -38.0),
        NoiseOver("customer", "breathing", 42.5, 53.5, -40.0),
    )
    return scripted_call(SCRIPT, tail_s=11.0, noises=noises)


@pytest.fixture(scope="module")
def call(espeak: None) -> tuple[list[Event], list[Placed]]:
    wav, placed = make_call()
    return run_call(wav), placed


def kinds(alerts: list[Alert], *names: str) -> list[Alert]:
    return [a for a in alerts if a.kind in names]


def test_the_customer_left_waiting_is_dead_air_once_at_the_threshold(call) -> None:
    events, placed = call
    dead = kinds(fold(events), "dead-air")
    assert len(dead) == 1, dead
    expected = placed[1].end + 8.0  # the customer finished, then 8 s of nothing
    assert dead[0].t == pytest.approx(expected, abs=0.5)
    assert dead[0].speaker == "agent" and dead[0].value == pytest.approx(8.0)


def test_a_slow_answer_is_a_slow_response_with_its_length(call) -> None:
    events, placed = call
    slow = kinds(fold(events), "slow-response")
    assert len(slow) == 1, slow
    assert slow[0].t == pytest.approx(placed[4].start, abs=0.5)
    assert slow[0].value == pytest.approx(placed[4].start - placed[3].end, abs=0.5)
    # The 10 s wait was dead air, not also a slow response; the 2 s gap is neither.
    assert not [a for a in slow if a.t > placed[4].start + 1]


def test_an_announced_hold_is_not_dead_air_until_it_is_time_to_check_back(call) -> None:
    events, placed = call
    hold_from, hold_to = placed[6].end, placed[7].start
    default = [a for a in kinds(fold(events), "dead-air") if hold_from - 1 <= a.t <= hold_to]
    assert default == []
    short = fold(events, CueThresholds(hold_check_back_s=10.0))
    check_back = [a for a in kinds(short, "dead-air") if hold_from - 1 <= a.t <= hold_to]
    assert len(check_back) == 1
    assert check_back[0].t == pytest.approx(hold_from + 10.0, abs=0.5)
    assert "hold" in check_back[0].text


def test_silence_after_a_question_or_a_goodbye_is_not_dead_air(call) -> None:
    events, placed = call
    late = [a for a in fold(events) if a.t > placed[7].start]
    assert late == []
    # With a hair trigger the 2 s gap after the customer's answer is the only dead air left.
    touchy = kinds(fold(events, CueThresholds(dead_air_s=1.5, slow_response_s=1.0)), "dead-air")
    after_question = [a for a in touchy if placed[8].end < a.t < placed[9].start]
    after_goodbye = [a for a in touchy if a.t > placed[-1].end]
    assert after_question == [] and after_goodbye == []
    assert [a.t for a in touchy if placed[9].end < a.t < placed[10].start] == [
        pytest.approx(placed[9].end + 1.5, abs=0.5)
    ]


def test_dead_air_counts_from_the_voice_not_from_the_typing(call) -> None:
    events, placed = call
    # The typing runs to 19 s, the dead air started when the customer stopped.
    dead = kinds(fold(events, CueThresholds(dead_air_s=3.0)), "dead-air")
    assert dead[0].t == pytest.approx(placed[1].end + 3.0, abs=0.5)
