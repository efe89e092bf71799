"""Speaker bleed and dual mono: each line is given once, to the speaker whose channel it belongs to.

A laptop speaker puts the customer's voice into the agent's microphone, 10-20 dB down
and tens of milliseconds late; a dual-mono file has one voice on both channels.  The
calls here are spoken by espeak-ng and the leak is mixed in as such a path would:
delayed, attenuated, added to the agent's own speech.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from companion.asr.bleed import BleedJudge, ChannelHistory
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.call_analysis import analyze_file
from companion.events import SpeechStarted, Utterance
from tests import speech
from tests.asr.live_run import run_live

# An energy supplier's call: nothing like the other test calls.
SCRIPT = [
    ("agent", "Good afternoon, this is Northwind Energy, my name is Tom. How can I help?"),
    ("customer", "My meter reading was wrong and the bill says I owe four hundred pounds."),
    ("agent", "I can see why that would worry you. Could you read me the number on the meter now?"),
    ("customer", "It says two thousand and fifty, which is much lower than the bill."),
    ("agent", "Thank you. I have corrected the reading and the new bill will be much smaller."),
    ("customer", "That is a relief, thank you for sorting it out so quickly."),
]


@pytest.fixture(scope="module")
def call(espeak: None) -> tuple[np.ndarray, list[speech.Turn]]:
    wav, turns = speech.synthesize_call(SCRIPT)
    with wave.open(str(wav)) as w:
        stereo = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    return stereo.astype(np.float64), turns


def _leaked(stereo: np.ndarray, db: float, ms: float) -> np.ndarray:
    """The customer (right) added to the agent's channel (left), ``db`` down and ``ms`` late."""
    out = stereo.copy()
    delay = round(ms * SAMPLE_RATE / 1000)
    out[delay:, 0] += stereo[: len(stereo) - delay, 1] * 10 ** (db / 20)
    return out


def _write(path: Path, stereo: np.ndarray) -> Path:
    speech.write_wav(path, np.clip(np.round(stereo), -32768, 32767).astype(np.int16))
    return path


def _agent_text(utterances: list[dict]) -> str:
    return " ".join(u["text"] for u in utterances if u["speaker"] == "agent")


def _script_text(turns: list[speech.Turn], speaker: str) -> str:
    return " ".join(t.text for t in turns if t.speaker == speaker)


def _during(utterances: list[dict], turn: speech.Turn) -> list[dict]:
    """Utterances that overlap a scripted turn by more than their edges."""
    return [u for u in utterances if u["start"] < turn.end - 0.1 and u["end"] > turn.start + 0.1]


@pytest.fixture(scope="module")
def clean(call, tmp_path_factory) -> dict:
    stereo, _ = call
    report, error = analyze_file(_write(tmp_path_factory.mktemp("bleed") / "clean.wav", stereo))
    assert error is None
    return report


# -- the judge on its own ------------------------------------------------------


def _judge(agent: np.ndarray, customer: np.ndarray) -> BleedJudge:
    judge = BleedJudge(("agent", "customer"))
    for a in range(0, len(agent), 1024):  # as the pipeline hands them over: 64 ms blocks, in turn
        judge.add(AudioBlock("agent", a / SAMPLE_RATE, (agent[a : a + 1024] / 32768).astype(np.float32)))
        judge.add(AudioBlock("customer", a / SAMPLE_RATE, (customer[a : a + 1024] / 32768).astype(np.float32)))
    return judge


@pytest.mark.parametrize(("db", "ms"), [(-20, 10), (-20, 50), (-10, 10), (-10, 50)])
def test_a_leaked_turn_is_judged_the_other_speakers(call, db: float, ms: float) -> None:
    stereo, turns = call
    mixed = _leaked(stereo, db, ms)
    judge = _judge(mixed[:, 0], mixed[:, 1])
    for turn in turns:
        span = (turn.start, turn.end + ms / 1000)
        if turn.speaker == "customer":
            verdict = judge.judge("agent", *span)
            assert verdict.kind == "leak", (turn.text, verdict)
            assert verdict.lag_s == pytest.approx(ms / 1000, abs=0.001)
            assert verdict.level_db == pytest.approx(db, abs=1.0)
        assert judge.judge(turn.speaker, *span).kind == "own", turn.text


def test_a_leak_through_a_reverberant_room_is_found(call) -> None:
    # Echoes over 0.3 s carry half the leak's energy: the waveforms no longer match well
    # enough, the loudness contours still do.
    stereo, turns = call
    rng = np.random.default_rng(3)
    t = np.arange(int(0.3 * SAMPLE_RATE)) / SAMPLE_RATE
    echoes = rng.standard_normal(len(t)) * np.exp(-6.9 * t / 0.3)
    echoes[:48] = 0.0
    path = echoes / np.sqrt(np.sum(echoes**2))
    path[0] += 1.0
    mixed = stereo.copy()
    mixed[400:, 0] += np.convolve(stereo[:, 1], path)[: len(stereo) - 400] * 10 ** (-16 / 20)
    judge = _judge(mixed[:, 0], mixed[:, 1])
    for turn in turns:
        if turn.speaker == "customer":
            assert judge.judge("agent", turn.start, turn.end + 0.03).kind == "leak", turn.text
        assert judge.judge(turn.speaker, turn.start, turn.end + 0.03).kind == "own", turn.text


def test_two_voices_at_once_are_each_their_own(call) -> None:
    stereo, turns = call
    agent = [t for t in turns if t.speaker == "agent"]
    customer = [t for t in turns if t.speaker == "customer"]
    mixed = np.zeros_like(stereo)
    mixed[:, 0] = stereo[:, 0]
    for a, c in zip(agent, customer, strict=False):  # the customer's turns moved onto the agent's
        line = stereo[round(c.start * SAMPLE_RATE) : round(c.end * SAMPLE_RATE), 1]
        at = round(a.start * SAMPLE_RATE)
        n = min(len(line), len(mixed) - at)
        mixed[at : at + n, 1] = line[:n]
    judge = _judge(mixed[:, 0], mixed[:, 1])
    for a in agent:
        assert judge.judge("agent", a.start, a.end).kind == "own", a.text
        assert judge.judge("customer", a.start, a.end).kind == "own", a.text


def test_double_talk_over_a_leak_stays_the_agents(call) -> None:
    stereo, turns = call
    first_agent, customer_turn = turns[0], turns[1]
    # The agent's first line spoken again, 6 dB quieter, right over the customer's leaked line.
    agent_line = stereo[round(first_agent.start * SAMPLE_RATE) : round(first_agent.end * SAMPLE_RATE), 0] * 0.5
    mixed = _leaked(stereo, -10, 30)
    at = round(customer_turn.start * SAMPLE_RATE)
    n = min(len(agent_line), round((customer_turn.end - customer_turn.start) * SAMPLE_RATE))
    mixed[at : at + n, 0] += agent_line[:n]
    judge = _judge(mixed[:, 0], mixed[:, 1])
    assert judge.judge("agent", customer_turn.start, customer_turn.start + n / SAMPLE_RATE).kind == "own"


def test_one_voice_on_both_channels_is_the_same_voice(call) -> None:
    stereo, turns = call
    mono = stereo.sum(axis=1)
    judge = _judge(mono, mono * 0.9)  # a public stereo recording: nearly the same on both sides
    for turn in turns:
        assert judge.judge("agent", turn.start, turn.end).kind == "same"
        assert judge.judge("customer", turn.start, turn.end).kind == "same"


def test_a_channels_history_keeps_its_last_seconds_by_sample_number() -> None:
    history = ChannelHistory(1.0)
    ramp = np.arange(40_000, dtype=np.float32)
    for a in range(0, 40_000, 1000):
        history.add(a / SAMPLE_RATE, ramp[a : a + 1000])
    assert (history.start, history.end) == (24_000, 40_000)
    assert np.array_equal(history.span(30_000, 30_010), ramp[30_000:30_010])
    ahead = history.span(39_990, 40_010)  # past what has arrived: silence
    assert np.array_equal(ahead[:10], ramp[39_990:]) and not ahead[10:].any()
    history.add(0.0, np.ones(500, np.float32))  # a block older than what is kept changes nothing
    assert np.array_equal(history.span(24_000, 40_000), ramp[24_000:])
    history.add(50_000 / SAMPLE_RATE, np.ones(100, np.float32))  # a gap in the input is silence
    assert history.end == 50_100 and not history.span(40_000, 50_000).any()


# -- whole calls through the pipeline ----------------------------------------------


@pytest.mark.parametrize(("db", "ms"), [(-20, 10), (-10, 50)])
def test_a_leaked_customer_line_is_never_also_the_agents(call, clean, tmp_path: Path, db: float, ms: float) -> None:
    stereo, turns = call
    report, error = analyze_file(_write(tmp_path / "leaked.wav", _leaked(stereo, db, ms)))
    assert error is None
    rows = report["utterances"]
    for turn in turns:
        speakers = [u["speaker"] for u in _during(rows, turn)]
        assert speakers == [turn.speaker], (turn.text, speakers)
    reference = _script_text(turns, "agent")
    agent_words = len(reference.split())
    clean_wer = speech.word_error_rate(reference, _agent_text(clean["utterances"]))
    leaked_wer = speech.word_error_rate(reference, _agent_text(rows))
    # The target is 0.03 over a whole call; on a call this short one word is 0.025 more.
    assert leaked_wer <= clean_wer + 0.03 + 1 / agent_words, (clean_wer, leaked_wer)
    assert any("also carries the customer's voice" in w for w in report["warnings"]), report["warnings"]


def test_an_answer_right_after_a_leaked_line_keeps_only_the_agents_words(espeak: None, tmp_path: Path) -> None:
    # 0.2 s between turns: the leaked end of the customer's line and the agent's answer make
    # one segment on the agent's channel (its pause is under the 0.45 s that ends a segment).
    wav, turns = speech.synthesize_call(SCRIPT, gap_s=0.2)
    with wave.open(str(wav)) as w:
        stereo = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2).astype(np.float64)
    report, error = analyze_file(_write(tmp_path / "fast.wav", _leaked(stereo, -10, 30)))
    assert error is None
    rows = report["utterances"]
    for turn in turns:
        hits = _during(rows, turn)
        assert [u["speaker"] for u in hits] == [turn.speaker], (turn.text, hits)
        # tiny.en slips on a word or two in a short line; the customer's words in it would be far more.
        assert speech.word_error_rate(turn.text, " ".join(u["text"] for u in hits)) <= 0.4, (turn.text, hits)


def test_a_live_call_with_a_leak_gives_each_line_once(call, tmp_path: Path) -> None:
    stereo, turns = call
    events, _ = run_live(_write(tmp_path / "leaked.wav", _leaked(stereo, -14, 25)))
    lines = [e for e in events if isinstance(e, Utterance)]
    for turn in turns:
        said = [u.speaker for u in lines if u.start < turn.end - 0.1 and u.end > turn.start + 0.1]
        assert said == [turn.speaker], (turn.text, said)
    # The agent never seemed to start talking over the customer (the voice cues read these).
    agent_starts = [e.t for e in events if isinstance(e, SpeechStarted) and e.speaker == "agent"]
    for turn in turns:
        if turn.speaker == "customer":
            assert not [t for t in agent_starts if turn.start - 0.1 < t < turn.end - 0.1], turn.text


def test_dual_mono_gives_each_line_once_as_one_call_speaker(call, tmp_path: Path) -> None:
    stereo, turns = call
    mono = stereo.sum(axis=1)
    report, error = analyze_file(_write(tmp_path / "dual.wav", np.stack([mono, mono], axis=1)))
    assert error is None
    rows = report["utterances"]
    for turn in turns:
        assert [u["speaker"] for u in _during(rows, turn)] == ["call"], turn.text
    assert len(rows) == len(turns)
    said = " ".join(u["text"] for u in rows)
    assert speech.word_error_rate(" ".join(t.text for t in turns), said) <= 0.15
    assert any("same voice" in w and "'call'" in w for w in report["warnings"]), report["warnings"]
