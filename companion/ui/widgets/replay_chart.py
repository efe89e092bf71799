"""The customer's mood over a stored call, with the player's cursor and the coaching notes; click to seek."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QLineSeries, QScatterSeries
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPen
from PySide6.QtWidgets import QWidget

from companion.ui.widgets.note_marks import TimedNote
from companion.ui.widgets.sentiment_chart import Y_LIMIT, SentimentChart

CURSOR_COLOUR = "#7c3aed"
NOTE_COLOUR = "#2563eb"
AHEAD_COLOUR = "#9ca3af"
NOTE_LANE = 1.0  # between the steps' lane and the top of the score range: a note never hides a step


class ReplayChart(SentimentChart):
    """The live chart as it stood at the player's position, the rest of the call's line faint, and a cursor."""

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cursor = QLineSeries()
        self.cursor.setName("Now")
        self.cursor.setPen(QPen(QColor(CURSOR_COLOUR), 2))
        self.notes = QScatterSeries()
        self.notes.setName("Note")
        self.notes.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeRectangle)
        self.notes.setMarkerSize(11)
        self.notes.setColor(QColor(NOTE_COLOUR))
        self.ahead = QLineSeries()
        self.ahead.setName("Rest of the call")
        pen = QPen(QColor(AHEAD_COLOUR), 2)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.ahead.setPen(pen)
        for series in (self.ahead, self.cursor, self.notes):
            self._add(series)
        for marker in self.chart_.legend().markers(self.cursor):
            marker.setVisible(False)
        self.cursor_t = 0.0
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to play from that moment")

    def show_whole_line(self, line: Sequence[tuple[float, float]], duration: float) -> None:
        """The whole call's mood line, faint, behind the line of the moment: where the call is going."""
        self.ahead.replace([QPointF(t, y) for t, y in line])
        self._extend(max(duration - 5.0, 0.0))
        self.set_cursor(0.0)

    def set_notes(self, notes: Sequence[TimedNote]) -> None:
        self.notes.clear()
        for note in notes:
            self.notes.append(note.t, NOTE_LANE)

    def set_cursor(self, t: float) -> None:
        self.cursor_t = t
        self.cursor.replace([QPointF(t, -Y_LIMIT), QPointF(t, Y_LIMIT)])

    def time_at(self, x: float, y: float) -> float:
        """Call time under a point of the view (widget coordinates)."""
        scene = self.mapToScene(int(x), int(y))
        value = self.chart_.mapToValue(self.chart_.mapFromScene(scene), self.line)
        return max(0.0, value.x())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            pos = event.position()
            self.seek_requested.emit(self.time_at(pos.x(), pos.y()))
            event.accept()
            return
        super().mousePressEvent(event)
