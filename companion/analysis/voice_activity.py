"""When each speaker is talking, from the pipeline's events alone.

The voice-activity detector announces the start of speech (``SpeechStarted``)
on time, but the end of a segment only reaches the events with its final text,
which comes later and, when a file is read faster than real time, in no fixed
order with the level readings.  So the end of speech is taken from the
channel's loudness: a speaker whose segment the detector opened stays
"talking" while their level stays above a gate set from their own channel,
and stops half a second after it last did.  Every decision uses only events
produced in call-time order by one thread, so the result does not depend on
how fast the recogniser happened to run.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import numpy as np

from companion.analysis.voice_baseline import utterance_loudness

FLOOR_DB = -90.0
BINS = 91  # 1 dB bins from -90 to 0 dBFS
# Speech a voice keeps at least this far above the channel's quietest tenth.
ABOVE_FLOOR_DB = 6.0
# Quiet syllables dip below a speaker's usual level; this much is still speech.
BELOW_SPEECH_DB = 15.0
# Silence this long after the last loud reading ends the speech (a little over
# the detector's own 0.45 s end-of-utterance pause).
HANGOVER_S = 0.5
# Until this much of a channel has been heard its noise floor is a guess.
FLOOR_AFTER_S = 3.0
DEFAULT_GATE_DB = -60.0
# A stretch of speech shorter than this has too few readings for a loudness.
MIN_STRETCH_S = 1.0


class LevelHistogram:
    """Percentiles of a channel's level readings in 1 dB bins: constant memory and time."""

    def __init__(self) -> None:
        self.counts = np.zeros(BINS, dtype=np.int64)
        self.total = 0

    def add(self, dbfs: float) -> None:
        self.counts[min(BINS - 1, max(0, round(dbfs - FLOOR_DB)))] += 1
        self.total += 1

    def percentile(self, q: float) -> float:
        rank = q * (self.total - 1)
        index = int(np.searchsorted(np.cumsum(self.counts), rank, side="right"))
        return FLOOR_DB + min(index, BINS - 1)


@dataclass
class LevelTrace:
    """Every level reading of one channel, kept to measure an utterance after its text arrives.

    Ten readings a second cost about 300 kB an hour per speaker.
    """

    times: list[float] = field(default_factory=list)
    dbfs: list[float] = field(default_factory=list)

    def add(self, t: float, dbfs: float) -> None:
        self.times.append(t)
        self.dbfs.append(dbfs)

    def between(self, start: float, end: float) -> list[float]:
        """Readings whose block lies mostly inside [start, end] (a reading's t is its block's end)."""
        lo = bisect_left(self.times, start + 0.05)
        hi = bisect_right(self.times, end + 0.05)
        return self.dbfs[lo:hi]


class VoiceActivity:
    """One speaker's talking state, updated from SpeechStarted and Level events."""

    def __init__(self) -> None:
        self.talking = False
        self.onset = 0.0  # start of the current (or last) stretch of speech
        self.last_voice: float | None = None  # call time the speaker was last heard
        self.segment = 0  # the detector's number of the last segment announced
        self.stretches: list[float] = []  # loudness of each finished stretch of speech
        self._all = LevelHistogram()
        self._speech = LevelHistogram()
        self.trace = LevelTrace()
        self._heard_s = 0.0
        self._last_t: float | None = None

    def gate(self) -> float:
        """The level above which this channel counts as voiced while a segment is open."""
        if self._heard_s < FLOOR_AFTER_S:
            return DEFAULT_GATE_DB
        gate = self._all.percentile(0.1) + ABOVE_FLOOR_DB
        if self._speech.total >= 10:
            gate = max(gate, self._speech.percentile(0.5) - BELOW_SPEECH_DB)
        return gate

    def speech_started(self, t: float, segment: int) -> None:
        self.segment = max(self.segment, segment)
        if not self.talking:
            self.talking = True
            self.onset = t
        # The detector announces speech a quarter second or more after its onset;
        # the readings since then were heard while the speaker was not yet "talking".
        gate = self.gate()
        heard = t
        for i in range(len(self.trace.times) - 1, -1, -1):
            if self.trace.times[i] <= t:
                break
            if self.trace.dbfs[i] >= gate:
                heard = self.trace.times[i]
                break
        self.last_voice = max(self.last_voice or heard, heard)

    def level(self, t: float, dbfs: float) -> bool:
        """Take a reading; return True if this reading ended the speaker's speech."""
        if self._last_t is not None:
            self._heard_s += max(0.0, t - self._last_t)
        self._last_t = t
        self._all.add(dbfs)
        self.trace.add(t, dbfs)
        if not self.talking:
            return False
        if dbfs >= self.gate():
            self._speech.add(dbfs)
            self.last_voice = t
            return False
        if self.last_voice is not None and t - self.last_voice >= HANGOVER_S:
            self.talking = False
            if self.last_voice - self.onset >= MIN_STRETCH_S:
                loudness = utterance_loudness(self.trace.between(self.onset, self.last_voice))
                if loudness is not None:
                    self.stretches.append(loudness)
            return True
        return False

    def louder_now(self) -> float | None:
        """How much louder the speech going on now is than this speaker's earlier stretches, in dB.

        Known while the speaker is still talking, from the levels alone, so a
        shouting customer counts as upset before their words are transcribed.
        """
        if not self.talking or len(self.stretches) < 2 or self.last_voice is None:
            return None
        if self.last_voice - self.onset < MIN_STRETCH_S:
            return None
        now = utterance_loudness(self.trace.between(self.onset, self.last_voice))
        if now is None:
            return None
        return now - float(np.median(self.stretches))
