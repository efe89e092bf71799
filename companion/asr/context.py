"""A speaker's earlier speech, given to Whisper as context for their next line.

tiny.en recognises a short line alone worse than the same line inside a
longer stretch of the same voice: alone, the 30 s window is mostly padding.
So a line can be recognised again with the speaker's preceding lines in front
of it, and the text already settled for those lines forced as the decoder's
prefix; only the words after the prefix are new.  On our calls this brought
per-line text from 0.035 above plain offline faster-whisper to within 0.01
(``benchmarks/engine_bench.py``).  It costs about twice a plain recognition,
which is why a live call shows the plain text first and settles it after.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from companion.audio.frames import SAMPLE_RATE

# Whisper sees 30 s at a time; the context and the line must fit in one window.
WINDOW_S = 29.0
SENTENCE_ENDS = (".", "?", "!")


@dataclass(frozen=True, slots=True)
class Context:
    """Audio to put before a line, and the text it is known to say."""

    audio: np.ndarray
    text: str

    @property
    def seconds(self) -> float:
        return len(self.audio) / SAMPLE_RATE


def speech_only(audio: np.ndarray) -> np.ndarray:
    """A segment's audio without the digital silence the segmenter padded it with."""
    voiced = np.flatnonzero(audio)
    return audio[: voiced[-1] + 1] if len(voiced) else audio[:0]


class SpeakerContext:
    """The recent lines of one speaker, with their settled text, oldest first."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lines: deque[tuple[np.ndarray, str]] = deque()
        self._held = 0.0

    def add(self, audio: np.ndarray, text: str) -> None:
        """Remember a line once its settled text is known (lines without words are not context)."""
        if not text or self.seconds <= 0:
            return
        if not text.rstrip().endswith(SENTENCE_ENDS):
            # Whisper closes what it finished with a full stop.  A line without one may
            # say less than its audio (a long card number cut short); forced as a prefix,
            # the rest of that audio would be read into the next line.  Context restarts.
            self._lines.clear()
            self._held = 0.0
            return
        speech = speech_only(audio)
        self._lines.append((speech, text))
        self._held += len(speech) / SAMPLE_RATE
        while self._lines and self._held - len(self._lines[0][0]) / SAMPLE_RATE >= self.seconds:
            old, _ = self._lines.popleft()
            self._held -= len(old) / SAMPLE_RATE

    def before(self, line_audio: np.ndarray) -> Context | None:
        """The latest lines that fit before ``line_audio`` in one window, or None if there are none."""
        room = min(self.seconds, WINDOW_S - len(line_audio) / SAMPLE_RATE)
        chosen: list[tuple[np.ndarray, str]] = []
        total = 0.0
        for audio, text in reversed(self._lines):
            length = len(audio) / SAMPLE_RATE
            if total + length > room:
                break
            chosen.append((audio, text))
            total += length
        if not chosen:
            return None
        chosen.reverse()
        return Context(np.concatenate([a for a, _ in chosen]), " ".join(t for _, t in chosen))


def strip_prefix(text: str, prefix: str) -> str | None:
    """The words after the forced prefix, or None when the output does not start with it."""
    head = prefix.strip()
    if not text.startswith(head):
        return None
    return text[len(head) :].strip()
