"""The next step, big enough to read at arm's length: title, guidance, one example."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from companion.ui.coaching import StepInfo


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 2}


def why_words(reason: str, guidance: str) -> str:
    """The situation a coach's reason names, without the advice the guidance already gives.

    Reasons read "the customer is upset: show you understand ..."; the part after
    the colon says again what the step's guidance says, so only the part before it
    is shown.  A reason that is mostly the guidance's own words adds nothing.
    """
    situation, colon, _advice = reason.partition(": ")
    if colon:
        return situation.strip()
    said = _words(reason)
    if said and len(said & _words(guidance)) >= 0.4 * len(said):
        return ""
    return reason.strip()


class NextStepCard(QFrame):
    """The most prominent part of the window: what the agent should do now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NextStepCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 14)
        layout.setSpacing(6)
        self.caption = QLabel("NEXT STEP")
        self.caption.setObjectName("NextStepCaption")
        self.title = QLabel("Listen")
        self.title.setObjectName("NextStepTitle")
        self.title.setWordWrap(True)
        self.guidance = QLabel("Start a call, or press Demo to see a call coached.")
        self.guidance.setObjectName("NextStepGuidance")
        self.guidance.setWordWrap(True)
        self.example = QLabel()
        self.example.setObjectName("NextStepExample")
        self.example.setWordWrap(True)
        self.example.hide()
        self.reason = QLabel()
        self.reason.setObjectName("NextStepReason")
        self.reason.setWordWrap(True)
        self.reason.hide()
        for label in (self.caption, self.title, self.guidance, self.example, self.reason):
            layout.addWidget(label)
        layout.addStretch(1)  # extra height goes below the text, which stays where the eye expects it
        self.step_id: str | None = None
        self.compact = False

    def show_step(self, step: StepInfo, reason: str = "") -> None:
        self.step_id = step.id
        self.title.setText(step.title)
        self.guidance.setText(step.guidance)
        self.guidance.setVisible(bool(step.guidance))
        self.example.setText(f"“{step.example}”" if step.example else "")
        self.example.setVisible(bool(step.example))
        why = why_words(reason, step.guidance)
        self.reason.setText(f"Why: {why}" if why else "")
        self.reason.setVisible(bool(why) and not self.compact)
        self.setToolTip(reason)

    def set_compact(self, compact: bool) -> None:
        """In compact mode only the title and the example stay: the guidance is learnt by then."""
        self.compact = compact
        self.reason.setVisible(not compact and bool(self.reason.text()))
        self.guidance.setVisible(not compact and bool(self.guidance.text()))
