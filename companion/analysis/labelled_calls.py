"""Labelled calls, and how well an analysis matches their labels.

A labelled call is a script, one turn a line::

    A[empathize]: I understand how frustrating that must be.
    A[pitfall:trigger-words]: Please calm down.
    C: I want to cancel.
    @next empathize

``A``/``C`` are agent and customer, the bracket lists the steps (or
``pitfall:ID``) an agent turn performs, and ``@next STEP`` is the step a
companion should highlight right after the turn above.  Scoring lines an
analysis (``build_report`` output) up with the turns by time, so it works on
the transcript of synthesized audio as well as on the script fed as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.analysis.playbook import PITFALL_IDS, STEP_IDS
from companion.errors import InputError

_TURN = re.compile(r"^(A|C)(?:\[([^\]]*)\])?\s*:\s*(.+)$")
MATCH_SLACK_S = 1.0
PITFALL_WINDOW_S = 3.0


@dataclass
class Turn:
    speaker: str
    text: str
    labels: tuple[str, ...] = ()
    next: str | None = None
    start: float = 0.0
    end: float = 0.0

    @property
    def steps(self) -> set[str]:
        return {label for label in self.labels if label in STEP_IDS}

    @property
    def pitfalls(self) -> set[str]:
        return {label.split(":", 1)[1] for label in self.labels if label.startswith("pitfall:")}


@dataclass
class Score:
    """Counts from one or more calls; the ratios are computed from the summed counts."""

    step_tp: int = 0
    step_fp: int = 0
    step_fn: int = 0
    next_right: int = 0
    next_total: int = 0
    pitfalls_found: int = 0
    pitfalls_total: int = 0
    false_alerts: int = 0
    calls: int = 0
    misses: list[str] = field(default_factory=list)
    per_step: dict[str, list[int]] = field(default_factory=dict)  # step -> [tp, fp, fn]

    def add(self, other: Score) -> None:
        for name in (
            "step_tp",
            "step_fp",
            "step_fn",
            "next_right",
            "next_total",
            "pitfalls_found",
            "pitfalls_total",
            "false_alerts",
            "calls",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        for step, counts in other.per_step.items():
            mine = self.per_step.setdefault(step, [0, 0, 0])
            for i, n in enumerate(counts):
                mine[i] += n

    def macro(self, steps: tuple[str, ...]) -> tuple[float, float]:
        """Mean per-step recall and precision over ``steps``."""
        recalls, precisions = [], []
        for step in steps:
            tp, fp, fn = self.per_step.get(step, [0, 0, 0])
            recalls.append(tp / max(1, tp + fn))
            precisions.append(tp / max(1, tp + fp))
        return sum(recalls) / len(steps), sum(precisions) / len(steps)

    @property
    def step_recall(self) -> float:
        return self.step_tp / max(1, self.step_tp + self.step_fn)

    @property
    def step_precision(self) -> float:
        return self.step_tp / max(1, self.step_tp + self.step_fp)

    @property
    def next_accuracy(self) -> float:
        return self.next_right / max(1, self.next_total)

    @property
    def pitfall_recall(self) -> float:
        return self.pitfalls_found / self.pitfalls_total if self.pitfalls_total else 1.0

    @property
    def false_alerts_per_call(self) -> float:
        return self.false_alerts / max(1, self.calls)

    def figures(self) -> dict[str, float]:
        return {
            "step_recall": round(self.step_recall, 3),
            "step_precision": round(self.step_precision, 3),
            "next_step_accuracy": round(self.next_accuracy, 3),
            "pitfall_recall": round(self.pitfall_recall, 3),
            "false_alerts_per_call": round(self.false_alerts_per_call, 3),
        }


def read_call(path: Path) -> tuple[str, list[Turn]]:
    """The title and turns of a labelled call file."""
    title, turns = Path(path).stem, []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# title:"):
            title = line.split(":", 1)[1].strip()
        elif line.startswith("#"):
            continue
        elif line.startswith("@next"):
            parts = line.split()
            if not turns or len(parts) != 2 or parts[1] not in STEP_IDS:
                raise InputError(f"{path}, line {number}: '@next STEP' must follow a turn and name a step")
            turns[-1].next = parts[1]
        else:
            m = _TURN.match(line)
            if m is None:
                raise InputError(f"{path}, line {number}: not a turn ('A[labels]: text' or 'C: text')")
            who, labels, text = m.groups()
            names = tuple(x.strip() for x in (labels or "").split(",") if x.strip())
            turns.append(Turn("agent" if who == "A" else "customer", text.strip(), names))
    return title, turns


def as_transcript(turns: list[Turn]) -> str:
    """The call as a plain-text transcript (no times), as ``analyze`` reads .txt files."""
    return "".join(f"{'Agent' if t.speaker == 'agent' else 'Customer'}: {t.text}\n" for t in turns)


def _assign(report: dict[str, Any], turns: list[Turn]) -> dict[int, int]:
    """Utterance id -> index of the turn it transcribes (same speaker, most time overlap)."""
    out: dict[int, int] = {}
    for u in report["utterances"]:
        if u["start"] is None:
            continue
        best, best_overlap = None, -MATCH_SLACK_S
        for i, turn in enumerate(turns):
            if turn.speaker != u["speaker"] and u["speaker"] != "call":
                continue
            overlap = min(turn.end, u["end"]) - max(turn.start, u["start"])
            if overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is not None:
            out[u["id"]] = best
    return out


def score_report(report: dict[str, Any], turns: list[Turn], name: str = "") -> Score:
    """Score one analysis against its call's labels. Turns need times unless the report has none."""
    if all(u["start"] is None for u in report["utterances"]):
        # A transcript fed line by line: utterance i is turn i.
        assign = {u["id"]: i for i, u in enumerate(report["utterances"])}
    else:
        assign = _assign(report, turns)
    by_turn: dict[int, list[dict[str, Any]]] = {}
    for u in report["utterances"]:
        if u["id"] in assign:
            by_turn.setdefault(assign[u["id"]], []).append(u)
    score = Score(calls=1)
    for i, turn in enumerate(turns):
        if turn.speaker != "agent":
            continue
        found = {s for u in by_turn.get(i, []) for s in u["steps"]}
        labelled = turn.steps
        score.step_tp += len(found & labelled)
        score.step_fp += len(found - labelled)
        score.step_fn += len(labelled - found)
        for step in found | labelled:
            counts = score.per_step.setdefault(step, [0, 0, 0])
            counts[0 if step in found and step in labelled else 1 if step in found else 2] += 1
        for step in sorted(found - labelled):
            score.misses.append(f"{name} turn {i}: extra {step}: {turn.text[:60]}")
        for step in sorted(labelled - found):
            score.misses.append(f"{name} turn {i}: missed {step}: {turn.text[:60]}")
    ordered = sorted(report["utterances"], key=lambda u: u["id"])
    for i, turn in enumerate(turns):
        if turn.next is None:
            continue
        score.next_total += 1
        heard = [u for u in ordered if u["id"] in assign and assign[u["id"]] <= i]
        shown = heard[-1]["next_step"] if heard else None
        if shown == turn.next:
            score.next_right += 1
        else:
            score.misses.append(f"{name} after turn {i}: showed {shown}, labelled {turn.next}")
    matched: set[int] = set()
    for i, turn in enumerate(turns):
        for kind in turn.pitfalls:
            score.pitfalls_total += 1
            hit = _find_alert(report, assign, turns, i, kind, matched)
            if hit is None:
                score.misses.append(f"{name} turn {i}: no {kind} alert: {turn.text[:60]}")
            else:
                score.pitfalls_found += 1
                matched.add(hit)
    for j, alert in enumerate(report["alerts"]):
        if alert["kind"] in PITFALL_IDS and j not in matched:
            score.false_alerts += 1
            score.misses.append(f"{name} false {alert['kind']} at {alert['t']}: {alert['text'][:60]}")
    return score


def _find_alert(
    report: dict[str, Any], assign: dict[int, int], turns: list[Turn], i: int, kind: str, taken: set[int]
) -> int | None:
    turn = turns[i]
    for j, alert in enumerate(report["alerts"]):
        if alert["kind"] != kind or j in taken:
            continue
        if alert["utterance"] is not None and assign.get(alert["utterance"]) == i:
            return j
        # Timing cues (talking over, silence) may sit on a neighbouring utterance or none.
        timed = turn.end > turn.start
        if timed and turn.start - 1.0 <= alert["t"] <= turn.end + PITFALL_WINDOW_S:
            return j
    return None
