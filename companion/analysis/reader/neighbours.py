"""How many of a sentence's nearest corpus sentences are word pitfalls: a second opinion on pitfalls.

The softmax layer draws one flat border through sentence space for each label.  A
pitfall in polite clothing ("terms are clear, sir, the price is final, no
exceptions") often lands on the wrong side of the pitfall border while lying
close to pitfalls the corpus holds; asking its nearest neighbours catches some of
those.  On our development calls (dev3r, dev4, dev5; 31 pitfall turns, 765 other
agent turns) the mean of the two opinions found 14 pitfall turns for 14 other
turns over the bar, against 10 for 23 with the softmax alone (docs/playbook.md,
round six).
"""

from __future__ import annotations

import numpy as np

from companion.analysis.reader.corpus import Sample
from companion.analysis.reader.training import VectorTable

WORD_PITFALLS = ("trigger-words", "agent-negativity")
NEIGHBOURS = 20
SHARPNESS = 4  # similarities raised to this power: the nearest few decide, the twentieth barely counts


class PitfallNeighbours:
    """The corpus's sentences as unit vectors, and which of them are word pitfalls."""

    def __init__(self, vectors: np.ndarray, pitfall: np.ndarray) -> None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = (vectors / np.maximum(norms, 1e-9)).astype(np.float32)
        self.pitfall = pitfall.astype(np.float32)

    @classmethod
    def from_samples(cls, samples: list[Sample], table: VectorTable) -> PitfallNeighbours:
        sentences = {s.sentence: s.label in WORD_PITFALLS for s in samples if s.sentence.strip()}
        vectors = np.stack([table.get(text) for text in sentences])
        return cls(vectors, np.array(list(sentences.values())))

    def share(self, vectors: np.ndarray) -> np.ndarray:
        """For each row of ``vectors``, the similarity-weighted share of its nearest sentences that are pitfalls."""
        rows = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        similarity = rows.astype(np.float32) @ self.vectors.T
        k = min(NEIGHBOURS, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        weight = np.maximum(np.take_along_axis(similarity, nearest, axis=1), 0.0) ** SHARPNESS
        return (weight * self.pitfall[nearest]).sum(axis=1) / np.maximum(weight.sum(axis=1), 1e-9)
