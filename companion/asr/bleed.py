"""Speaker bleed: whether a stretch of one channel is the other channel's speech, leaked.

An agent on a laptop speaker puts the customer's voice into the agent's microphone,
10-20 dB down and a few tens of milliseconds late; a dual-mono recording (or a public
stereo recording of one speaker) has the same voice on both channels.  Silero hears
speech in either, so without this every such line would be recognised twice.

The test is over a segment's speech span, against the other channel's audio around it:
the normalised cross-correlation at the best lag within what a loudspeaker and two
devices' clocks add (-100 to +200 ms), and the level of this channel against the other,
aligned.  When the other channel's delayed copy explains most of this one's energy
(correlation squared >= 0.5):

* this channel at least ``SAME_VOICE_DB`` quieter: a **leak**, the line is the other's;
* within ``SAME_VOICE_DB`` of it: the **same voice** on both (dual mono).

Otherwise, double talk included (a -10 dB leak under the agent's own words explains
a tenth of their energy), the segment is the channel's **own**.  A waveform copy
explains almost all of it; two unrelated voices rarely a tenth at any lag.  A room's
echoes spread a loudspeaker's sound over a few hundred milliseconds, and the waveform
test misses a leak whose direct sound is under half its energy; for a segment of a
second or more the loudness contours (10 ms log energies) are compared as well.

Cheap on purpose: a segment whose channel is clearly the louder one is settled with two
sums; the lag is searched (one FFT over at most 3 s, at 8 kHz) only when the other channel
is as loud or louder, and a leak's lag is remembered, so the next leaked line costs two
dot products.  ``companion.asr.bleed_router`` applies the verdicts to the segmenter's output.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from companion.asr.vad import WINDOW
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.events import Speaker

VerdictKind = Literal["own", "leak", "same", "unknown"]

# Lags searched: the other channel up to 200 ms earlier (a loudspeaker's path, ~60 ms, plus
# two capture devices started apart) or up to 100 ms later (the devices the other way round).
MAX_DELAY = int(0.200 * SAMPLE_RATE)
MAX_LEAD = int(0.100 * SAMPLE_RATE)
# Share of this channel's energy the other's aligned copy must explain (correlation squared).
MIN_EXPLAINED = 0.5
# Within this many dB of each other, one voice on both channels is the same voice, not a leak.
# A loudspeaker leak measured -10 to -20 dB; a dual-mono recording within 1-2 dB.
SAME_VOICE_DB = 4.0
# This much louder than the other channel (unaligned), a channel is the source: no search.
CLEARLY_LOUDER_DB = SAME_VOICE_DB + 3.0
# Less than this of both channels to compare says nothing.  A segment is announced after
# 0.25 s of speech, and the other channel's latest block may not have arrived yet.
MIN_SPAN = int(0.15 * SAMPLE_RATE)
SEARCH = int(3.0 * SAMPLE_RATE)  # the lag is searched over a segment's first 3 s
# The loudness-contour test for reverberant leaks (``_by_envelope``): over 10 ms frames, a
# second at least, a match of 0.8 (correlation of log energies) and 6 dB under the other.
FRAME = SAMPLE_RATE // 100
ENVELOPE_MIN_SPAN = SAMPLE_RATE
ENVELOPE_MIN_MATCH = 0.8
ENVELOPE_MIN_DROP_DB = 6.0
HISTORY_S = 30.0  # longer than a segment can be (25 s) with its pre-roll
SILENT = 1e-10  # energy per sample below which a channel holds nothing (about -100 dBFS)
LOUD = 10 ** (-55 / 10)  # energy per sample above which a window is more than room noise


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whose speech a stretch of one channel is."""

    kind: VerdictKind
    lag_s: float = 0.0  # how late this channel carries the other's sound
    level_db: float = 0.0  # this channel's level against the other's aligned copy
    # Share of this channel's energy the other's copy explains (or, found by the loudness
    # contours, how well they match).
    explained: float = 0.0


OWN = Verdict("own")
UNKNOWN = Verdict("unknown")  # too little of both channels yet to say


class ChannelHistory:
    """The last ``seconds`` of one channel, addressed by absolute sample number."""

    def __init__(self, seconds: float = HISTORY_S) -> None:
        self._buf = np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
        self.end = 0  # one past the newest sample written

    @property
    def start(self) -> int:
        return max(0, self.end - len(self._buf))

    def add(self, t0: float, samples: np.ndarray) -> None:
        a = round(t0 * SAMPLE_RATE)
        n = len(samples)
        if n == 0:
            return
        size = len(self._buf)
        oldest = max(self.start, a + n - size)  # what is older than this is no longer (or never) kept
        if a < oldest:
            samples, a = samples[oldest - a :], oldest
            n = len(samples)
            if n == 0:
                return
        if a > self.end:  # a gap in the input is silence
            self._write(self.end, np.zeros(min(a - self.end, size), dtype=np.float32))
        self._write(a, samples)
        self.end = max(self.end, a + n)

    def _write(self, a: int, samples: np.ndarray) -> None:
        size = len(self._buf)
        i = a % size
        first = min(len(samples), size - i)
        self._buf[i : i + first] = samples[:first]
        self._buf[: len(samples) - first] = samples[first:]

    def span(self, a: int, b: int) -> np.ndarray:
        """Samples ``a`` to ``b``: silence before the call's start and past what has arrived."""
        lo, hi = max(a, self.start), min(b, self.end)
        if lo >= hi:
            return np.zeros(b - a, dtype=np.float32)
        size = len(self._buf)
        i, j = lo % size, hi % size
        kept = self._buf[i:j] if j > i else np.concatenate([self._buf[i:], self._buf[:j]])
        if lo == a and hi == b:
            return kept
        return np.concatenate([np.zeros(lo - a, dtype=np.float32), kept, np.zeros(b - hi, dtype=np.float32)])


class BleedJudge:
    """Keeps both channels' recent audio and judges a segment against the other channel."""

    def __init__(self, speakers: Sequence[Speaker]) -> None:
        if len(speakers) != 2:
            raise ValueError("bleed is judged between exactly two channels")
        self.speakers = tuple(speakers)
        self._history = {s: ChannelHistory() for s in self.speakers}
        # The lag at which the other channel's copy was last found in each: a leak's path stays put.
        self._known_lag: dict[Speaker, int] = {}

    def add(self, block: AudioBlock) -> None:
        history = self._history.get(block.speaker)
        if history is not None:
            history.add(block.t0, block.samples)

    def judge(self, speaker: Speaker, start: float, end: float | None = None) -> Verdict:
        """Whose speech ``speaker``'s channel carries from ``start`` to ``end`` (None: the newest)."""
        other = self.speakers[1] if speaker == self.speakers[0] else self.speakers[0]
        mine, theirs = self._history[speaker], self._history[other]
        b = mine.end if end is None else min(round(end * SAMPLE_RATE), mine.end)
        b = min(b, theirs.end)  # the other channel may not have delivered as far yet
        a = max(round(start * SAMPLE_RATE), mine.start)
        if b - a < MIN_SPAN:
            return UNKNOWN
        x = mine.span(a, b)
        y = theirs.span(a - MAX_DELAY, b + MAX_LEAD)  # y[k + n] is aligned with x[n] at lag MAX_DELAY - k
        ex = float(np.dot(x, x))
        if ex < SILENT * len(x):
            return OWN
        ey = float(np.dot(y, y)) * len(x) / len(y)
        if ey < SILENT * len(x) or 10 * np.log10(ex / ey) > CLEARLY_LOUDER_DB:
            return OWN
        lag = self._known_lag.get(speaker)  # samples this channel is late by
        if lag is None or _explained(x, y, MAX_DELAY - lag)[0] < MIN_EXPLAINED:
            lag = MAX_DELAY - _search(x, y)
        explained, level_db = _explained(x, y, MAX_DELAY - lag)
        if explained < MIN_EXPLAINED:
            by_envelope = _by_envelope(x, y)
            # Own, but with the lag at which part of it may be the other's (``leaked_windows``).
            return by_envelope if by_envelope.kind == "leak" else Verdict("own", lag / SAMPLE_RATE, level_db, explained)
        verdict = Verdict("own", lag / SAMPLE_RATE, level_db, explained)
        self._known_lag[speaker] = lag
        if level_db <= -SAME_VOICE_DB:
            return dataclasses.replace(verdict, kind="leak")
        if level_db < SAME_VOICE_DB:
            return dataclasses.replace(verdict, kind="same")
        return verdict

    def lag_into(self, speaker: Speaker) -> float | None:
        """The lag (s) at which the other channel's sound was last found in this one, if ever."""
        lag = self._known_lag.get(speaker)
        return None if lag is None else lag / SAMPLE_RATE

    def leaked_windows(self, speaker: Speaker, t0: float, n: int, lag_s: float) -> np.ndarray:
        """Which 32 ms windows of ``speaker``'s audio from ``t0`` (``n`` samples) are the other's, leaked.

        Per window, the other channel's copy at ``lag_s`` explains at least half the energy
        and is ``SAME_VOICE_DB`` louder: the leaked stretches of a segment that is, as a
        whole, the speaker's own (the agent answering right as the customer stops).
        """
        other = self.speakers[1] if speaker == self.speakers[0] else self.speakers[0]
        count = n // WINDOW
        a, lag = round(t0 * SAMPLE_RATE), round(lag_s * SAMPLE_RATE)
        x = self._history[speaker].span(a, a + count * WINDOW).reshape(count, WINDOW).astype(np.float64)
        y = self._history[other].span(a - lag, a - lag + count * WINDOW).reshape(count, WINDOW).astype(np.float64)
        ex, ey = np.einsum("ij,ij->i", x, x), np.einsum("ij,ij->i", y, y)
        r = np.einsum("ij,ij->i", x, y)
        explained = r * r / np.maximum(ex * ey, SILENT * SILENT)
        quieter = ex * 10 ** (SAME_VOICE_DB / 10) <= ey
        return (explained >= MIN_EXPLAINED) & quieter & (ey > SILENT * WINDOW)

    def loud_windows(self, speaker: Speaker, t0: float, n: int) -> np.ndarray:
        """Which 32 ms windows hold more than room noise (over -55 dBFS)."""
        count = n // WINDOW
        a = round(t0 * SAMPLE_RATE)
        x = self._history[speaker].span(a, a + count * WINDOW).reshape(count, WINDOW).astype(np.float64)
        return np.einsum("ij,ij->i", x, x) > LOUD * WINDOW


def _by_envelope(x: np.ndarray, y: np.ndarray) -> Verdict:
    """A leak through a reverberant room: the waveforms no longer match, the loudness contours do.

    The log energy of 10 ms frames of x against y's, at the best lag.  Only over a second
    or more (over half a second two unrelated voices matched up to 0.87), and only a leak,
    never the same voice: double talk at equal levels matched up to 0.71.
    """
    if len(x) < ENVELOPE_MIN_SPAN:
        return OWN
    fx, fy = _frame_energy(x), _frame_energy(y)
    lx = np.log10(fx + fx.max() * 1e-4 + SILENT)
    ly = np.log10(fy + fy.max() * 1e-4 + SILENT)
    n, lags = len(lx), (MAX_DELAY + MAX_LEAD) // FRAME + 1
    windows = np.lib.stride_tricks.sliding_window_view(ly, n)[:lags]
    xc = lx - lx.mean()
    wc = windows - windows.mean(axis=1, keepdims=True)
    denom = np.sqrt((wc * wc).sum(axis=1) * float(xc @ xc))
    r = (wc @ xc) / np.maximum(denom, SILENT)
    k = int(np.argmax(r))
    if r[k] < ENVELOPE_MIN_MATCH:
        return OWN
    level_db = 10 * float(np.log10(fx.sum() / max(float(fy[k : k + n].sum()), SILENT)))
    if level_db > -ENVELOPE_MIN_DROP_DB:
        return OWN
    return Verdict("leak", (MAX_DELAY - k * FRAME) / SAMPLE_RATE, level_db, float(r[k]))


def _frame_energy(x: np.ndarray) -> np.ndarray:
    n = len(x) // FRAME
    frames = x[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    return np.einsum("ij,ij->i", frames, frames)


def _explained(x: np.ndarray, y: np.ndarray, k: int) -> tuple[float, float]:
    """Share of x's energy that y's copy at offset k explains, and x's level against that copy (dB)."""
    yk = y[k : k + len(x)]
    ex, eyk = float(np.dot(x, x)), float(np.dot(yk, yk))
    if eyk < SILENT * len(x):
        return 0.0, 0.0
    r = float(np.dot(x, yk))
    return r * r / (ex * eyk), 10 * float(np.log10(ex / eyk))


def _search(x: np.ndarray, y: np.ndarray) -> int:
    """The offset k in y (0 .. MAX_DELAY + MAX_LEAD) whose copy best matches x, sign ignored.

    Searched at 8 kHz over x's first 3 s (speech's energy is below 4 kHz), then refined
    to the sample at 16 kHz.
    """
    x2 = _halve(x[:SEARCH])
    y2 = _halve(y[: len(x2) * 2 + MAX_DELAY + MAX_LEAD])
    lags = (MAX_DELAY + MAX_LEAD) // 2 + 1
    n = len(x2)
    # Circular correlation is exact for these lags once the transform holds all of y2.
    size = 1 << int(np.ceil(np.log2(len(y2))))
    corr = np.fft.irfft(np.fft.rfft(y2, size) * np.conj(np.fft.rfft(x2, size)), size)[:lags]
    window = np.concatenate([[0.0], np.cumsum(np.square(y2, dtype=np.float64))])
    energy = window[n : n + lags] - window[:lags]
    score = corr * corr / np.maximum(energy, 1e-20)
    coarse = 2 * int(np.argmax(score))
    best = max(
        range(max(0, coarse - 1), min(MAX_DELAY + MAX_LEAD, coarse + 1) + 1),
        key=lambda k: _explained(x[:SEARCH], y, k)[0],
    )
    return best


def _halve(x: np.ndarray) -> np.ndarray:
    """Half the sample rate by averaging pairs (a crude low-pass, enough to find a lag)."""
    n = len(x) // 2 * 2
    return (x[:n:2] + x[1:n:2]) * 0.5
