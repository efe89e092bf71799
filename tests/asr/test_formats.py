"""Every supported container decodes to the same words: WAV, FLAC, MP3, OGG/Opus, M4A, and mono."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from companion.call_analysis import analyze_file
from tests import speech

LINE = [
    ("agent", "Thank you for calling, how can I help you today?"),
    ("customer", "My parcel never arrived."),
]


@pytest.fixture(scope="module")
def stereo(espeak: None) -> Path:
    wav, _ = speech.synthesize_call(LINE, gap_s=0.5)
    return wav


@pytest.mark.parametrize("suffix", [".flac", ".mp3", ".ogg", ".m4a"])
def test_compressed_formats(stereo: Path, tmp_path: Path, suffix: str) -> None:
    out = speech.encode(stereo, tmp_path / f"call{suffix}")
    report, error = analyze_file(out)
    assert error is None
    said = {u["speaker"]: u["text"] for u in report["utterances"]}
    assert set(said) == {"agent", "customer"}
    assert speech.word_error_rate(LINE[0][1], said["agent"]) <= 0.2
    assert speech.word_error_rate(LINE[1][1], said["customer"]) <= 0.2


def test_mono_recording_is_one_speaker(tmp_path: Path, espeak: None) -> None:
    samples = speech.speak("I would like to cancel my subscription please.", "customer")
    wav = tmp_path / "mono.wav"
    speech.write_wav(wav, np.concatenate([np.zeros(8000, np.int16), samples, np.zeros(8000, np.int16)]))
    report, error = analyze_file(wav)
    assert error is None
    assert report["channels"] == {"agent": None, "customer": None, "call": "mono"}
    assert [u["speaker"] for u in report["utterances"]] == ["call"]
    assert (
        speech.word_error_rate("I would like to cancel my subscription please", report["utterances"][0]["text"]) <= 0.2
    )
