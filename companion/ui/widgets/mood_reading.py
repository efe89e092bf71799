"""The customer's mood right now, in words first, with the figures it comes from: readable in a glance."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QWidget

from companion.ui.widgets.sentiment_chart import mood_word

WORDS = {"negative": "Upset", "neutral": "Neutral", "positive": "Positive"}
TREND_PER_MIN = 0.1  # a smaller change per minute reads as steady


def trend_words(trend: float) -> str:
    if trend >= TREND_PER_MIN:
        return "calming ↗"
    if trend <= -TREND_PER_MIN:
        return "worsening ↘"
    return "steady →"


class MoodReading(QLabel):
    """ "Customer: Upset, worsening ↘ … mood line −0.54", coloured by band.

    The figure is the smoothed mood line's latest value, the very point the chart's
    line ends at; the raw score of the last words is a different, jumpier thing and
    is labelled as such.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MoodReading")
        self.setWordWrap(True)  # a narrow compact window wraps rather than widening the window
        self.setTextFormat(Qt.TextFormat.RichText)
        self.plain = ""  # the text without markup, as a screen reader or a test reads it
        self.mood = "neutral"
        self.compact = False
        self._shown: tuple | None = None
        self._set("neutral", "Customer: not heard yet")

    def show_mood(self, smoothed: float | None, trend: float, escalated: bool, latest: float | None) -> None:
        """Draw the customer's mood from the smoothed line's latest value and its trend."""
        shown = (smoothed, trend, escalated, latest, self.compact)
        if shown == self._shown:
            return
        self._shown = shown
        if smoothed is None:
            self._set("neutral", "Customer: not heard yet")
            return
        word = mood_word(smoothed)
        calming = trend >= TREND_PER_MIN
        warn = escalated and word == "negative" and not calming
        if self.compact:  # one short line in the small window: the word and the trend
            self._set(word, f"{WORDS[word]}, {trend_words(trend)}{'  ⚠' if warn else ''}")
            return
        figures = f"mood line {smoothed:+.2f}"
        if latest is not None:
            figures += f" · last words {latest:+.2f}"
        words = f"Customer: {WORDS[word]}, {trend_words(trend)}{'  ⚠ escalated' if warn else ''}"
        # The words carry the reading; the figures are small print for whoever wants them.
        self._set(word, f"{words}&nbsp;&nbsp; <span style='font-size:small; font-weight:normal'>{figures}</span>")

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        if self._shown is not None:
            self.show_mood(*self._shown[:4])

    def clear_call(self) -> None:
        self.show_mood(None, 0.0, False, None)

    def _set(self, mood: str, text: str) -> None:
        self.setText(text)
        self.plain = QTextDocumentFragment.fromHtml(text).toPlainText()
        self.mood = mood
        if self.property("mood") != mood:
            self.setProperty("mood", mood)
            self.style().unpolish(self)
            self.style().polish(self)
