"""The whole transcript of a stored call, the line being heard highlighted; click a line to hear it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from companion.events import Utterance
from companion.ui.widgets.transcript import COLOURS, NAMES

HIGHLIGHT = {False: "#fde68a", True: "#854d0e"}
AHEAD = {False: "#9ca3af", True: "#6b7280"}  # lines not yet said at the player's position


def _stamp(t: float) -> str:
    return f"{int(t) // 60}:{int(t) % 60:02d}"


class ReplayTranscript(QListWidget):
    """One row per utterance, in order of speech; ``seek_requested`` carries the line's start.

    Every line of the call is listed, to click and hear; the lines the agent had on
    screen at the player's position (``show_said``, from the moment's ``CallState``)
    read as the agent read them, the lines still to come are greyed.
    """

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReplayTranscript")
        self.setWordWrap(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.utterances: list[Utterance] = []
        self.current: int | None = None
        self._rows: dict[int, int] = {}  # utterance id -> row
        self.said: dict[int, Utterance] = {}  # utterance id -> the line as it stood at the moment shown
        self._dark = False
        self.itemClicked.connect(self._on_item_clicked)

    def set_utterances(self, utterances: Sequence[Utterance]) -> None:
        self.clear()
        self.current = None
        self.utterances = sorted(utterances, key=lambda u: (u.start, u.id))
        self._rows = {u.id: i for i, u in enumerate(self.utterances)}
        said, self.said = self.said, {}
        for u in self.utterances:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, u.start)
            item.setToolTip(f"Click to play from {_stamp(u.start)}")
            self.addItem(item)
            self._draw(u, None)
        self.show_said([said[i] for i in said if i in self._rows])

    def show_said(self, lines: Sequence[Utterance]) -> None:
        """Draw these lines as said (their text as it stood then); every other line as still to come."""
        said = {u.id: u for u in lines if u.id in self._rows}
        for uid in set(self.said) | set(said):
            if said.get(uid) != self.said.get(uid):
                self._draw(self.utterances[self._rows[uid]], said.get(uid))
        self.said = said

    def said_lines(self) -> list[Utterance]:
        """The lines drawn as said, in order of speech."""
        return [u for u in self.utterances if u.id in self.said]

    def _draw(self, final: Utterance, said: Utterance | None) -> None:
        colours = COLOURS[self._dark]
        u = said or final
        item = self.item(self._rows[final.id])
        item.setText(f"{_stamp(u.start)}  {NAMES.get(u.speaker, u.speaker)}: {u.text}")
        colour = colours.get(u.speaker, colours["call"]) if said is not None else AHEAD[self._dark]
        item.setForeground(QBrush(QColor(colour)))

    def set_dark(self, dark: bool) -> None:
        if dark != self._dark:
            self._dark = dark
            current = self.current
            self.set_utterances(self.utterances)
            self.highlight(current)

    def highlight(self, index: int | None) -> None:
        """Mark the line being heard and keep it in view."""
        if index == self.current:
            return
        for i, bold in ((self.current, False), (index, True)):
            if i is None or not 0 <= i < self.count():
                continue
            item = self.item(i)
            font = QFont(item.font())
            font.setBold(bold)
            item.setFont(font)
            item.setBackground(QBrush(QColor(HIGHLIGHT[self._dark])) if bold else QBrush())
        self.current = index
        if index is not None and 0 <= index < self.count():
            self.scrollToItem(self.item(index), QAbstractItemView.ScrollHint.EnsureVisible)

    def highlighted_utterance(self) -> Utterance | None:
        return self.utterances[self.current] if self.current is not None else None

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        self.seek_requested.emit(float(item.data(Qt.ItemDataRole.UserRole)))
