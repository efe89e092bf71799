"""The reader's classifiers, trained with plain numpy (no training framework to install).

Acts are read by one hidden layer then a softmax (``HiddenLayerClassifier``):
a linear layer over the same features underfits the corpus (0.82 of its own
rows right) and reads fewer sentences from an industry it has not seen (0.81
against 0.85 held out by industry).  Mood and role, with three and two
classes, stay linear (``SoftmaxClassifier``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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

# The coach's thresholds on act probabilities were set on the linear layer's readings, which are
# under-confident (dividing its logits by 0.5 fits held-out industries best); the hidden layer is near
# calibrated (0.8).  Dividing its logits by 2 puts its readings back on the scale those thresholds mean.
# Chosen on development calls among 1, 2, 2.5 and 3 (docs/playbook.md, "Round ten").
READING_TEMPERATURE = 2.0


class Classifier(Protocol):
    def probabilities(self, rows: np.ndarray) -> np.ndarray: ...


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def _load_arrays(path: Path, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    try:
        with np.load(path) as data:
            if not set(names) <= set(data.files):  # e.g. a site's own build from before the hidden layer
                raise ReaderError(f"the sentence reader's weights do not fit this version of the app ({path})")
            return {name: data[name] for name in names}
    except (OSError, ValueError, EOFError):
        raise ReaderError(
            f"the sentence reader's weights cannot be read ({path}); "
            "coaching uses the playbook's cue rules only. Reinstall call-companion to restore them."
        ) from None


def _save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as f:
        np.savez(f, **{k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})
    tmp.replace(path)


@dataclass(frozen=True)
class SoftmaxClassifier:
    """Weights and bias of a multinomial logistic regression (``LABELS`` for acts, ``MOOD_LABELS``)."""

    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return _softmax(rows @ self.weights + self.bias)

    def save(self, path: Path) -> None:
        _save_arrays(path, {"weights": self.weights, "bias": self.bias})

    @classmethod
    def load(cls, path: Path, width: int, classes: int = len(LABELS)) -> SoftmaxClassifier:
        arrays = _load_arrays(path, ("weights", "bias"))
        weights, bias = arrays["weights"], arrays["bias"]
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


@dataclass(frozen=True)
class HiddenLayerClassifier:
    """One ReLU layer, then a softmax over ``LABELS``; logits divided by ``temperature`` when read."""

    hidden_weights: np.ndarray  # (features, hidden)
    hidden_bias: np.ndarray  # (hidden,)
    weights: np.ndarray  # (hidden, classes)
    bias: np.ndarray  # (classes,)
    temperature: float = READING_TEMPERATURE

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return np.maximum(rows @ self.hidden_weights + self.hidden_bias, 0.0) @ self.weights + self.bias

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        return _softmax(self.logits(rows) / self.temperature)

    def save(self, path: Path) -> None:
        _save_arrays(
            path,
            {
                "hidden_weights": self.hidden_weights,
                "hidden_bias": self.hidden_bias,
                "weights": self.weights,
                "bias": self.bias,
                "temperature": np.array(self.temperature),
            },
        )

    @classmethod
    def load(cls, path: Path, width: int, classes: int = len(LABELS)) -> HiddenLayerClassifier:
        a = _load_arrays(path, ("hidden_weights", "hidden_bias", "weights", "bias", "temperature"))
        hidden = a["hidden_bias"].shape[0] if a["hidden_bias"].ndim == 1 else -1
        shapes_fit = (
            a["hidden_weights"].shape == (width, hidden)
            and a["weights"].shape == (hidden, classes)
            and a["bias"].shape == (classes,)
            and a["temperature"].shape == ()
            and float(a["temperature"]) > 0.0
        )
        if not shapes_fit:
            raise ReaderError(f"the sentence reader's weights do not fit this version of the app ({path})")
        return cls(a["hidden_weights"], a["hidden_bias"], a["weights"], a["bias"], float(a["temperature"]))


def train_hidden(
    rows: np.ndarray,
    labels: np.ndarray,
    sample_weight: np.ndarray | None = None,
    hidden: int = 256,
    epochs: int = 60,
    rate: float = 0.003,
    l2: float = 1e-3,
    dropout: float = 0.2,
    batch: int = 2048,
    seed: int = 0,
    start: HiddenLayerClassifier | None = None,
) -> HiddenLayerClassifier:
    """Mini-batch Adam on the class-balanced cross-entropy with dropout; deterministic for a given seed.

    ``start``: weights to go on from (a team's examples added to the shipped corpus need a few epochs,
    not a full training).
    """
    n, width = rows.shape
    k = len(LABELS)
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), labels] = 1.0
    counts = np.bincount(labels, minlength=k).astype(np.float32)
    row_weight = (n / (k * np.maximum(counts, 1.0)))[labels]
    if sample_weight is not None:
        row_weight = row_weight * sample_weight
    row_weight = (row_weight / row_weight.mean()).astype(np.float32)
    rng = np.random.default_rng(seed)
    if start is not None:
        params = [start.hidden_weights, start.hidden_bias, start.weights, start.bias]
    else:
        params = [
            (rng.standard_normal((width, hidden)) * np.sqrt(2.0 / width)).astype(np.float32),
            np.zeros(hidden, np.float32),
            (rng.standard_normal((hidden, k)) * np.sqrt(1.0 / hidden)).astype(np.float32),
            np.zeros(k, np.float32),
        ]
    params = [p.astype(np.float32).copy() for p in params]
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    step = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for begin in range(0, n, batch):
            idx = order[begin : begin + batch]
            x, y, w = rows[idx], onehot[idx], row_weight[idx][:, None] / len(idx)
            w1, c1, w2, _ = params
            pre = x @ w1 + c1
            keep = (rng.random(pre.shape) >= dropout).astype(np.float32) / (1.0 - dropout)
            h = np.maximum(pre, 0.0) * keep
            error = (_softmax(h @ w2 + params[3]) - y) * w
            back = (error @ w2.T) * keep * (pre > 0)
            grads = [x.T @ back + l2 * w1, back.sum(axis=0), h.T @ error + l2 * w2, error.sum(axis=0)]
            step += 1
            correction = np.sqrt(1 - b2**step) / (1 - b1**step)
            for i, g in enumerate(grads):
                first[i] = b1 * first[i] + (1 - b1) * g
                second[i] = b2 * second[i] + (1 - b2) * g * g
                params[i] = params[i] - rate * correction * first[i] / (np.sqrt(second[i]) + eps)
    return HiddenLayerClassifier(*params)
