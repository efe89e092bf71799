"""Pitfall alerts as short notices that fade as the call goes on: never a dialog during a call."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
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


def alert_title(kind: str) -> str:
    return TITLES.get(kind, kind.replace("-", " ").capitalize())


class AlertNotice(QFrame):
    """One alert: a bold title and the reason; its opacity falls as the call time passes its show time."""

    def __init__(self, alert: Alert, parent: QWidget | None = None) -> None:
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

    def set_opacity(self, opacity: float) -> None:
        if abs(self.effect.opacity() - opacity) > 1e-3:
            self.effect.setOpacity(opacity)


class AlertStack(QWidget):
    """The alerts a call state has on screen, newest on top.

    Which alerts show, and how faded, follows the call's clock (``CallState``),
    not a timer of the window's own: a replay at a moment shows the same notices.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # never in the agent's way
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)

    def show_alerts(self, alerts: Sequence[Alert], opacity: Callable[[Alert], float] = lambda _a: 1.0) -> bool:
        """Show exactly these alerts (oldest first in ``alerts``); True when the set changed."""
        shown = self.shown()
        changed = [n.alert for n in shown] != list(reversed(alerts))
        if changed:
            keep = {id(a) for a in alerts}
            for notice in shown:
                if id(notice.alert) not in keep:
                    self._layout.removeWidget(notice)
                    notice.deleteLater()
            present = {id(n.alert) for n in self.shown()}
            for alert in alerts:
                if id(alert) not in present:
                    notice = AlertNotice(alert)
                    self._layout.insertWidget(0, notice)
                    notice.show()  # now, not on the next pass of the event loop: a paused replay shows it
            self.fit()
        for notice in self.shown():
            notice.set_opacity(opacity(notice.alert))
        return changed

    def fit(self) -> None:
        """Take the height the notices need at this width (the stack floats outside any layout)."""
        layout = self._layout
        layout.activate()
        width = self.width()
        height = layout.heightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
        self.resize(width, max(0, height))

    def shown(self) -> list[AlertNotice]:
        """The notices on screen, newest first."""
        notices = []
        for i in range(self._layout.count()):
            widget = self._layout.itemAt(i).widget()
            if isinstance(widget, AlertNotice):
                notices.append(widget)
        return notices

    def clear_call(self) -> None:
        self.show_alerts(())
