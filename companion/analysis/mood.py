"""A speaker's sentiment line smoothed over call time, its trend, and the customer's mood swings.

Smoothing is over time, not over utterance count: a reading moves the line by
``1 - exp(-dt / tau)`` of the way, where ``dt`` is the time since the previous
reading (at least the utterance's own length), scaled by how much evidence the
reading carries (a bare "okay" moves it less than a full sentence).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

TAU_S = 20.0
TREND_WINDOW_S = 60.0
ESCALATED_BELOW = -0.4  # the smoothed line crossing this is an escalation
SHARP_DROP = 0.35  # a reading this far below the line, itself strongly negative, is one too
STRONG_NEGATIVE = -0.45
CALMED_ABOVE = -0.05  # back above this after an escalation: calmed


@dataclass(frozen=True, slots=True)
class LinePoint:
    t: float
    score: float
    smoothed: float
    trend: float  # per minute


class SentimentLine:
    """One speaker's time-smoothed sentiment."""

    def __init__(self, tau_s: float = TAU_S) -> None:
        self.tau_s = tau_s
        self.smoothed: float | None = None
        self.last_t: float | None = None
        self.history: deque[tuple[float, float]] = deque()
        self.first: float | None = None
        self.minimum: float | None = None

    def peek(self, t: float, score: float, evidence: float, duration: float = 0.0) -> float:
        """What the line would read if this reading were added (for live partials)."""
        if self.smoothed is None or self.last_t is None:
            return score
        dt = max(t - self.last_t, duration, 0.5)
        alpha = (1.0 - math.exp(-dt / self.tau_s)) * max(0.0, min(1.0, evidence))
        return self.smoothed + alpha * (score - self.smoothed)

    def add(self, t: float, score: float, evidence: float, duration: float = 0.0) -> LinePoint:
        smoothed = self.peek(t, score, evidence, duration)
        self.smoothed = smoothed
        self.last_t = t if self.last_t is None else max(self.last_t, t)
        if self.first is None:
            self.first = smoothed
        self.minimum = smoothed if self.minimum is None else min(self.minimum, smoothed)
        self.history.append((t, smoothed))
        while self.history and self.history[0][0] < t - TREND_WINDOW_S:
            self.history.popleft()
        return LinePoint(t, score, smoothed, self.trend())

    def trend(self) -> float:
        """Least-squares slope of the line over the last minute, per minute."""
        pts = list(self.history)
        if len(pts) < 2:
            return 0.0
        mt = sum(p[0] for p in pts) / len(pts)
        ms = sum(p[1] for p in pts) / len(pts)
        var = sum((p[0] - mt) ** 2 for p in pts)
        if var < 1e-9:
            return 0.0
        slope = sum((p[0] - mt) * (p[1] - ms) for p in pts) / var
        return round(slope * 60.0, 4)


class MoodWatch:
    """Turns the customer's line into escalated / calmed moments, once per episode."""

    def __init__(self) -> None:
        self.escalated = False

    def update(self, before: float | None, score: float, smoothed: float) -> str | None:
        if not self.escalated:
            sharp = before is not None and score <= STRONG_NEGATIVE and before - score >= SHARP_DROP
            if smoothed <= ESCALATED_BELOW or sharp:
                self.escalated = True
                return "escalated"
        elif smoothed >= CALMED_ABOVE:
            self.escalated = False
            return "calmed"
        return None
