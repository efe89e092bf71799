"""The playbook's steps in order: done ones ticked (evidence on hover), the next one marked."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from companion.analysis.state import StepTick
from companion.ui.coaching import StepInfo

MARK = {"done": "✔", "next": "➜", "pending": "○"}


def _fmt_time(t: float) -> str:
    return f"{int(t) // 60}:{int(t) % 60:02d}"


class StepsPanel(QFrame):
    """A checklist that ticks itself as the agent says the right things."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 8, 10, 8)
        self._layout.setSpacing(2)
        caption = QLabel("PLAYBOOK")
        caption.setObjectName("PanelTitle")
        self._layout.addWidget(caption)
        self.rows: dict[str, QLabel] = {}
        self.steps: list[StepInfo] = []
        self.done: dict[str, StepTick] = {}
        self.next_step: str | None = None

    def set_steps(self, steps: Sequence[StepInfo]) -> None:
        if list(steps) == self.steps and self.rows:
            self.reset()
            return
        # Take every row and the stretch out now; deleteLater alone would leave them drawn until later.
        while self._layout.count() > 1:
            item = self._layout.takeAt(1)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.rows.clear()
        self.steps = list(steps)
        for step in self.steps:
            row = QLabel()
            row.setObjectName("StepRow")
            self._layout.addWidget(row)
            self.rows[step.id] = row
        self._layout.addStretch(1)
        self.reset()

    def reset(self) -> None:
        self.done.clear()
        self.next_step = None
        for step in self.steps:
            self._refresh(step)

    def show_progress(self, done: Sequence[StepTick], next_step: str | None) -> None:
        """Tick the steps done (first evidence of each) and mark the next one; rows that did not change stay."""
        ticks = {tick.step: tick for tick in done}
        changed = {sid for sid in set(ticks) | set(self.done) if ticks.get(sid) != self.done.get(sid)}
        if next_step != self.next_step:
            changed |= {self.next_step, next_step}
        self.done, self.next_step = ticks, next_step
        for step in self.steps:
            if step.id in changed:
                self._refresh(step)

    def state(self, step_id: str) -> str:
        if step_id == self.next_step:
            return "next"
        return "done" if step_id in self.done else "pending"

    def _refresh(self, step: StepInfo) -> None:
        row = self.rows[step.id]
        state = self.state(step.id)
        done = self.done.get(step.id)
        # A step done earlier can be next again (back to empathy after a re-escalation): keep its tick.
        again = "  ✔" if state == "next" and done is not None else ""
        row.setText(f"{MARK[state]}  {step.title}{again}")
        if done is not None:
            row.setToolTip(f"Done at {_fmt_time(done.t)}: “{done.evidence}”")
        else:
            row.setToolTip(step.guidance)
        if row.property("state") != state:
            row.setProperty("state", state)
            row.style().unpolish(row)
            row.style().polish(row)
