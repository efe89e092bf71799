"""The state of a call at a moment, as a pure fold over its events.

The live window folds the events as they arrive; replay folds the stored events
up to the player's position.  Because both call ``fold``, a replay shows
exactly what the agent saw at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from companion.events import Alert, Event, Mood, NextStep, SentimentPoint, StepDone, Utterance

RECENT_ALERTS_S = 60.0
RECENT_ALERTS_MAX = 3


@dataclass(frozen=True, slots=True)
class StepTick:
    """A step marked done: when, by which utterance, and the words that show it."""

    step: str
    t: float
    utterance: int
    evidence: str


@dataclass(frozen=True, slots=True)
class CallState:
    t: float = 0.0
    next_step: str | None = None
    next_reason: str = ""
    steps_done: tuple[StepTick, ...] = ()  # first evidence of each step, in the order they were done
    customer_smoothed: float | None = None
    customer_trend: float = 0.0
    customer_now: float | None = None  # the latest reading, a live partial included
    customer_start: float | None = None
    customer_min: float | None = None
    agent_smoothed: float | None = None
    escalated: bool = False
    alerts: tuple[Alert, ...] = ()  # every alert so far
    recent_alerts: tuple[Alert, ...] = ()  # the few the window shows now
    talk_s: dict[str, float] = field(default_factory=dict)  # seconds spoken per speaker

    @property
    def customer_recovery(self) -> float | None:
        """How far the customer came back up from their lowest point (end minus minimum)."""
        if self.customer_smoothed is None or self.customer_min is None:
            return None
        return round(self.customer_smoothed - self.customer_min, 4)

    def done(self, step: str) -> bool:
        return any(tick.step == step for tick in self.steps_done)


def _time(event: Event) -> float:
    return float(event.t)


def fold(events: Iterable[Event], until: float | None = None) -> CallState:
    """The call's state from its events, considering only those at or before ``until``."""
    t = 0.0
    next_step: str | None = None
    reason = ""
    ticks: dict[str, StepTick] = {}
    smoothed = trend = now = start = minimum = agent = None
    escalated = False
    alerts: list[Alert] = []
    talk: dict[str, float] = {}
    for event in events:
        et = _time(event)
        if until is not None and et > until:
            continue  # the stored order is emission order; a later stamp may still precede others
        t = max(t, et)
        if isinstance(event, Utterance):
            talk[event.speaker] = round(talk.get(event.speaker, 0.0) + max(0.0, event.end - event.start), 3)
        elif isinstance(event, SentimentPoint):
            if event.speaker == "agent":
                if event.utterance is not None:
                    agent = event.smoothed
                continue
            now = event.score
            if event.utterance is not None:
                smoothed, trend = event.smoothed, event.trend
                start = smoothed if start is None else start
                minimum = smoothed if minimum is None else min(minimum, smoothed)
        elif isinstance(event, StepDone):
            if event.step not in ticks:
                ticks[event.step] = StepTick(event.step, event.t, event.utterance, event.evidence)
        elif isinstance(event, NextStep):
            next_step, reason = event.step, event.reason
        elif isinstance(event, Mood):
            escalated = event.kind == "escalated"
        elif isinstance(event, Alert):
            alerts.append(event)
    recent = [a for a in alerts if a.t >= t - RECENT_ALERTS_S][-RECENT_ALERTS_MAX:]
    return CallState(
        t=t,
        next_step=next_step,
        next_reason=reason,
        steps_done=tuple(sorted(ticks.values(), key=lambda tick: tick.t)),
        customer_smoothed=smoothed,
        customer_trend=trend or 0.0,
        customer_now=now,
        customer_start=start,
        customer_min=minimum,
        agent_smoothed=agent,
        escalated=escalated,
        alerts=tuple(alerts),
        recent_alerts=tuple(recent),
        talk_s=talk,
    )
