"""Score the coach on a labelled set it was not tuned on; print figures only, never the material.

    blind_score.py SET_DIR [--json OUT] [--rules-only]

SET_DIR holds any of:
  calls/*.call    labelled calls (the ``A[steps]: ...`` / ``C[-]: ...`` / ``@next step`` format); fed as
                  .txt transcripts through the real ``analyze`` path: steps, next step, word pitfalls,
                  false alerts, and customer mood direction on lines tagged ``C[-]`` / ``C[+]``
  sentences.tsv   ``label, sentence, customer_before``: the acts the coach reads in each sentence
  support.tsv     emotional-support turns (``empathy, question, restatement, suggestion, other``),
                  scored against a keyword list on the same turns

Nothing but numbers is printed, so a blind set stays blind to whoever runs this.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.analysis.agent_acts import AgentActs
from companion.analysis.labelled_calls import Score, as_transcript, read_call, score_report
from companion.analysis.playbook import STEP_IDS, Playbook, load_playbook
from companion.analysis.reader.acts import load_reader

WORD_PITFALLS = ("trigger-words", "agent-negativity")
SENTENCE_CLASSES = (*STEP_IDS, "pitfall")
SUPPORT_MAP = {"empathy": {"empathize"}, "question": {"assess", "listen"}, "restatement": {"affirm"}}
SUPPORT_MAP["suggestion"] = {"resolve"}
SUPPORT_CLASSES = ("empathy", "question", "restatement", "suggestion")
# The baseline to beat on support turns: the obvious words of each strategy.
SUPPORT_KEYWORDS = {
    "empathy": ("sorry", "understand", "must be", "sounds", "that's hard", "i can imagine", "feel"),
    "question": ("?",),
    "restatement": ("so you", "you said", "you're saying", "it sounds like you", "you feel", "you mean"),
    "suggestion": ("maybe", "you could", "try", "have you thought", "why not", "how about", "might help"),
}
NEGATIVE_BELOW = -0.05  # a reading at or below this is "upset"


def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r for r in rows[1:] if len(r) >= 2 and r[1].strip()]


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return p, r, 2 * p * r / max(1e-9, p + r)


def score_calls(folder: Path, playbook: Playbook, rules_only: bool) -> dict[str, float]:
    from companion.analysis.coach import Coach
    from companion.analysis.voice_cues import VoiceCues
    from companion.call_analysis import analyze_transcript

    total, word_pitfalls, any_kind = Score(), [0, 0], 0
    mood_right = mood_total = 0
    calls = sorted(folder.glob("*.call"))
    with tempfile.TemporaryDirectory() as tmp:
        for call in calls:
            _, turns = read_call(call)
            path = Path(tmp) / f"{call.stem}.txt"
            path.write_text(as_transcript(turns), encoding="utf-8")
            coach = Coach(playbook, VoiceCues(playbook.cues), acts=None) if rules_only else None
            if coach is None:
                coach = Coach(playbook, VoiceCues(playbook.cues))
            report = analyze_transcript(path, coach)
            score = score_report(report, turns, call.stem)
            total.add(score)
            for i, turn in enumerate(turns):
                for kind in turn.pitfalls & set(WORD_PITFALLS):
                    word_pitfalls[1] += 1
                    hit = any(
                        a["kind"] == kind and a["utterance"] is not None and a["utterance"] == i
                        for a in report["alerts"]
                    )
                    word_pitfalls[0] += int(hit)
                    # The two word pitfalls' border is fuzzy even to writers: also count an alert of either.
                    any_kind += int(any(a["kind"] in WORD_PITFALLS and a["utterance"] == i for a in report["alerts"]))
                tag = {"-", "+"} & set(turn.labels)
                if turn.speaker == "customer" and tag:
                    reading = report["utterances"][i]["sentiment"] or 0.0
                    mood_total += 1
                    upset = reading <= NEGATIVE_BELOW
                    mood_right += int(upset if "-" in tag else not upset)
    figures = total.figures()
    figures["word_pitfall_recall"] = round(word_pitfalls[0] / max(1, word_pitfalls[1]), 3)
    figures["word_pitfall_recall_any_kind"] = round(any_kind / max(1, word_pitfalls[1]), 3)
    figures["mood_direction_right"] = round(mood_right / max(1, mood_total), 3)
    figures["mood_lines"] = mood_total
    figures["calls"] = len(calls)
    return figures


def _predicted(acts: AgentActs, sentence: str, context: str) -> set[str]:
    # What the words evidence (acts), not what a call's state makes of them: a sentence has no call.
    read = acts.read(sentence, context)
    return {"pitfall" if a.id in WORD_PITFALLS else a.id for a in read.acts}


def score_sentences(path: Path, acts: AgentActs) -> dict[str, Any]:
    rows = _rows(path)
    counts = {c: [0, 0, 0] for c in SENTENCE_CLASSES}
    confusion: dict[str, dict[str, int]] = {}
    started = time.perf_counter()
    for row in rows:
        label = "pitfall" if row[0] in WORD_PITFALLS else row[0]
        found = _predicted(acts, row[1], row[2] if len(row) > 2 else "")
        for c in SENTENCE_CLASSES:
            if c in found and c == label:
                counts[c][0] += 1
            elif c in found:
                counts[c][1] += 1
            elif c == label:
                counts[c][2] += 1
        shown = "+".join(sorted(found)) or "none"
        confusion.setdefault(label, {}).setdefault(shown, 0)
        confusion[label][shown] += 1
    ms = 1000 * (time.perf_counter() - started) / max(1, len(rows))
    f1 = {c: round(_prf(*counts[c])[2], 3) for c in SENTENCE_CLASSES}
    return {
        "sentences": len(rows),
        "macro_f1": round(sum(f1.values()) / len(f1), 3),
        "f1": f1,
        "precision": {c: round(_prf(*counts[c])[0], 3) for c in SENTENCE_CLASSES},
        "recall": {c: round(_prf(*counts[c])[1], 3) for c in SENTENCE_CLASSES},
        "confusion": confusion,
        "ms_per_sentence": round(ms, 2),
    }


def score_support(path: Path, acts: AgentActs) -> dict[str, Any]:
    rows = _rows(path)
    ours = {c: [0, 0, 0] for c in SUPPORT_CLASSES}
    keywords = {c: [0, 0, 0] for c in SUPPORT_CLASSES}
    for row in rows:
        label, text = row[0], row[1]
        found = _predicted(acts, text, row[2] if len(row) > 2 else "")
        mine = {c for c in SUPPORT_CLASSES if SUPPORT_MAP[c] & found}
        lower = text.lower()
        base = {c for c in SUPPORT_CLASSES if any(k in lower for k in SUPPORT_KEYWORDS[c])}
        for guess, table in ((mine, ours), (base, keywords)):
            for c in SUPPORT_CLASSES:
                if c in guess and c == label:
                    table[c][0] += 1
                elif c in guess:
                    table[c][1] += 1
                elif c == label:
                    table[c][2] += 1

    def macro(table: dict[str, list[int]]) -> tuple[float, float]:
        prf = [_prf(*table[c]) for c in SUPPORT_CLASSES]
        return round(sum(p[1] for p in prf) / 4, 3), round(sum(p[0] for p in prf) / 4, 3)

    r, p = macro(ours)
    kr, kp = macro(keywords)
    return {
        "turns": len(rows),
        "macro_recall": r,
        "macro_precision": p,
        "keywords_recall": kr,
        "keywords_precision": kp,
    }


def _flat(prefix: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        return [line for k, v in value.items() for line in _flat(f"{prefix} {k}", v)]
    return [f"{prefix} {value}"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("--json", dest="json_out", type=Path)
    ap.add_argument("--rules-only", action="store_true", help="the cue rules alone (the reader switched off)")
    args = ap.parse_args()
    playbook = load_playbook()
    acts = AgentActs(playbook, None if args.rules_only else load_reader(playbook))
    results: dict[str, Any] = {}
    if (args.set_dir / "calls").is_dir():
        results["calls"] = score_calls(args.set_dir / "calls", playbook, args.rules_only)
    if (args.set_dir / "sentences.tsv").is_file():
        results["sentences"] = score_sentences(args.set_dir / "sentences.tsv", acts)
    if (args.set_dir / "support.tsv").is_file():
        results["support"] = score_support(args.set_dir / "support.tsv", acts)
    for name, figures in results.items():
        for line in _flat(name, figures):
            print(line)
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
