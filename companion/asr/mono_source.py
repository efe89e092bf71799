"""A mono recording played as a two-party call: diarized first, then each party on its own channel.

The file is decoded whole and companion.asr.diarize says who spoke when; the
source then hands the pipeline two channels, each carrying one party's speech
and silence elsewhere, exactly as a stereo recording would.  So one pipeline,
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

from companion.asr.diarize import Diarization, diarize
from companion.audio.files import FileSource
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.errors import InputError
from companion.events import ONE_CHANNEL, Party, Speaker

EDGE_S = 0.15  # kept either side of a party's turn, so the recogniser hears the onset the VAD missed


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
        own = {0: np.zeros(n, dtype=bool), 1: np.zeros(n, dtype=bool)}
        padded = {0: np.zeros(n, dtype=bool), 1: np.zeros(n, dtype=bool)}
        edge = int(EDGE_S * SAMPLE_RATE)
        for turn in self.diarization.turns:
            if turn.party < 0:
                continue
            a, b = int(turn.start * SAMPLE_RATE), int(turn.end * SAMPLE_RATE)
            own[turn.party][a:b] = True
            padded[turn.party][max(0, a - edge) : b + edge] = True
        agent_party = 0 if self.agent == "first" else 1
        return {
            "agent": (padded[agent_party] & ~own[1 - agent_party]).astype(np.float32),
            "customer": (padded[1 - agent_party] & ~own[agent_party]).astype(np.float32),
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
