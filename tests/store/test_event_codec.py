from __future__ import annotations

import pytest

from companion.errors import StoreError
from companion.events import Act, Acts, CallEnded, EngineError, Level, Mood, Revision, StepDone, Word
from companion.store import event_codec
from tests.store.calls import internet_outage_events, words_event


def test_every_event_type_round_trips() -> None:
    events = [
        *internet_outage_events(),
        words_event(),
        Level(1.0, "customer", -31.5),
        Mood(12.0, "escalated", -0.5, 2),
        EngineError(3.0, "the microphone vanished", fatal=True),
        Revision(9.5, 1, "customer", "It has been a week.", (Word("It", 6.0, 6.2),)),
        Acts(
            10.0, 2, "agent", (Act("empathize", "that sounds exhausting", 0.91), Act("trigger-words", "calm down", 1.0))
        ),
        StepDone(11.0, "empathize", 2, "that sounds exhausting", late=True),
    ]
    kinds = {type(e).__name__ for e in events}
    assert kinds == set(event_codec.EVENT_TYPES)  # the test covers the whole vocabulary
    for event in events:
        assert event_codec.decode(*event_codec.encode(event)) == event


def test_old_and_new_fields_are_tolerated() -> None:
    # An event stored before a field existed takes the default; a field from a newer app is ignored.
    assert event_codec.decode("CallEnded", '{"t": 4.0}') == CallEnded(4.0, "finished")
    assert event_codec.decode("CallEnded", '{"t": 4.0, "reason": "stopped", "later": 1}') == CallEnded(4.0, "stopped")


@pytest.mark.parametrize(
    ("type_name", "text", "message"),
    [
        ("Teleport", "{}", "unknown event type"),
        ("CallEnded", "not json", "not valid JSON"),
        ("CallEnded", "[1]", "not a JSON object"),
        ("Utterance", '{"id": 1}', "malformed"),
    ],
)
def test_bad_rows_give_clear_errors(type_name: str, text: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        event_codec.decode(type_name, text)
