"""The panels both views share, drawn from a ``CallState`` and nothing else.

The live view and replay each own a ``CallPanels`` and hand it the state of
the moment they show: the next step, the playbook's ticks, the customer's mood,
the chart and the alerts on screen come out of this one function, so the two
views cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from companion.analysis.state import CallState
from companion.ui.coaching import StepInfo, find_step
from companion.ui.widgets.alerts import AlertStack, alert_title
from companion.ui.widgets.mood_reading import MoodReading
from companion.ui.widgets.next_step import NextStepCard
from companion.ui.widgets.sentiment_chart import SentimentChart
from companion.ui.widgets.steps_panel import StepsPanel


def clock(t: float) -> str:
    return f"{int(t) // 60}:{int(t) % 60:02d}"


class CallPanels:
    """Next step, playbook, mood, chart and alerts of one view."""

    def __init__(self, chart: SentimentChart, alerts: AlertStack) -> None:
        self.next_step = NextStepCard()
        self.mood = MoodReading()
        self.steps_panel = StepsPanel()
        self.chart = chart
        self.alerts = alerts
        self.steps: list[StepInfo] = []
        self.state = CallState()
        self._reason = ""

    def set_steps(self, steps: Sequence[StepInfo]) -> None:
        self.steps = list(steps)
        self.steps_panel.set_steps(self.steps)
        self.show(self.state, force=True)

    def step(self, step_id: str) -> StepInfo:
        return find_step(self.steps, step_id)

    def show(self, state: CallState, force: bool = False) -> bool:
        """Draw ``state``; True when the alerts on screen changed (a floating stack is then re-placed)."""
        old, self.state = self.state, state
        next_id = state.next_step or (self.steps[0].id if self.steps else None)
        if force or (next_id, state.next_reason) != (self.next_step.step_id, self._reason) or not self.steps:
            self._reason = state.next_reason
            if next_id is not None:
                self.next_step.show_step(self.step(next_id), state.next_reason)
        if force or state.steps_done != old.steps_done or next_id != self.steps_panel.next_step:
            self.steps_panel.show_progress(state.steps_done, next_id)
        self.mood.show_mood(state.customer_smoothed, state.customer_trend, state.escalated, state.customer_now)
        if force or (state.mood_line, state.step_marks, state.alerts) != (old.mood_line, old.step_marks, old.alerts):
            self.chart.show_call(
                [(p.t, p.smoothed) for p in state.mood_line],
                [(m.t, f"{self.step(m.step).title} at {clock(m.t)}: “{m.evidence}”") for m in state.step_marks],
                [(a.t, f"{alert_title(a.kind)} at {clock(a.t)}: {a.text}") for a in state.alerts],
            )
        return self.alerts.show_alerts(state.alerts_on_screen, state.alert_opacity)


class ShowsCallPanels:
    """What the live view and replay share of their own: the steps they show and the state on screen."""

    panels: CallPanels

    @property
    def steps(self) -> list[StepInfo]:
        return self.panels.steps

    @property
    def state(self) -> CallState:
        return self.panels.state
