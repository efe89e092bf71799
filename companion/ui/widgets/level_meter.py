"""An input level meter: a bar from -60 dBFS to 0 with a falling peak tick."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0
PEAK_FALL_DB = 1.5  # per update: the peak lingers long enough to be seen


class LevelMeter(QWidget):
    """Shows one speaker's input loudness so the agent sees both inputs are alive."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.db = FLOOR_DB
        self.peak = FLOOR_DB
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip(f"{label} input level")

    def sizeHint(self) -> QSize:
        return QSize(160, 18)

    def set_level(self, dbfs: float) -> None:
        self.db = max(FLOOR_DB, min(0.0, dbfs))
        self.peak = max(self.db, self.peak - PEAK_FALL_DB)
        self.update()

    def reset(self) -> None:
        self.db = self.peak = FLOOR_DB
        self.update()

    def fraction(self) -> float:
        return (self.db - FLOOR_DB) / -FLOOR_DB

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        dark = self.palette().window().color().lightness() < 128
        painter.setPen(QColor("#6b7280"))
        painter.setBrush(QColor("#111827" if dark else "#e5e7eb"))
        painter.drawRoundedRect(rect, 4, 4)
        fill = QRectF(rect)
        fill.setWidth(rect.width() * self.fraction())
        colour = "#16a34a" if self.db < -12 else ("#f59e0b" if self.db < -3 else "#dc2626")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(fill, 4, 4)
        x = rect.left() + rect.width() * (self.peak - FLOOR_DB) / -FLOOR_DB
        painter.setPen(QColor("#f9fafb" if dark else "#111827"))
        painter.drawLine(int(x), int(rect.top()) + 2, int(x), int(rect.bottom()) - 2)
        painter.drawText(rect.adjusted(6, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter, self.label)
        painter.end()
