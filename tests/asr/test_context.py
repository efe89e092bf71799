"""Lines recognised with the speaker's earlier lines as context, and settled after a live call shows them."""

from __future__ import annotations

import numpy as np
import pytest

from companion.asr.context import SpeakerContext, speech_only, strip_prefix
from companion.audio.files import FileSource
from companion.events import Revision, Utterance
from companion.pipeline import CallPipeline, EngineSettings
from tests import speech
from tests.asr.live_run import run_live

# One customer with four lines, short and long, between the agent's: the customer's
# later lines are recognised after their earlier ones.
SCRIPT = [
    ("agent", "Thank you for calling the energy helpline, my name is Sam."),
    ("customer", "Hello. My gas bill doubled this month."),
    ("agent", "I am sorry to hear that. Let me look at the meter readings."),
    ("customer", "I have not used any more gas than last winter, I am sure of it."),
    ("agent", "The reading on the fourth looks estimated, not measured."),
    ("customer", "So you guessed?"),
    ("agent", "Yes. I will book a real reading and correct the bill."),
    ("customer", "Thank you, that is all I wanted."),
]


def _tone(seconds: float) -> np.ndarray:
    return np.full(int(seconds * 16_000), 0.1, dtype=np.float32)


def test_context_keeps_the_latest_lines_that_fit_and_restarts_after_an_unfinished_one() -> None:
    context = SpeakerContext(seconds=10.0)
    padded = np.concatenate([_tone(4.0), np.zeros(8_000, dtype=np.float32)])
    assert len(speech_only(padded)) == 4 * 16_000  # the segmenter's digital-silence pad is not speech
    assert context.before(_tone(2.0)) is None
    for text in ("One.", "Two.", "Three."):
        context.add(padded, text)
    found = context.before(_tone(2.0))
    assert found is not None and found.text == "Two. Three." and found.seconds == pytest.approx(8.0)
    # A 25 s line leaves room for one 4 s line in Whisper's 30 s window.
    long_found = context.before(_tone(25.0))
    assert long_found is not None and long_found.text == "Three."
    context.add(padded, "")  # no words: not context, and not a reason to restart
    again = context.before(_tone(2.0))
    assert again is not None and again.text == "Two. Three."
    # Whisper ends what it finished with a full stop; a line cut short would leak into the next.
    context.add(padded, "My card number is 4-1-1-1")
    assert context.before(_tone(2.0)) is None
    assert strip_prefix(" Two. Three. And four.", "Two. Three.") is None
    assert strip_prefix("Two. Three. And four.", "Two. Three.") == "And four."


@pytest.fixture(scope="module")
def call(espeak: None) -> tuple:
    return speech.synthesize_call(SCRIPT, gap_s=0.9)


def test_analysed_lines_in_context_carry_only_their_own_words(call) -> None:
    wav, turns = call
    events = CallPipeline(FileSource(wav), EngineSettings()).run()
    lines = [e for e in events if isinstance(e, Utterance)]
    assert [u.speaker for u in sorted(lines, key=lambda u: u.start)] == [t.speaker for t in turns]
    assert not any(isinstance(e, Revision) for e in events), "analysing a file settles each line at once"
    for turn in turns:
        line = next(u for u in lines if abs(u.start - turn.start) < 1.0)
        # Words of the earlier lines given as context would show here as insertions.
        assert len(speech.normalise(line.text).split()) <= len(speech.normalise(turn.text).split()) + 2, line.text
        assert speech.word_error_rate(turn.text, line.text) <= 0.35, (turn.text, line.text)


def test_a_live_call_shows_each_line_first_and_settles_it_after(call) -> None:
    wav, turns = call
    seen, _ = run_live(wav)
    lines = {e.id: e for e in seen if isinstance(e, Utterance)}
    revisions = [e for e in seen if isinstance(e, Revision)]
    assert len(lines) == len(turns)
    # Every line is settled once, after it was shown, by the same speaker; none is lost at the end.
    assert sorted(r.utterance for r in revisions) == sorted(lines)
    for r in revisions:
        line = lines[r.utterance]
        assert r.speaker == line.speaker and line.emitted is not None and r.t >= line.emitted
        assert seen.index(r) > seen.index(line)
    settled = {r.utterance: r.text for r in revisions}
    heard = []
    for turn in turns:
        line = next(u for u in lines.values() if abs(u.start - turn.start) < 1.0)
        text = settled[line.id]
        heard.append(text)
        assert len(speech.normalise(text).split()) <= len(speech.normalise(turn.text).split()) + 2, text
        # Live, a line's context is whatever its speaker's earlier lines read when it was settled,
        # which depends on the machine's pace: one line may read worse, the call must not.
        assert speech.word_error_rate(turn.text, text) <= 0.5, (turn.text, text)
    assert speech.word_error_rate(" ".join(t.text for t in turns), " ".join(heard)) <= 0.2
