"""The call at a glance: who spoke when, steps, alerts and coaching notes, with the playhead; click to seek."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from companion.events import Alert, Event, StepDone, Utterance
from companion.ui.widgets.note_marks import NOTE_COLOURS, TimedNote, note_label

LANE_COLOURS = {"agent": "#3b82f6", "customer": "#f59e0b", "call": "#6b7280"}
STEP_COLOUR = "#16a34a"
ALERT_COLOUR = "#f59e0b"
PLAYHEAD_COLOUR = "#7c3aed"
MARGIN = 8
NOTE_HIT_PX = 6


class Timeline(QWidget):
    """A strip as wide as the call: speech lanes, markers, and notes as flags above them."""

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Timeline")
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.duration = 1.0
        self.position = 0.0
        self.spans: list[tuple[str, float, float]] = []
        self.steps: list[float] = []
        self.alerts: list[float] = []
        self.notes: list[TimedNote] = []

    def set_call(self, events: Sequence[Event], duration: float) -> None:
        self.duration = max(duration, 1.0)
        self.spans = [(e.speaker, e.start, e.end) for e in events if isinstance(e, Utterance)]
        self.steps = [e.t for e in events if isinstance(e, StepDone)]
        self.alerts = [e.t for e in events if isinstance(e, Alert)]
        self.update()

    def set_notes(self, notes: Sequence[TimedNote]) -> None:
        self.notes = list(notes)
        self.update()

    def set_position(self, t: float) -> None:
        self.position = t
        self.update()

    # -- geometry ------------------------------------------------------------------------

    def x_of(self, t: float) -> float:
        width = max(1, self.width() - 2 * MARGIN)
        return MARGIN + width * min(max(t / self.duration, 0.0), 1.0)

    def t_of(self, x: float) -> float:
        width = max(1, self.width() - 2 * MARGIN)
        return min(max((x - MARGIN) / width, 0.0), 1.0) * self.duration

    def note_near(self, x: float) -> TimedNote | None:
        near = [(abs(self.x_of(n.t) - x), n) for n in self.notes]
        near = [pair for pair in near if pair[0] <= NOTE_HIT_PX]
        return min(near, key=lambda pair: pair[0])[1] if near else None

    # -- drawing and mouse -----------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        p.fillRect(self.rect(), self.palette().base())
        lanes = {"agent": (22, 12), "customer": (38, 12), "call": (22, 28)}
        for speaker, start, end in self.spans:
            top, height = lanes.get(speaker, lanes["call"])
            x0, x1 = self.x_of(start), self.x_of(end)
            p.fillRect(QRectF(x0, top, max(1.5, x1 - x0), height), QColor(LANE_COLOURS.get(speaker, "#6b7280")))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(QColor(STEP_COLOUR)))
        for t in self.steps:
            p.drawEllipse(QPointF(self.x_of(t), h - 8), 4, 4)
        p.setBrush(QBrush(QColor(ALERT_COLOUR)))
        for t in self.alerts:
            x = self.x_of(t)
            p.drawPolygon(QPolygonF([QPointF(x - 5, h - 3), QPointF(x + 5, h - 3), QPointF(x, h - 12)]))
        for note in self.notes:
            x = self.x_of(note.t)
            colour = QColor(NOTE_COLOURS.get(note.kind, NOTE_COLOURS["note"]))
            p.setPen(QPen(colour, 2))
            p.drawLine(QPointF(x, 2), QPointF(x, 50))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(colour))
            p.drawPolygon(QPolygonF([QPointF(x, 2), QPointF(x + 10, 6), QPointF(x, 11)]))
        x = self.x_of(self.position)
        p.setPen(QPen(QColor(PLAYHEAD_COLOUR), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            x = event.position().x()
            note = self.note_near(x)
            self.seek_requested.emit(note.t if note is not None else self.t_of(x))
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        note = self.note_near(event.position().x())
        if note is not None:
            QToolTip.showText(event.globalPosition().toPoint(), note_label(note), self)
        else:
            QToolTip.hideText()
