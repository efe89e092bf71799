"""Interruptions and raised voices, on a synthesized call with overlaps and gain changes.

The customer's calm turns set their baseline; one turn is 10 dB louder, one
5 dB louder and much faster, one only 4 dB louder.  The agent talks over the
customer once, the customer talks over the agent once, the customer says
"okay" under the agent's sentence, and the agent raises their voice once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.analysis.cue_settings import CueThresholds
from companion.analysis.voice_cues import VoiceCues
from companion.events import Alert, Event, Mood
from tests.analysis.cue_calls import CALM_GAIN_DB, Placed, Say, fold, run_call, scripted_call

LOUD = CALM_GAIN_DB + 10.0
A_BIT = CALM_GAIN_DB + 4.0
SOMEWHAT = CALM_GAIN_DB + 5.0

SCRIPT = [
    Say("agent", "Thanks for calling the furniture store, how can I help?"),
    Say("customer", "Hi, I ordered a sofa from you three weeks ago."),
    Say("agent", "Okay, let me find the order."),
    Say("customer", "It was supposed to arrive last Friday morning."),
    Say("agent", "I see."),
    Say("customer", "And nobody has called me about it since then."),
    Say("agent", "I can see the delivery was moved to next week."),
    Say("customer", "Next week? That is completely unacceptable, I took a day off for this!", gain_db=LOUD),
    # 8: the agent talks over the shouting customer for 1.2 s.
    Say("agent", "I understand, but the warehouse had a problem with the van.", gap_s=-1.2),
    Say("customer", "Fine. So what can you do about it for me."),
    Say("agent", "I can refund the delivery charge and book the first slot next week for you."),
    # 11: the customer cuts in 1.5 s before the agent has finished.
    Say("customer", "The first slot is no good, I work in the mornings.", gap_s=-1.5),
    Say("agent", "Then we can do an afternoon slot on Tuesday or on Wednesday instead."),
    # 14: a short "okay" under the agent's next sentence is not an interruption.
    Say("agent", "Both of those are between two and five in the afternoon, and the driver will call ahead."),
    Say("customer", "Okay.", gap_s=-2.5),
    Say("agent", "Look, I have already told you twice what we can do about it!", gain_db=LOUD, gap_s=1.2),
    Say("customer", "There is no need to shout at me."),
    Say("agent", "Sorry. Which afternoon would suit you better?"),
    Say("customer", "And the driver was rude to my neighbour last time as well!", wpm=240, gain_db=SOMEWHAT),
    Say("agent", "I am sorry about that, I will pass it on."),
    Say("customer", "I would like that written on my account please.", gain_db=A_BIT),
    Say("agent", "I have added a note to your account."),
]


def make_call() -> tuple[Path, list[Placed]]:
    return scripted_call(SCRIPT)


@pytest.fixture(scope="module")
def call(espeak: None) -> tuple[list[Event], list[Placed]]:
    wav, placed = make_call()
    return run_call(wav), placed


def of(alerts: list[Alert], kind: str) -> list[Alert]:
    return [a for a in alerts if a.kind == kind]


def test_talking_over_is_an_interruption_by_whoever_started_it(call) -> None:
    events, placed = call
    interruptions = of(fold(events), "interruption")
    assert [a.speaker for a in interruptions] == ["agent", "customer"], interruptions
    agent, customer = interruptions
    # The agent cut into a customer who was shouting: that counts after 0.3 s, not 0.6 s.
    assert agent.t == pytest.approx(placed[8].start + 0.3, abs=0.5)
    assert "upset" in agent.text and agent.value >= 0.3
    assert customer.t == pytest.approx(placed[11].start + 0.6, abs=0.5)
    assert customer.value >= 0.6 and "upset" not in customer.text
    # The "okay" under the agent's sentence (placed[14]) raised nothing.
    assert not [a for a in interruptions if placed[14].start - 1 < a.t < placed[14].end + 1]


def test_the_coach_saying_the_customer_is_upset_also_weighs_an_interruption(call) -> None:
    events, placed = call
    # With a 20 dB bar the shouting no longer counts, so the agent's talking over is ordinary...
    calm = CueThresholds(raised_voice_db=20.0)
    ordinary = [a for a in of(fold(events, calm), "interruption") if a.speaker == "agent"]
    assert len(ordinary) == 1 and "upset" not in ordinary[0].text
    assert ordinary[0].t == pytest.approx(placed[8].start + 0.6, abs=0.5)
    # ...until the coach reports the customer's mood escalated just before the agent cuts in.
    escalated_at = placed[8].start - 0.5
    at = next(i for i, e in enumerate(events) if getattr(e, "t", 0.0) >= escalated_at)
    with_mood = [*events[:at], Mood(escalated_at, "escalated", -0.6), *events[at:]]
    cues = VoiceCues(calm)
    alerts = [a for e in with_mood for a in cues.feed(e)]
    weighed = [a for a in of(alerts, "interruption") if a.speaker == "agent"]
    assert len(weighed) == 1 and "upset" in weighed[0].text
    assert weighed[0].t == pytest.approx(placed[8].start + 0.3, abs=0.5)


def test_a_customer_raising_their_voice_is_one_alert_per_episode(call) -> None:
    events, placed = call
    raised = [a for a in of(fold(events), "raised-voice") if a.speaker == "customer"]
    # The 10 dB turn, and the 5 dB turn spoken much faster; not the turn only 4 dB up.
    assert [a.t for a in raised] == [
        pytest.approx(placed[7].start, abs=0.5),
        pytest.approx(placed[18].start, abs=0.5),
    ]
    assert raised[0].value == pytest.approx(10.0, abs=3.0)
    assert raised[1].value == pytest.approx(5.0, abs=3.0)


def test_loudness_alone_needs_the_full_rise(call) -> None:
    events, _ = call
    # With a 12 dB bar the 10 dB turn is not raised, the fast 5 dB turn is no longer enough
    # (half the bar is 6 dB), and nothing else is.
    strict = fold(events, CueThresholds(raised_voice_db=12.0))
    assert of(strict, "raised-voice") == []


def test_the_agent_raising_their_voice_is_also_the_negativity_pitfall(call) -> None:
    events, placed = call
    alerts = fold(events)
    agent = [a for a in of(alerts, "raised-voice") if a.speaker == "agent"]
    negativity = of(alerts, "agent-negativity")
    assert len(agent) == 1 and len(negativity) == 1
    assert agent[0].t == negativity[0].t == pytest.approx(placed[15].start, abs=0.5)
    assert negativity[0].speaker == "agent" and negativity[0].value == agent[0].value
    assert agent[0].value == pytest.approx(10.0, abs=3.0)
