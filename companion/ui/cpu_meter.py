"""The companion's own CPU use, shown small in the status bar while a call runs.

So an agent or IT can see what the companion costs.  Read from ``os.times()``
(user + system time of the whole process, every thread) by a timer every two
seconds: a couple of system calls on the GUI thread, nothing that can stall it.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

EVERY_MS = 2000


def process_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


class CpuMeter(QLabel):
    """``CPU 23 %`` of one core, averaged over the last two seconds; hidden outside a call."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CpuMeter")
        self.setToolTip(
            f"The companion's own CPU use over the last {EVERY_MS // 1000} s (100 % = one full core; "
            f"this machine has {os.cpu_count() or 1}). Settings → Power sets how much it may spend."
        )
        self.share: float | None = None  # the last reading, in cores
        self._last = (time.monotonic(), process_cpu_s())
        self._timer = QTimer(self)
        self._timer.setInterval(EVERY_MS)
        self._timer.timeout.connect(self.sample)
        self.hide()

    def start(self) -> None:
        self._last = (time.monotonic(), process_cpu_s())
        self.share = None
        self.setText("CPU …")
        self.show()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.hide()

    def sample(self) -> None:
        now, cpu = time.monotonic(), process_cpu_s()
        wall = now - self._last[0]
        if wall <= 0:
            return
        self.share = max(0.0, (cpu - self._last[1]) / wall)
        self._last = (now, cpu)
        self.setText(f"CPU {self.share * 100:.0f} %")
