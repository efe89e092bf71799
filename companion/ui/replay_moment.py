"""What a replay shows at a moment, as plain functions of the stored events (no Qt here).

The panels come from ``fold(events, t)``: the ``CallState`` the live view drew
at that moment.  ``MomentIndex`` only avoids folding again while the player's
position moves between two events: the fold's result depends only on which
events are at or before ``t``.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Sequence

from companion.analysis.state import CallFold, CallState, fold
from companion.events import Event


def current_utterance(starts: Sequence[float], t: float) -> int | None:
    """Index of the line being heard at ``t`` (the last one begun), given the lines' sorted start times."""
    i = bisect.bisect_right(starts, t + 1e-6) - 1
    return i if i >= 0 else None


class MomentIndex:
    """Folds a session's events at a moment, re-folding only when an event is crossed.

    Playing forwards, the fold goes on from the last moment with the events just
    crossed, as long as they come after the ones already folded in the stored
    order (the fold's order); otherwise, and on a seek back, it folds afresh.
    """

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = list(events)
        self.order = sorted(range(len(self.events)), key=lambda i: float(self.events[i].t))
        self.times = [float(self.events[i].t) for i in self.order]
        self._key: int | None = None
        self._fold = CallFold()
        self._last_index = -1  # the highest stored index folded in
        self._state = fold((), 0.0)
        self._shown: tuple | None = None

    def state_at(self, t: float) -> tuple[CallState, bool]:
        """The call's state at ``t`` (its clock at ``t``) and whether it differs from the last one asked for."""
        key = bisect.bisect_right(self.times, t)
        if key == self._key:
            return self._at(t)
        crossed = self.order[self._key : key] if self._key is not None and key > self._key else None
        if crossed is not None and min(crossed) > self._last_index:
            for i in sorted(crossed):
                self._fold.add(self.events[i])
        else:
            self._fold = CallFold()
            for i in sorted(self.order[:key]):
                self._fold.add(self.events[i])
        self._last_index = max(self.order[:key], default=-1) if crossed is None else max(self._last_index, *crossed)
        self._key = key
        self._state = self._fold.state()
        self._shown = None
        return self._at(t)

    def _at(self, t: float) -> tuple[CallState, bool]:
        # Between events only the clock moves (alerts fade); shown again only when that changes what is on screen.
        state = self._state
        if state.started and t > state.t:
            state = dataclasses.replace(state, t=t)
        look = (state.alerts_on_screen, tuple(round(state.alert_opacity(a), 2) for a in state.alerts_on_screen))
        changed = look != self._shown
        self._shown = look
        return state, changed
