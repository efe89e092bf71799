"""The customer's mood over the call: the smoothed line over coloured bands, with markers.

Green dots along the top mark steps the agent did, amber triangles along the
bottom mark alerts (hover one to read it), so a glance, or a team lead's
replay, shows what the agent did where the mood turned.  Markers sit in lanes
rather than on the line because the line is only known up to the last thing
the customer said, not at the moment a step or an alert happens.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QAreaSeries, QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

NEUTRAL_BAND = 0.15  # |smoothed| below this reads as neutral: VADER's ±0.05 is too thin to see
MIN_SPAN_S = 60.0
STEP_LANE = 1.2
ALERT_LANE = -1.2
Y_LIMIT = 1.32  # the scores run -1 .. 1; the lanes sit outside them so no marker hides the line
FAR_FUTURE_S = 24 * 3600.0  # bands are drawn this wide once and clipped by the axis

BAND_COLOURS = {
    False: ("#fecaca", "#e5e7eb", "#bbf7d0"),
    True: ("#5b1d1d", "#2b3442", "#1b4332"),
}
LINE_COLOUR = {False: "#111827", True: "#f9fafb"}
AXIS_COLOUR = {False: "#374151", True: "#d1d5db"}
GRID_COLOUR = {False: "#d1d5db", True: "#4b5563"}


def mood_word(smoothed: float) -> str:
    """The band a reading falls in: negative, neutral or positive."""
    if smoothed <= -NEUTRAL_BAND:
        return "negative"
    if smoothed >= NEUTRAL_BAND:
        return "positive"
    return "neutral"


class SentimentChart(QChartView):
    """A live chart of the customer's smoothed sentiment (-1 .. 1) against call time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        self.setObjectName("SentimentChart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        chart = self.chart_
        chart.setMargins(QMargins(2, 2, 2, 2))
        chart.setBackgroundRoundness(8)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.axis_x = QValueAxis()
        self.axis_x.setLabelFormat("%d s")
        self.axis_x.setRange(0, MIN_SPAN_S)
        self.axis_x.setTickCount(7)
        self.axis_y = QValueAxis()
        self.axis_y.setRange(-Y_LIMIT, Y_LIMIT)
        self.axis_y.setTickType(QValueAxis.TickType.TicksDynamic)
        self.axis_y.setTickAnchor(0.0)
        self.axis_y.setTickInterval(0.5)
        self.axis_y.setLabelFormat("%.1f")
        chart.addAxis(self.axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.axis_y, Qt.AlignmentFlag.AlignLeft)

        self.bands = [
            self._band(-Y_LIMIT, -NEUTRAL_BAND),
            self._band(-NEUTRAL_BAND, NEUTRAL_BAND),
            self._band(NEUTRAL_BAND, Y_LIMIT),
        ]
        self.line = QLineSeries()
        self.line.setName("Customer mood line (smoothed)")
        self.line.setPointsVisible(True)  # the first reading shows before there is a line to draw
        self.steps = QScatterSeries()
        self.steps.setName("Step done")
        self.steps.setMarkerSize(12)
        self.alerts = QScatterSeries()
        self.alerts.setName("Alert")
        self.alerts.setMarkerShape(QScatterSeries.MarkerShape.MarkerShapeTriangle)
        self.alerts.setMarkerSize(14)
        for series in (self.line, self.steps, self.alerts):
            self._add(series)
        for band in self.bands:
            for marker in chart.legend().markers(band):
                marker.setVisible(False)
        self._line: list[tuple[float, float]] = []
        self._steps: list[tuple[float, float]] = []
        self._alerts: list[tuple[float, float]] = []
        self.step_labels: list[str] = []
        self.alert_labels: list[str] = []
        self.steps.hovered.connect(lambda point, state: self._show_label(point, state, self.steps))
        self.alerts.hovered.connect(lambda point, state: self._show_label(point, state, self.alerts))
        self._span = MIN_SPAN_S
        self._dark: bool | None = None
        self.set_dark(False)

    # -- drawing a call state ---------------------------------------------------------

    def show_call(
        self,
        line: Sequence[tuple[float, float]],
        steps: Sequence[tuple[float, str]],
        alerts: Sequence[tuple[float, str]],
    ) -> None:
        """Draw the smoothed mood line and the step and alert markers (call time, hover label)."""
        self._sync(self.line, self._line, [(t, y) for t, y in line])
        self._sync(self.steps, self._steps, [(t, STEP_LANE) for t, _ in steps])
        self._sync(self.alerts, self._alerts, [(t, ALERT_LANE) for t, _ in alerts])
        self.step_labels = [label for _, label in steps]
        self.alert_labels = [label for _, label in alerts]
        last = max([t for t, _ in line[-1:]] + [t for t, _ in steps[-1:]] + [t for t, _ in alerts[-1:]], default=0.0)
        self._extend(last)

    @staticmethod
    def _sync(series: QLineSeries | QScatterSeries, drawn: list, points: list) -> None:
        # A call's points only grow at the end: append the new ones, redraw only on a jump back.
        if points == drawn:
            return
        if points[: len(drawn)] == drawn:
            series.append([QPointF(t, y) for t, y in points[len(drawn) :]])  # one call: a jump adds many
        else:
            series.replace([QPointF(t, y) for t, y in points])
        drawn[:] = points

    def clear_call(self) -> None:
        self.show_call((), (), ())
        self._span = MIN_SPAN_S
        self.axis_x.setRange(0, MIN_SPAN_S)

    def value_at(self, t: float) -> float:
        """The smoothed line at call time ``t`` (the last point at or before it; 0 before any)."""
        value = 0.0
        for i in range(self.line.count() - 1, -1, -1):
            p = self.line.at(i)
            if p.x() <= t:
                value = p.y()
                break
        return value

    # -- look ----------------------------------------------------------------------------

    def set_dark(self, dark: bool) -> None:
        if dark == self._dark:
            return
        self._dark = dark
        chart = self.chart_
        chart.setBackgroundBrush(QBrush(QColor("#1f2937" if dark else "#ffffff")))
        chart.setPlotAreaBackgroundVisible(False)
        for band, colour in zip(self.bands, BAND_COLOURS[dark], strict=True):
            band.setBrush(QBrush(QColor(colour)))
            band.setPen(QPen(Qt.PenStyle.NoPen))
        self.line.setPen(QPen(QColor(LINE_COLOUR[dark]), 3))
        self.steps.setColor(QColor("#16a34a"))
        self.steps.setBorderColor(QColor(LINE_COLOUR[dark]))
        self.alerts.setColor(QColor("#f59e0b"))
        self.alerts.setBorderColor(QColor(LINE_COLOUR[dark]))
        for axis in (self.axis_x, self.axis_y):
            axis.setLabelsColor(QColor(AXIS_COLOUR[dark]))
            axis.setGridLineColor(QColor(GRID_COLOUR[dark]))
            axis.setLinePenColor(QColor(GRID_COLOUR[dark]))
        chart.legend().setLabelColor(QColor(AXIS_COLOUR[dark]))

    # -- internals -----------------------------------------------------------------------

    def _show_label(self, point: QPointF, state: bool, series: QScatterSeries) -> None:
        if not state:
            QToolTip.hideText()
            return
        labels = self.step_labels if series is self.steps else self.alert_labels
        nearest = min(range(series.count()), key=lambda i: abs(series.at(i).x() - point.x()), default=None)
        if nearest is not None and nearest < len(labels):
            QToolTip.showText(QCursor.pos(), labels[nearest], self)

    def _band(self, low: float, high: float) -> QAreaSeries:
        upper, lower = QLineSeries(), QLineSeries()
        upper.append([QPointF(0, high), QPointF(FAR_FUTURE_S, high)])
        lower.append([QPointF(0, low), QPointF(FAR_FUTURE_S, low)])
        band = QAreaSeries(upper, lower)
        band._lines = (upper, lower)  # keep the boundary series alive with the area
        self._add(band)
        return band

    def _add(self, series: QLineSeries | QAreaSeries | QScatterSeries) -> None:
        self.chart_.addSeries(series)
        series.attachAxis(self.axis_x)
        series.attachAxis(self.axis_y)

    def _extend(self, t: float) -> None:
        if t + 5 > self._span:
            # Grow in whole minutes so the axis does not re-scale on every point.
            self._span = (int((t + 5) // 60) + 1) * 60.0
            self.axis_x.setRange(0, self._span)
