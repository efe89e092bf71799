"""Finished calls in a real local store, to sync: real event values, real Ogg Opus audio, a card number said.

No recogniser here: the team tests are about what happens after a call has
ended, so each call is the event list a call leaves behind, written through
the store's own API, with a couple of seconds of real encoded audio.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.events import (
    Alert,
    CallEnded,
    CallStarted,
    Event,
    Revision,
    SentimentPoint,
    StepDone,
    Utterance,
)
from companion.store.audio_file import AudioWriter
from companion.store.db import SessionStore, new_uid
from companion.store.records import SessionInfo

PLAYBOOK = (
    ("greet", "Greet and give your name"),
    ("empathize", "Acknowledge the feeling"),
    ("own", "Take ownership"),
    ("resolve", "Offer a resolution"),
)
CARD_DIGITS = "4111111111111111"  # passes the Luhn check
CARD_SPOKEN = "four one one one one one one one one one one one one one one one"


def call_events(topic: str, empathy: bool = True, mood_end: float = 0.1) -> list[Event]:
    """A short billing call: the customer reads a card number twice (figures, then words)."""
    u = [
        Utterance(0, "agent", 0.2, 1.5, "Thank you for calling, this is Sam.", segment=0),
        Utterance(1, "customer", 1.8, 4.0, f"I was charged twice for my {topic} and I am upset.", segment=0),
        Utterance(2, "agent", 4.2, 5.5, "I am so sorry, I understand how frustrating that is.", segment=1),
        Utterance(
            3,
            "customer",
            5.8,
            8.0,
            f"My card number is {CARD_DIGITS[:4]} {CARD_DIGITS[4:8]} {CARD_DIGITS[8:12]} {CARD_DIGITS[12:]}.",
            segment=1,
        ),
        Utterance(4, "customer", 8.2, 9.5, "the number is " + CARD_SPOKEN, segment=2),
        Utterance(5, "agent", 9.8, 11.0, "I have refunded the second charge.", segment=2),
    ]
    events: list[Event] = [CallStarted(0.0, "test", (("agent", "left"), ("customer", "right")), True)]
    events += [
        u[0],
        StepDone(1.5, "greet", 0, u[0].text),
        u[1],
        SentimentPoint(4.0, "customer", -0.6, -0.6, 1),
        u[2],
    ]
    if empathy:
        events.append(StepDone(5.5, "empathize", 2, u[2].text))
    else:
        events.append(Alert(5.5, "early-solution", "Offered a fix before acknowledging the problem", 2, None, "agent"))
    events += [
        u[3],
        u[4],
        Revision(9.6, 4, "customer", "the card number is " + CARD_SPOKEN),
        u[5],
        StepDone(11.0, "resolve", 5, u[5].text),
        SentimentPoint(11.0, "customer", 0.4, mood_end, 5),
        CallEnded(11.5),
    ]
    return events


def write_audio(path: Path, seconds: float = 12.0, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    n = int(seconds * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tones = [(0.2 * np.sin(2 * np.pi * f * t) + 0.01 * rng.standard_normal(n)).astype(np.float32) for f in (220, 330)]
    writer = AudioWriter(path, ("agent", "customer"))
    for a in range(0, n, SAMPLE_RATE // 2):  # half a second of each speaker in turn, as a call delivers them
        for speaker, tone in zip(("agent", "customer"), tones, strict=True):
            writer.write(AudioBlock(speaker, a / SAMPLE_RATE, tone[a : a + SAMPLE_RATE // 2]))  # type: ignore[arg-type]
    writer.close()


def add_call(
    store: SessionStore,
    agent: str,
    topic: str = "phone bill",
    minutes_ago: int = 60,
    audio: bool = True,
    empathy: bool = True,
    finished: bool = True,
    mood_end: float = 0.1,
) -> str:
    """Write one call into the store; return its uid."""
    uid = new_uid()
    started = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(timespec="seconds")
    sid = store.create_session(
        SessionInfo(uid, started, agent=agent, title=f"{topic} call", playbook_steps=PLAYBOOK, redacted=False)
    )
    events = call_events(topic, empathy, mood_end)
    store.append_events(sid, list(enumerate(events)))
    if audio:
        path = store.audio_path(uid)
        write_audio(path, seed=minutes_ago)
        store.set_audio(sid, path)
    if finished:
        store.finish_session(sid, 11.5)
    return uid
