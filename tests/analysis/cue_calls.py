"""Scripted two-channel calls for the voice-cue tests: exact gaps, overlaps, rates and gains.

``tests.speech.synthesize_call`` spaces turns evenly; the cues need each
silence, overlap, speaking rate and loudness set on purpose and known to the
hundredth of a second.  Speech comes from ``tests.speech.speak`` (espeak-ng),
trimmed of the synthesizer's own leading and trailing silence so a turn's
placed start is where its sound starts.  Calls are cached under tests/.cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from companion.analysis.cue_settings import CueThresholds
from companion.analysis.voice_cues import VoiceCues
from companion.audio.files import FileSource
from companion.events import Alert, Event, Utterance
from companion.pipeline import CallPipeline, EngineSettings
from tests import noise, speech

RATE = speech.RATE
# espeak speaks close to full scale; calm test speech sits 12 dB under it so a
# raised voice has room above it without clipping.
CALM_GAIN_DB = -12.0


@dataclass(frozen=True)
class Say:
    """One turn: ``gap_s`` of silence after the previous turn ends (negative: talking over it)."""

    speaker: str
    text: str
    gap_s: float = 0.8
    wpm: int | None = None
    gain_db: float = CALM_GAIN_DB


@dataclass(frozen=True)
class Placed:
    speaker: str
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class NoiseOver:
    """A noise from tests.noise laid on one channel between two call times."""

    speaker: str
    name: str
    start: float
    end: float
    dbfs: float


def _voice(say: Say) -> np.ndarray:
    pcm = speech.speak(say.text, say.speaker, wpm=say.wpm).astype(np.float32) / 32768.0
    loud = np.flatnonzero(np.abs(pcm) > 0.01)
    pcm = pcm[loud[0] : loud[-1] + 1] if len(loud) else pcm
    return pcm * 10 ** (say.gain_db / 20)


def scripted_call(
    says: list[Say], lead_s: float = 0.5, tail_s: float = 1.5, noises: tuple[NoiseOver, ...] = ()
) -> tuple[Path, list[Placed]]:
    """Place the turns one after another on their channels; return the stereo WAV and the turns' times."""
    key = hashlib.sha256(
        json.dumps(["v1", [asdict(s) for s in says], lead_s, tail_s, [asdict(n) for n in noises]]).encode()
    ).hexdigest()[:16]
    speech.CACHE.mkdir(exist_ok=True)
    wav = speech.CACHE / f"cues-{key}.wav"
    meta = wav.with_suffix(".json")
    if wav.exists() and meta.exists():
        return wav, [Placed(**d) for d in json.loads(meta.read_text())]

    pieces: list[tuple[int, np.ndarray, str]] = []
    placed: list[Placed] = []
    t = lead_s
    for say in says:
        pcm = _voice(say)
        start = t + say.gap_s if pieces else t
        pieces.append((round(start * RATE), pcm, say.speaker))
        end = start + len(pcm) / RATE
        placed.append(Placed(say.speaker, say.text, round(start, 3), round(end, 3)))
        t = max(t, end) if say.gap_s < 0 else end
    total = max(a + len(p) for a, p, _ in pieces) + round(tail_s * RATE)
    total = max(total, max((round(n.end * RATE) for n in noises), default=0))
    stereo = np.zeros((total, 2), dtype=np.float32)
    for a, pcm, speaker in pieces:
        stereo[a : a + len(pcm), 0 if speaker == "agent" else 1] += pcm
    for n in noises:
        a, b = round(n.start * RATE), round(n.end * RATE)
        sound = noise.NOISES[n.name](n.end - n.start, n.dbfs)
        stereo[a:b, 0 if n.speaker == "agent" else 1] += sound[: b - a]
    tmp = wav.with_suffix(".tmp.wav")
    speech.write_wav(tmp, noise.to_int16(stereo))
    tmp.replace(wav)
    meta.write_text(json.dumps([asdict(p) for p in placed]))
    return wav, placed


@functools.lru_cache(maxsize=8)
def _run_call(wav: Path) -> tuple[Event, ...]:
    return tuple(CallPipeline(FileSource(wav), EngineSettings()).run())


def run_call(wav: Path) -> list[Event]:
    """The call's events from the real pipeline (bundled model, file read as fast as it decodes).

    Remembered for the test session: several test modules fold the same call.
    """
    return list(_run_call(wav))


def fold(events: list[Event], thresholds: CueThresholds | None = None) -> list[Alert]:
    """Every alert VoiceCues raises over the events, in the order the pipeline emitted them."""
    cues = VoiceCues(thresholds or CueThresholds())
    return [alert for event in events for alert in cues.feed(event)]


def utterances(events: list[Event], speaker: str | None = None) -> list[Utterance]:
    return [e for e in events if isinstance(e, Utterance) and speaker in (None, e.speaker)]
