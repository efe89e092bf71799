"""The fold: live and replay see the same state at the same moment."""

from __future__ import annotations

from companion.analysis.coach import Coach, coach_events
from companion.analysis.playbook import Playbook
from companion.analysis.state import CallState, fold
from companion.events import Event
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


def test_live_state_equals_replay_state_at_every_moment(playbook: Playbook) -> None:
    stored = events(playbook)
    coach = Coach(playbook)
    live: list[Event] = []
    for utterance in script(CALL, turn_s=10.0):
        live.append(utterance)
        live.extend(coach.feed(utterance))
        # What the window showed once this utterance was coached is what replay shows then.
        assert fold(live) == fold(stored, until=utterance.t)


def test_state_reads_steps_mood_alerts_and_talk_time(playbook: Playbook) -> None:
    state = fold(events(playbook))
    assert [t.step for t in state.steps_done] == ["listen", "empathize"]
    assert state.steps_done[1].evidence.startswith("That's really upsetting")
    assert state.next_step == "assess" and state.next_reason
    assert [a.kind for a in state.alerts] == ["trigger-words"]
    assert state.recent_alerts == state.alerts
    assert state.customer_min is not None and state.customer_min < -0.4
    assert state.customer_recovery is not None and state.customer_recovery > 0
    assert state.talk_s == {"agent": 36.0, "customer": 27.0}
    assert state.done("listen") and not state.done("thank")


def test_state_before_anything_happened_is_empty(playbook: Playbook) -> None:
    assert fold(events(playbook), until=-1.0) == CallState()
    early = fold(events(playbook), until=19.0)
    assert early.next_step == "listen"
    assert early.escalated
