"""Where the call is tells what a sentence is likely to do: the reader's step odds, weighed by call phase.

The sentence reader reads one agent sentence (with the customer's turn before
it); it cannot know that the summary was already given and confirmed, so an
"I'll send an engineer tomorrow" after a confirmed summary reads as much like a
restatement as like an offer.  Labelled calls say how often each step is done
in each phase of a call (before any assessment, while assessing, after the
summary, after the offer, after the agreement); the reader's probabilities for
the steps are multiplied by that prior, tempered (``STRENGTH``), and rescaled
so the steps keep the probability mass they had: the prior moves belief between
steps, never from "no step" or a pitfall to a step.

The table is counted from the project's own labelled calls
(``assets/reader/calls``) by ``python -m companion.analysis.reader.build`` into
``step_prior.json``.  On two halves of those calls (fitted on one, read on the
other) the reader's single best step per turn went from recall 0.76 / 0.72 and
precision 0.77 / 0.73 to 0.82 / 0.77 and 0.93 / 0.83 at strength 0.5.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from companion.analysis.labelled_calls import Turn
from companion.analysis.step_ids import STEP_ORDER

PHASES = ("start", "assess", "affirm", "resolve", "agree")
STRENGTH = 0.5  # the prior's exponent: 0 ignores it, 1 takes it at face value
SMOOTHING = 1  # counts added to every cell, so a step never seen in a phase stays possible


def phase_of(furthest: str | None) -> str:
    """The phase for the furthest step reached (from assess on); "start" before any."""
    return furthest if furthest in PHASES else "start"


@dataclass(frozen=True, slots=True)
class StepPrior:
    """How likely each step is in each phase, relative to a uniform choice (1.0 = no opinion)."""

    weights: dict[str, dict[str, float]]
    strength: float = STRENGTH

    @classmethod
    def count(cls, calls: Iterable[list[Turn]]) -> StepPrior:
        """Count, per phase, which steps agents' turns perform in labelled calls."""
        seen: Counter[tuple[str, str]] = Counter()
        turns_in: Counter[str] = Counter()
        for turns in calls:
            furthest: str | None = None
            for turn in turns:
                if turn.speaker != "agent" or "greet" in turn.labels:
                    continue
                phase = phase_of(furthest)
                turns_in[phase] += 1
                for step in turn.steps:
                    seen[phase, step] += 1
                reached = [s for s in turn.steps if s in PHASES]
                if reached:
                    best = max(reached, key=STEP_ORDER.index)
                    if furthest is None or STEP_ORDER.index(best) > STEP_ORDER.index(furthest):
                        furthest = best
        weights: dict[str, dict[str, float]] = {}
        for phase in PHASES:
            total = turns_in[phase] + SMOOTHING * len(STEP_ORDER)
            share = {s: (seen[phase, s] + SMOOTHING) / total for s in STEP_ORDER}
            mean = sum(share.values()) / len(share)
            weights[phase] = {s: round(v / mean, 4) for s, v in share.items()}
        return cls(weights)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"strength": self.strength, "weights": self.weights}, indent=1) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path) -> StepPrior:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {p: {s: float(w) for s, w in row.items()} for p, row in data["weights"].items()}
        if set(weights) != set(PHASES) or any(set(row) != set(STEP_ORDER) for row in weights.values()):
            raise ValueError("the step prior does not cover every phase and step")
        return cls(weights, float(data.get("strength", STRENGTH)))

    def weigh(self, probabilities: dict[str, float], phase: str) -> dict[str, float]:
        """The reader's probabilities with the steps reweighed for ``phase``; the rest untouched."""
        row = self.weights.get(phase)
        if row is None or self.strength <= 0:
            return probabilities
        steps = [s for s in STEP_ORDER if s in probabilities]
        before = sum(probabilities[s] for s in steps)
        moved = {s: probabilities[s] * row[s] ** self.strength for s in steps}
        after = sum(moved.values())
        if after <= 0:
            return probabilities
        scale = before / after
        return {k: (moved[k] * scale if k in moved else v) for k, v in probabilities.items()}
