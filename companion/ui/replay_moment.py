"""What a replay shows at a moment, as plain functions of the stored events (no Qt here).

The playbook panel, next step, mood and alerts come from ``fold(events, t)``,
the same fold the live view's events amount to, so a replay shows what the
agent saw.  ``MomentIndex`` only avoids folding again while the player's
position moves between two events: the fold's result depends only on which
events are at or before ``t``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from companion.analysis.state import CallState, fold
from companion.events import Alert, Event


def current_utterance(starts: Sequence[float], t: float) -> int | None:
    """Index of the line being heard at ``t`` (the last one begun), given the lines' sorted start times."""
    i = bisect.bisect_right(starts, t + 1e-6) - 1
    return i if i >= 0 else None


def alerts_on_screen(alerts: Sequence[Alert], t: float, shown_s: float, most: int) -> tuple[Alert, ...]:
    """The alerts the live window still showed at ``t``: raised in the last ``shown_s``, the newest ``most``."""
    return tuple(a for a in alerts if t - shown_s < a.t <= t)[-most:]


class MomentIndex:
    """Folds a session's events at a moment, re-folding only when an event is crossed."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = list(events)
        self.times = sorted(float(e.t) for e in self.events)
        self._key: int | None = None
        self._state = fold((), 0.0)

    def state_at(self, t: float) -> tuple[CallState, bool]:
        """The call's state at ``t`` and whether it differs from the last one asked for."""
        key = bisect.bisect_right(self.times, t)
        if key == self._key:
            return self._state, False
        self._key = key
        self._state = fold(self.events, t)
        return self._state, True
