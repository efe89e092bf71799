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
import math
import types
import typing
from typing import Any

from companion import events as events_module
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
    """Rebuild an event; raises ``StoreError`` for an unknown type or a malformed value.

    Every field is checked against its declared type: events also arrive in
    bundles made elsewhere, and a text where a time belongs (or a NaN time)
    would otherwise pass here and break the replay, the exports or the library
    later, far from its cause.
    """
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise StoreError(f"unknown event type {_short(type_name)} (made by a newer version of the app?)")
    hints = _hints(cls)
    kwargs = {k: v for k, v in data.items() if k in hints}
    try:
        if "words" in kwargs:
            kwargs["words"] = tuple(Word(t, s, e) for t, s, e in _items(kwargs["words"]))
        if "channels" in kwargs:
            kwargs["channels"] = tuple((s, n) for s, n in _items(kwargs["channels"]))
        if "acts" in kwargs:
            kwargs["acts"] = tuple(Act(i, q, s) for i, q, s in _items(kwargs["acts"]))
        event = cls(**kwargs)
        _check(event, hints)
        return event  # type: ignore[no-any-return]
    except (TypeError, ValueError) as exc:
        raise StoreError(f"a stored {type_name} event is malformed: {_short(str(exc), 160, quote=False)}") from exc


def _items(value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list, not {type(value).__name__}")
    return list(value)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(events_module))
    return _HINTS[cls]


def _check(value: Any, hints: dict[str, Any]) -> None:
    for name, hint in hints.items():
        if not _fits(getattr(value, name), hint):
            raise TypeError(f"{name} is {_short(getattr(value, name))}, which is not a {_name(hint)}")


def _fits(value: Any, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint in (str, bool):
        return isinstance(value, hint)
    if hint is type(None):
        return value is None
    if origin is typing.Literal:
        return isinstance(value, str) and value in args
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_fits(item, args[0]) for item in value)
        return len(value) == len(args) and all(_fits(v, a) for v, a in zip(value, args, strict=True))
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, hint):
            return False
        try:
            _check(value, _hints(hint))  # type: ignore[arg-type]
        except TypeError:
            return False
        return True
    return isinstance(value, hint)


def _short(value: Any, limit: int = 60, quote: bool = True) -> str:
    """A value for a message, cut short: it may come from a hostile file and be any size."""
    text = repr(value) if quote else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(hint: Any) -> str:
    if typing.get_origin(hint) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    return str(hint).replace("typing.", "") if typing.get_origin(hint) else getattr(hint, "__name__", str(hint))


def encode(event: Event) -> tuple[str, str]:
    """``(type name, compact JSON)`` for one event."""
    return event_type(event), json.dumps(to_dict(event), separators=(",", ":"), ensure_ascii=False)


def decode(type_name: str, text: str) -> Event:
    if not isinstance(text, str):
        raise StoreError(f"a stored {_short(type_name, 40, quote=False)} event is not JSON text")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested past Python's stack
        raise StoreError(f"a stored {_short(type_name, 40, quote=False)} event is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise StoreError(f"a stored {_short(type_name, 40, quote=False)} event is not a JSON object")
    return from_dict(type_name, data)
