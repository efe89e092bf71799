"""The call at a glance: recording indicator, call timer, talk ratio and input levels."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from companion.ui.widgets.level_meter import LevelMeter


def fmt_clock(t: float) -> str:
    t = int(max(0.0, t))
    return f"{t // 3600}:{t // 60 % 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60:02d}:{t % 60:02d}"


class CallStats(QWidget):
    """Timer and recording state on the left, talk ratio and meters beside them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)
        self.recording = QLabel("○ Not recording")
        self.recording.setObjectName("Recording")
        self.timer = QLabel("00:00")
        self.timer.setObjectName("CallTimer")
        self.ratio_caption = QLabel("TALK  agent — customer —")
        self.ratio_caption.setObjectName("StatCaption")
        self.ratio = QProgressBar()
        self.ratio.setRange(0, 100)
        self.ratio.setValue(0)
        self.ratio.setTextVisible(False)  # the figures are in the caption: text over the bar is hard to read
        self.ratio.setFixedHeight(12)
        self.ratio.setToolTip("Share of speaking time: agent (bar) against customer")
        self.meters = {"agent": LevelMeter("Agent"), "customer": LevelMeter("Customer")}
        grid.addWidget(self.recording, 0, 0)
        grid.addWidget(self.timer, 1, 0, 2, 1)
        grid.addWidget(self.ratio_caption, 0, 1)
        grid.addWidget(self.ratio, 0, 2)
        grid.addWidget(self.meters["agent"], 1, 1, 1, 2)
        grid.addWidget(self.meters["customer"], 2, 1, 1, 2)
        grid.setColumnStretch(2, 1)
        self.call_time = 0.0
        self.talk = {"agent": 0.0, "customer": 0.0}
        self._levels: dict[str, float] = {}

    def set_recording(self, active: bool, demo: bool = False) -> None:
        """A live call says RECORDING; the bundled demo file says DEMO (nothing of the agent's is captured)."""
        text = ("● DEMO" if demo else "● RECORDING") if active else "○ Not recording"
        if self.recording.text() != text:
            self.recording.setText(text)
            # As wide as its longest word, so the column does not shrink under a short one and clip the next.
            metrics = self.recording.fontMetrics()
            widest = max(metrics.horizontalAdvance(t) for t in ("● RECORDING", "● DEMO", "○ Not recording"))
            self.recording.setMinimumWidth(widest + 4)
        value = "true" if active else "false"
        if self.recording.property("active") != value:
            self.recording.setProperty("active", value)
            self.recording.style().unpolish(self.recording)
            self.recording.style().polish(self.recording)

    def show_call(self, t: float, talk_s: Mapping[str, float], levels: Mapping[str, float]) -> None:
        """The call's clock, talk ratio and input levels as a ``CallState`` has them."""
        for speaker, dbfs in levels.items():
            meter = self.meters.get("customer" if speaker == "call" else speaker)
            if meter is not None and self._levels.get(speaker) != dbfs:
                meter.set_level(dbfs)
        self._levels = dict(levels)
        self.advance(t)
        talk = {"agent": talk_s.get("agent", 0.0), "customer": talk_s.get("customer", 0.0)}
        if talk == self.talk:
            return
        self.talk = talk
        total = sum(talk.values())
        if total > 0:
            agent = round(100 * talk["agent"] / total)
            self.ratio.setValue(agent)
            self.ratio_caption.setText(f"TALK  agent {agent}% · customer {100 - agent}%")

    def advance(self, t: float) -> None:
        if t > self.call_time:
            self.call_time = t
            text = fmt_clock(t)
            if self.timer.text() != text:
                self.timer.setText(text)

    def agent_share(self) -> float | None:
        total = sum(self.talk.values())
        return self.talk["agent"] / total if total else None

    def clear_call(self) -> None:
        self.call_time = 0.0
        self.timer.setText("00:00")
        self.talk = {"agent": 0.0, "customer": 0.0}
        self._levels = {}
        self.ratio.setValue(0)
        self.ratio_caption.setText("TALK  agent — customer —")
        for meter in self.meters.values():
            meter.reset()
