"""Mono recordings: two voices told apart, roles from the words, one voice left alone.

The calls are spoken here by two espeak-ng voices, mixed down to one channel
and run through the real pipeline (the bundled Whisper model, the real coach).
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from companion import cli
from companion.asr.diarize import NO_PARTY, diarize
from tests import noise, speech
from tests.asr.mono_script import (
    CALL_BACK_SCRIPT,
    CUSTOMER_FIRST_SCRIPT,
    MID_COMPLAINT_SCRIPT,
    SCRIPT,
    SHORT_SCRIPT,
)

pytestmark = pytest.mark.skipif(not speech.have_tools(), reason="needs espeak-ng and sox")


def _samples(path: Path) -> np.ndarray:
    import wave

    with wave.open(str(path)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768.0


def _turns_right(report: dict, timed: list[speech.Turn]) -> float:
    """Share of the script's turns whose recognised lines all carry the right speaker."""
    right = 0
    for turn in timed:
        mine = [u for u in report["utterances"] if min(u["end"], turn.end) - max(u["start"], turn.start) > 0.3]
        right += bool(mine) and all(u["speaker"] == turn.speaker for u in mine)
    return right / len(timed)


def _speech_time_right(report: dict, timed: list[speech.Turn]) -> float:
    """Share of the script's speech time covered by recognised lines of the right speaker (the issue's measure)."""
    right = total = 0.0
    for turn in timed:
        total += turn.end - turn.start
        for u in report["utterances"]:
            if u["speaker"] == turn.speaker:
                right += max(0.0, min(u["end"], turn.end) - max(u["start"], turn.start))
    return right / total


def _analyze(tmp_path: Path, path: Path, *extra: str) -> dict:
    out = tmp_path / f"{path.stem}{'-'.join(extra)}.json"
    assert cli.main(["analyze", str(path), "--json", str(out), *extra]) == 0
    return json.loads(out.read_text())


def test_a_two_voice_mono_call_gets_agent_and_customer(tmp_path: Path) -> None:
    mono, timed = speech.synthesize_mono_call(SCRIPT)
    report = _analyze(tmp_path, mono)
    assert report["diarization"]["voices"] == 2
    assert _speech_time_right(report, timed) >= 0.9
    # A one-word reply at the start of a turn ("Okay.") may still join the voice before it: 8 of 9.
    assert _turns_right(report, timed) >= 8 / 9
    assert report["roles"]["agent"] == "first" and report["roles"]["source"] == "words"
    assert report["roles"]["confidence"] >= 0.8
    assert "interruption" in report["voice_cues_unavailable"]
    # The coach reads the agent's lines as it does on the same call in stereo.
    stereo, _ = speech.synthesize_call(SCRIPT)
    stereo_report = _analyze(tmp_path, stereo)
    done = {s["id"] for s in report["steps"] if s["done"]}
    stereo_done = {s["id"] for s in stereo_report["steps"] if s["done"]}
    assert {"empathize", "assess"} <= done
    assert len(done ^ stereo_done) <= 1, (done, stereo_done)


def test_a_call_the_customer_opens_still_finds_the_agent(tmp_path: Path) -> None:
    mono, timed = speech.synthesize_mono_call(CUSTOMER_FIRST_SCRIPT, phone=True)
    report = _analyze(tmp_path, mono)
    assert report["diarization"]["voices"] == 2
    # The first voice is the customer's: the agent is the second, named from what each says.
    assert report["roles"]["agent"] == "second" and report["roles"]["source"] == "words"
    assert _found_speech_right(report, timed) >= 0.9
    assert _turns_right(report, timed) >= 8 / 9


def test_a_call_back_the_customer_picks_up_gets_the_right_roles(tmp_path: Path) -> None:
    # "Hello?" then the agent's introduction: a short first word may land on either voice,
    # so the test asks for the parties by what they said, not for "first" or "second".
    mono, timed = speech.synthesize_mono_call(CALL_BACK_SCRIPT)
    report = _analyze(tmp_path, mono)
    assert report["diarization"]["voices"] == 2
    assert report["roles"]["source"] == "words" and report["roles"]["confidence"] >= 0.8
    assert _found_speech_right(report, timed) >= 0.9  # swapped roles would score about 0.1


def test_a_recording_that_starts_mid_complaint_gets_the_right_roles(tmp_path: Path) -> None:
    # No greeting at all and an agent of few words, on the telephone band: who spoke first must
    # not make the customer the agent.
    mono, timed = speech.synthesize_mono_call(MID_COMPLAINT_SCRIPT, phone=True)
    report = _analyze(tmp_path, mono)
    assert report["diarization"]["voices"] == 2
    assert report["roles"]["agent"] == "second" and report["roles"]["source"] == "words"
    assert _found_speech_right(report, timed) >= 0.9


def _found_speech_right(report: dict, timed: list[speech.Turn]) -> float:
    """Of the recognised speech inside the script's turns, the share given to the right speaker.

    (On the telephone band the recogniser's line times sit tighter inside the spoken turns,
    so the share of *spoken* time covered says more about the recogniser than about the parties.)
    """
    right = total = 0.0
    for turn in timed:
        for u in report["utterances"]:
            overlap = max(0.0, min(u["end"], turn.end) - max(u["start"], turn.start))
            total += overlap
            right += overlap if u["speaker"] == turn.speaker else 0.0
    return right / total


def test_agent_second_swaps_the_roles(tmp_path: Path) -> None:
    mono, timed = speech.synthesize_mono_call(SCRIPT)
    report = _analyze(tmp_path, mono, "--agent", "second")
    assert report["roles"] == {"agent": "second", "confidence": 1.0, "source": "override"}
    swapped = [speech.Turn("customer" if t.speaker == "agent" else "agent", t.text, t.start, t.end) for t in timed]
    assert _speech_time_right(report, swapped) >= 0.9 and _turns_right(report, swapped) >= 8 / 9


def test_a_one_voice_mono_file_stays_one_speaker(tmp_path: Path) -> None:
    one_voice = [("agent", text) for _, text in SCRIPT]
    mono, _timed = speech.synthesize_mono_call(one_voice)
    result = diarize(_samples(mono))
    assert result.parties == 1
    report = _analyze(tmp_path, mono)
    assert {u["speaker"] for u in report["utterances"]} == {"call"}
    assert "roles" not in report


def test_a_change_of_speaker_without_a_pause_is_found() -> None:
    # 0.1 s between turns: the VAD hears one stretch of speech, the split must come from the voices.
    wav, timed = speech.synthesize_call(SCRIPT, gap_s=0.1)
    import wave

    with wave.open(str(wav)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2).astype(np.float32)
    result = diarize(pcm.sum(axis=1) / 32768.0)
    assert result.parties == 2
    assert _best_match(result, timed) >= 0.9


@pytest.mark.xfail(
    strict=True,
    reason="issue 15, not solved: turns with ~0.1 s between them are judged one voice "
    "(docs/diarization.md, 'Turns run together'); remove this mark when the split is found",
)
def test_turns_run_together_are_split() -> None:
    # espeak-ng ends every line with ~0.3 s of silence, so a gap of -0.2 s leaves ~0.1 s between
    # turns, as real talkers leave: the VAD hears one stretch of speech from the first word to the last.
    wav, timed = speech.synthesize_call(SCRIPT, gap_s=-0.2)
    with wave.open(str(wav)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2).astype(np.float32)
    result = diarize(pcm.sum(axis=1) / 32768.0)
    assert result.parties == 2
    assert _best_match(result, timed) >= 0.85


def test_music_on_hold_is_not_made_a_party() -> None:
    mono, _timed = speech.synthesize_mono_call([("agent", text) for _, text in SCRIPT[:5]])
    voice = _samples(mono)
    music = noise.music_on_hold(12.0).astype(np.float32)
    call = np.concatenate([voice[: len(voice) // 2], music, voice[len(voice) // 2 :]])
    result = diarize(call)
    start, end = len(voice) / 2 / 16000, len(voice) / 2 / 16000 + 12.0
    in_music = [t for t in result.turns if t.start >= start + 0.5 and t.end <= end - 0.5]
    assert result.parties == 1, "the tune became a second voice"
    assert all(t.party in (0, NO_PARTY) for t in in_music)


def _best_match(result, timed: list[speech.Turn]) -> float:
    """Share of the script's found speech given to the right voice, naming the two voices the better way round."""
    best = 0.0
    for names in (("agent", "customer"), ("customer", "agent")):
        right = total = 0.0
        for turn in timed:
            for t in result.turns:
                overlap = min(turn.end, t.end) - max(turn.start, t.start)
                if overlap > 0:
                    total += overlap
                    right += overlap if t.party >= 0 and names[t.party] == turn.speaker else 0.0
        best = max(best, right / total)
    return best


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "wide"])
@pytest.mark.parametrize("voice", ["agent", "customer"])
def test_a_short_one_voice_call_stays_one_voice(voice: str, phone: bool) -> None:
    # Twelve turns of 1-3 s spoken by one voice: few stretches, where a split by what is said
    # used to pass for a second voice on the telephone band.
    mono, _timed = speech.synthesize_mono_call([(voice, text) for _, text in SHORT_SCRIPT], phone=phone)
    assert diarize(_samples(mono)).parties == 1


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "wide"])
def test_a_short_two_voice_call_is_still_split(phone: bool) -> None:
    mono, timed = speech.synthesize_mono_call(SHORT_SCRIPT, phone=phone)
    result = diarize(_samples(mono))
    assert result.parties == 2
    assert _best_match(result, timed) >= 0.9


def _dropped_speech(stereo: Path, mono: Path, timed: list[speech.Turn]) -> tuple[int, int, int]:
    """(20 ms frames of speech a turn's own channel loses, frames handed to the other party, frames of speech).

    Speech is read from the stereo channel of the turn's speaker; a frame is lost when the mono
    split's mask for that speaker's party leaves most of it out.
    """
    from companion.asr.mono_source import MonoSource

    with wave.open(str(stereo)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2).astype(np.float32) / 32768.0
    source = MonoSource(mono)
    assert source.two_parties
    masks = source.masks()
    n = min(len(pcm), len(masks["agent"]))
    # The party holding more of the agent's speech is the agent's (the words decide it in the app).
    agent_side = "agent" if (pcm[:n, 0] ** 2 * masks["agent"][:n]).sum() >= (pcm[:n, 0] ** 2).sum() / 2 else "customer"
    side = {"agent": agent_side, "customer": "customer" if agent_side == "agent" else "agent"}
    frame = 320
    lost = stolen = frames = 0
    for turn in timed:
        channel = 0 if turn.speaker == "agent" else 1
        a, b = int(turn.start * 16000), min(n, int(turn.end * 16000))
        count = (b - a) // frame
        power = (pcm[a : a + count * frame, channel] ** 2).reshape(count, frame).mean(axis=1)
        voiced = power > 10 ** (-45 / 10)
        own = masks[side[turn.speaker]][a : a + count * frame].reshape(count, frame).mean(axis=1)
        other_speaker = "customer" if turn.speaker == "agent" else "agent"
        other = masks[side[other_speaker]][a : a + count * frame].reshape(count, frame).mean(axis=1)
        frames += int(voiced.sum())
        lost += int((voiced & (own < 0.5)).sum())
        stolen += int((voiced & (other > 0.5)).sum())
    return lost, stolen, frames


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "wide"])
def test_the_split_loses_no_speech_at_the_turn_edges(phone: bool) -> None:
    # The diarizer's VAD misses quiet onsets and tails (and on the telephone band a phrase after a
    # digital silence); a party's channel must still carry them, as a stereo channel does, or the
    # recogniser never hears those words.
    stereo, timed = speech.synthesize_call(SCRIPT, phone=phone)
    mono, _ = speech.synthesize_mono_call(SCRIPT, phone=phone)
    lost, stolen, frames = _dropped_speech(stereo, mono, timed)
    assert frames > 1000
    assert lost <= stolen + 2, (lost, stolen, frames)  # only what went to the wrong voice is missing
    assert stolen / frames <= 0.02, (lost, stolen, frames)


def test_a_lone_first_word_joins_the_speech_right_after_it() -> None:
    from companion.asr.diarize import _join_opening

    # 10 ms frames: "Hello," (0.3 s) read as the other voice, then 0.4 s of pause, then the greeting.
    parties = np.full(300, NO_PARTY)
    parties[10:40], parties[80:300] = 1, 0
    joined = parties.copy()
    _join_opening(joined, [(10, 40), (80, 300)], min_frames=60, gap=50)
    assert (joined[10:40] == 0).all()
    # A turn-taking gap (0.8 s) before the next speech: the first word keeps its own side.
    parties[80:300], parties[40:120] = NO_PARTY, NO_PARTY
    parties[120:300] = 0
    kept = parties.copy()
    _join_opening(kept, [(10, 40), (120, 300)], min_frames=60, gap=50)
    assert (kept[10:40] == 1).all()
    # A first stretch long enough to be read by its own sound is left alone.
    long_first = np.full(300, NO_PARTY)
    long_first[10:90], long_first[100:300] = 1, 0
    _join_opening(long_first, [(10, 90), (100, 300)], min_frames=60, gap=50)
    assert (long_first[10:90] == 1).all()


def test_a_customer_answering_hello_keeps_their_side() -> None:
    # An outbound call: the customer answers "Hello?" and the agent speaks after a turn's pause.
    script = [("customer", "Hello?"), ("agent", "Hi, this is Priya calling from Northfield Power about your bill.")]
    mono, timed = speech.synthesize_mono_call(script + SCRIPT[1:], phone=True)
    result = diarize(_samples(mono))
    assert result.parties == 2
    hello = next(t for t in result.turns if t.party != NO_PARTY)
    agent = next(t for t in result.turns if t.start >= timed[1].start - 0.2)
    assert hello.end <= timed[0].end + 0.1
    assert hello.party != agent.party
    assert _best_match(result, timed) >= 0.9
