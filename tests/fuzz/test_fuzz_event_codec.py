"""The event codec: every event survives the round trip; anything else decodes to a StoreError or a valid event.

A decoded event is what the replay folds and the exports print, so "valid" is checked where it matters:
the fold, the report, the scorecard and every text export take it without an error.
"""

from __future__ import annotations

import dataclasses
import json
import typing

from hypothesis import given
from hypothesis import strategies as st

from companion import events as ev
from companion.analysis.report import build_report
from companion.analysis.state import fold
from companion.errors import StoreError
from companion.store import event_codec
from companion.store.export import scorecard_html, to_json, to_srt, to_txt, to_vtt
from companion.store.records import SessionSummary
from companion.store.session_data import StoredSession

times = st.floats(min_value=0, max_value=1e6, allow_nan=False)
texts = st.text(max_size=40)
speakers = st.sampled_from(ev.SPEAKERS)


def _strategy(hint: object) -> st.SearchStrategy[object]:
    """Values of a field's declared type, built from the annotation itself (so new fields are fuzzed too)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is float:
        return st.floats(allow_nan=False, allow_infinity=False, width=64)
    if hint is int:
        return st.integers(-(2**53), 2**53)
    if hint is str:
        return texts
    if hint is bool:
        return st.booleans()
    if hint is type(None):
        return st.none()
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return st.one_of([_strategy(a) for a in args])
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_strategy(args[0]), max_size=3).map(tuple)
        return st.tuples(*[_strategy(a) for a in args])
    if dataclasses.is_dataclass(hint):
        return _builds(hint)  # type: ignore[arg-type]
    raise AssertionError(f"no strategy for {hint!r}")


def _builds(cls: type) -> st.SearchStrategy[object]:
    hints = typing.get_type_hints(cls, vars(ev))
    return st.builds(cls, **{name: _strategy(hint) for name, hint in hints.items()})


any_event = st.one_of([_builds(cls) for cls in event_codec.EVENT_TYPES.values()])


@given(any_event)
def test_every_event_survives_the_round_trip(event: ev.Event) -> None:
    type_name, text = event_codec.encode(event)
    assert event_codec.decode(type_name, text) == event


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=15,
)


@st.composite
def encoded(draw: st.DrawFn) -> tuple[str, str]:
    """A stored (type, JSON) pair: a real event's, with fields replaced, dropped or added; or anything at all."""
    kind = draw(st.sampled_from(["mangled", "raw", "text", "deep"]))
    if kind == "deep":  # nested past Python's recursion limit
        depth = draw(st.integers(900, 100_000))
        return draw(st.sampled_from(list(event_codec.EVENT_TYPES))), "[" * depth + "]" * depth
    if kind == "text":
        return draw(st.sampled_from([*event_codec.EVENT_TYPES, "Nope", ""])), draw(st.text(max_size=60))
    if kind == "raw":
        return draw(st.sampled_from([*event_codec.EVENT_TYPES, "Nope"])), json.dumps(draw(json_values))
    type_name, text = event_codec.encode(draw(any_event))
    data = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from([*data, "extra"]))
        if draw(st.booleans()):
            data.pop(key, None)
        else:
            data[key] = draw(json_values)
    return type_name, json.dumps(data)


def _session(events: list[ev.Event]) -> StoredSession:
    summary = SessionSummary(
        1,
        "0" * 32,
        "2026-12-01T10:00:00+00:00",
        60.0,
        "complete",
        "",
        "",
        "",
        (),
        (),
        None,
        True,
        "",
        None,
        None,
        None,
        0,
        0,
        0,
        0,
    )
    return StoredSession(summary, tuple(events), ())


@given(st.lists(encoded(), min_size=1, max_size=6))
def test_anything_stored_decodes_to_a_store_error_or_an_event_the_app_can_use(rows: list[tuple[str, str]]) -> None:
    decoded: list[ev.Event] = [ev.CallStarted(0.0, "fuzz", (("agent", "left"), ("customer", "right")), False)]
    for type_name, text in rows:
        try:
            decoded.append(event_codec.decode(type_name, text))
        except StoreError as exc:
            assert "\n" not in str(exc)
    fold(decoded)
    fold(decoded, until=1.0)
    build_report(decoded, steps=())
    session = _session(decoded)
    for make in (to_txt, to_srt, to_vtt, scorecard_html):
        make(session)
    json.dumps(to_json(session))
