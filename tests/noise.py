"""Non-speech sounds a phone channel carries, made on the spot with numpy.

Each maker returns float32 samples at 16 kHz (-1..1) at a realistic level, so
tests can lay them on a channel that carries no voice and check that nothing
is transcribed from it.  A fixed seed makes every fixture the same each run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

RATE = 16_000


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _at_level(x: np.ndarray, dbfs: float) -> np.ndarray:
    """Scale to an RMS level in dBFS."""
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) or 1.0
    return (x * (10 ** (dbfs / 20) / rms)).astype(np.float32)


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    """1/f noise by shaping white noise's spectrum."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / RATE)
    f[0] = f[1]
    return np.fft.irfft(spectrum / np.sqrt(f), n)


def room_noise(seconds: float, dbfs: float = -48.0, seed: int = 1) -> np.ndarray:
    """Air conditioning and office murmur: pink noise with a slow swell."""
    n = int(seconds * RATE)
    rng = _rng(seed)
    t = np.arange(n) / RATE
    swell = 1.0 + 0.3 * np.sin(2 * np.pi * 0.2 * t)
    return _at_level(_pink(n, rng) * swell, dbfs)


def mains_hum(seconds: float, dbfs: float = -35.0, hz: float = 50.0, seed: int = 2) -> np.ndarray:
    """A ground loop: the mains frequency with odd harmonics and a little hiss."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    hum = sum((1.0 / k) * np.sin(2 * np.pi * hz * k * t + k) for k in (1, 3, 5, 7, 9))
    hiss = 0.02 * _rng(seed).standard_normal(n)
    return _at_level(hum + hiss, dbfs)


def breathing(seconds: float, dbfs: float = -32.0, seed: int = 3) -> np.ndarray:
    """Breaths into a headset microphone: band-passed noise in/out every ~3.5 s."""
    n = int(seconds * RATE)
    rng = _rng(seed)
    noise = rng.standard_normal(n)
    # Breath noise sits around 500-2500 Hz; shape it in the frequency domain.
    spectrum = np.fft.rfft(noise)
    f = np.fft.rfftfreq(n, 1 / RATE)
    spectrum *= np.exp(-0.5 * ((f - 1200) / 700) ** 2)
    shaped = np.fft.irfft(spectrum, n)
    t = np.arange(n) / RATE
    cycle = 3.5
    phase = (t % cycle) / cycle
    # Inhale (1.2 s) then a longer, softer exhale (1.6 s), then a pause.
    envelope = np.where(
        phase < 0.34,
        np.sin(np.pi * phase / 0.34) ** 2,
        np.where(phase < 0.8, 0.6 * np.sin(np.pi * (phase - 0.34) / 0.46) ** 2, 0.0),
    )
    return _at_level(shaped * envelope, dbfs)


def typing(seconds: float, dbfs: float = -38.0, seed: int = 4) -> np.ndarray:
    """Keystrokes: sharp decaying clicks at 4-8 per second in bursts, quiet between words."""
    n = int(seconds * RATE)
    rng = _rng(seed)
    out = np.zeros(n)
    click_len = int(0.012 * RATE)
    decay = np.exp(-np.arange(click_len) / (0.002 * RATE))
    t = 0.2
    while t < seconds - 0.05:
        start = int(t * RATE)
        click = rng.standard_normal(click_len) * decay * rng.uniform(0.5, 1.0)
        out[start : start + click_len] += click[: n - start]
        # A key every ~0.15 s, a space bar pause now and then.
        t += rng.uniform(0.09, 0.22) + (rng.uniform(0.3, 0.8) if rng.random() < 0.15 else 0.0)
    background = 0.003 * rng.standard_normal(n)
    return _at_level(out + background, dbfs)


def music_on_hold(seconds: float, dbfs: float = -24.0, seed: int = 5) -> np.ndarray:
    """A bland looped tune: a melody over chords with harmonics, band-limited like a phone line."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    melody = [0, 4, 7, 12, 7, 4, 5, 9, 12, 9, 5, 2]  # semitones above A3
    note_s = 0.4
    out = np.zeros(n)
    for i in range(int(np.ceil(seconds / note_s))):
        a, b = int(i * note_s * RATE), min(n, int((i + 1) * note_s * RATE))
        if a >= n:
            break
        f0 = 220.0 * 2 ** (melody[i % len(melody)] / 12)
        seg = t[a:b] - t[a]
        env = np.minimum(1.0, seg / 0.02) * np.exp(-seg / 0.5)
        tone = sum((0.5**k) * np.sin(2 * np.pi * f0 * (k + 1) * seg) for k in range(4))
        out[a:b] += env * tone
        # The chord under it changes every 8 notes.
        root = 110.0 * 2 ** ([0, 5, 7, 3][(i // 8) % 4] / 12)
        out[a:b] += 0.3 * sum(np.sin(2 * np.pi * root * r * seg) for r in (1.0, 1.26, 1.5))
    spectrum = np.fft.rfft(out)
    f = np.fft.rfftfreq(n, 1 / RATE)
    spectrum[(f < 300) | (f > 3400)] *= 0.1
    del seed  # the tune is deterministic; kept for a uniform signature
    return _at_level(np.fft.irfft(spectrum, n), dbfs)


NOISES: dict[str, Callable[..., np.ndarray]] = {
    "room noise": room_noise,
    "mains hum": mains_hum,
    "breathing": breathing,
    "typing": typing,
    "music on hold": music_on_hold,
}
"""Every noise a voiceless channel is tested with, by name."""


def to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)
