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


def _onehot(labels: np.ndarray, classes: int) -> np.ndarray:
    onehot = np.zeros((len(labels), classes), dtype=np.float32)
    onehot[np.arange(len(labels)), labels] = 1.0
    return onehot


def _balanced(labels: np.ndarray, classes: int, sample_weight: np.ndarray | None) -> np.ndarray:
    """Each row's weight so that every class weighs the same in the loss (times the row's own weight)."""
    counts = np.bincount(labels, minlength=classes).astype(np.float32)
    weight = (len(labels) / (classes * np.maximum(counts, 1.0)))[labels]
    return weight * sample_weight if sample_weight is not None else weight


class _Adam:
    """Adam's moment estimates for a list of parameter arrays."""

    def __init__(self, params: list[np.ndarray], rate: float) -> None:
        self.rate = rate
        self.first = [np.zeros_like(p) for p in params]
        self.second = [np.zeros_like(p) for p in params]
        self.steps = 0

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        b1, b2, eps = 0.9, 0.999, 1e-8
        self.steps += 1
        correction = np.sqrt(1 - b2**self.steps) / (1 - b1**self.steps)
        out = []
        for i, g in enumerate(grads):
            self.first[i] = b1 * self.first[i] + (1 - b1) * g
            self.second[i] = b2 * self.second[i] + (1 - b2) * g * g
            out.append(params[i] - self.rate * correction * self.first[i] / (np.sqrt(self.second[i]) + eps))
        return out


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
    width = rows.shape[1]
    onehot = _onehot(labels, classes)
    w_row = _balanced(labels, classes, sample_weight)
    w_row = (w_row / w_row.sum()).astype(np.float32)[:, None]
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal((width, classes)) * 0.01).astype(np.float32), np.zeros(classes, np.float32)]
    adam = _Adam(params, rate)
    for _ in range(steps):
        error = (SoftmaxClassifier(*params).probabilities(rows) - onehot) * w_row
        params = adam.update(params, [rows.T @ error + l2 * params[0], error.sum(axis=0)])
    return SoftmaxClassifier(params[0].astype(np.float32), params[1].astype(np.float32))


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
    onehot = _onehot(labels, k)
    row_weight = _balanced(labels, k, sample_weight)
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
    adam = _Adam(params, rate)
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
            params = adam.update(params, grads)
    return HiddenLayerClassifier(*params)
