from __future__ import annotations

from companion.analysis.cue_settings import CueThresholds
from companion.analysis.scorecard import build_scorecard
from companion.events import CallEnded, CallStarted, SentimentPoint, Utterance
from tests.store.calls import PLAYBOOK, internet_outage_events


def test_scorecard_of_a_call_that_goes_wrong_and_recovers() -> None:
    card = build_scorecard(internet_outage_events(), PLAYBOOK)
    assert card.duration == 49.0
    by_id = {s.id: s for s in card.steps}
    assert [s.id for s in card.steps] == [s for s, _ in PLAYBOOK]
    assert by_id["greet"].done and by_id["greet"].at == 3.4
    assert by_id["empathize"].evidence.startswith("You're right, I am sorry")
    assert not by_id["own"].done and not by_id["confirm"].done
    assert [s.id for s in card.steps_missed] == ["own", "confirm"]
    assert card.first_empathy_s == 41.4
    # Sentiment uses final readings only: the partial's reading at 44 s is not the end.
    assert (card.sentiment_start, card.sentiment_min, card.sentiment_end) == (-0.4, -0.62, 0.1)
    assert card.sentiment_min_at == 27.4
    assert card.sentiment_recovery == 0.72
    assert card.agent_talk_s == 2.5 + 3.5 + 4.0 + 3.5
    assert card.customer_talk_s == 10.5 + 7.5 + 2.5 + 2.5
    assert card.talk_ratio == round(13.5 / (13.5 + 23.0), 3)
    # Utterances 1 and 2 run on with no agent turn between them: 3.5 .. 22.0.
    assert card.longest_customer_monologue_s == 18.5
    assert card.longest_customer_monologue_at == 3.5
    assert (card.interruptions_by_agent, card.interruptions_by_customer) == (1, 0)
    assert card.dead_air_count == 1 and card.dead_air_longest_s == 10.0
    kinds = [p.kind for p in card.pitfalls]
    assert kinds == ["interruption", "early-solution", "dead-air"]
    assert card.pitfalls[0].quote == "Have you tried restarting the router?"
    assert card.pitfalls[2].quote == "10 s of silence"  # no utterance: the alert's own words
    assert card.cues == {"pace-fast": 1}
    assert card.to_dict()["steps"][0]["id"] == "greet"


def test_without_a_playbook_the_coachs_steps_are_scored() -> None:
    card = build_scorecard(internet_outage_events())
    assert [(s.id, s.done) for s in card.steps] == [("greet", True), ("empathize", True), ("resolve", True)]


def test_thresholds_change_what_counts() -> None:
    lenient = build_scorecard(internet_outage_events(), thresholds=CueThresholds(dead_air_s=12.0, overlap_min_s=2.0))
    assert lenient.dead_air_count == 0  # the one silence (27 -> 37 s) is under 12 s
    assert lenient.interruptions_by_agent == 0  # a 1.5 s overlap is under 2 s
    strict = build_scorecard(internet_outage_events(), thresholds=CueThresholds(dead_air_s=0.5))
    assert strict.dead_air_count == 6  # every pause between turns of at least half a second


def test_a_calm_mono_call_and_an_empty_one() -> None:
    events = [
        CallStarted(0.0, "mono", (("call", "mono"),), False),
        Utterance(0, "call", 0.5, 4.0, "Hi, I'd like to change my delivery address."),
        SentimentPoint(4.0, "call", 0.3, 0.3, 0),
        CallEnded(5.0),
    ]
    card = build_scorecard(events)
    assert card.talk_ratio is None and card.steps == () and card.first_empathy_s is None
    assert card.sentiment_start == card.sentiment_end == 0.3 and card.sentiment_recovery == 0.0
    empty = build_scorecard([])
    assert empty.duration == 0.0 and empty.pitfalls == () and empty.sentiment_min is None
