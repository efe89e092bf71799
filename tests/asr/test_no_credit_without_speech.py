"""No credit without speech: a channel with only noise on it yields no speech, no text, no cue.

Whisper invents "Thank you" or "Thanks for watching" from hum, breath or
keys.  Playbook steps are credited from utterances, so a channel that carries
only room noise, mains hum, breathing, typing or music on hold while the other
side talks must give the pipeline nothing: no speech onset, no partial, no
utterance.  Each noise is tried on each side, 12 dB louder than its ordinary
level (the harder case for the voice-activity detector; the ordinary levels
pass too, and cost a second run each).
"""

from __future__ import annotations

import inspect
import wave

import numpy as np
import pytest

from companion.audio.files import FileSource
from companion.events import Event, Partial, SpeechStarted, Utterance
from companion.pipeline import CallPipeline, EngineSettings
from tests import noise, speech
from tests.analysis.cue_calls import fold

# Short, so ten runs of the real pipeline stay cheap; long enough to hold a pause.
SCRIPT = ["Hello, I am calling about my order.", "It arrived broken and the glass was cracked."]
LOUD_DB = 12.0  # the loud variant: ordinary level plus this


@pytest.fixture(scope="module")
def voice(espeak: None) -> np.ndarray:
    """The talking side: two sentences with a pause, as float samples."""
    wav, _ = speech.synthesize_call([("customer", line) for line in SCRIPT], gap_s=1.5)
    with wave.open(str(wav)) as w:
        stereo = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    return stereo[:, 1].astype(np.float32) / 32768.0


def run(voice: np.ndarray, name: str, noisy: str, loud: bool, tmp_path) -> list[Event]:
    seconds = len(voice) / noise.RATE
    make = noise.NOISES[name]
    level = inspect.signature(make).parameters["dbfs"].default + (LOUD_DB if loud else 0.0)
    sound = make(seconds, level)[: len(voice)]
    channels = [sound, voice] if noisy == "agent" else [voice, sound]
    wav = tmp_path / "noise.wav"
    speech.write_wav(wav, noise.to_int16(np.stack(channels, axis=1)))
    # Partials on even though the file is read fast, so provisional text is checked too.
    return CallPipeline(FileSource(wav), EngineSettings(partials=True)).run()


@pytest.mark.parametrize("noisy", ["agent", "customer"])
@pytest.mark.parametrize("name", list(noise.NOISES))
def test_a_noise_only_channel_gives_no_speech_and_no_text(voice, name, noisy, tmp_path) -> None:
    talking = "customer" if noisy == "agent" else "agent"
    for loud in (True,):
        events = run(voice, name, noisy, loud, tmp_path)
        from_noise = [e for e in events if isinstance(e, SpeechStarted | Partial | Utterance) and e.speaker == noisy]
        assert from_noise == [], f"{name} (loud={loud}) on the {noisy}'s channel: {from_noise}"
        # The other side was heard all along, so the check is not of a deaf pipeline.
        said = " ".join(e.text for e in events if isinstance(e, Utterance) and e.speaker == talking)
        assert speech.word_error_rate(" ".join(SCRIPT), said) < 0.35, said
        # And no voice cue is credited to the silent side either.
        cues = [a for a in fold(events) if a.speaker == noisy and a.kind not in ("dead-air", "slow-response")]
        assert cues == []
