"""Passes on an encoder window cut to the audio: the same words as Whisper's 30 s window, for less CPU.

Real tiny.en on espeak-ng speech.  The CPU figures of a whole call are in
benchmarks/cpu_bench.py; here only that a short line's pass costs clearly less
than a padded one (process CPU time, the best of three, so load matters little).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from companion.asr.model import ModelSettings, load_model
from companion.asr.transcriber import PARTIAL_SILENCE
from companion.asr.window import FULL_FRAMES, TOKENS_EXTRA, TOKENS_PER_S, ShortWindow, WindowRule
from tests import speech

LINE = "I am sorry the engineer did not come on Tuesday. I will book a new visit for Friday morning."


def test_the_window_covers_the_audio_and_a_margin_in_whole_buckets() -> None:
    rule = WindowRule(margin_s=2.0, bucket_frames=500, min_frames=1000)
    assert rule.frames(100) == 1000  # 1 s of audio: never less than 10 s (shorter windows looped)
    assert rule.frames(800) == 1000  # 8 s + 2 s of margin
    assert rule.frames(801) == 1500
    assert rule.frames(2700) == FULL_FRAMES  # never more than Whisper's 30 s
    assert rule.frames(5000) == FULL_FRAMES


@pytest.fixture(scope="module")
def model():
    return load_model(ModelSettings())


def _line(phone: bool) -> np.ndarray:
    audio = speech.speak(LINE, "agent", phone=phone).astype(np.float32) / 32768.0
    return np.concatenate([audio, np.zeros(6400, dtype=np.float32)])  # the segmenter's 0.4 s pad


@pytest.fixture(scope="module")
def line(espeak: None) -> np.ndarray:
    return _line(phone=False)


@pytest.fixture(scope="module", params=[False, True], ids=["wideband", "telephone band"])
def either_line(request: pytest.FixtureRequest, espeak: None) -> np.ndarray:
    return _line(phone=request.param)


def _text(segments) -> str:
    return " ".join(s.text.strip() for s in segments).strip()


def _full(model, audio: np.ndarray, beam: int) -> str:
    segments, _ = model.transcribe(
        audio,
        language="en",
        beam_size=beam,
        best_of=1,
        temperature=0.0,
        vad_filter=False,
        condition_on_previous_text=False,
        without_timestamps=True,
    )
    return _text(segments)


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def test_a_short_window_reads_a_line_as_the_full_one_does(model, either_line: np.ndarray) -> None:
    """Also on telephone-band audio, where a window cut to the audio exactly read nonsense (WER ~0.9)."""
    short = ShortWindow(model, "en")
    full_text = _full(model, either_line, beam=5)
    short_text = _text(short.transcribe(either_line, beam_size=5)[0])
    # tiny.en mishears a word or two of this line either way (sox's dither varies the samples).
    full_wer = speech.word_error_rate(LINE, full_text)
    assert full_wer <= 0.25, full_text
    assert speech.word_error_rate(LINE, short_text) <= full_wer + 0.1, (full_text, short_text)


def test_a_short_window_costs_less_cpu(model, line: np.ndarray) -> None:
    short = ShortWindow(model, "en")

    def best(run) -> float:
        costs = []
        for _ in range(3):
            start = _cpu()
            run()
            costs.append(_cpu() - start)
        return min(costs)

    full_cpu = best(lambda: _full(model, line, beam=5))
    short_cpu = best(lambda: _text(short.transcribe(line, beam_size=5)[0]))
    # ~6 s of audio: a 1000-frame window, a third of the encoder's 30 s work.
    assert short_cpu < 0.75 * full_cpu, (short_cpu, full_cpu)


def test_a_partial_cut_mid_line_does_not_run_away(model, line: np.ndarray) -> None:
    """Provisional audio stops mid-word: whatever tiny.en makes of it, a pass never writes on and on.

    tiny.en guesses at a word cut in half with either window ("I am sorry, but I'm sorry, but
    I'm delighted." from 1.6 s, the full window); a short window can repeat itself
    ("I am sorry, I am sorry, I am sorry, ...").  Past the token cap (about twice the rate of
    speech) the pass is done again on the full window, so no pass returns more than the cap.
    """
    short = ShortWindow(model, "en")
    for seconds in (0.8, 1.6, 2.5, 4.0):
        cut = line[: int(seconds * 16_000)]
        padded = np.concatenate([cut, np.zeros(PARTIAL_SILENCE, dtype=np.float32)])
        segments, redone = short.transcribe(padded, beam_size=1)
        tokens = sum(len(s.tokens) for s in segments)
        cap = TOKENS_EXTRA + TOKENS_PER_S * len(padded) / 16_000
        assert redone or tokens < cap, (seconds, _text(segments))
        assert len(_text(segments).split()) <= cap, (seconds, _text(segments))
