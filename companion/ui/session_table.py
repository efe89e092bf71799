"""The library's rows: a thin table model over the store's session summaries.

The model only shows what it is given; the library page runs the query and
calls ``set_rows``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from companion.store.lengths import length_text
from companion.store.records import SessionSummary

COL_DATE, COL_DURATION, COL_AGENT, COL_TITLE, COL_SENTIMENT, COL_MISSED, COL_ALERTS = range(7)
HEADERS = ("Date", "Duration", "Agent", "Call", "Customer mood", "Steps missed", "Alerts")
STATE_MARKS = {"recording": " (recording)", "recovered": " (recovered)"}

Index = QModelIndex | QPersistentModelIndex


def local_date(iso: str) -> str:
    """The stored UTC stamp in the user's local time, to the minute."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def sentiment_text(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return "–"
    return f"{start:+.2f} → {end:+.2f}"


class SessionTableModel(QAbstractTableModel):
    """One row per stored session, newest first (the order the query gives)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[SessionSummary] = []

    def set_rows(self, rows: Sequence[SessionSummary]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def session_at(self, row: int) -> SessionSummary | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(s, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return s.note or s.source or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_DURATION, COL_MISSED, COL_ALERTS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return s.id
        return None

    @staticmethod
    def _text(s: SessionSummary, col: int) -> str:
        if col == COL_DATE:
            return local_date(s.started_at) + STATE_MARKS.get(s.state, "")
        if col == COL_DURATION:
            return length_text(s.duration)
        if col == COL_AGENT:
            return s.agent or "–"
        if col == COL_TITLE:
            return s.title or s.source.rsplit("/", 1)[-1] or "–"
        if col == COL_SENTIMENT:
            return sentiment_text(s.sentiment_start, s.sentiment_end)
        if col == COL_MISSED:
            return str(s.steps_missed)
        if col == COL_ALERTS:
            return str(s.alerts)
        return ""


def session_table_view(model: SessionTableModel) -> QTableView:
    """The list of calls as both sources show it: whole rows, one at a time, read-only, the title stretched."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
    return table
