"""The lead's team dashboard: per agent and week, with a chart of one figure and a CSV export.

The table holds every figure (calls, customer recovery, time to first empathy,
pitfalls per call, talk ratio, and each step's share of calls); the chart draws
the chosen figure week by week, one line per agent, so the agent who drifts
stands out.  What it reads is what the database lets this login see.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.errors import CompanionError
from companion.store.export import write_text_atomic
from companion.team.connection import connect
from companion.team.dashboard import DEFAULT_DAYS, AgentWeek, dashboard, step_ids, to_csv

# The figures a lead charts: (label, how to read it from a row, format)
FIGURES: dict[str, Callable[[AgentWeek], float | None]] = {
    "Customer recovery (end − lowest mood)": lambda r: r.recovery,
    "Time to first empathy (s)": lambda r: r.first_empathy_s,
    "Pitfalls per call": lambda r: r.pitfalls_per_call,
    "Agent's share of the talk": lambda r: r.talk_ratio,
    "Calls": lambda r: float(r.calls),
}


class TeamDashboard(QWidget):
    def __init__(
        self, url: Callable[[], str | None], steps: list[tuple[str, str]] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TeamDashboard")
        self.url = url
        self.step_order = [step_id for step_id, _title in steps]
        self.step_titles = dict(steps)
        self.rows: list[AgentWeek] = []
        self.days = QSpinBox()
        self.days.setRange(7, 730)
        self.days.setValue(DEFAULT_DAYS)
        self.days.setSuffix(" days")
        self.figure = QComboBox()
        self.figure.addItems(list(FIGURES))
        self.figure.currentIndexChanged.connect(self.draw_chart)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self._choose_csv)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Last"))
        top.addWidget(self.days)
        top.addWidget(self.figure, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart_view)
        split.addWidget(self.table)
        split.setSizes([380, 320])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

    def refresh(self) -> bool:
        url = self.url()
        if not url:
            self.status.setText("⚠  No team database is set: Settings → Team.")
            return False
        try:
            with connect(url) as conn:
                self.rows = dashboard(conn, self.days.value())
        except CompanionError as exc:
            self.status.setText(f"⚠  {exc}")
            return False
        agents = len({r.login for r in self.rows})
        calls = sum(r.calls for r in self.rows)
        self.status.setText(f"{calls} call(s) by {agents} agent(s) in the last {self.days.value()} days")
        self.fill_table()
        self.draw_chart()
        return True

    def fill_table(self) -> None:
        steps = step_ids(self.rows, self.step_order)
        headers = ["Agent", "Week", "Calls", "Recovery", "First empathy", "Pitfalls/call", "Talk ratio"]
        headers += [f"{self.step_titles.get(s, s)}: done" for s in steps]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(sorted(self.rows, key=lambda r: (r.agent, r.week))):
            values = [
                r.agent,
                r.week.isoformat(),
                str(r.calls),
                _num(r.recovery, "{:+.2f}"),
                _num(r.first_empathy_s, "{:.0f} s"),
                _num(r.pitfalls_per_call, "{:.2f}"),
                _num(r.talk_ratio, "{:.0%}"),
            ] + [_num(r.steps.get(s), "{:.0%}") for s in steps]
            for j, text in enumerate(values):
                item = QTableWidgetItem(text)
                if j >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def draw_chart(self) -> None:
        read = FIGURES[self.figure.currentText()]
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        weeks = sorted({r.week for r in self.rows})
        if not weeks:
            return
        self.chart.setTitle(self.figure.currentText())
        x = QBarCategoryAxis()
        x.append([w.strftime("%d %b") for w in weeks])
        y = QValueAxis()
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        low, high = 0.0, 0.0
        for login in sorted({r.login for r in self.rows}):
            mine = {r.week: r for r in self.rows if r.login == login}
            series = QLineSeries()
            series.setName(next(iter(mine.values())).agent)
            for i, week in enumerate(weeks):
                value = read(mine[week]) if week in mine else None
                if value is not None:
                    series.append(i, value)
                    low, high = min(low, value), max(high, value)
            self.chart.addSeries(series)
            series.attachAxis(y)
            # A category axis places points by index; a hidden value axis keeps them on the weeks.
        index = QValueAxis()
        index.setRange(-0.5, len(weeks) - 0.5)
        index.setVisible(False)
        self.chart.addAxis(index, Qt.AlignmentFlag.AlignBottom)
        for series in self.chart.series():
            series.attachAxis(index)
        y.setRange(low - 0.05 * (high - low or 1), high + 0.05 * (high - low or 1))

    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the dashboard", "team-dashboard.csv", "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, out: Path) -> Path | None:
        try:
            write_text_atomic(out, to_csv(self.rows, self.step_order))
        except CompanionError as exc:
            self.status.setText(f"⚠  {exc}")
            return None
        self.status.setText(f"Exported {len(self.rows)} row(s) to {out}")
        return out


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)
