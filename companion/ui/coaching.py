"""The playbook and coach the window runs, seen as what the widgets need.

The window only shows a step's id, title, one-line guidance and one example
phrasing; ``StepInfo`` holds exactly that, taken from the analysis layer's
playbook so the window never defines steps of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.errors import CompanionError
from companion.pipeline import Coach

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StepInfo:
    """One playbook step as the window shows it."""

    id: str
    title: str
    guidance: str = ""
    example: str = ""


def step_info(step: Any) -> StepInfo:
    """Read a playbook step (any object with id, title, guidance and example phrasings)."""
    examples = getattr(step, "examples", None) or getattr(step, "phrasings", None) or ()
    return StepInfo(
        id=str(step.id),
        title=str(getattr(step, "title", step.id)),
        guidance=str(getattr(step, "guidance", "") or ""),
        example=str(examples[0]) if examples else "",
    )


def find_step(steps: Sequence[StepInfo], step_id: str) -> StepInfo:
    """The step with this id; a step the playbook does not list (an older call's) is named from its id."""
    for step in steps:
        if step.id == step_id:
            return step
    return StepInfo(step_id, step_id.replace("-", " ").capitalize())


@dataclass
class Coaching:
    """What a call is coached with: the steps to show, the coach, and any problem loading them."""

    steps: list[StepInfo]
    coach: Coach | None
    problem: str | None = None


def load_coaching(playbook: str | Path | None) -> Coaching:
    """Load the playbook (the bundled one when ``playbook`` is empty) and a coach over it.

    A bad playbook file never costs the call: the analysis layer falls back to the
    default and its message is shown in the window.
    """
    try:
        from companion.analysis.coach import coach_for
        from companion.analysis.playbook import load_playbook_or_default
    except ImportError:
        log.warning("the coach is not available in this build: transcript only")
        return Coaching([], None, "Coaching is not available in this build: showing the transcript only.")
    try:
        book, error = load_playbook_or_default(Path(playbook) if playbook else None)
    except CompanionError as exc:  # even the bundled playbook is unreadable: transcript only
        return Coaching([], None, f"{exc} Showing the transcript only.")
    problem = f"{error} The default playbook is used for this call." if error is not None else None
    return Coaching([step_info(s) for s in book.steps], coach_for(book), problem)
