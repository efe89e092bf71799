"""What the two call libraries (this machine's and the team's) share: search box, debounce, frame, status line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLineEdit, QTableView, QVBoxLayout, QWidget

SEARCH_DELAY_MS = 200  # a query per pause in typing, not per key
ERROR_RED = "#b91c1c"


def search_box(placeholder: str) -> QLineEdit:
    box = QLineEdit()
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    return box


def debounced(parent: QWidget, slot: Callable[[], None]) -> QTimer:
    """A single-shot timer that calls ``slot`` once typing pauses; connect edits to its ``start``."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(SEARCH_DELAY_MS)
    timer.timeout.connect(slot)
    return timer


def status_line() -> QLabel:
    label = QLabel()
    label.setObjectName("LibraryStatus")
    label.setWordWrap(True)
    return label


def show_status(label: QLabel, text: str, error: bool = False) -> None:
    """A message in the page's status line; an error is marked with a sign and drawn in red."""
    label.setText(f"⚠  {text}" if error else text)
    label.setStyleSheet(f"color: {ERROR_RED};" if error else "")


def row_of(widgets: Sequence[QWidget], stretch_first: bool = False, stretch_after: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    for i, widget in enumerate(widgets):
        row.addWidget(widget, 1 if stretch_first and i == 0 else 0)
    if stretch_after:
        row.addStretch(1)
    return row


def frame(page: QWidget, filters: QLayout, table: QTableView, actions: QLayout, status: QLabel) -> QVBoxLayout:
    """The page: filters above, the table taking the room, actions and the status line below."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(10, 8, 10, 10)
    layout.addLayout(filters)
    layout.addWidget(table, 1)
    layout.addLayout(actions)
    layout.addWidget(status)
    return layout
