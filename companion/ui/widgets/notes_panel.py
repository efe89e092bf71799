"""Coaching notes on a stored call: each at a moment, with its author; a follow-up kind for process issues."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.ui.widgets.note_marks import NOTE_COLOURS, TimedNote, note_label

KINDS = (("Coaching note", "note"), ("Follow-up: process issue", "follow-up"))
FOLLOW_UP_HINT = (
    "A follow-up marks a problem in the process (a policy, a tool, a hand-off) to review so it does not recur."
)


class NotesPanel(QWidget):
    """The notes of a call (click one to hear that moment) and a form to add one at the player's position."""

    note_requested = Signal(str, str, str)  # kind, author, text
    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.moment = 0.0
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(lambda item: self.seek_requested.emit(float(item.data(Qt.ItemDataRole.UserRole))))
        self.author = QLineEdit()
        self.author.setPlaceholderText("Your name")
        self.kind = QComboBox()
        for label, kind in KINDS:
            self.kind.addItem(label, kind)
        self.kind.setToolTip(FOLLOW_UP_HINT)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("What went well, what to try next time, or the process issue to follow up…")
        self.text.setFixedHeight(70)
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self._on_add)
        self.problem = QLabel()
        self.problem.setObjectName("NotesProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        form.addRow("Author", self.author)
        form.addRow("Kind", self.kind)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addWidget(self.text)
        layout.addWidget(self.add_button)
        layout.addWidget(self.problem)
        self.set_moment(0.0)

    def set_notes(self, notes: Sequence[TimedNote]) -> None:
        self.list.clear()
        for note in notes:
            item = QListWidgetItem(note_label(note))
            item.setData(Qt.ItemDataRole.UserRole, note.t)
            item.setForeground(QBrush(QColor(NOTE_COLOURS.get(note.kind, NOTE_COLOURS["note"]))))
            self.list.addItem(item)

    def set_moment(self, t: float) -> None:
        self.moment = t
        self.add_button.setText(f"Add note at {int(t) // 60}:{int(t) % 60:02d}")

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))

    def show_problem(self, text: str) -> None:
        self.problem.setText(f"⚠  {text}" if text else "")
        self.problem.setVisible(bool(text))

    def _on_add(self) -> None:
        text = self.text.toPlainText().strip()
        author = self.author.text().strip()
        if not text:
            self.show_problem("Write the note first.")
            return
        if not author:
            self.show_problem("Add your name: notes say who wrote them.")
            return
        self.show_problem("")
        self.note_requested.emit(str(self.kind.currentData()), author, text)
        self.text.clear()
