"""Test speech made on the spot: espeak-ng voices mixed into two-channel call recordings.

Tests speak their own scripts so the recogniser is checked on real audio that
nobody had to download or check in.  Results are cached under tests/.cache by
content hash, so a script is synthesized once per checkout.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16_000
CACHE = Path(__file__).parent / ".cache"
VOICE = {
    "agent": ("en-us+m3", 160),
    "customer": ("en-gb+f2", 170),
    "call": ("en-us+m3", 160),
    "prompt": ("en-us+f4", 150),  # a recorded IVR prompt: a third voice, neither party's
}


@dataclass(frozen=True)
class Turn:
    speaker: str  # "agent" or "customer"
    text: str
    start: float = 0.0
    end: float = 0.0
    labels: tuple[str, ...] = ()


def have_tools() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def speak(text: str, speaker: str = "agent", wpm: int | None = None, phone: bool = False) -> np.ndarray:
    """One utterance as int16 samples at 16 kHz."""
    voice, default_wpm = VOICE[speaker]
    with tempfile.TemporaryDirectory() as d:
        raw, out = Path(d, "raw.wav"), Path(d, "out.wav")
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(wpm or default_wpm), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        # sox dithers when it narrows to 16 bits; -R seeds the dither, so a script
        # always makes the same samples and a recognition bound holds or fails every run.
        effects = ["sinc", "300-3400"] if phone else []
        if phone:
            mid = Path(d, "mid.wav")
            subprocess.run(["sox", "-R", str(raw), "-r", "8000", "-c", "1", str(mid), *effects], check=True)
            raw = mid
        subprocess.run(["sox", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(out)], check=True)
        with wave.open(str(out)) as w:
            return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """Write int16 samples, shape (n,) or (n, channels)."""
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(samples, dtype=np.int16).tobytes())


def synthesize_call(
    turns: list[tuple[str, str]] | list[Turn],
    gap_s: float = 0.8,
    lead_s: float = 0.5,
    phone: bool = False,
    overlap_s: dict[int, float] | None = None,
) -> tuple[Path, list[Turn]]:
    """Speak a two-party script into a stereo WAV (agent left, customer right).

    ``overlap_s`` maps a turn index to how many seconds it starts before the
    previous turn ends (talking over). Returns the WAV and turns with times.
    """
    norm = [t if isinstance(t, Turn) else Turn(t[0], t[1]) for t in turns]
    key = hashlib.sha256(
        json.dumps(
            [[t.speaker, t.text] for t in norm]
            + [gap_s, lead_s, phone, sorted((overlap_s or {}).items()), "repeatable-dither"]
        ).encode()
    )
    CACHE.mkdir(exist_ok=True)
    wav = CACHE / f"call-{key.hexdigest()[:16]}.wav"
    meta = wav.with_suffix(".json")
    if wav.exists() and meta.exists():
        return wav, [Turn(**{**d, "labels": tuple(d["labels"])}) for d in json.loads(meta.read_text())]

    pieces, timed = [], []
    t = int(lead_s * RATE)
    for i, turn in enumerate(norm):
        pcm = speak(turn.text, turn.speaker, phone=phone)
        if overlap_s and i in overlap_s:
            t = max(0, t - int((gap_s + overlap_s[i]) * RATE))
        pieces.append((t, pcm, turn.speaker))
        timed.append(Turn(turn.speaker, turn.text, t / RATE, (t + len(pcm)) / RATE, turn.labels))
        t += len(pcm) + int(gap_s * RATE)
    total = max(start + len(pcm) for start, pcm, _ in pieces) + int(lead_s * RATE)
    stereo = np.zeros((total, 2), dtype=np.int16)
    for start, pcm, speaker in pieces:
        stereo[start : start + len(pcm), 0 if speaker == "agent" else 1] += pcm
    tmp = wav.with_suffix(".tmp.wav")
    write_wav(tmp, stereo)
    tmp.replace(wav)
    meta.write_text(json.dumps([{**t.__dict__, "labels": list(t.labels)} for t in timed]))
    return wav, timed


def synthesize_mono_call(turns: list[tuple[str, str]] | list[Turn], phone: bool = False) -> tuple[Path, list[Turn]]:
    """The same call as ``synthesize_call``, mixed down to one channel (both voices on it)."""
    wav, timed = synthesize_call(turns, phone=phone)
    mono = wav.with_name(wav.stem + "-mono.wav")
    if not mono.exists():
        with wave.open(str(wav)) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
        tmp = mono.with_suffix(".tmp.wav")
        write_wav(tmp, np.clip(pcm.astype(np.int32).sum(axis=1), -32768, 32767).astype(np.int16))
        tmp.replace(mono)
    return mono, timed


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference length, ignoring case and punctuation."""
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / max(1, len(ref))


_NUMBERS = {"2nd": "second", "9": "nine", "20": "twenty", "$20": "twenty dollars"}


def normalise(text: str) -> str:
    import re

    words = []
    for w in text.lower().split():
        w = _NUMBERS.get(w.strip(".,?!"), w)
        words.append(re.sub(r"[^a-z0-9' ]", "", w.replace("-", " ")))
    return " ".join(w for w in " ".join(words).split() if w)


CODECS = {".flac": "flac", ".mp3": "libmp3lame", ".ogg": "libopus", ".opus": "libopus", ".m4a": "aac"}
FRAME_SIZE = {"libmp3lame": 1152, "aac": 1024, "libopus": 960, "flac": 4608}  # samples per coded frame


def encode(wav: Path, out: Path) -> Path:
    """Re-encode a WAV into the container its suffix names, with PyAV (FLAC, MP3, Opus, AAC)."""
    import av

    codec = CODECS[out.suffix]
    with av.open(str(wav)) as src, av.open(str(out), "w") as dst:
        in_stream = src.streams.audio[0]
        rate = 48_000 if codec == "libopus" else in_stream.rate
        layout = "stereo" if in_stream.codec_context.channels == 2 else "mono"
        stream = dst.add_stream(codec, rate=rate, layout=layout)
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate, frame_size=FRAME_SIZE[codec])
        for frame in src.decode(in_stream):
            for f in resampler.resample(frame):
                dst.mux(stream.encode(f))
        for f in resampler.resample(None):
            dst.mux(stream.encode(f))
        dst.mux(stream.encode(None))
    return out
