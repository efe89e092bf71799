"""Pitfall alerts as short notices that fade on their own: never a dialog during a call."""

from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QPropertyAnimation, Qt, QTimer
from PySide6.QtWidgets import QFrame, QGraphicsOpacityEffect, QLabel, QVBoxLayout, QWidget

from companion.events import Alert

TITLES = {
    "trigger-words": "Trigger words",
    "early-solution": "Solution too early",
    "interruption": "Talking over the customer",
    "dead-air": "Dead air",
    "agent-negativity": "Your tone is turning negative",
    "pace-fast": "Speaking fast",
    "pace-slow": "Speaking slowly",
    "slow-response": "Slow to answer",
    "monologue": "Long monologue",
    "raised-voice": "Raised voice",
}
SHOW_MS = 8000
FADE_MS = 1500
MAX_SHOWN = 3


def alert_title(kind: str) -> str:
    return TITLES.get(kind, kind.replace("-", " ").capitalize())


class AlertNotice(QFrame):
    """One alert: a bold title, the reason, and a fade-out after a few seconds."""

    def __init__(self, alert: Alert, show_ms: int = SHOW_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AlertNotice")
        self.alert = alert
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        title = QLabel(f"⚠  {alert_title(alert.kind)}")
        title.setObjectName("AlertTitle")
        text = QLabel(alert.text)
        text.setObjectName("AlertText")
        text.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(text)
        self.effect = QGraphicsOpacityEffect(self)
        self.effect.setOpacity(1.0)
        self.setGraphicsEffect(self.effect)
        self.fade = QPropertyAnimation(self.effect, b"opacity", self)
        self.fade.setDuration(FADE_MS)
        self.fade.setStartValue(1.0)
        self.fade.setEndValue(0.0)
        self.fade.setEasingCurve(QEasingCurve.Type.InQuad)
        self.fade.finished.connect(self.deleteLater)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.fade.start)
        self.timer.start(show_ms)


class AlertStack(QWidget):
    """The newest alerts on top; older ones fade or are pushed out."""

    def __init__(self, show_ms: int = SHOW_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_ms = show_ms
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # never in the agent's way
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.history: list[Alert] = []

    def add_alert(self, alert: Alert) -> AlertNotice:
        self.history.append(alert)
        notice = AlertNotice(alert, self.show_ms)
        notice.destroyed.connect(self._on_notice_gone)
        self._layout.insertWidget(0, notice)
        while len(self.shown()) > MAX_SHOWN:
            oldest = self.shown()[-1]
            self._layout.removeWidget(oldest)
            oldest.deleteLater()
        self.fit()
        return notice

    def _on_notice_gone(self) -> None:
        QTimer.singleShot(0, self, self.fit)  # the stack as context: no call once it is gone

    def fit(self) -> None:
        """Take the height the notices need at this width (the stack floats outside any layout)."""
        layout = self._layout
        layout.activate()
        width = self.width()
        height = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        self.resize(width, max(0, height))

    def shown(self) -> list[AlertNotice]:
        notices = []
        for i in range(self._layout.count()):
            widget = self._layout.itemAt(i).widget()
            if isinstance(widget, AlertNotice):
                notices.append(widget)
        return notices

    def clear_call(self) -> None:
        self.history.clear()
        for notice in self.shown():
            self._layout.removeWidget(notice)
            notice.deleteLater()
