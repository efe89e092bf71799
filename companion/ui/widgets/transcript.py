"""The live transcript: final lines, then the text still being spoken, shown as provisional.

Edits touch only the end of the document (the provisional lines are removed and
re-added; a settled text rewrites one recent line in place), so a long call
costs no more per update than a short one, and the
view follows the call only while the agent is at the bottom: scrolling up to
reread is never undone by new text.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QWidget

from companion.events import Partial, Revision, Speaker, Utterance

NAMES: dict[str, str] = {"agent": "Agent", "customer": "Customer", "call": "Call"}
# Agent and customer differ in hue and in name, so neither colour alone carries the meaning.
COLOURS = {
    False: {
        "agent": "#1d4ed8",
        "customer": "#b45309",
        "call": "#374151",
        "provisional": "#6b7280",
        "text": "#111827",
    },
    True: {
        "agent": "#93c5fd",
        "customer": "#fbbf24",
        "call": "#e5e7eb",
        "provisional": "#9ca3af",
        "text": "#f3f4f6",
    },
}
FOLLOW_SLACK_PX = 4


def _stamp(t: float) -> str:
    return f"{int(t) // 60}:{int(t) % 60:02d}"


class TranscriptView(QTextBrowser):
    """Agent and customer lines as the call goes; provisional text in grey italics."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Transcript")
        self.setOpenLinks(False)
        self.finals: list[Utterance] = []
        self.partials: dict[tuple[Speaker, int], Partial] = {}
        self._final_end = 0
        self._dark = False
        # Whether the agent is at the bottom, kept from their own scrolling: a resize
        # (the window laid out, a splitter dragged) changes the range without a scroll,
        # and judging from the bar alone then left the view stuck at the top.
        self._follow = True
        self._editing = False  # our own edits move the bar too; only the keeper decides then
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    def _on_scrolled(self, _value: int) -> None:
        if not self._editing:
            self._follow = self.is_following()

    def _on_range_changed(self, _low: int, high: int) -> None:
        if self._follow and not self._editing:
            self.verticalScrollBar().setValue(high)

    # -- what the call says ----------------------------------------------------------

    def add_utterance(self, utterance: Utterance) -> None:
        self._forget(utterance.speaker, utterance.segment + 1)
        self.finals.append(utterance)
        with self._keeping_scroll():
            cursor = self._cut_provisional()
            self._write_line(cursor, utterance.speaker, utterance.start, utterance.text, provisional=False)
            self._final_end = cursor.position()
            self._write_provisional(cursor)

    def revise(self, revision: Revision) -> None:
        """Put an utterance's settled text in place of its first text, on the line where it stands."""
        # Settled text follows its first text by seconds: look from the newest line back.
        index = next((i for i in reversed(range(len(self.finals))) if self.finals[i].id == revision.utterance), None)
        if index is None:
            return
        old = self.finals[index]
        self.finals[index] = dataclasses.replace(old, text=revision.text, words=revision.words)
        block = self.document().findBlockByNumber(index)
        body_start = block.position() + len(self._line_head(old.speaker, old.start))
        with self._keeping_scroll():
            cursor = QTextCursor(self.document())
            cursor.setPosition(body_start)
            cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(revision.text, self._body_format(provisional=False))
        self._final_end += len(revision.text) - len(old.text)

    def add_partial(self, partial: Partial) -> None:
        self.partials[(partial.speaker, partial.segment)] = partial
        self._redraw_provisional()

    def end_call(self) -> None:
        """No more finals will come: provisional text left over was never confirmed."""
        if self.partials:
            self.partials.clear()
            self._redraw_provisional()

    def _forget(self, speaker: Speaker, before_segment: int) -> bool:
        # A segment whose final text was empty (Whisper heard no words) sends no final; a speaker's
        # finals come in segment order, so a final also settles every earlier segment's partial.
        stale = [key for key in self.partials if key[0] == speaker and key[1] < before_segment]
        for key in stale:
            del self.partials[key]
        return bool(stale)

    def _redraw_provisional(self) -> None:
        with self._keeping_scroll():
            cursor = self._cut_provisional()
            self._write_provisional(cursor)

    def clear_call(self) -> None:
        self.finals.clear()
        self.partials.clear()
        self.clear()
        self._final_end = 0

    def set_dark(self, dark: bool) -> None:
        """Re-colour the speakers for the palette in use."""
        if dark == self._dark:
            return
        self._dark = dark
        finals, partials = list(self.finals), list(self.partials.values())
        self.clear_call()
        for utterance in finals:
            self.add_utterance(utterance)
        for partial in partials:
            self.add_partial(partial)

    def provisional_text(self) -> str:
        return " ".join(p.text for p in self.partials.values())

    def is_following(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - FOLLOW_SLACK_PX

    # -- drawing ------------------------------------------------------------------------

    def _cut_provisional(self) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._final_end)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        return cursor

    def _write_provisional(self, cursor: QTextCursor) -> None:
        for partial in self.partials.values():
            text = partial.text.rstrip(" .…") + " …"
            self._write_line(cursor, partial.speaker, partial.start, text, provisional=True)

    def _write_line(self, cursor: QTextCursor, speaker: Speaker, start: float, text: str, provisional: bool) -> None:
        colours = COLOURS[self._dark]
        if cursor.position() > 0:
            cursor.insertBlock()
        meta = QTextCharFormat()
        meta.setForeground(QColor(colours["provisional"]))
        cursor.insertText(f"{_stamp(start)}  ", meta)
        name = QTextCharFormat()
        name.setFontWeight(QFont.Weight.Bold)
        name.setForeground(QColor(colours.get(speaker, colours["call"])))
        cursor.insertText(f"{NAMES.get(speaker, speaker)}: ", name)
        cursor.insertText(text, self._body_format(provisional))

    @staticmethod
    def _line_head(speaker: Speaker, start: float) -> str:
        return f"{_stamp(start)}  {NAMES.get(speaker, speaker)}: "

    def _body_format(self, provisional: bool) -> QTextCharFormat:
        colours = COLOURS[self._dark]
        body = QTextCharFormat()
        if provisional:
            body.setFontItalic(True)
            body.setForeground(QColor(colours["provisional"]))
        else:
            body.setForeground(QColor(colours["text"]))
        return body

    class _ScrollKeeper:
        def __init__(self, view: TranscriptView) -> None:
            self.view = view

        def __enter__(self) -> None:
            bar = self.view.verticalScrollBar()
            self.follow = self.view._follow
            self.value = bar.value()
            self.view._editing = True

        def __exit__(self, *exc: object) -> None:
            bar = self.view.verticalScrollBar()
            bar.setValue(bar.maximum() if self.follow else self.value)
            self.view._editing = False

    def _keeping_scroll(self) -> _ScrollKeeper:
        return self._ScrollKeeper(self)
