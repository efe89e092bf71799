from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from companion.audio.frames import AudioBlock
from companion.errors import StoreError
from companion.store.audio_file import AudioWriter, read_audio, repair

RATE = 16_000


def _tone(seconds: float, hz: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2))) if len(x) else 0.0


def test_speakers_are_aligned_by_call_time_with_gaps_as_silence(tmp_path: Path) -> None:
    path = tmp_path / "call.ogg"
    writer = AudioWriter(path, ("agent", "customer"))
    # The agent speaks 0-1 s and 3-4 s (nothing delivered in between); the customer 1-3 s, arriving late.
    writer.write(AudioBlock("agent", 0.0, _tone(1.0, 440)))
    writer.write(AudioBlock("customer", 1.0, _tone(2.0, 660)))
    writer.write(AudioBlock("agent", 3.0, _tone(1.0, 440)))
    writer.write(AudioBlock("customer", 3.0, np.zeros(RATE, np.float32)))
    writer.close()
    pcm = read_audio(path)
    assert pcm.shape[0] == 2 and abs(pcm.shape[1] / RATE - 4.0) < 0.03

    def seg(ch: int, a: float, b: float) -> float:
        return _rms(pcm[ch, int((a + 0.1) * RATE) : int((b - 0.1) * RATE)])

    assert seg(0, 0, 1) > 0.15 and seg(0, 3, 4) > 0.15 and seg(0, 1, 3) < 0.02
    assert seg(1, 1, 3) > 0.15 and seg(1, 0, 1) < 0.02 and seg(1, 3, 4) < 0.02


def _level_at(x: np.ndarray, hz: float) -> float:
    """Amplitude of the ``hz`` component of ``x`` (one bin of a DFT)."""
    t = np.arange(len(x)) / RATE
    return float(abs(np.dot(x, np.exp(-2j * np.pi * hz * t))) * 2 / len(x))


def test_one_side_does_not_leak_into_the_other(tmp_path: Path) -> None:
    # Both sides talk at once: joint stereo coding (Opus's default) carried the left's 440 Hz
    # into the right at -25 dB; two uncoupled streams keep it near the codec's noise.
    path = tmp_path / "call.ogg"
    writer = AudioWriter(path, ("agent", "customer"))
    for i in range(4):
        writer.write(AudioBlock("agent", float(i), _tone(1.0, 440)))
        writer.write(AudioBlock("customer", float(i), _tone(1.0, 660)))
    writer.close()
    pcm = read_audio(path)[:, RATE // 2 : 7 * RATE // 2]
    leak_db = 20 * np.log10(_level_at(pcm[1], 440) / _level_at(pcm[0], 440))
    assert leak_db < -45, f"the agent's side reaches the customer's at {leak_db:.1f} dB"


def test_a_speaker_that_stops_does_not_hold_back_the_other(tmp_path: Path) -> None:
    writer = AudioWriter(tmp_path / "call.ogg", ("agent", "customer"))
    for i in range(10):  # the customer's device vanished: only the agent is delivered
        writer.write(AudioBlock("agent", float(i), _tone(1.0, 440)))
    writer.flush()
    assert writer.seconds >= 10 - 2 - 0.05  # encoded (and so durable) up to the lag limit
    writer.close()
    assert read_audio(tmp_path / "call.ogg").shape[1] / RATE == pytest.approx(10.0, abs=0.03)


def test_a_cut_off_file_is_repaired_up_to_its_last_page(tmp_path: Path) -> None:
    path = tmp_path / "call.ogg"
    writer = AudioWriter(path, ("agent", "customer"))
    for i in range(6):
        writer.write(AudioBlock("agent", float(i), _tone(1.0, 440)))
        writer.write(AudioBlock("customer", float(i), _tone(1.0, 660)))
    writer.flush()
    cut = path.read_bytes()
    writer.close()
    path.write_bytes(cut[: len(cut) - 700])  # as a crash leaves it: the last page half-written
    seconds = repair(path, ("agent", "customer"))
    assert 4.5 < seconds < 6.0
    pcm = read_audio(path)
    assert abs(pcm.shape[1] - seconds * RATE) <= 320  # the last 20 ms frame is padded
    # Both sides survive the repair, to its end (the customer's side once went silent after 2 s).
    for second in range(int(seconds) - 1):
        part = pcm[:, second * RATE : (second + 1) * RATE]
        assert _rms(part[0]) > 0.15 and _rms(part[1]) > 0.15, f"a side is silent in second {second}"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_a_clear_error() -> None:
    writer = AudioWriter(Path("/dev/full"), ("call",))
    with pytest.raises(StoreError, match="No space left"):
        for i in range(40):
            writer.write(AudioBlock("call", float(i), _tone(1.0, 440)))
            writer.flush()
