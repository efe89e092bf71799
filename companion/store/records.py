"""The store's row values: what a session, a note and a search hit look like to callers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What is known of a session when it starts (or when it is imported)."""

    uid: str
    started_at: str  # ISO 8601, UTC
    agent: str = ""
    title: str = ""
    source: str = ""
    channels: tuple[tuple[str, str], ...] = ()
    playbook_steps: tuple[tuple[str, str], ...] = ()  # (id, title) of the playbook in use
    redacted: bool = True


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One row of the library: a session with the figures a list shows."""

    id: int
    uid: str
    started_at: str
    duration: float
    state: str  # recording, complete, recovered
    agent: str
    title: str
    source: str
    channels: tuple[tuple[str, str], ...]
    playbook_steps: tuple[tuple[str, str], ...]
    audio: Path | None
    redacted: bool
    note: str
    sentiment_start: float | None
    sentiment_min: float | None
    sentiment_end: float | None
    steps_done: int
    steps_missed: int
    alerts: int
    utterances: int


@dataclass(frozen=True, slots=True)
class Note:
    """A coaching note at a moment of a call; ``kind`` is ``note`` or ``follow-up``."""

    uid: str
    t: float
    author: str
    text: str
    kind: str = "note"
    created_at: str = ""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An utterance that matched a full-text search, with its session."""

    session_id: int
    utterance: int
    speaker: str
    start: float
    text: str
