"""The analysis document (``call-companion/analysis@1``) built from a call's events.

It is a pure function of the event list, so ``analyze``, the store and the
tests describe a call the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from companion.analysis.settled import settled_utterances
from companion.events import (
    Acts,
    Alert,
    CallEnded,
    CallStarted,
    EngineError,
    Event,
    Mood,
    NextStep,
    SentimentPoint,
    StepDone,
    Utterance,
)

SCHEMA = "call-companion/analysis@1"


def build_report(
    events: Sequence[Event],
    steps: Sequence[tuple[str, str]] = (),
    wall_s: float | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Describe a call. ``steps`` is the playbook's (id, title) list, in order."""
    started = next((e for e in events if isinstance(e, CallStarted)), None)
    ended = next((e for e in reversed(events) if isinstance(e, CallEnded)), None)
    duration = ended.t if ended else max((e.t for e in events), default=0.0)
    channels: dict[str, str | None] = {"agent": None, "customer": None}
    if started is not None:
        for speaker, name in started.channels:
            channels[speaker] = name

    utterances = settled_utterances(events)
    by_id: dict[int, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for u in utterances:
        row = {
            "id": u.id,
            "speaker": u.speaker,
            "start": round(u.start, 3),
            "end": round(u.end, 3),
            "text": u.text,
            "sentiment": None,
            "steps": [],
            "acts": [],
            "next_step": None,
            "emitted": u.emitted,
            "first_partial": u.first_partial,
        }
        by_id[u.id] = row
        rows.append(row)

    done: dict[str, StepDone] = {}
    current_next: str | None = None
    alerts: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    moods: list[dict[str, Any]] = []
    warnings: list[str] = []
    customer_line: dict[int, float] = {}  # utterance id -> smoothed, the last reading of each
    for e in events:
        if isinstance(e, SentimentPoint):
            if e.utterance is not None and e.utterance in by_id:
                by_id[e.utterance]["sentiment"] = round(e.score, 4)
            if e.utterance is not None and e.speaker in ("customer", "agent", "call"):
                key = "customer" if e.speaker in ("customer", "call") else "agent"
                if key == "customer":
                    customer_line[e.utterance] = e.smoothed
                timeline.append({"t": round(e.t, 3), "customer": None, "agent": None} | {key: round(e.smoothed, 4)})
        elif isinstance(e, StepDone):
            if e.utterance in by_id and e.step not in by_id[e.utterance]["steps"]:
                by_id[e.utterance]["steps"].append(e.step)
            done.setdefault(e.step, e)
        elif isinstance(e, Acts):
            if e.utterance in by_id:  # the settled text's reading replaces the first one
                by_id[e.utterance]["acts"] = [{"id": a.id, "quote": a.quote, "score": a.score} for a in e.acts]
        elif isinstance(e, EngineError) and not e.fatal and e.message not in warnings:
            warnings.append(e.message)
        elif isinstance(e, NextStep):
            current_next = e.step
            if e.utterance is not None and e.utterance in by_id:
                by_id[e.utterance]["next_step"] = e.step
        elif isinstance(e, Alert):
            alerts.append(
                {"t": round(e.t, 3), "kind": e.kind, "utterance": e.utterance, "text": e.text}
                | ({"value": e.value} if e.value is not None else {})
                | ({"speaker": e.speaker} if e.speaker is not None else {})
            )
        elif isinstance(e, Mood):
            moods.append(
                {
                    "t": round(e.t, 3),
                    "kind": e.kind,
                    "smoothed": round(e.smoothed, 4),
                    "utterance": e.utterance,
                }
            )
        elif isinstance(e, Utterance) and current_next is not None:
            # Until the coach says otherwise, the step shown stays the one shown before.
            by_id[e.id]["next_step"] = current_next

    step_rows = []
    for step_id, title in steps:
        hit = done.get(step_id)
        step_rows.append(
            {
                "id": step_id,
                "title": title,
                "done": hit is not None,
                "at": round(hit.t, 3) if hit else None,
                "utterance": hit.utterance if hit else None,
                "evidence": hit.evidence if hit else None,
                "late": hit.late if hit else False,
            }
        )
    audio_s = round(duration, 3)
    return {
        "schema": SCHEMA,
        "source": source if source is not None else (started.source if started else ""),
        "duration": audio_s,
        "channels": channels,
        "utterances": rows,
        "steps": step_rows,
        "alerts": alerts,
        "sentiment": timeline,
        "customer_sentiment": _figures(list(customer_line.values())),
        "moods": moods,
        "warnings": warnings,
        "timings": {"wall_s": round(wall_s, 3) if wall_s is not None else None, "audio_s": audio_s},
    }


def _figures(line: list[float]) -> dict[str, float | None]:
    """The customer's smoothed sentiment at the start, its lowest, at the end, and the recovery."""
    if not line:
        return {"start": None, "min": None, "end": None, "recovery": None}
    low = min(line)
    return {
        "start": round(line[0], 4),
        "min": round(low, 4),
        "end": round(line[-1], 4),
        "recovery": round(line[-1] - low, 4),
    }
