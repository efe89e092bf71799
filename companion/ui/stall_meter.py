"""How long the GUI thread's event loop goes without turning, and whose fault it is.

A precise 10 ms timer ticks in the GUI thread.  The lateness of a tick is how
long the loop could not run; the GUI thread's CPU time over the same interval
tells the window's own drawing work (busy) from waiting for a core or for the
GIL (starved).  Used by the tests and by benchmarks/gui_stall.py.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer

NOTABLE_S = 0.020


class StallMeter(QObject):
    """Measures event-loop stalls while it runs."""

    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_s = interval_ms / 1000
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._on_tick)
        self.worst_s = 0.0  # longest lateness of a tick: the longest stall
        self.worst_busy_s = 0.0  # most GUI-thread CPU time spent between two ticks
        self.lateness: list[float] = []
        self.stalls: list[tuple[float, float, float]] = []  # (since start, lateness, busy) over 20 ms
        self._start = self._last = self._last_cpu = 0.0

    @property
    def ticks(self) -> int:
        return len(self.lateness)

    def start(self) -> None:
        self._start = self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def percentile(self, q: float) -> float:
        ordered = sorted(self.lateness)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def _on_tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        late = max(0.0, now - self._last - self.interval_s)
        busy = cpu - self._last_cpu
        self.lateness.append(late)
        self.worst_s = max(self.worst_s, late)
        self.worst_busy_s = max(self.worst_busy_s, busy)
        if late > NOTABLE_S:
            self.stalls.append((round(now - self._start, 2), round(late, 3), round(busy, 3)))
        self._last, self._last_cpu = now, cpu
