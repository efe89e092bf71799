"""Bad input to ``analyze``: exit code 2 and one clear line on stderr, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import speech

ROOT = Path(__file__).resolve().parents[2]


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "companion", "analyze", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_clear_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("call-companion: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_missing_file(tmp_path: Path) -> None:
    assert_clear_error(analyze(str(tmp_path / "nope.wav")), "no such file")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert_clear_error(analyze(str(empty)), "empty")


def test_not_audio(tmp_path: Path) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("these are my meeting notes, not a recording\n" * 50)
    assert_clear_error(analyze(str(text)), "not an audio file")


def test_zero_length_recording(tmp_path: Path) -> None:
    wav = tmp_path / "zero.wav"
    speech.write_wav(wav, np.zeros((0, 2), dtype=np.int16))
    assert_clear_error(analyze(str(wav)), "no audio")


def test_unknown_channel_name(tmp_path: Path) -> None:
    wav = tmp_path / "quiet.wav"
    speech.write_wav(wav, np.zeros((16000, 2), dtype=np.int16))
    assert_clear_error(analyze(str(wav), "--agent", "middle"), "unknown channel 'middle'")


def test_truncated_file_keeps_what_was_heard(tmp_path: Path, espeak: None) -> None:
    wav, _ = speech.synthesize_call(
        [
            ("agent", "Thank you for calling, how can I help you today?"),
            ("customer", "My parcel never arrived and I am upset."),
        ],
        gap_s=0.5,
    )
    data = wav.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: int(len(data) * 0.55)])  # the header still promises the whole call
    out = tmp_path / "cut.json"
    result = analyze(str(cut), "--json", str(out))
    assert_clear_error(result, "truncated")
    import json

    report = json.loads(out.read_text())
    assert any("thank you for calling" in u["text"].lower() for u in report["utterances"])


@pytest.mark.parametrize("model", ["/no/such/model", "./relative-missing"])
def test_missing_model_folder(tmp_path: Path, model: str) -> None:
    wav = tmp_path / "quiet.wav"
    speech.write_wav(wav, np.zeros((16000, 2), dtype=np.int16))
    assert_clear_error(analyze(str(wav), "--model", model), "speech model")
