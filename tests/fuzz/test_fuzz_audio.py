"""Damaged recordings (real WAV, FLAC, Ogg Opus; cut, flipped, overwritten): audio or one InputError, in bounded time.

The decoder is where hostile bytes meet C code (FFmpeg through PyAV), so each case runs the real file
source in a thread with a time bound; a few cases also run the whole ``analyze`` with the real model.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.audio.files import FileSource
from companion.audio.frames import AudioBlock
from companion.errors import InputError
from tests import speech
from tests.fuzz.budget import cases
from tests.fuzz.cli_run import assert_clean, run_cli

BOUND_S = 10.0  # a 2-second file decodes in well under a second; ten means a hang


class Recording(bytes):
    """A file's bytes that print as their kind and size (a failing case prints its inputs)."""

    suffix = ".wav"

    def __repr__(self) -> str:
        return f"<{self.suffix} of {len(self)} bytes>"


@pytest.fixture(scope="module")
def recordings(espeak: None, tmp_path_factory: pytest.TempPathFactory) -> list[Recording]:
    folder = tmp_path_factory.mktemp("audio")
    voice = speech.speak("Thank you for calling, how can I help?")
    stereo = np.zeros((len(voice), 2), dtype=np.int16)
    stereo[:, 0] = voice
    wav = folder / "call.wav"
    speech.write_wav(wav, stereo)
    out = []
    for path in (wav, speech.encode(wav, folder / "call.flac"), speech.encode(wav, folder / "call.ogg")):
        made = Recording(path.read_bytes())
        made.suffix = path.suffix
        out.append(made)
    return out


def _mutate(data: st.DataObject, original: bytes) -> bytes:
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 3))):
        if not damaged:
            break
        how = data.draw(st.sampled_from(["cut", "flip", "overwrite", "insert", "zero-head"]))
        at = data.draw(st.integers(0, len(damaged) - 1))
        if how == "cut":
            del damaged[at:]
        elif how == "flip":
            damaged[at] ^= 1 << data.draw(st.integers(0, 7))
        elif how == "overwrite":
            junk = data.draw(st.binary(min_size=1, max_size=64))
            damaged[at : at + len(junk)] = junk
        elif how == "insert":
            damaged[at:at] = data.draw(st.binary(min_size=1, max_size=64))
        else:
            damaged[: data.draw(st.integers(1, 64))] = b"\x00" * 64
    return bytes(damaged)


def _decode(path: Path) -> tuple[list[AudioBlock], BaseException | None]:
    """Run the real file source to its end in a thread; fail the case if it does not end in time."""
    blocks: list[AudioBlock] = []
    outcome: list[BaseException | None] = [None]

    def run() -> None:
        try:
            FileSource(path).run(blocks.append, threading.Event())
        except BaseException as exc:
            outcome[0] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(BOUND_S)
    assert not thread.is_alive(), f"decoding {path.name} ran past {BOUND_S} s"
    return blocks, outcome[0]


@given(st.data())
def test_a_damaged_recording_decodes_or_is_one_input_error(recordings: list[Recording], data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(recordings))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"call{original.suffix}"
        path.write_bytes(_mutate(data, original))
        blocks, error = _decode(path)
    if error is not None:
        assert isinstance(error, InputError), repr(error)
        assert "\n" not in str(error)
    for block in blocks:
        assert block.samples.dtype == np.float32 and np.isfinite(block.samples).all()
        assert block.t0 >= 0


@given(st.binary(max_size=400), st.sampled_from([".wav", ".flac", ".ogg", ".mp3", ".m4a"]))
def test_random_bytes_named_as_audio_are_one_input_error(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"call{suffix}"
        path.write_bytes(data)
        _blocks, error = _decode(path)
    assert error is None or isinstance(error, InputError), repr(error)


@settings(max_examples=cases(3), deadline=None)  # the real model: bounded by the case's own timer instead
@given(st.data())
def test_analyze_and_import_of_a_damaged_recording_say_one_line(
    recordings: list[Recording], data: st.DataObject
) -> None:
    original = data.draw(st.sampled_from(recordings))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"call{original.suffix}"
        path.write_bytes(_mutate(data, original))
        if data.draw(st.booleans()):
            assert_clean(run_cli("analyze", str(path)))
        else:
            assert_clean(run_cli("import", str(path), "--store-dir", str(Path(d) / "store")))
