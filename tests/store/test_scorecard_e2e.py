"""The scorecard of a real call: speech, the bundled model, the real coach, stored and read back."""

from __future__ import annotations

from pathlib import Path

from companion.analysis.scorecard import build_scorecard
from companion.store.db import SessionStore
from companion.store.export import export_session
from companion.store.session_data import load_session
from tests.store.conftest import RecordedCall


def test_a_billing_call_that_recovers_is_scored_from_the_store(recorded_call: RecordedCall, tmp_path: Path) -> None:
    with SessionStore(recorded_call.store_dir, readonly=True) as store:
        session = load_session(store, recorded_call.session_id)
    s = session.summary
    card = build_scorecard(session.events, s.playbook_steps)
    turns = recorded_call.turns
    steps = {step.id: step for step in card.steps}
    assert [step.id for step in card.steps] == [sid for sid, _ in s.playbook_steps]
    # "I am so sorry, I understand how frustrating that is": empathy, quoted, after the customer's complaint.
    empathy = steps["empathize"]
    # The quote is the sentence of that line that matched best: either half of it will do.
    assert empathy.done and empathy.evidence
    assert "sorry" in empathy.evidence.lower() or "frustrating" in empathy.evidence.lower()
    assert card.first_empathy_s == empathy.at
    assert turns[2].start < (empathy.at or 0) < turns[3].start
    assert steps["resolve"].done and "refund" in (steps["resolve"].evidence or "").lower()
    assert len(card.steps_missed) == s.steps_missed > 0
    # An upset customer who ends thankful: a low start, a better end.
    assert card.sentiment_start is not None and card.sentiment_start < 0
    assert card.sentiment_end is not None and card.sentiment_end > card.sentiment_start
    assert card.sentiment_recovery is not None and card.sentiment_recovery > 0.2
    assert (s.sentiment_start, s.sentiment_end) == (card.sentiment_start, card.sentiment_end)
    # Talk: both sides spoke, in turns, with no one talking over the other and no long silence.
    assert 0.3 < (card.talk_ratio or 0) < 0.7
    assert card.interruptions_by_agent == card.interruptions_by_customer == 0
    assert card.dead_air_count == 0
    longest_customer_turn = max(t.end - t.start for t in turns if t.speaker == "customer")
    assert abs(card.longest_customer_monologue_s - longest_customer_turn) < 1.5
    page = export_session(session, "html", tmp_path / "card.html").read_text()
    assert "done at" in page and "missed" in page and "[card number]" not in page
