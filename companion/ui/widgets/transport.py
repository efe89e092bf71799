"""Play/pause, five seconds back or on, the speed, and where the replay is."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from companion.ui.replay_player import SPEEDS

SKIP_S = 5.0


def _clock(t: float) -> str:
    return f"{int(t) // 60}:{int(t) % 60:02d}"


class Transport(QWidget):
    play_toggled = Signal()
    skip_requested = Signal(float)
    speed_changed = Signal(float)
    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration = 0.0
        self.play_button = QPushButton("▶  Play")
        self.play_button.setToolTip("Play or pause (Space)")
        self.play_button.clicked.connect(self.play_toggled)
        self.back_button = QPushButton("−5 s")
        self.back_button.setToolTip("Five seconds back (Left)")
        self.back_button.clicked.connect(lambda: self.skip_requested.emit(-SKIP_S))
        self.on_button = QPushButton("+5 s")
        self.on_button.setToolTip("Five seconds on (Right)")
        self.on_button.clicked.connect(lambda: self.skip_requested.emit(SKIP_S))
        self.speed = QComboBox()
        for rate in SPEEDS:
            self.speed.addItem(f"{rate:g}×", rate)
        self.speed.setToolTip("Playback speed")
        self.speed.currentIndexChanged.connect(lambda i: self.speed_changed.emit(float(self.speed.itemData(i))))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.sliderMoved.connect(lambda ms: self.seek_requested.emit(ms / 1000.0))
        self.time = QLabel("0:00 / 0:00")
        self.time.setMinimumWidth(90)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.back_button, self.play_button, self.on_button, self.speed):
            layout.addWidget(widget)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time)

    def set_line_steps(self, lines: bool) -> None:
        """Back and on go a line at a time (a call without audio) or five seconds (a recording)."""
        if lines:
            self.back_button.setText("◀ Line")
            self.back_button.setToolTip("The line before (Left)")
            self.on_button.setText("Line ▶")
            self.on_button.setToolTip("The next line (Right)")
        else:
            self.back_button.setText("−5 s")
            self.back_button.setToolTip("Five seconds back (Left)")
            self.on_button.setText("+5 s")
            self.on_button.setToolTip("Five seconds on (Right)")

    def set_duration(self, duration: float) -> None:
        self.duration = duration
        self.slider.setRange(0, round(duration * 1000))
        self.set_position(0.0)

    def set_position(self, t: float) -> None:
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(round(t * 1000))
            self.slider.blockSignals(False)
        self.time.setText(f"{_clock(t)} / {_clock(self.duration)}")

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("❚❚  Pause" if playing else "▶  Play")

    def set_rate(self, rate: float) -> None:
        self.speed.setCurrentIndex(max(0, self.speed.findData(rate)))
