"""A two-party mono call with a recorded IVR prompt and music on hold: neither is made a party.

The exported call's usual shape: "Thank you for calling ..., calls may be recorded, please
hold" in a third voice (here over music), the tune on hold until the agent answers, and more
music mid-call while the agent checks something.  Spoken here by three espeak-ng voices, mixed
to one channel and run through the real pipeline (the bundled Whisper model, the real coach).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from companion import cli
from companion.asr.diarize import NO_PARTY, diarize
from companion.asr.mono_source import owners
from tests import noise, speech
from tests.asr.mono_script import SCRIPT
from tests.asr.test_mono import _best_match, _found_speech_right, _samples

pytestmark = pytest.mark.skipif(not speech.have_tools(), reason="needs espeak-ng and sox")

RATE = speech.RATE
PROMPT = (
    "Thank you for calling Northfield Power. Your call is important to us. Calls may be recorded for "
    "training and quality purposes. Please hold and the next available advisor will be with you shortly."
)
HOLD_AFTER = 4  # "Let me check the meter history for you."


def _held_call(
    phone: bool, music_s: float = 0.0, mid_hold_s: float = 0.0
) -> tuple[np.ndarray, list[speech.Turn], list[tuple[float, float]]]:
    """SCRIPT mixed to mono behind the prompt (over music, the music playing on for ``music_s``),
    with ``mid_hold_s`` of music after the agent's "let me check"; the turns moved to their new
    times, and where the added sounds are (seconds)."""
    mono, timed = speech.synthesize_mono_call(SCRIPT, phone=phone)
    call = _samples(mono)
    prompt = speech.speak(PROMPT, "prompt", phone=phone).astype(np.float32) / 32768.0
    opening = noise.music_on_hold(len(prompt) / RATE + music_s)
    opening[: len(prompt)] = opening[: len(prompt)] * (0.4 if music_s else 0.0) + prompt
    pause = np.zeros(int(0.8 * RATE), dtype=np.float32)
    head = np.concatenate([pause, opening, pause])
    added = [(0.8, 0.8 + len(opening) / RATE)]
    pieces, shifted, shift = [head], [], len(head) / RATE
    cut = 0
    if mid_hold_s:
        turn, after = timed[HOLD_AFTER], timed[HOLD_AFTER + 1]
        cut = int((turn.end + after.start) / 2 * RATE)
        music = noise.music_on_hold(mid_hold_s)
        pieces += [call[:cut], music]
        added.append((cut / RATE + shift, cut / RATE + shift + mid_hold_s))
    pieces.append(call[cut:])
    for i, t in enumerate(timed):
        moved = shift + (mid_hold_s if mid_hold_s and i > HOLD_AFTER else 0.0)
        shifted.append(replace(t, start=t.start + moved, end=t.end + moved))
    return np.concatenate(pieces), shifted, added


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "wide"])
def test_a_recorded_prompt_before_the_call_is_no_party(phone: bool) -> None:
    # The prompt alone, no music: a clean third voice that, left in, took one side and put both
    # real voices on the other (or, two sentences being too few turns, made the file one voice).
    samples, timed, added = _held_call(phone)
    result = diarize(samples)
    assert result.parties == 2
    assert _best_match(result, timed) >= 0.9
    ((start, end),) = added
    owner = owners(samples, result)[int(start * RATE) : int(end * RATE)]
    assert (owner == NO_PARTY).mean() >= 0.9, "the prompt was given to a party"


def _analyze(tmp_path: Path, samples: np.ndarray, name: str) -> dict:
    wav = tmp_path / f"{name}.wav"
    speech.write_wav(wav, np.clip(np.round(samples * 32767), -32768, 32767).astype(np.int16))
    out = tmp_path / f"{name}.json"
    assert cli.main(["analyze", str(wav), "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_a_call_behind_a_prompt_and_music_on_hold_keeps_its_parties_and_its_coach(tmp_path: Path) -> None:
    samples, timed, added = _held_call(phone=True, music_s=10.0, mid_hold_s=12.0)
    report = _analyze(tmp_path, samples, "held")
    assert report["diarization"]["voices"] == 2
    assert report["roles"]["source"] == "words"
    assert _found_speech_right(report, timed) >= 0.9  # swapped roles would score about 0.1
    # Nobody says the prompt's words or anything during the tune.
    for start, end in added:
        heard = [u["text"] for u in report["utterances"] if u["start"] < end - 0.5 and u["end"] > start + 0.5]
        assert not heard, heard
    # The coach reads the call as it reads the same call without the prompt and the music.
    plain, _ = speech.synthesize_mono_call(SCRIPT, phone=True)
    plain_report = _analyze(tmp_path, _samples(plain), "plain")
    done = {s["id"] for s in report["steps"] if s["done"]}
    plain_done = {s["id"] for s in plain_report["steps"] if s["done"]}
    assert len(done ^ plain_done) <= 1, (done, plain_done)
    assert {"empathize", "assess"} <= done
