"""Whisper passes whose encoder window is cut to the audio instead of padded to 30 s.

faster-whisper pads every pass's log-mel features to Whisper's 3000 frames (30 s),
so a 2 s line costs the encoder as much as a 30 s one: about 0.58 of a pass's
0.77 CPU-s.  CTranslate2's Whisper encoder accepts fewer frames (whisper.cpp's
``audio_ctx``), so here the features are padded only to the audio plus a margin
of silence, rounded up to a bucket (so shapes repeat), and the encoder output is
handed to faster-whisper's own decoding loop (``generate_segments``).

Cut to the audio exactly, tiny.en does not know where speech ends and loops
(docs/engine.md); the margin, and digital silence after provisional audio that
stops mid-word, give it an end.  What was measured, and where it is not used, is
in docs/engine.md ("Shorter encoder windows").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from companion.audio.frames import SAMPLE_RATE

FULL_FRAMES = 3000  # Whisper's 30 s window, 100 log-mel frames a second
FRAMES_PER_S = 100
# Speech is 3-5 tokens a second; a pass that writes more than this has looped, and is
# done again on the full window (the cap also bounds what the loop costs to decode).
TOKENS_PER_S = 8
TOKENS_EXTRA = 8


@dataclass(frozen=True, slots=True)
class WindowRule:
    """How far past the audio the encoder window reaches."""

    margin_s: float = 2.0  # silence after the audio, so the decoder sees the speech end
    bucket_frames: int = 500  # windows come in 5 s steps: few shapes, reused buffers
    # In a 5 s window a first partial (about 1 s of speech) looped ("Great. Great. Great...")
    # on 4 of 48 partials of two calls; in 10 s none did.
    min_frames: int = 1000

    def frames(self, content_frames: int) -> int:
        """The encoder window for ``content_frames`` frames of audio (never more than 30 s)."""
        wanted = max(self.min_frames, content_frames + round(self.margin_s * FRAMES_PER_S))
        return min(FULL_FRAMES, -(-wanted // self.bucket_frames) * self.bucket_frames)


class ShortWindow:
    """Recognises audio with a faster-whisper model, the encoder run on a window cut to the audio.

    Decoding options are faster-whisper's own (taken from one ``transcribe`` call on a
    tenth of a second of silence, never decoded), so a pass here differs from
    ``model.transcribe`` only in the encoder's window.
    """

    def __init__(self, model: object, language: str, rule: WindowRule | None = None) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self._model = model
        self.rule = rule or WindowRule()
        _segments, info = model.transcribe(  # type: ignore[attr-defined]
            np.zeros(SAMPLE_RATE // 10, dtype=np.float32),
            language=language,
            beam_size=1,
            best_of=1,
            temperature=0.0,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        self._options = info.transcription_options
        inner = model.model  # type: ignore[attr-defined]
        self._tokenizer = Tokenizer(
            model.hf_tokenizer,  # type: ignore[attr-defined]
            inner.is_multilingual,
            task="transcribe",
            language=info.language,
        )

    def transcribe(
        self,
        audio: np.ndarray,
        beam_size: int,
        prefix: str | None = None,
        word_timestamps: bool = False,
    ) -> tuple[list, bool]:
        """The segments of one pass (faster-whisper's), and whether it was done again.

        A pass that loops is done again with Whisper's 30 s window.
        """
        model = self._model
        features = model.feature_extractor(audio)  # type: ignore[attr-defined]
        content = features.shape[-1] - 1  # as faster-whisper counts it
        frames = self.rule.frames(content)
        if frames >= FULL_FRAMES:
            return self.full(audio, beam_size, prefix, word_timestamps), False
        # Zeros, as faster-whisper pads its 30 s window.
        window = np.zeros((features.shape[0], frames), dtype=np.float32)
        window[:, : min(content, frames)] = features[:, : min(content, frames)]
        encoded = model.encode(window)  # type: ignore[attr-defined]
        cap = TOKENS_EXTRA + round(TOKENS_PER_S * content / FRAMES_PER_S)
        if prefix:
            cap += len(self._tokenizer.encode(" " + prefix.strip()))
        options = dataclasses.replace(
            self._options,
            beam_size=beam_size,
            prefix=prefix,
            without_timestamps=not word_timestamps,
            word_timestamps=word_timestamps,
            max_new_tokens=cap,
        )
        segments = list(model.generate_segments(features, self._tokenizer, options, False, encoded))  # type: ignore[attr-defined]
        if sum(len(s.tokens) for s in segments) >= cap:
            return self.full(audio, beam_size, prefix, word_timestamps), True
        return segments, False

    def full(self, audio: np.ndarray, beam_size: int, prefix: str | None = None, word_timestamps: bool = False) -> list:
        """The segments of one pass on Whisper's padded 30 s window (faster-whisper's own ``transcribe``)."""
        segments, _info = self._model.transcribe(  # type: ignore[attr-defined]
            audio,
            language=self._tokenizer.language_code,
            beam_size=beam_size,
            best_of=1,
            temperature=0.0,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=not word_timestamps,
            word_timestamps=word_timestamps,
            prefix=prefix,
        )
        return list(segments)
