"""A stored session read back whole: its row, its events and its notes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from companion.analysis.settled import settled_utterances
from companion.events import Event, Utterance
from companion.store.db import SessionStore
from companion.store.records import Note, SessionSummary
from companion.store.redact import redact_event, redact_text


@dataclass(frozen=True, slots=True)
class StoredSession:
    summary: SessionSummary
    events: tuple[Event, ...]
    notes: tuple[Note, ...]

    @property
    def utterances(self) -> list[Utterance]:
        return settled_utterances(self.events)


def load_session(store: SessionStore, ref: int | str, redact: bool = True) -> StoredSession:
    """Everything about one session; ``redact`` hides card numbers and the like on the way out.

    A session stored redacted is not scanned again (that would double the time
    to open an hour-long call); notes are always scanned, people type them.
    """
    summary = store.session(ref)
    events = store.events(summary.id)
    notes = store.notes(summary.id)
    if redact:
        if not summary.redacted:
            events = [redact_event(e) for e in events]
        notes = [dataclasses.replace(n, text=redact_text(n.text)) for n in notes]
    return StoredSession(summary, tuple(events), tuple(notes))
