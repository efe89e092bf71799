"""A mono recording played as a two-party call: diarized first, then each party on its own channel.

The file is decoded whole and companion.asr.diarize says who spoke when; the
source then hands the pipeline two channels, each carrying one party's speech
(with the unclaimed sound beside it, see ``owners``) and silence elsewhere,
exactly as a stereo recording would.  So one pipeline,
one coach and one store serve mono and stereo alike.  Party "first" (who
speaks first) starts as the agent unless told otherwise; the words settle it
after recognition (companion.call_analysis).  A file with one voice stays one
``call`` speaker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from companion.asr.diarize import NO_PARTY, Diarization, diarize
from companion.audio.files import FileSource
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.errors import InputError
from companion.events import ONE_CHANNEL, Party, Speaker

# Sound between two turns that the diarizer's VAD did not call speech is no one's yet; it goes to
# the turns either side of it, split at its quietest point, up to this far from a turn.  The
# diarizer's VAD misses quiet onsets and tails, and on the telephone band whole phrases after a
# digital silence (Silero reads them at 0.2-0.38 against a bar of 0.4): zeroed, they were lost to
# the recogniser, which a stereo channel never loses.  Each channel's own VAD still decides what
# is speech, as on a stereo call.
FILL_S = 2.0
UNCLAIMED = -2
QUIET_DB = 3.0  # frames within this of the quietest part of a gap are where the gap may be split


class MonoSource:
    """Plays a diarized mono file; ``agent`` is "first" or "second" (which party is the agent)."""

    carries_audio = True
    voices_apart = True  # each channel holds only its voice's pieces: no leak to look for

    def __init__(self, path: str | Path, agent: Party = "first", realtime: bool = False) -> None:
        self.path = Path(path)
        self.realtime = realtime
        self.description = str(self.path)
        self.agent: Party = agent
        self.error: InputError | None = None
        file = FileSource(self.path, realtime=False)
        self.declared_duration = file.declared_duration
        blocks: list[np.ndarray] = []
        try:
            file.run(lambda block: blocks.append(block.samples), threading.Event())
        except InputError as exc:
            if not blocks:
                raise
            self.error = exc  # a truncated file: what was decoded is still the call, the error comes last
        self.samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
        started = time.perf_counter()
        self.diarization: Diarization = diarize(self.samples)
        self.diarize_s = time.perf_counter() - started
        self.decoded_duration = len(self.samples) / SAMPLE_RATE

    @property
    def two_parties(self) -> bool:
        return self.diarization.parties == 2

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        if not self.two_parties:
            return (("call", "mono"),)
        customer = "second" if self.agent == "first" else "first"
        return (("agent", f"{ONE_CHANNEL}{self.agent} voice"), ("customer", f"{ONE_CHANNEL}{customer} voice"))

    def party_of(self, speaker: Speaker) -> Party | None:
        if not self.two_parties or speaker == "call":
            return None
        if speaker == "agent":
            return self.agent
        return "second" if self.agent == "first" else "first"

    def masks(self) -> dict[Speaker, np.ndarray]:
        """Per speaker, 1 where the sample is theirs."""
        n = len(self.samples)
        if not self.two_parties:
            return {"call": np.ones(n, dtype=np.float32)}
        owner = owners(self.samples, self.diarization)
        agent_party = 0 if self.agent == "first" else 1
        return {
            "agent": (owner == agent_party).astype(np.float32),
            "customer": (owner == 1 - agent_party).astype(np.float32),
        }

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:
        from companion.audio.files import BLOCK_SAMPLES

        masks = self.masks()
        wall_start = time.monotonic()
        for start in range(0, len(self.samples), BLOCK_SAMPLES):
            if stop.is_set():
                return
            t = start / SAMPLE_RATE
            block = self.samples[start : start + BLOCK_SAMPLES]
            if self.realtime:
                delay = wall_start + t + len(block) / SAMPLE_RATE - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    return
            for speaker, mask in masks.items():
                deliver(AudioBlock(speaker, t, block * mask[start : start + BLOCK_SAMPLES]))
        if self.error is not None:
            raise self.error


def owners(samples: np.ndarray, diarization: Diarization) -> np.ndarray:
    """Per sample, the party it is given to (NO_PARTY: nobody's, or sound that fits neither voice).

    A turn's samples are its party's.  The unclaimed sound between two turns goes to both
    neighbours, split at the quietest part of the gap, each side at most FILL_S from its turn;
    sound that fits neither voice is a wall no party's channel reaches over.
    """
    n = len(samples)
    owner = np.full(n, UNCLAIMED, dtype=np.int8)
    for turn in diarization.turns:
        owner[int(turn.start * SAMPLE_RATE) : int(turn.end * SAMPLE_RATE)] = turn.party
    fill = int(FILL_S * SAMPLE_RATE)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], (owner == UNCLAIMED).astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        left = int(owner[a - 1]) if a > 0 else NO_PARTY
        right = int(owner[b]) if b < n else NO_PARTY
        split = _quietest(samples[a:b]) + a if left >= 0 and right >= 0 and left != right else (a + b) // 2
        if left < 0:
            split = a  # only the turn after the gap reaches into it
        elif right < 0:
            split = b
        owner[a:b] = NO_PARTY
        if left >= 0:
            owner[a : min(split, a + fill)] = left
        if right >= 0:
            owner[max(split, b - fill) : b] = right
    owner[owner == UNCLAIMED] = NO_PARTY
    return owner


def _quietest(gap: np.ndarray) -> int:
    """Where to split a gap between two voices: the middle of its longest run of quietest 10 ms frames."""
    hop = SAMPLE_RATE // 100
    frames = len(gap) // hop
    if frames < 3:
        return len(gap) // 2
    power = (gap[: frames * hop].astype(np.float64).reshape(frames, hop) ** 2).mean(axis=1)
    level = 10 * np.log10(np.convolve(power, np.ones(5) / 5, mode="same") + 1e-12)
    quiet = np.concatenate([[0], (level <= level.min() + QUIET_DB).astype(np.int8), [0]])
    bounds = np.flatnonzero(np.diff(quiet))
    starts, ends = bounds[::2], bounds[1::2]
    longest = int(np.argmax(ends - starts))
    return int((starts[longest] + ends[longest]) // 2 * hop)
