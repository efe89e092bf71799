"""A call's lines judged again: with the agent and the customer swapped, or by a fresh coach.

What the pipeline heard (lines, their settled text, speech onsets, levels) is
kept; what the coach derived from it (sentiment, steps, next steps, alerts,
moods) is dropped and folded again, in the same order the live call fed it.
Used when a mono call's roles are decided after recognition, and by the
library's swap action.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from companion.events import (
    CallEnded,
    CallStarted,
    EngineError,
    Event,
    Level,
    Partial,
    Revision,
    Speaker,
    SpeechStarted,
    Utterance,
)

HEARD = (CallStarted, CallEnded, SpeechStarted, Partial, Utterance, Revision, Level)
_OTHER: dict[Speaker, Speaker] = {"agent": "customer", "customer": "agent", "call": "call"}


def heard(events: Sequence[Event]) -> list[Event]:
    """The events the pipeline produced, without what a coach derived from them."""
    return [e for e in events if isinstance(e, HEARD) or (isinstance(e, EngineError) and e.fatal)]


def swap_speakers(events: Sequence[Event]) -> list[Event]:
    """The same events with the agent and the customer exchanged (channel names go with them)."""
    out: list[Event] = []
    for e in events:
        if isinstance(e, CallStarted):
            out.append(dataclasses.replace(e, channels=tuple((_OTHER[s], name) for s, name in e.channels)))
        elif isinstance(e, SpeechStarted | Partial | Utterance | Revision | Level):
            out.append(dataclasses.replace(e, speaker=_OTHER[e.speaker]))
        else:
            out.append(e)
    return out


def recoach(events: Sequence[Event], coach: object | None) -> list[Event]:
    """Drop the derived events and fold the rest through ``coach`` (a fresh one: it keeps state)."""
    kept = heard(events)
    if coach is None:
        return kept
    out: list[Event] = []
    for event in kept:
        out.append(event)
        out.extend(coach.feed(event))  # type: ignore[attr-defined]
    return out
