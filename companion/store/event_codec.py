"""Event values to JSON and back, field by field.

The store keeps every event as ``(type, JSON)`` so a call's whole state can be
rebuilt with the same fold the live view used.  The mapping is written out by
hand rather than derived from ``dataclasses.asdict`` so that the stored format
is a decision, not an accident: nested values (words, channels) have a fixed
shape, unknown fields from a newer version are ignored and missing fields take
their defaults, which keeps old stores readable as the vocabulary grows.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from companion.errors import StoreError
from companion.events import (
    Act,
    Acts,
    Alert,
    CallEnded,
    CallStarted,
    EngineError,
    Event,
    Level,
    Mood,
    NextStep,
    Partial,
    Revision,
    SentimentPoint,
    SpeechStarted,
    StepDone,
    Utterance,
    Word,
)

log = logging.getLogger(__name__)

EVENT_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        CallStarted,
        CallEnded,
        SpeechStarted,
        Partial,
        Utterance,
        Revision,
        Level,
        SentimentPoint,
        StepDone,
        Acts,
        NextStep,
        Alert,
        Mood,
        EngineError,
    )
}


def event_type(event: Event) -> str:
    return type(event).__name__


def to_dict(event: Event) -> dict[str, Any]:
    """The event's fields as JSON-ready values."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(event):  # type: ignore[arg-type]
        value = getattr(event, f.name)
        if f.name == "words":
            value = [[w.text, w.start, w.end] for w in value]
        elif f.name == "channels":
            value = [[speaker, name] for speaker, name in value]
        elif f.name == "acts":
            value = [[a.id, a.quote, a.score] for a in value]
        data[f.name] = value
    return data


def from_dict(type_name: str, data: dict[str, Any]) -> Event:
    """Rebuild an event; raises ``StoreError`` for an unknown type or a malformed value."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise StoreError(f"unknown event type '{type_name}' (made by a newer version of the app?)")
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in data.items() if k in names}
    try:
        if "words" in kwargs:
            kwargs["words"] = tuple(Word(str(t), float(s), float(e)) for t, s, e in kwargs["words"])
        if "channels" in kwargs:
            kwargs["channels"] = tuple((str(s), str(n)) for s, n in kwargs["channels"])
        if "acts" in kwargs:
            kwargs["acts"] = tuple(Act(str(i), str(q), float(s)) for i, q, s in kwargs["acts"])
        return cls(**kwargs)  # type: ignore[no-any-return]
    except (TypeError, ValueError) as exc:
        raise StoreError(f"a stored {type_name} event is malformed: {exc}") from exc


def encode(event: Event) -> tuple[str, str]:
    """``(type name, compact JSON)`` for one event."""
    return event_type(event), json.dumps(to_dict(event), separators=(",", ":"), ensure_ascii=False)


def decode(type_name: str, text: str) -> Event:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"a stored {type_name} event is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise StoreError(f"a stored {type_name} event is not a JSON object")
    return from_dict(type_name, data)
