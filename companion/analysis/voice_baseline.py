"""Each speaker's own usual loudness and rate in this call, and how far an utterance departs from it.

Loudness is relative to the same speaker on the same channel, because levels
differ far more between headsets and phone lines than between a calm and a
raised voice.  An utterance's loudness is the 80th percentile of its level
readings: the pauses and soft consonants inside it, whose share varies from
sentence to sentence, do not pull it down, and one click does not push it up.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import numpy as np

LOUDNESS_PERCENTILE = 80.0
# Shorter utterances ("yes") have too few readings for a loudness, and their
# rate is meaningless.
MIN_LOUDNESS_S = 0.5
MIN_RATE_S = 1.5


def utterance_loudness(readings: list[float]) -> float | None:
    """Loudness of one utterance in dBFS from its 0.1 s level readings."""
    if not readings:
        return None
    return float(np.percentile(readings, LOUDNESS_PERCENTILE))


def words_per_minute(words: int, seconds: float) -> float | None:
    if seconds < MIN_RATE_S or words == 0:
        return None
    return words / seconds * 60.0


@dataclass(frozen=True, slots=True)
class Departure:
    """How one utterance compares with its speaker's baseline."""

    loudness_db: float  # the utterance's loudness minus the baseline's
    rate_ratio: float | None  # the utterance's rate over the baseline's, when both are known


@dataclass
class SpeakerBaseline:
    """The running picture of one speaker's calm voice: utterances that were not raised."""

    loudness: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    heard_s: float = 0.0

    def ready(self, min_speech_s: float) -> bool:
        return self.heard_s >= min_speech_s and len(self.loudness) >= 2

    def compare(self, loudness: float, rate: float | None) -> Departure:
        base = statistics.median(self.loudness)
        ratio = None
        if rate is not None and self.rates:
            ratio = rate / statistics.median(self.rates)
        return Departure(loudness - base, ratio)

    def add(self, loudness: float, rate: float | None, seconds: float) -> None:
        self.loudness.append(loudness)
        if rate is not None:
            self.rates.append(rate)
        self.heard_s += seconds
