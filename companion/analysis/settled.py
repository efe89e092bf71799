"""A call's utterances with their settled text, for the transcript a call leaves behind.

Live, an utterance's first text arrives within a second and a Revision may
replace it a few seconds later (companion.asr.context).  Reports, exports and
replay show the settled text; the events keep both, so nothing is lost.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from companion.events import Event, Revision, Utterance


def settled_utterances(events: Iterable[Event]) -> list[Utterance]:
    """Utterances in emission order, each with the text of its latest revision."""
    utterances: list[Utterance] = []
    index: dict[int, int] = {}
    for event in events:
        if isinstance(event, Utterance):
            index[event.id] = len(utterances)
            utterances.append(event)
        elif isinstance(event, Revision) and event.utterance in index:
            i = index[event.utterance]
            utterances[i] = dataclasses.replace(utterances[i], text=event.text, words=event.words)
    return utterances
