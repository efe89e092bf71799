"""The scorecard of one call: a pure function of its events.

What a team lead reads after a call: which playbook steps were done (and when,
with the words that did them) or missed, how long the customer waited for
empathy, how their mood went (start, lowest, end, and how far it recovered),
who talked how much, the longest stretch the customer spoke uninterrupted,
interruptions, dead air, and the pitfalls with the words that caused them.
The live view, the replay and the exports all read the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from companion.analysis.cue_settings import CueThresholds
from companion.events import Alert, CallEnded, Event, NextStep, SentimentPoint, StepDone, Utterance

PITFALL_KINDS = ("trigger-words", "early-solution", "interruption", "dead-air", "agent-negativity")
# Step ids that count as empathy when the caller does not say which (playbooks name them differently).
EMPATHY_WORDS = ("empath", "acknowledg", "validat", "apolog")


@dataclass(frozen=True, slots=True)
class StepResult:
    id: str
    title: str
    done: bool
    at: float | None = None
    utterance: int | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Pitfall:
    t: float
    kind: str
    text: str
    quote: str  # the words that raised it, or the alert's own text when it has no utterance
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Scorecard:
    duration: float
    steps: tuple[StepResult, ...]
    first_empathy_s: float | None  # call time of the first empathy step
    sentiment_start: float | None
    sentiment_min: float | None
    sentiment_min_at: float | None
    sentiment_end: float | None
    sentiment_recovery: float | None  # end minus minimum: how far the customer came back
    agent_talk_s: float
    customer_talk_s: float
    talk_ratio: float | None  # the agent's share of the talk, 0..1 (None for a mono call)
    longest_customer_monologue_s: float
    longest_customer_monologue_at: float | None
    interruptions_by_agent: int
    interruptions_by_customer: int
    dead_air_count: int
    dead_air_total_s: float
    dead_air_longest_s: float
    pitfalls: tuple[Pitfall, ...]
    cues: dict[str, int]  # other alerts (voice cues) by kind

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def steps_missed(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if not s.done)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_scorecard(
    events: Sequence[Event],
    steps: Sequence[tuple[str, str]] = (),
    thresholds: CueThresholds | None = None,
    empathy_steps: Sequence[str] | None = None,
) -> Scorecard:
    """Score a call. ``steps`` is the playbook's (id, title) list; without it, the steps the coach named."""
    th = thresholds or CueThresholds()
    utterances = sorted((e for e in events if isinstance(e, Utterance)), key=lambda u: (u.start, u.id))
    ended = [e for e in events if isinstance(e, CallEnded)]
    duration = ended[-1].t if ended else max((e.t for e in events), default=0.0)
    by_id = {u.id: u for u in utterances}

    step_results = _steps(events, steps)
    empathy = _first_empathy(events, empathy_steps)
    sentiment = _sentiment(events)
    talk = {"agent": 0.0, "customer": 0.0}
    for u in utterances:
        if u.speaker in talk:
            talk[u.speaker] += max(0.0, u.end - u.start)
    total = talk["agent"] + talk["customer"]
    monologue, monologue_at = _longest_monologue(utterances)
    by_agent, by_customer = _interruptions(utterances, th.overlap_min_s)
    gaps = _dead_air(utterances, th.dead_air_s)

    pitfalls = []
    cues: dict[str, int] = {}
    for e in events:
        if not isinstance(e, Alert):
            continue
        if e.kind in PITFALL_KINDS:
            quote = by_id[e.utterance].text if e.utterance in by_id else e.text
            pitfalls.append(Pitfall(round(e.t, 3), e.kind, e.text, quote, e.speaker))
        else:
            cues[e.kind] = cues.get(e.kind, 0) + 1

    return Scorecard(
        duration=round(duration, 3),
        steps=step_results,
        first_empathy_s=empathy,
        sentiment_start=sentiment[0],
        sentiment_min=sentiment[1],
        sentiment_min_at=sentiment[2],
        sentiment_end=sentiment[3],
        sentiment_recovery=(
            round(sentiment[3] - sentiment[1], 4) if sentiment[1] is not None and sentiment[3] is not None else None
        ),
        agent_talk_s=round(talk["agent"], 3),
        customer_talk_s=round(talk["customer"], 3),
        talk_ratio=round(talk["agent"] / total, 3) if total > 0 else None,
        longest_customer_monologue_s=round(monologue, 3),
        longest_customer_monologue_at=monologue_at,
        interruptions_by_agent=by_agent,
        interruptions_by_customer=by_customer,
        dead_air_count=len(gaps),
        dead_air_total_s=round(sum(gaps), 3),
        dead_air_longest_s=round(max(gaps, default=0.0), 3),
        pitfalls=tuple(pitfalls),
        cues=cues,
    )


def _steps(events: Sequence[Event], steps: Sequence[tuple[str, str]]) -> tuple[StepResult, ...]:
    done: dict[str, StepDone] = {}
    named: dict[str, str] = {}
    for e in events:
        if isinstance(e, StepDone):
            done.setdefault(e.step, e)
            named.setdefault(e.step, e.step)
        elif isinstance(e, NextStep):
            named.setdefault(e.step, e.step)
    playbook = list(steps) or list(named.items())
    out = []
    for step_id, title in playbook:
        hit = done.get(step_id)
        if hit is None:
            out.append(StepResult(step_id, title, False))
        else:
            out.append(StepResult(step_id, title, True, round(hit.t, 3), hit.utterance, hit.evidence))
    return tuple(out)


def _first_empathy(events: Sequence[Event], empathy_steps: Sequence[str] | None) -> float | None:
    for e in events:
        if not isinstance(e, StepDone):
            continue
        if empathy_steps is not None:
            if e.step in empathy_steps:
                return round(e.t, 3)
        elif any(word in e.step.lower() for word in EMPATHY_WORDS):
            return round(e.t, 3)
    return None


def _sentiment(
    events: Sequence[Event],
) -> tuple[float | None, float | None, float | None, float | None]:
    """(start, minimum, time of minimum, end) of the customer's smoothed line over final readings."""
    points = [
        e
        for e in events
        if isinstance(e, SentimentPoint) and e.speaker in ("customer", "call") and e.utterance is not None
    ]
    if not points:
        return None, None, None, None
    lowest = min(points, key=lambda p: p.smoothed)
    return (
        round(points[0].smoothed, 4),
        round(lowest.smoothed, 4),
        round(lowest.t, 3),
        round(points[-1].smoothed, 4),
    )


def _longest_monologue(utterances: Sequence[Utterance]) -> tuple[float, float | None]:
    """Longest run of customer speech with no agent utterance starting inside it."""
    best, best_at = 0.0, None
    run_start: float | None = None
    run_end = 0.0
    for u in utterances:
        if u.speaker == "customer":
            if run_start is None:
                run_start = u.start
            run_end = max(run_end, u.end)
            if run_end - run_start > best:
                best, best_at = run_end - run_start, round(run_start, 3)
        elif u.speaker == "agent":
            run_start, run_end = None, 0.0
    return best, best_at


def _interruptions(utterances: Sequence[Utterance], overlap_min_s: float) -> tuple[int, int]:
    """(by the agent, by the customer): starting to talk while the other is talking, long enough to count."""
    counts = {"agent": 0, "customer": 0}
    for i, u in enumerate(utterances):
        if u.speaker not in counts:
            continue
        for v in utterances[:i]:
            talking = v.speaker in counts and v.speaker != u.speaker and v.start < u.start < v.end
            if talking and min(u.end, v.end) - u.start >= overlap_min_s:
                counts[u.speaker] += 1
                break
    return counts["agent"], counts["customer"]


def _dead_air(utterances: Sequence[Utterance], dead_air_s: float) -> list[float]:
    """Silences between speech (either side) at least ``dead_air_s`` long."""
    gaps = []
    covered_to: float | None = None
    for u in utterances:
        if covered_to is not None and u.start - covered_to >= dead_air_s:
            gaps.append(u.start - covered_to)
        covered_to = u.end if covered_to is None else max(covered_to, u.end)
    return gaps
