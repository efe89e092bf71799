"""What a voice sounds like, in numbers: cepstral frames and the statistics of a stretch of speech.

Classic speaker features, computed with numpy alone: a log-mel spectrum every
10 ms, turned into cepstral coefficients (the spectral envelope, which the
vocal tract shapes and the words change less).  The band is the telephone's
(200-3700 Hz) whatever the recording's rate, so a wideband file and a phone
recording of the same call are read alike, and an empty band above 3.4 kHz on
a phone line does not fill the features with the noise floor.
"""

from __future__ import annotations

import functools

import numpy as np

from companion.audio.frames import SAMPLE_RATE

FRAME = 400  # 25 ms
HOP = 160  # 10 ms
N_FFT = 512
N_MELS = 40
N_CEPS = 24  # c1..c24; c0 (loudness) is left out: a mix's levels say more about the line than the voice
LOW_HZ, HIGH_HZ = 200.0, 3700.0
FRAMES_PER_S = SAMPLE_RATE // HOP


def _mel(hz: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)


def _hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


@functools.lru_cache(maxsize=1)
def _filterbank() -> np.ndarray:
    """Triangular mel filters, (N_MELS, N_FFT // 2 + 1)."""
    edges = _hz(np.linspace(_mel(LOW_HZ), _mel(HIGH_HZ), N_MELS + 2))
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    bank = np.zeros((N_MELS, bins.size), dtype=np.float32)
    for i in range(N_MELS):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        rise = (bins - lo) / (mid - lo)
        fall = (hi - bins) / (hi - mid)
        bank[i] = np.clip(np.minimum(rise, fall), 0.0, None)
    return bank


@functools.lru_cache(maxsize=1)
def _dct() -> np.ndarray:
    """DCT-II rows 1..N_CEPS over the mel bands."""
    n = np.arange(N_MELS)
    k = np.arange(1, N_CEPS + 1)[:, None]
    return (np.cos(np.pi * k * (2 * n + 1) / (2 * N_MELS)) * np.sqrt(2.0 / N_MELS)).astype(np.float32)


def cepstra(samples: np.ndarray) -> np.ndarray:
    """Cepstral frames of 16 kHz audio, (frames, N_CEPS).

    Frame ``i`` covers samples ``i * HOP .. i * HOP + FRAME``.
    """
    x = np.asarray(samples, dtype=np.float32)
    if x.size < FRAME:
        return np.zeros((0, N_CEPS), dtype=np.float32)
    x = np.append(x[0], x[1:] - 0.97 * x[:-1])  # pre-emphasis: the envelope, not the voice's loudest harmonics
    n = 1 + (x.size - FRAME) // HOP
    index = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    frames = x[index] * np.hanning(FRAME).astype(np.float32)
    power = np.abs(np.fft.rfft(frames, N_FFT)) ** 2
    mel = power @ _filterbank().T
    return (np.log(mel + 1e-8) @ _dct().T).astype(np.float32)


def statistics(frames: np.ndarray) -> np.ndarray:
    """A stretch of speech as one vector: the mean and the spread of its cepstral frames."""
    if len(frames) == 0:
        return np.zeros(2 * N_CEPS, dtype=np.float32)
    return np.concatenate([frames.mean(axis=0), frames.std(axis=0)]).astype(np.float32)
