"""The live view of a call: every widget drawn from the call's events, in order.

``apply`` is the only way state enters the view, so feeding it a stored event
list up to time t shows exactly what the agent saw at t.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from companion.events import (
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
    StepDone,
    Utterance,
)
from companion.ui.coaching import StepInfo
from companion.ui.widgets.alerts import AlertStack, alert_title
from companion.ui.widgets.call_stats import CallStats
from companion.ui.widgets.mood_reading import MoodReading
from companion.ui.widgets.next_step import NextStepCard
from companion.ui.widgets.sentiment_chart import SentimentChart
from companion.ui.widgets.steps_panel import StepsPanel
from companion.ui.widgets.transcript import TranscriptView

log = logging.getLogger(__name__)

SIDE_WIDTH = 300
ALERT_WIDTH = 320
ALERT_MARGIN = 12


class LiveView(QWidget):
    """Next step and playbook on top, transcript and mood chart below, call stats above all."""

    def __init__(self, steps: Sequence[StepInfo] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LiveView")
        self.events: list[Event] = []
        self.steps: list[StepInfo] = []
        self.compact = False

        self.stats = CallStats()
        self.error_banner = QLabel()
        self.error_banner.setObjectName("ErrorBanner")
        self.error_banner.setWordWrap(True)
        self.error_banner.hide()
        self.next_step = NextStepCard()
        self.mood = MoodReading()
        self.steps_panel = StepsPanel()
        # Alerts float over the chart's top corner: they come and go without moving anything else.
        self.alerts = AlertStack(parent=self)
        self.alerts.setFixedWidth(ALERT_WIDTH)
        self.transcript = TranscriptView()
        self.chart = SentimentChart()
        self.chart.setMinimumHeight(140)

        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.next_step, 1)
        left.addWidget(self.mood)
        self.side = QWidget()
        self.side.setFixedWidth(SIDE_WIDTH)
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(8)
        side.addWidget(self.steps_panel)
        side.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addLayout(left, 1)
        top.addWidget(self.side)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.transcript)
        self.splitter.addWidget(self.chart)
        self.splitter.setSizes([520, 480])
        self.splitter.setChildrenCollapsible(False)
        self.splitter.splitterMoved.connect(self._place_alerts)
        for moving in (self.splitter, self.chart):
            moving.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(8)
        layout.addWidget(self.stats)
        layout.addWidget(self.error_banner)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self.set_steps(steps)

    # -- state --------------------------------------------------------------------------

    def set_steps(self, steps: Sequence[StepInfo]) -> None:
        self.steps = list(steps)
        self.steps_panel.set_steps(self.steps)
        self.steps_panel.setVisible(bool(self.steps) and not self.compact)
        if self.steps:
            self.next_step.show_step(self.steps[0], "")
            self.steps_panel.mark_next(self.steps[0].id)

    def step(self, step_id: str) -> StepInfo:
        for step in self.steps:
            if step.id == step_id:
                return step
        return StepInfo(step_id, step_id.replace("-", " ").capitalize())

    def apply_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> None:
        """Draw one event; the GUI thread's whole share of the work for it."""
        self.events.append(event)
        if isinstance(event, Level):
            self.stats.add_level(event)
        elif isinstance(event, Partial):
            self.transcript.add_partial(event)
            self.stats.advance(event.t)
        elif isinstance(event, Utterance):
            self.transcript.add_utterance(event)
            self.stats.add_utterance(event)
        elif isinstance(event, Revision):
            self.transcript.revise(event)
        elif isinstance(event, SentimentPoint):
            self.chart.add_point(event)
            self.mood.add_point(event)
        elif isinstance(event, StepDone):
            self.steps_panel.mark_done(event)
            self.chart.add_step(event, self.step(event.step).title)
        elif isinstance(event, NextStep):
            self.next_step.show_step(self.step(event.step), event.reason)
            self.steps_panel.mark_next(event.step)
        elif isinstance(event, Alert):
            self.alerts.add_alert(event)
            self.chart.add_alert(event, alert_title(event.kind))
            # Sized once the notice is polished, on the next turn of the loop.
            QTimer.singleShot(0, self, self._place_alerts)
        elif isinstance(event, Mood):
            self.mood.add_mood(event)
            self.chart.add_mood(event)
        elif isinstance(event, EngineError):
            self.show_error(event.message)
        elif isinstance(event, CallStarted):
            self._start_call(event)
        elif isinstance(event, CallEnded):
            self.transcript.end_call()
            self.stats.set_recording(False)
            self.stats.advance(event.t)

    def _start_call(self, event: CallStarted) -> None:
        self.events = [event]
        self.transcript.clear_call()
        self.chart.clear_call()
        self.mood.clear_call()
        self.alerts.clear_call()
        self.stats.clear_call()
        self.set_steps(self.steps)
        self.stats.set_recording(True)

    def show_error(self, message: str) -> None:
        log.warning("shown in the window: %s", message)
        self.error_banner.setText(f"⚠  {message}")
        self.error_banner.show()

    def clear_error(self) -> None:
        self.error_banner.clear()
        self.error_banner.hide()

    # -- look ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
            self._place_alerts()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_alerts()

    def _place_alerts(self) -> None:
        """Keep the alert notices over the top-right corner of the chart, newest on top."""
        self.alerts.setVisible(not self.compact)
        self.alerts.fit()
        corner = self.chart.mapTo(self, QPoint(self.chart.width(), 0))
        self.alerts.move(max(0, corner.x() - ALERT_WIDTH - ALERT_MARGIN), corner.y() + ALERT_MARGIN)
        self.alerts.raise_()

    def set_dark(self, dark: bool) -> None:
        self.transcript.set_dark(dark)
        self.chart.set_dark(dark)

    def set_compact(self, compact: bool) -> None:
        """Compact: only the next step and the customer's mood (and an error, if any)."""
        self.compact = compact
        for widget in (self.stats, self.side, self.splitter, self.alerts):
            widget.setVisible(not compact)
        self.steps_panel.setVisible(bool(self.steps) and not compact)
        self.next_step.set_compact(compact)
        self.mood.set_compact(compact)
