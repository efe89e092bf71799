"""The customer's mood read from what a line means, beside VADER's word lexicon.

VADER scores the words it knows: "my bag didn't arrive" has none and reads
neutral; "no change to your equipment, and a lower price" has three negative
ones and reads upset.  A softmax layer over the same sentence vectors the act
reader uses, trained on customer lines written for this project
(``assets/reader/mood/*.tsv``: ``neg``, ``neu``, ``pos``), reads what the line
says happened.  ``blend`` puts the two together; VADER stays the base, so
strong words still count.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.analysis.reader.acts import reader_dir, shared_encoder
from companion.analysis.reader.classifier import MOOD_LABELS, SoftmaxClassifier, train
from companion.analysis.reader.corpus import recogniser_style
from companion.analysis.reader.encoder import DIMENSIONS, SentenceEncoder
from companion.errors import ReaderError

MEANING_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class MoodSense:
    """How likely a line is upset, neutral or content, from its meaning."""

    negative: float
    neutral: float
    positive: float

    @property
    def valence(self) -> float:
        return self.positive - self.negative


def blend(vader: float, sense: MoodSense) -> float:
    """One reading from VADER's corrected score and the line's meaning, in -1..1.

    The meaning fills in what VADER's lexicon cannot see, in proportion to how unsure VADER
    is: a line of strong emotion words keeps VADER's reading, a line of plain facts takes
    the meaning's. (Halving VADER everywhere, the first blend, dulled strong words.)
    """
    return max(-1.0, min(1.0, vader + MEANING_WEIGHT * sense.valence * (1.0 - abs(vader))))


def read_mood_corpus(folder: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.tsv")):
        with open(path, encoding="utf-8", newline="") as f:
            for number, row in enumerate(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
                if number == 1 or not row or not "".join(row).strip():
                    continue
                if len(row) < 2 or row[0] not in MOOD_LABELS:
                    raise ReaderError(f"{path}, line {number}: expected neg, neu or pos and a line")
                rows.append((row[0], row[1].strip()))
                plain = recogniser_style(row[1])
                if plain != row[1].strip():
                    rows.append((row[0], plain))
    return rows


def fit_mood(rows: list[tuple[str, str]], encoder: SentenceEncoder) -> SoftmaxClassifier:
    vectors = encoder.encode_batched([text for _, text in rows])
    labels = np.array([MOOD_LABELS.index(label) for label, _ in rows])
    return train(vectors, labels, classes=len(MOOD_LABELS), steps=300)


class MoodReader:
    def __init__(self, encoder: SentenceEncoder, classifier: SoftmaxClassifier) -> None:
        self.encoder = encoder
        self.classifier = classifier

    def sense(self, text: str) -> MoodSense:
        if not text.strip():
            return MoodSense(0.0, 1.0, 0.0)
        p = self.classifier.probabilities(self.encoder.encode([text]))[0]
        return MoodSense(float(p[0]), float(p[1]), float(p[2]))


@functools.lru_cache(maxsize=1)
def load_mood_reader() -> MoodReader:
    """The shipped mood layer; ``ReaderError`` if it or the encoder cannot be had."""
    encoder = shared_encoder()
    classifier = SoftmaxClassifier.load(reader_dir() / "mood.npz", DIMENSIONS, len(MOOD_LABELS))
    return MoodReader(encoder, classifier)
