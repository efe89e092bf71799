"""Streaming voice-activity detection with the Silero model that faster-whisper ships.

faster-whisper runs Silero over a whole file at once.  A live call needs the
same model fed a few tens of milliseconds at a time, so this keeps the LSTM
state and the 64-sample context between calls; the probabilities are the same
as the offline pass over the same audio.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from faster_whisper.vad import get_vad_model

from companion.audio.frames import SAMPLE_RATE

WINDOW = 512  # Silero's window at 16 kHz: 32 ms
CONTEXT = 64

_session_lock = threading.Lock()


class SpeechProbability:
    """Turns a stream of samples into one speech probability per 32 ms window."""

    def __init__(self) -> None:
        with _session_lock:
            self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._rest = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Return the probabilities of every complete window now available."""
        audio = np.concatenate([self._rest, samples.astype(np.float32, copy=False)])
        n = len(audio) // WINDOW
        self._rest = audio[n * WINDOW :]
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        windows = audio[: n * WINDOW].reshape(n, WINDOW)
        contexts = np.empty((n, CONTEXT), dtype=np.float32)
        contexts[0] = self._context
        contexts[1:] = windows[:-1, -CONTEXT:]
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(out, dtype=np.float32).reshape(-1)


@dataclass(frozen=True, slots=True)
class VadSettings:
    """How speech is cut into segments (one segment becomes one utterance)."""

    # 0.5 (Silero's default) clipped the first words of telephone-band speech and lost short
    # replies; 0.3 let music on hold through. 0.4 keeps both (benchmarks/eval_playbook.py).
    threshold: float = 0.4
    min_speech_s: float = 0.25  # shorter bursts (a cough, a click) are not speech
    min_silence_s: float = 0.45  # the pause that ends an utterance
    pad_s: float = 0.4  # audio kept either side of the speech (measured: 0.2 s clipped onsets, WER +0.03)
    max_segment_s: float = 25.0  # Whisper's window is 30 s; cut long monologues before it

    @property
    def neg_threshold(self) -> float:
        return max(self.threshold - 0.15, 0.01)


def window_seconds() -> float:
    return WINDOW / SAMPLE_RATE
