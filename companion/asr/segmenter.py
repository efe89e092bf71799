"""Cuts one speaker's audio into speech segments as it arrives.

Only audio the voice-activity detector calls speech ever reaches the
recogniser, so room noise, hum or typing on a quiet channel cannot turn into
invented words.  The segmenter also says when to try a provisional transcript
(while the person talks) and an early final one (as soon as they pause), which
is how final text arrives well under a second after the speaker stops.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from companion.asr.vad import WINDOW, SpeechProbability, VadSettings
from companion.audio.frames import SAMPLE_RATE
from companion.events import Speaker

WINDOW_S = WINDOW / SAMPLE_RATE
# Real audio kept after the last speech window; the rest of the pad is digital
# silence (what Whisper pads with anyway).  Keeping this short lets the early
# final start 32 ms after the speaker stops instead of waiting for a full pad
# (no change in WER on the benchmark call).
TAIL_WINDOWS = 1


@dataclass(frozen=True, slots=True)
class SegmentAudio:
    """A snapshot of a segment's audio for the recogniser."""

    speaker: Speaker
    segment: int
    start: float  # call time of the speech onset
    end: float  # call time of the speech end (or of the newest audio for a partial)
    audio: np.ndarray  # padded audio handed to Whisper
    audio_t0: float  # call time of the audio's first sample
    kind: str  # "partial", "prefinal" or "final"


@dataclass(frozen=True, slots=True)
class SegmentStarted:
    speaker: Speaker
    segment: int
    start: float


class Segmenter:
    """Per-speaker voice-activity state machine producing SegmentAudio requests."""

    def __init__(
        self,
        speaker: Speaker,
        settings: VadSettings,
        partial_every_s: float | None = 0.5,
        first_partial_s: float = 0.35,
        prefinal_after_windows: int = TAIL_WINDOWS,
        short_line_s: float = 0.0,
        short_line_prefinal_windows: int = TAIL_WINDOWS,
    ) -> None:
        self.speaker = speaker
        self.settings = settings
        self.partial_every_s = partial_every_s
        self.first_partial_s = first_partial_s
        # Windows of silence before an early final starts: each one that a resumed line
        # wastes costs a full pass, so a lower power setting waits a little longer.
        self.prefinal_after_windows = max(TAIL_WINDOWS, prefinal_after_windows)
        # A line shorter than short_line_s so far waits longer: most pauses inside lines come
        # early (after a greeting, a "yes,"), and a short line's final pass is quick anyway.
        self.short_line_s = short_line_s
        self.short_line_prefinal_windows = max(TAIL_WINDOWS, short_line_prefinal_windows)
        self._vad = SpeechProbability()
        self._pad_windows = max(1, round(settings.pad_s / WINDOW_S))
        self._preroll: deque[np.ndarray] = deque(maxlen=self._pad_windows)
        self._pending = np.zeros(0, dtype=np.float32)
        self._t = 0.0  # call time of the next window
        self._t0: float | None = None  # call time of the first sample seen
        self._segment_count = 0
        self._reset_segment()

    def _reset_segment(self) -> None:
        self._active = False
        self._announced = False
        self._windows: list[np.ndarray] = []
        self._start = 0.0
        self._audio_t0 = 0.0
        self._speech_windows = 0
        self._silent_run = 0
        self._last_speech_end = 0.0
        self._windows_at_speech_end = 0
        self._next_partial = 0.0
        self._prefinal_sent = False

    def feed(self, t0: float, samples: np.ndarray) -> list[SegmentAudio | SegmentStarted]:
        """Consume a block starting at call time ``t0``; return what the recogniser should do."""
        if self._t0 is None:
            self._t0 = t0
            self._t = t0
        self._pending = np.concatenate([self._pending, samples])
        n = len(self._pending) // WINDOW
        if n == 0:
            return []
        windows = self._pending[: n * WINDOW].reshape(n, WINDOW)
        self._pending = self._pending[n * WINDOW :]
        probs = self._vad.feed(windows.reshape(-1))
        out: list[SegmentAudio | SegmentStarted] = []
        for window, p in zip(windows, probs, strict=True):
            self._step(window, float(p), out)
            self._t += WINDOW_S
        return out

    def flush(self) -> list[SegmentAudio | SegmentStarted]:
        """The audio ended: close an open segment as if the speaker had stopped."""
        out: list[SegmentAudio | SegmentStarted] = []
        if self._active:
            end_windows = self._windows_at_speech_end or len(self._windows)
            self._close(out, end_windows)
        return out

    def _step(self, window: np.ndarray, p: float, out: list[SegmentAudio | SegmentStarted]) -> None:
        s = self.settings
        if not self._active:
            if p >= s.threshold:
                self._active = True
                self._start = self._t
                self._audio_t0 = self._t - len(self._preroll) * WINDOW_S
                self._windows = list(self._preroll)
                self._windows.append(window)
                self._speech_windows = 1
                self._windows_at_speech_end = len(self._windows)
                self._last_speech_end = self._t + WINDOW_S
                self._next_partial = self._t + self.first_partial_s
            self._preroll.append(window)
            return

        self._windows.append(window)
        if p >= s.threshold or (p >= s.neg_threshold and self._silent_run == 0):
            self._silent_run = 0
            self._speech_windows += 1
            self._windows_at_speech_end = len(self._windows)
            self._last_speech_end = self._t + WINDOW_S
            self._prefinal_sent = False
        else:
            self._silent_run += 1

        speech_s = self._speech_windows * WINDOW_S
        if not self._announced and speech_s >= s.min_speech_s:
            self._announced = True
            self._segment_count += 1
            out.append(SegmentStarted(self.speaker, self._segment_count, self._start))

        silent_s = self._silent_run * WINDOW_S
        now = self._t + WINDOW_S
        if silent_s >= s.min_silence_s:
            self._close(out, self._windows_at_speech_end)
            return
        if now - self._start >= s.max_segment_s:
            self._close(out, len(self._windows))
            return
        if not self._announced:
            return
        if self.partial_every_s is None:
            return
        if self._silent_run >= self._prefinal_windows() and not self._prefinal_sent:
            # The speaker paused: transcribe exactly what a final would, so if the
            # pause turns out to end the utterance the text is already there.  If they
            # go on, that text serves as the line's partial, so the next one can wait.
            self._prefinal_sent = True
            self._next_partial = max(self._next_partial, now + self.partial_every_s)
            out.append(self._snapshot("prefinal", self._windows_at_speech_end))
        elif self._silent_run == 0 and now >= self._next_partial:
            self._next_partial = now + self.partial_every_s
            out.append(self._snapshot("partial", len(self._windows)))

    def _prefinal_windows(self) -> int:
        """Windows of silence before an early final, for the line as long as it is so far."""
        if self._last_speech_end - self._start < self.short_line_s:
            return self.short_line_prefinal_windows
        return self.prefinal_after_windows

    def _snapshot(self, kind: str, speech_windows: int) -> SegmentAudio:
        if kind == "partial":
            audio = np.concatenate(self._windows)
        else:
            # Finals and early finals are built the same way so an early one can stand in.
            keep = min(len(self._windows), speech_windows + TAIL_WINDOWS)
            silence = np.zeros(
                (self._pad_windows - TAIL_WINDOWS) * WINDOW if self._pad_windows > TAIL_WINDOWS else 0,
                dtype=np.float32,
            )
            audio = np.concatenate([*self._windows[:keep], silence])
        end = self._last_speech_end if kind != "partial" else self._t + WINDOW_S
        return SegmentAudio(self.speaker, self._segment_count, self._start, end, audio, self._audio_t0, kind)

    def _close(self, out: list[SegmentAudio | SegmentStarted], speech_windows: int) -> None:
        if self._announced:
            out.append(self._snapshot("final", speech_windows))
        # The tail of the segment is the next segment's pre-roll.
        self._preroll.clear()
        for w in self._windows[-self._pad_windows :]:
            self._preroll.append(w)
        self._reset_segment()
