"""The live transcript: final lines, then the text still being spoken, shown as provisional.

The view draws the lines of a ``CallState``.  Edits touch only the end of the
document (the provisional lines are removed and re-added; a settled text
rewrites one line in place), so a long call costs no more per update than a
short one, and the view follows the call only while the agent is at the bottom: scrolling up to
reread is never undone by new text.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor, QFont, QResizeEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QWidget

from companion.events import Partial, Speaker, Utterance

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

    def show_lines(self, lines: Sequence[Utterance], provisional: Sequence[Partial]) -> None:
        """Draw the call's lines and the text still being spoken, touching only what changed.

        Lines only ever grow at the end or get their settled text in place, so the
        cost of an update does not grow with the call.
        """
        if len(lines) < len(self.finals) or any(a.id != b.id for a, b in zip(self.finals, lines, strict=False)):
            self.clear_call()  # another call (or an earlier moment): draw afresh
        for index, (old, new) in enumerate(zip(self.finals, lines, strict=False)):
            if old is not new and old.text != new.text:
                self._rewrite(index, new)
        fresh = list(lines[len(self.finals) :])
        partials = {(p.speaker, p.segment): p for p in provisional}
        if not fresh and partials == self.partials:
            return
        with self._keeping_scroll():
            cursor = self._cut_provisional()
            for utterance in fresh:
                self.finals.append(utterance)
                self._write_line(cursor, utterance.speaker, utterance.start, utterance.text, provisional=False)
            self._final_end = cursor.position()
            self.partials = partials
            self._write_provisional(cursor)
        self._anchor_to_bottom()

    def _anchor_to_bottom(self) -> None:
        """Until the lines fill the view, they sit at its bottom, the newest just above the edge.

        The eye finds the latest words in the same place from the first line on, and a
        call's first minute leaves no blank panel under its few lines.
        """
        doc = self.document()
        frame = doc.rootFrame()
        fmt = frame.frameFormat()
        margin = doc.documentMargin()
        content = doc.size().height() - fmt.topMargin() + margin
        top = max(margin, self.viewport().height() - content + margin)
        if abs(fmt.topMargin() - top) > 0.5:
            fmt.setTopMargin(top)
            frame.setFrameFormat(fmt)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._anchor_to_bottom()

    def _rewrite(self, index: int, line: Utterance) -> None:
        """Put a line's settled text in place of its first text, where it stands."""
        old = self.finals[index]
        self.finals[index] = line
        block = self.document().findBlockByNumber(index)
        body_start = block.position() + len(self._line_head(old.speaker, old.start))
        with self._keeping_scroll():
            cursor = QTextCursor(self.document())
            cursor.setPosition(body_start)
            cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(line.text, self._body_format(provisional=False))
        self._final_end += len(line.text) - len(old.text)

    def clear_call(self) -> None:
        self.finals.clear()
        self.partials.clear()
        self.clear()
        self._final_end = 0
        self._anchor_to_bottom()

    def set_dark(self, dark: bool) -> None:
        """Re-colour the speakers for the palette in use."""
        if dark == self._dark:
            return
        self._dark = dark
        finals, partials = list(self.finals), list(self.partials.values())
        self.clear_call()
        self.show_lines(finals, partials)

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
