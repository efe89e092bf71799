"""The fold: the one view model of a call, read event by event."""

from __future__ import annotations

from companion.analysis.coach import coach_events
from companion.analysis.playbook import Playbook
from companion.analysis.state import CallFold, CallState, fold
from companion.events import CallEnded, CallStarted, Event, Partial, Revision, SpeechStarted, Utterance
from tests.analysis.conftest import script

CALL = [
    ("A", "Hello, Swift Parcel, this is Jordan."),
    ("C", "My parcel has been marked delivered for three days and it's not here. I'm so angry."),
    ("A", "Please go on, tell me what happened."),
    ("C", "Nobody came to the door and the tracking is wrong. It's a birthday present."),
    ("A", "That's really upsetting, especially for a birthday. I'd be frustrated too."),
    ("A", "Please calm down, it's our policy to wait five days."),
    ("C", "Okay, thank you."),
]


def events(playbook: Playbook) -> list[Event]:
    return coach_events(playbook, script(CALL, turn_s=10.0))


def test_state_reads_steps_mood_alerts_and_talk_time(playbook: Playbook) -> None:
    state = fold(events(playbook))
    assert [t.step for t in state.steps_done] == ["listen", "empathize"]
    assert state.steps_done[1].evidence.startswith("That's really upsetting")
    assert state.next_step == "assess" and state.next_reason
    assert [a.kind for a in state.alerts] == ["trigger-words"]
    assert state.alerts_on_screen == ()  # raised at 60 s, long gone by the end
    at = fold(events(playbook), until=state.alerts[0].t + 1.0)
    assert at.alerts_on_screen == state.alerts and at.alert_opacity(state.alerts[0]) == 1.0
    assert [line.text for line in state.lines] == [text for _, text in CALL]
    assert state.customer_smoothed == state.mood_line[-1].smoothed
    assert state.customer_min is not None and state.customer_min < -0.4
    assert state.customer_recovery is not None and state.customer_recovery > 0
    assert state.talk_s == {"agent": 36.0, "customer": 27.0}
    assert state.done("listen") and not state.done("thank")


def test_state_before_anything_happened_is_empty(playbook: Playbook) -> None:
    assert fold(events(playbook), until=-1.0) == CallState()
    early = fold(events(playbook), until=19.0)
    assert early.next_step == "listen"
    assert early.escalated


def test_lines_take_their_settled_text_and_provisional_text_ends_with_the_final() -> None:
    folder = CallFold()
    calls = [
        CallStarted(0.0, "test", (), True),
        SpeechStarted(0.5, "customer", 0),
        Partial(1.0, "customer", 0, 0.5, "I was charged"),
        Partial(1.4, "agent", 3, 1.2, "mm"),
        Utterance(0, "customer", 0.5, 2.0, "I was charged to ice.", 0, 2.2),
        Partial(2.5, "customer", 1, 2.4, "for May"),
    ]
    for event in calls:
        folder.add(event)
    state = folder.state()
    assert [line.text for line in state.lines] == ["I was charged to ice."]
    assert [(p.speaker, p.text) for p in state.provisional] == [("agent", "mm"), ("customer", "for May")]
    folder.add(Revision(3.0, 0, "customer", "I was charged twice."))
    folder.add(CallEnded(4.0, "stopped"))
    state = folder.state()
    assert [line.text for line in state.lines] == ["I was charged twice."]
    assert state.provisional == () and state.ended == "stopped" and not state.recording
    assert state.talk_s == {"customer": 1.5}
    # A new call starts from nothing.
    folder.add(CallStarted(0.0, "test", (), True))
    assert folder.state().lines == () and folder.state().recording
