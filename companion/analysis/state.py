"""The state of a call at a moment: the one view model both windows draw.

``CallFold`` takes a call's events one at a time; ``state()`` is what a window
shows at that point: the transcript lines (with settled text where it came),
the text still being spoken, the next step, the ticks, the customer's mood line
and reading, the alerts on screen, talk time and input levels.  The live view
feeds it each event as it arrives; replay folds the stored events up to the
player's position (``fold(events, t)``).  Neither view reacts to events
directly, so a replay shows exactly what the agent saw at that moment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from companion import events
from companion.events import Alert, Event, Partial, Speaker, Utterance

# An alert stays on screen this long (call seconds), fading over its last part, and at most
# this many at once: a notice the agent can read without it lingering into the next topic.
ALERT_SHOW_S = 8.0
ALERT_FADE_S = 1.5
ALERTS_ON_SCREEN = 3


@dataclass(frozen=True, slots=True)
class StepTick:
    """A step marked done: when, by which utterance, and the words that show it."""

    step: str
    t: float
    utterance: int
    evidence: str


@dataclass(frozen=True, slots=True)
class MoodPoint:
    """One point of the customer's smoothed mood line (one per customer utterance)."""

    t: float
    smoothed: float


@dataclass(frozen=True, slots=True)
class CallState:
    """Everything a view shows of a call at call time ``t``."""

    t: float = 0.0
    call_s: float = 0.0  # how far the call's audio has run: the call timer (later work may be stamped later)
    started: bool = False
    ended: str | None = None  # the CallEnded reason, once the call is over
    lines: tuple[Utterance, ...] = ()  # final lines in the order they came, settled text in place
    provisional: tuple[Partial, ...] = ()  # text still being spoken, per speaker and segment
    next_step: str | None = None
    next_reason: str = ""
    steps_done: tuple[StepTick, ...] = ()  # first evidence of each step, in the order they were done
    step_marks: tuple[StepTick, ...] = ()  # every step evidenced, repeats included (the chart's markers)
    mood_line: tuple[MoodPoint, ...] = ()  # the customer's smoothed line, as the chart draws it
    customer_trend: float = 0.0  # change of the smoothed line per minute
    customer_now: float | None = None  # the latest raw reading, a live partial included
    customer_start: float | None = None
    customer_min: float | None = None
    agent_smoothed: float | None = None
    escalated: bool = False
    alerts: tuple[Alert, ...] = ()  # every alert so far
    errors: tuple[str, ...] = ()  # problems the engine reported, in words
    talk_s: dict[str, float] = field(default_factory=dict)  # seconds spoken per speaker
    levels: dict[str, float] = field(default_factory=dict)  # latest input level per speaker (dBFS)

    @property
    def customer_smoothed(self) -> float | None:
        """The smoothed line's latest value: what the chart's line ends at."""
        return self.mood_line[-1].smoothed if self.mood_line else None

    @property
    def customer_recovery(self) -> float | None:
        """How far the customer came back up from their lowest point (end minus minimum)."""
        if self.customer_smoothed is None or self.customer_min is None:
            return None
        return round(self.customer_smoothed - self.customer_min, 4)

    @property
    def alerts_on_screen(self) -> tuple[Alert, ...]:
        """The alerts still shown at ``t``: raised in the last few seconds, the newest few, oldest first."""
        shown = ALERT_SHOW_S + ALERT_FADE_S
        return tuple(a for a in self.alerts if self.t - shown < a.t <= self.t)[-ALERTS_ON_SCREEN:]

    def alert_opacity(self, alert: Alert) -> float:
        """1 while an alert is fresh, falling to 0 over its fade: the same on every view at the same ``t``."""
        age = self.t - alert.t
        if age <= ALERT_SHOW_S:
            return 1.0
        return max(0.0, 1.0 - (age - ALERT_SHOW_S) / ALERT_FADE_S)

    @property
    def recording(self) -> bool:
        return self.started and self.ended is None

    def done(self, step: str) -> bool:
        return any(tick.step == step for tick in self.steps_done)


def is_customer(speaker: Speaker) -> bool:
    # A mono recording carries both voices; its line is the best customer reading there is.
    return speaker in ("customer", "call")


class CallFold:
    """Folds a call's events, one at a time, into its ``CallState``."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        # Named as CallState's fields: ``state()`` freezes them as they are.
        self.t = 0.0
        self.call_s = 0.0
        self.started = False
        self.ended: str | None = None
        self.lines: list[Utterance] = []
        self.next_step: str | None = None
        self.next_reason = ""
        self.step_marks: list[StepTick] = []
        self.mood_line: list[MoodPoint] = []
        self.customer_trend = 0.0
        self.customer_now: float | None = None
        self.customer_start: float | None = None
        self.customer_min: float | None = None
        self.agent_smoothed: float | None = None
        self.escalated = False
        self.alerts: list[Alert] = []
        self.errors: list[str] = []
        self.talk_s: dict[str, float] = {}
        self.levels: dict[str, float] = {}
        # Kept in another shape than the state's.
        self.partials: dict[tuple[Speaker, int], Partial] = {}
        self.ticks: dict[str, StepTick] = {}
        self._line_index: dict[int, int] = {}
        self._state: CallState | None = CallState()

    def add(self, event: Event) -> None:
        """Take one event; a new call (``CallStarted``) starts from nothing."""
        if isinstance(event, events.SpeechStarted):
            return  # stamped when the speech began, not when it was known: nothing a view shows
        if isinstance(event, events.CallStarted):
            self.reset()
            self.started = True
        self._state = None
        self.t = max(self.t, float(event.t))
        if isinstance(event, Utterance):
            self._add_line(event)
            self.call_s = max(self.call_s, event.end)
        elif isinstance(event, Partial):
            self.partials[(event.speaker, event.segment)] = event
            self.call_s = max(self.call_s, event.t)
        elif isinstance(event, events.Revision):
            index = self._line_index.get(event.utterance)
            if index is not None:
                self.lines[index] = dataclasses.replace(self.lines[index], text=event.text, words=event.words)
        elif isinstance(event, events.SentimentPoint):
            self._add_point(event)
        elif isinstance(event, events.StepDone):
            tick = StepTick(event.step, event.t, event.utterance, event.evidence)
            self.ticks.setdefault(event.step, tick)
            self.step_marks.append(tick)
        elif isinstance(event, events.NextStep):
            self.next_step, self.next_reason = event.step, event.reason
        elif isinstance(event, events.Mood):
            self.escalated = event.kind == "escalated"
        elif isinstance(event, Alert):
            self.alerts.append(event)
        elif isinstance(event, events.Level):
            self.levels[event.speaker] = event.dbfs
            self.call_s = max(self.call_s, event.t)
        elif isinstance(event, events.EngineError):
            self.errors.append(event.message)
        elif isinstance(event, events.CallEnded):
            self.ended = event.reason
            self.call_s = max(self.call_s, event.t)
            self.partials.clear()  # provisional text left over was never confirmed

    def _add_line(self, utterance: Utterance) -> None:
        self._line_index[utterance.id] = len(self.lines)
        self.lines.append(utterance)
        # A speaker's finals come in segment order, so a final also settles every earlier
        # segment's provisional text (a segment Whisper heard no words in sends no final).
        for key in [k for k in self.partials if k[0] == utterance.speaker and k[1] <= utterance.segment]:
            del self.partials[key]
        spoken = max(0.0, utterance.end - utterance.start)
        self.talk_s[utterance.speaker] = round(self.talk_s.get(utterance.speaker, 0.0) + spoken, 3)

    def _add_point(self, point: events.SentimentPoint) -> None:
        if not is_customer(point.speaker):
            if point.utterance is not None:
                self.agent_smoothed = point.smoothed
            return
        self.customer_now = point.score
        if point.utterance is None:
            return  # a live reading of a partial: the line is drawn from finished lines only
        self.mood_line.append(MoodPoint(point.t, point.smoothed))
        self.customer_trend = point.trend
        if self.customer_start is None:
            self.customer_start = point.smoothed
        self.customer_min = min(point.smoothed, self.customer_min if self.customer_min is not None else 1.0)

    def state(self) -> CallState:
        """The call as it stands after the events taken so far (kept until the next event)."""
        if self._state is None:
            values = {name: _frozen(getattr(self, name)) for name in _COPIED}
            provisional = tuple(self.partials.values())
            done = tuple(sorted(self.ticks.values(), key=lambda tick: tick.t))
            self._state = CallState(provisional=provisional, steps_done=done, **values)
        return self._state


_COPIED = tuple(f.name for f in dataclasses.fields(CallState) if f.name not in ("provisional", "steps_done"))


def _frozen(value: object) -> object:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def fold(events: Iterable[Event], until: float | None = None) -> CallState:
    """The call's state from its events, taking only those at or before ``until``, in their stored order."""
    folder = CallFold()
    for event in events:
        # The stored order is emission order; a later stamp may still precede others, so skip, not stop.
        if until is None or float(event.t) <= until:
            folder.add(event)
    state = folder.state()
    if until is not None and state.started and until > state.t:
        # Between two events the call's clock runs on (the live window hears levels ten times a
        # second; the store does not keep them): alerts fade by the moment asked for.
        state = dataclasses.replace(state, t=until)
    return state
