"""A finished local session as it goes to the team database: redacted, scored, with a checksum.

Everything that leaves the machine is redacted here, whatever the local store
kept: the events' text (card numbers, spoken digits included, SSNs, e-mails,
phone numbers), the title and note, and the audio, where each utterance whose
words were redacted is silenced for its span on its speaker's channel.  The
checksum covers all of it, so the same content pushed twice is recognised.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from companion.analysis.scorecard import Scorecard, build_scorecard
from companion.analysis.settled import settled_utterances
from companion.audio.frames import SAMPLE_RATE
from companion.events import Event, Revision, Utterance
from companion.store import event_codec
from companion.store.audio_file import read_audio, write_pcm
from companion.store.db import SessionStore
from companion.store.records import SessionSummary
from companion.store.redact import redact_event, redact_text

FINISHED_STATES = ("complete", "recovered")


@dataclass(frozen=True, slots=True)
class Upload:
    """One session, ready to push."""

    summary: SessionSummary
    events: tuple[tuple[int, float, str, str], ...]  # (seq, t, type, JSON), redacted
    transcript: str  # the settled text, redacted, for full-text search
    scorecard: Scorecard
    audio: bytes | None
    checksum: str

    @property
    def uid(self) -> str:
        return self.summary.uid


def build_upload(store: SessionStore, summary: SessionSummary) -> Upload:
    """The redacted upload of a finished session (its events, settled text, scorecard and audio)."""
    events: list[Event] = []
    rows: list[tuple[int, float, str, str]] = []
    silenced: list[tuple[str, float, float]] = []  # (speaker, start, end) of utterances that held a secret
    for seq, type_name, data in store.event_rows(summary.id):
        event = event_codec.decode(type_name, data)
        clean = redact_event(event)
        if clean is not event and isinstance(event, Utterance | Revision):
            silenced.append(_span(event, events))
        events.append(clean)
        # Most events hold no text: their stored JSON goes as it is, without encoding it again.
        rows.append((seq, clean.t, type_name, data) if clean is event else (seq, clean.t, *event_codec.encode(clean)))
    summary = dataclasses.replace(
        summary, title=redact_text(summary.title), note=redact_text(summary.note), redacted=True
    )
    scorecard = build_scorecard(events, summary.playbook_steps)
    transcript = "\n".join(u.text for u in settled_utterances(events))
    audio = None
    digest = hashlib.sha256()
    if summary.audio is not None and summary.audio.exists():
        audio = summary.audio.read_bytes()
        # The source's bytes and the spans silenced, not the bytes encoded again: an Ogg stream
        # gets a random serial number each time it is written, and the checksum must not change.
        digest.update(hashlib.sha256(audio).digest() + repr(silenced).encode())
        if silenced:
            audio = _silenced_audio(summary.audio, silenced)
    digest.update(json.dumps(_meta(summary)).encode())
    for seq, t, type_name, data in rows:
        digest.update(f"{seq}\0{t!r}\0{type_name}\0{data}\n".encode())
    return Upload(summary, tuple(rows), transcript, scorecard, audio, digest.hexdigest())


def _meta(s: SessionSummary) -> list[object]:
    """The session fields the checksum covers besides its events and audio."""
    return [s.uid, s.started_at, s.duration, s.state, s.agent, s.title, s.note, s.channels, s.playbook_steps]


def _span(event: Utterance | Revision, earlier: list[Event]) -> tuple[str, float, float]:
    if isinstance(event, Utterance):
        return event.speaker, event.start, event.end
    for e in reversed(earlier):
        if isinstance(e, Utterance) and e.id == event.utterance:
            return e.speaker, e.start, e.end
    return event.speaker, 0.0, 0.0


def _silenced_audio(path: Path, spans: list[tuple[str, float, float]]) -> bytes:
    """The call's audio with the spoken secrets silenced, encoded again (only for calls that had any)."""
    pcm = read_audio(path).copy()
    speakers = ("agent", "customer") if pcm.shape[0] == 2 else ("call",)
    for speaker, start, end in spans:
        a, b = max(0, int((start - 0.2) * SAMPLE_RATE)), int((end + 0.2) * SAMPLE_RATE)
        rows = [speakers.index(speaker)] if speaker in speakers else list(range(pcm.shape[0]))
        for row in rows:
            pcm[row, a:b] = 0.0
    fd, name = tempfile.mkstemp(suffix=".ogg")
    os.close(fd)
    tmp = Path(name)
    try:
        write_pcm(tmp, speakers, pcm)
        return tmp.read_bytes()
    finally:
        tmp.unlink(missing_ok=True)
