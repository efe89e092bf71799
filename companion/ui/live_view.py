"""The live view of a call: the call's events folded into a ``CallState``, and every widget drawn from it.

``apply`` is the only way an event enters the view: it goes into the view's
``CallFold`` and the view draws the resulting state, the same state replay
folds from the stored events, so a replay shows exactly what the agent saw.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from companion.analysis.state import CallFold, CallState
from companion.events import CallStarted, Event
from companion.ui.call_panels import CallPanels, ShowsCallPanels
from companion.ui.coaching import StepInfo
from companion.ui.widgets.alerts import AlertStack
from companion.ui.widgets.call_stats import CallStats
from companion.ui.widgets.sentiment_chart import SentimentChart
from companion.ui.widgets.transcript import TranscriptView

log = logging.getLogger(__name__)

SIDE_WIDTH = 300
ALERT_WIDTH = 320
ALERT_MARGIN = 12


class LiveView(ShowsCallPanels, QWidget):
    """Next step and playbook on top, transcript and mood chart below, call stats above all."""

    def __init__(self, steps: Sequence[StepInfo] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("LiveView")
        self.events: list[Event] = []
        self.fold = CallFold()
        self.demo = False  # the call plays the bundled demo file: say DEMO, not RECORDING
        self.compact = False

        self.stats = CallStats()
        self.error_banner = QLabel()
        self.error_banner.setObjectName("ErrorBanner")
        self.error_banner.setWordWrap(True)
        self.error_banner.hide()
        # Alerts float over the chart's top corner: they come and go without moving anything else.
        self.alerts = AlertStack(parent=self)
        self.alerts.setFixedWidth(ALERT_WIDTH)
        self.transcript = TranscriptView()
        self.chart = SentimentChart()
        self.chart.setMinimumHeight(140)
        self.panels = CallPanels(self.chart, self.alerts)
        self.next_step, self.mood, self.steps_panel = self.panels.next_step, self.panels.mood, self.panels.steps_panel

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
        self.panels.set_steps(steps)
        self.steps_panel.setVisible(bool(self.steps) and not self.compact)

    def apply_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: Event) -> None:
        """Fold one event into the call's state and draw what changed: the GUI thread's whole share of the work."""
        if isinstance(event, CallStarted):  # a new call: the fold starts afresh, and so do the counters
            self.events = []
            self.stats.clear_call()
            self.chart.clear_call()
        self.fold.add(event)
        self.events.append(event)
        self.show_state(self.fold.state())

    def show_state(self, state: CallState) -> None:
        previous = self.panels.state
        self.transcript.show_lines(state.lines, state.provisional)
        self.stats.show_call(state.call_s, state.talk_s, state.levels)
        self.stats.set_recording(state.recording, self.demo)
        if state.errors != previous.errors and state.errors:
            self.show_error(state.errors[-1])
        if self.panels.show(state):
            # Sized once the notice is polished, on the next turn of the loop.
            QTimer.singleShot(0, self, self._place_alerts)

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
