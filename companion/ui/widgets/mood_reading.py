"""The customer's mood right now, in one word, with its trend: readable in a glance."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from companion.events import Mood, SentimentPoint
from companion.ui.widgets.sentiment_chart import is_customer, mood_word

WORDS = {"negative": "Upset", "neutral": "Neutral", "positive": "Positive"}
TREND_PER_MIN = 0.1  # a smaller change per minute reads as steady


def trend_arrow(trend: float) -> str:
    if trend >= TREND_PER_MIN:
        return "↗ calming"
    if trend <= -TREND_PER_MIN:
        return "↘ worsening"
    return "→ steady"


class MoodReading(QLabel):
    """ "Customer: Upset ↘ worsening", coloured by band."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MoodReading")
        self.setWordWrap(True)  # a narrow compact window wraps rather than widening the window
        self.mood = "neutral"
        self.escalated = False
        self.compact = False
        self._last: SentimentPoint | None = None
        self._set("neutral", "Customer: not heard yet")

    def add_point(self, point: SentimentPoint) -> None:
        if not is_customer(point):
            return
        self._last = point
        word = mood_word(point.smoothed)
        calming = point.trend >= TREND_PER_MIN
        escalated = "  ⚠ escalated" if self.escalated and word == "negative" and not calming else ""
        if self.compact:  # one short line in the small window: the word and the trend
            self._set(word, f"{WORDS[word]}  {trend_arrow(point.trend)}{'  ⚠' if escalated else ''}")
            return
        self._set(
            word,
            f"Customer: {WORDS[word]}  {point.smoothed:+.2f}  {trend_arrow(point.trend)}{escalated}",
        )

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        if self._last is not None:
            self.add_point(self._last)

    def add_mood(self, event: Mood) -> None:
        self.escalated = event.kind == "escalated"

    def clear_call(self) -> None:
        self.escalated = False
        self._last = None
        self._set("neutral", "Customer: not heard yet")

    def _set(self, mood: str, text: str) -> None:
        self.setText(text)
        self.mood = mood
        if self.property("mood") != mood:
            self.setProperty("mood", mood)
            self.style().unpolish(self)
            self.style().polish(self)
