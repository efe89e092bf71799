"""The cues as a fold: the same alerts whatever the recogniser's speed, and live in the pipeline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from companion.analysis.cue_settings import CueThresholds
from companion.analysis.voice_cues import VoiceCues
from companion.audio.files import FileSource
from companion.events import Alert, Event, Level, SpeechStarted, Utterance
from companion.pipeline import CallPipeline, EngineSettings
from tests.analysis import test_voice_cues_silence, test_voice_cues_voices
from tests.analysis.cue_calls import NoiseOver, Say, fold, run_call, scripted_call


def as_if_instant(events: list[Event]) -> list[Event]:
    """The same events with each utterance moved to just after its speech ended.

    Read fast, a file's utterances trail its levels by many seconds; live they
    trail by about one.  Placing each right where the detector closed its
    segment is the other extreme: recognition taking no time at all.
    """
    timed = [e for e in events if not isinstance(e, Utterance)]
    out: list[Event] = []
    pending = sorted((e for e in events if isinstance(e, Utterance)), key=lambda u: u.end)
    for event in timed:
        while pending and isinstance(event, Level) and event.t >= pending[0].end + 0.5:
            out.append(pending.pop(0))
        out.append(event)
    return [*out[:-1], *pending, out[-1]]  # any left before CallEnded


@pytest.fixture(scope="module", params=["silences", "voices"])
def long_call(request, espeak: None) -> list[Event]:
    # The same calls (and, in one session, the same pipeline runs) as the cue tests.
    module = test_voice_cues_silence if request.param == "silences" else test_voice_cues_voices
    wav, _ = module.make_call()
    return run_call(wav)


def test_the_alerts_do_not_depend_on_when_the_text_arrived(long_call) -> None:
    fast = fold(long_call)
    instant = fold(as_if_instant(long_call))
    assert len(fast) >= 2
    # Same alerts; the order may differ only where a cue waited for its words.
    assert sorted(fast, key=lambda a: (a.t, a.kind)) == sorted(instant, key=lambda a: (a.t, a.kind))


def test_a_noisy_line_gets_the_same_cues(espeak: None) -> None:
    """Room noise and mains hum under both voices, about 7 dB below the speech, all call long."""
    module = test_voice_cues_silence
    clean_wav, placed = module.make_call()
    end = placed[-1].end + 11.0
    noises = (
        NoiseOver("agent", "room noise", 0.0, end, -42.0),
        NoiseOver("customer", "mains hum", 0.0, end, -42.0),
        NoiseOver("agent", "typing", 10.0, 19.0, -38.0),
        NoiseOver("customer", "breathing", 42.5, 53.5, -40.0),
    )
    noisy_wav, _ = scripted_call(module.SCRIPT, tail_s=11.0, noises=noises)
    clean, noisy = fold(run_call(clean_wav)), fold(run_call(noisy_wav))
    assert [a.kind for a in noisy] == [a.kind for a in clean] == ["dead-air", "slow-response"]
    for a, b in zip(clean, noisy, strict=True):
        assert b.t == pytest.approx(a.t, abs=0.5)


def test_a_mono_recording_raises_no_voice_cue(long_call) -> None:
    # A mono call has one channel for both voices: who speaks when is unknowable, so no cue.
    mono: list[Event] = []
    for e in long_call:
        if isinstance(e, Level | SpeechStarted):
            mono.append(replace(e, speaker="call"))
        elif isinstance(e, Utterance):
            continue
        else:
            mono.append(e)
    assert fold(mono) == []


def test_live_the_dead_air_cue_comes_during_the_silence(espeak: None) -> None:
    """VoiceCues as the pipeline's coach on a call played at real-time pace."""
    says = [
        Say("customer", "Hello, my card was declined at the shop this morning."),
        Say("agent", "I am sorry about that, I can see the block on your card now.", gap_s=6.0),
    ]
    wav, placed = scripted_call(says, tail_s=0.5)
    th = CueThresholds(dead_air_s=3.0)
    pipeline = CallPipeline(FileSource(wav, realtime=True), EngineSettings(), coach=VoiceCues(th))
    events = pipeline.run()
    alerts = [e for e in events if isinstance(e, Alert)]
    assert [a.kind for a in alerts] == ["dead-air"]
    assert alerts[0].t == pytest.approx(placed[0].end + 3.0, abs=0.5)
    # It reached the listeners while the customer was still waiting, before the agent spoke.
    position = events.index(alerts[0])
    reply = next(i for i, e in enumerate(events) if isinstance(e, SpeechStarted) and e.speaker == "agent")
    assert position < reply
