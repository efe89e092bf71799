"""Training the reader: samples -> feature rows -> a hidden layer and a softmax; and the vectors it trains on.

Encoding the whole corpus takes about a minute, so its vectors ship with the
app (``assets/reader/vectors.npz``, half precision, keyed by text); training on
them takes seconds.  Only a team's new example phrasings are encoded at load.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from companion.analysis.reader.classifier import LABELS, HiddenLayerClassifier, train_hidden
from companion.analysis.reader.corpus import Sample
from companion.analysis.reader.encoder import DIMENSIONS, SentenceEncoder
from companion.analysis.reader.features import features, form
from companion.errors import ReaderError


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:20]


class VectorTable:
    """Sentence vectors by text, filled from a saved table and the encoder for what it lacks."""

    def __init__(self, vectors: dict[str, np.ndarray] | None = None) -> None:
        self.vectors: dict[str, np.ndarray] = vectors or {}

    @classmethod
    def load(cls, path: Path) -> VectorTable:
        if not path.is_file():
            return cls()
        try:
            with np.load(path) as data:
                # Kept half precision as shipped: a float32 copy of the whole table would raise the
                # app's peak memory by ~17 MB for rows only the neighbours and a retraining ever read.
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError) as exc:
            raise ReaderError(f"the sentence reader's vectors cannot be read ({path}: {exc})") from None
        return cls(dict(zip((str(k) for k in keys), vectors, strict=True)))

    def save(self, path: Path, texts: set[str]) -> None:
        keys = sorted(text_key(t) for t in texts)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as f:
            np.savez_compressed(
                f, keys=np.array(keys), vectors=np.stack([self.vectors[k] for k in keys]).astype(np.float16)
            )
        tmp.replace(path)

    def fill(self, texts: set[str], encoder: SentenceEncoder) -> None:
        missing = sorted({t for t in texts if t.strip() and text_key(t) not in self.vectors})
        if missing:
            for key, vector in zip((text_key(t) for t in missing), encoder.encode_batched(missing), strict=True):
                self.vectors[key] = vector

    def get(self, text: str) -> np.ndarray:
        if not text.strip():
            return np.zeros(DIMENSIONS, dtype=np.float32)
        return self.vectors[text_key(text)].astype(np.float32)


def texts_of(samples: list[Sample]) -> set[str]:
    return {s.sentence for s in samples} | {s.context for s in samples if s.context}


def feature_rows(samples: list[Sample], table: VectorTable) -> np.ndarray:
    sentence = np.stack([table.get(s.sentence) for s in samples])
    context = np.stack([table.get(s.context) for s in samples])
    forms = np.stack([form(s.sentence, s.context) for s in samples])
    return features(sentence, context, forms)


# A team's examples join the shipped corpus: going on from the shipped weights for a few epochs takes
# seconds where training afresh takes a minute on this machine, and leaves the rest of the reading alone.
FURTHER_EPOCHS = 6


def fit(samples: list[Sample], table: VectorTable, start: HiddenLayerClassifier | None = None) -> HiddenLayerClassifier:
    rows = feature_rows(samples, table)
    labels = np.array([LABELS.index(s.label) for s in samples])
    weights = np.array([s.weight for s in samples], dtype=np.float32)
    if start is None:
        return train_hidden(rows, labels, weights)
    return train_hidden(rows, labels, weights, epochs=FURTHER_EPOCHS, start=start)
