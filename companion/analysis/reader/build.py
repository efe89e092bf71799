"""Build the reader's shipped files from the corpus, and check how it generalises.

    python -m companion.analysis.reader.build            # vectors.npz, weights.npz, weights.json, step_prior.json
    python -m companion.analysis.reader.build --check    # figures held out by industry, nothing written
    python -m companion.analysis.reader.build --roles    # only roles.npz (agent or customer, companion.analysis.roles)
    python -m companion.analysis.reader.build --mood     # only mood.npz (the customer's mood from meaning)

``--check`` splits the corpus files (one industry each) into five folds, trains
on four and scores the fifth, for each fold in turn: a figure for sentences from
industries the reader has not seen (five trainings of about a minute each here;
one per file would take over an hour).  Only figures are printed.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from companion.analysis.labelled_calls import read_call
from companion.analysis.playbook import load_playbook
from companion.analysis.reader.acts import reader_dir, shared_encoder
from companion.analysis.reader.classifier import LABELS
from companion.analysis.reader.corpus import Sample, digest, playbook_examples, read_corpus, with_variants
from companion.analysis.reader.mood import fit_mood, read_mood_corpus
from companion.analysis.reader.role_sense import ROLE_FILE, fit_roles
from companion.analysis.reader.step_prior import StepPrior
from companion.analysis.reader.training import VectorTable, feature_rows, fit, texts_of

CHECK_FOLDS = 5


def macro_f1(truth: list[str], guess: list[str], labels: tuple[str, ...]) -> tuple[float, dict[str, float]]:
    per: dict[str, float] = {}
    for label in labels:
        tp = sum(1 for t, g in zip(truth, guess, strict=True) if t == label and g == label)
        fp = sum(1 for t, g in zip(truth, guess, strict=True) if t != label and g == label)
        fn = sum(1 for t, g in zip(truth, guess, strict=True) if t == label and g != label)
        per[label] = 2 * tp / max(1, 2 * tp + fp + fn)
    return sum(per.values()) / len(labels), per


def check(samples: list[Sample], extra: list[Sample], table: VectorTable) -> None:
    groups = sorted({s.group for s in samples})
    truth: list[str] = []
    guess: list[str] = []
    for fold in range(CHECK_FOLDS):
        held = set(groups[fold::CHECK_FOLDS])
        train_rows = with_variants([s for s in samples if s.group not in held]) + extra
        test_rows = [s for s in samples if s.group in held]
        model = fit(train_rows, table)
        probs = model.probabilities(feature_rows(test_rows, table))
        truth += [s.label for s in test_rows]
        guess += [LABELS[i] for i in probs.argmax(axis=1)]
    scored = tuple(label for label in LABELS if label != "none")
    macro, per = macro_f1(truth, guess, scored)
    print(f"held out by industry: sentences {len(truth)}, industries {len(groups)} in {CHECK_FOLDS} folds")
    print(f"macro F1 (labels but none) {macro:.3f}")
    print(f"accuracy {np.mean([t == g for t, g in zip(truth, guess, strict=True)]):.3f}")
    for label in scored:
        print(f"F1 {label} {per[label]:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="figures held out by industry; nothing written")
    ap.add_argument("--roles", action="store_true", help="only the agent-or-customer layer (roles.npz)")
    ap.add_argument("--mood", action="store_true", help="only the customer-mood layer (mood.npz)")
    args = ap.parse_args()
    folder = reader_dir()
    if args.mood:  # the mood layer encodes its own lines: the act corpus's vectors are not needed
        fit_mood(read_mood_corpus(folder / "mood"), shared_encoder()).save(folder / "mood.npz")
        print(f"customer-mood layer written to {folder / 'mood.npz'}")
        return 0
    corpus = read_corpus(folder / "corpus")
    extra = playbook_examples(load_playbook())
    table = VectorTable.load(folder / "vectors.npz")
    everything = with_variants(corpus) + extra
    table.fill(texts_of(everything), shared_encoder())
    if args.check:
        check(corpus, extra, table)
        return 0
    if args.roles:
        fit_roles(folder, table, shared_encoder()).save(folder / ROLE_FILE)
        print(f"agent-or-customer layer written to {folder / ROLE_FILE}")
        return 0
    table.save(folder / "vectors.npz", texts_of(everything))
    fit(everything, table).save(folder / "weights.npz")
    fit_mood(read_mood_corpus(folder / "mood"), shared_encoder()).save(folder / "mood.npz")
    fit_roles(folder, table, shared_encoder()).save(folder / ROLE_FILE)
    calls = [read_call(path)[1] for path in sorted((folder / "calls").glob("*.call"))]
    StepPrior.count(calls).save(folder / "step_prior.json")
    meta = {"corpus": digest(with_variants(corpus)), "examples": digest(extra), "rows": len(everything)}
    (folder / "weights.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"reader trained on {len(everything)} rows ({len(corpus)} corpus sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
