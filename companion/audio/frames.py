"""The unit of audio that flows from a source to the transcriber."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from companion.events import Speaker

SAMPLE_RATE = 16_000
"""Every speaker's audio is resampled to 16 kHz mono, the rate Whisper and Silero expect."""


@dataclass(frozen=True, slots=True)
class AudioBlock:
    """A run of one speaker's samples (float32, -1..1, 16 kHz) starting at call time ``t0``."""

    speaker: Speaker
    t0: float
    samples: np.ndarray

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def t1(self) -> float:
        return self.t0 + self.duration


def dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS, floored at -90 so silence has a finite reading."""
    if len(samples) == 0:
        return -90.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(-90.0, 20.0 * np.log10(rms + 1e-12))
