"""A softmax layer over sentence features, trained with plain numpy (no training framework to install)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.errors import ReaderError

LABELS = (
    "none",
    "listen",
    "empathize",
    "assess",
    "affirm",
    "resolve",
    "agree",
    "thank",
    "trigger-words",
    "agent-negativity",
)


MOOD_LABELS = ("neg", "neu", "pos")


@dataclass(frozen=True)
class SoftmaxClassifier:
    """Weights and bias of a multinomial logistic regression (``LABELS`` for acts, ``MOOD_LABELS``)."""

    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = rows @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        with open(tmp, "wb") as f:
            np.savez(f, weights=self.weights.astype(np.float32), bias=self.bias.astype(np.float32))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, width: int, classes: int = len(LABELS)) -> SoftmaxClassifier:
        try:
            with np.load(path) as data:
                weights, bias = data["weights"], data["bias"]
        except (OSError, ValueError, KeyError):
            raise ReaderError(
                f"the sentence reader's weights cannot be read ({path}); "
                "coaching uses the playbook's cue rules only. Reinstall call-companion to restore them."
            ) from None
        if weights.shape != (width, classes) or bias.shape != (classes,):
            raise ReaderError(f"the sentence reader's weights do not fit this version of the app ({path})")
        return cls(weights, bias)


def train(
    rows: np.ndarray,
    labels: np.ndarray,
    sample_weight: np.ndarray | None = None,
    l2: float = 1e-3,
    steps: int = 400,
    rate: float = 0.05,
    seed: int = 0,
    classes: int = len(LABELS),
) -> SoftmaxClassifier:
    """Full-batch Adam on the class-balanced cross-entropy; deterministic for a given seed."""
    n, width = rows.shape
    k = classes
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), labels] = 1.0
    counts = np.bincount(labels, minlength=k).astype(np.float32)
    balance = (n / (k * np.maximum(counts, 1.0)))[labels]
    w_row = balance * (sample_weight if sample_weight is not None else 1.0)
    w_row = (w_row / w_row.sum()).astype(np.float32)[:, None]
    rng = np.random.default_rng(seed)
    weights = (rng.standard_normal((width, k)) * 0.01).astype(np.float32)
    bias = np.zeros(k, dtype=np.float32)
    m_w, v_w = np.zeros_like(weights), np.zeros_like(weights)
    m_b, v_b = np.zeros_like(bias), np.zeros_like(bias)
    b1, b2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        model = SoftmaxClassifier(weights, bias)
        error = (model.probabilities(rows) - onehot) * w_row
        g_w = rows.T @ error + l2 * weights
        g_b = error.sum(axis=0)
        m_w = b1 * m_w + (1 - b1) * g_w
        v_w = b2 * v_w + (1 - b2) * g_w * g_w
        m_b = b1 * m_b + (1 - b1) * g_b
        v_b = b2 * v_b + (1 - b2) * g_b * g_b
        correction = np.sqrt(1 - b2**step) / (1 - b1**step)
        weights = weights - rate * correction * m_w / (np.sqrt(v_w) + eps)
        bias = bias - rate * correction * m_b / (np.sqrt(v_b) + eps)
    return SoftmaxClassifier(weights.astype(np.float32), bias.astype(np.float32))
