"""Recorded calls read from files (WAV, FLAC, MP3, OGG/Opus, M4A) through PyAV."""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import numpy as np

from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.errors import InputError
from companion.events import Speaker

log = logging.getLogger(__name__)

CHANNEL_NAMES = ("left", "right")
BLOCK_SAMPLES = 1024  # 64 ms: two Silero windows, small enough for sub-second latency
# A file whose decoded audio falls this far short of its declared length is truncated.
TRUNCATION_TOLERANCE_S = 0.5


def channel_map(agent: str | None, n_channels: int) -> tuple[tuple[Speaker, str], ...]:
    """Map the file's channels to speakers: stereo is agent + customer, mono is one ``call``."""
    if agent is not None and agent not in CHANNEL_NAMES:
        raise InputError(f"unknown channel '{agent}': the agent's channel must be 'left' or 'right'")
    if n_channels == 1:
        return (("call", "mono"),)
    agent = agent or "left"
    customer = "right" if agent == "left" else "left"
    return (("agent", agent), ("customer", customer))


def parse_channel_pick(text: str) -> tuple[int, int]:
    """``"A,C"`` (1-based: the agent's channel, the customer's) as a pair of numbers."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise InputError(f"--channels takes two channel numbers from 1, agent first: '1,3', not '{text}'")
    agent, customer = int(parts[0]), int(parts[1])
    if agent == customer:
        raise InputError(f"--channels {text}: the agent and the customer need different channels")
    return agent, customer


def picked_channel_map(
    path: Path, agent: str | None, picks: tuple[int, int] | None, n_channels: int
) -> tuple[tuple[tuple[Speaker, str], ...], tuple[int, ...], str | None]:
    """(speakers and channel names, the file's channel index of each, a note saying what was chosen)."""
    if picks is None:
        channels = channel_map(agent, n_channels)
        indices = tuple(1 if name == "right" else 0 for _s, name in channels)
        note = None
        if n_channels > 2:
            a, c = (i + 1 for i in indices)
            note = (
                f"{path} has {n_channels} channels; using channel {a} as the agent and {c} as the customer "
                "(choose others with --channels A,C)"
            )
        return channels, indices, note
    if agent is not None:
        raise InputError("give --agent or --channels, not both")
    if n_channels == 1:
        raise InputError(f"{path} has one channel; --channels needs a file with two or more")
    outside = [p for p in picks if p > n_channels]
    if outside:
        raise InputError(f"{path} has {n_channels} channels; there is no channel {outside[0]}")
    names = (("agent", f"channel {picks[0]}"), ("customer", f"channel {picks[1]}"))
    if n_channels == 2:  # the usual names, so a stereo file picked either way reads as one with --agent
        names = channel_map("left" if picks[0] == 1 else "right", 2)
    return names, (picks[0] - 1, picks[1] - 1), None


class FileSource:
    """Plays a recorded call into the pipeline, at real-time pace or as fast as decoding goes.

    ``channels`` picks two channels of a multichannel file (1-based: agent, customer);
    without it a file of more than two channels uses its first two and says so in ``note``.
    """

    carries_audio = True

    def __init__(
        self,
        path: str | Path,
        agent: str | None = None,
        realtime: bool = False,
        channels: tuple[int, int] | None = None,
    ) -> None:
        self.path = Path(path)
        self.realtime = realtime
        self.description = str(self.path)
        self._n_channels, self.declared_duration = _probe(self.path)
        self._channels, self._indices, self.note = picked_channel_map(self.path, agent, channels, self._n_channels)
        self.decoded_duration = 0.0

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        return self._channels

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:
        wall_start = time.monotonic()
        t = 0.0
        for columns in self._decode_blocks():
            if stop.is_set():
                return
            block_s = columns.shape[1] / SAMPLE_RATE
            if self.realtime:
                # Hand a block over once its last sample "has been spoken", as a
                # live input would; pacing by the wall clock keeps stalls from drifting.
                delay = wall_start + t + block_s - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    return
            for (speaker, _name), samples in zip(self._channels, self._select(columns), strict=True):
                deliver(AudioBlock(speaker, t, samples))
            t += block_s
            self.decoded_duration = t
        if t == 0.0:
            raise InputError(f"{self.path}: the recording holds no audio (zero length)")
        declared = self.declared_duration
        if declared is not None and t < declared - TRUNCATION_TOLERANCE_S:
            raise InputError(
                f"{self.path}: the file is truncated: it declares {declared:.1f} s of audio "
                f"but only {t:.1f} s could be decoded"
            )

    def _select(self, columns: np.ndarray) -> list[np.ndarray]:
        return [np.ascontiguousarray(columns[index], dtype=np.float32) for index in self._indices]

    def _decode_blocks(self) -> Iterator[np.ndarray]:
        """Yield (channels, BLOCK_SAMPLES) float32 arrays at 16 kHz, the last one shorter."""
        pending: list[np.ndarray] = []
        pending_len = 0
        try:
            with av.open(str(self.path), metadata_errors="ignore") as container:
                stream = container.streams.audio[0]
                resampler = av.AudioResampler(format="fltp", layout=self._layout(stream), rate=SAMPLE_RATE)
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        pending.append(out.to_ndarray())
                        pending_len += out.samples
                    while pending_len >= BLOCK_SAMPLES:
                        joined = np.concatenate(pending, axis=1)
                        yield joined[:, :BLOCK_SAMPLES]
                        pending = [joined[:, BLOCK_SAMPLES:]]
                        pending_len -= BLOCK_SAMPLES
                for out in resampler.resample(None):
                    pending.append(out.to_ndarray())
                    pending_len += out.samples
        except av.FFmpegError as exc:
            # Decoding stopped part-way; the audio decoded so far has been delivered.
            log.warning("decoding %s stopped: %s", self.path, exc)
            if self.decoded_duration == 0.0 and pending_len == 0:
                raise InputError(f"{self.path}: the audio cannot be decoded ({exc})") from exc
        if pending_len:
            joined = np.concatenate(pending, axis=1)
            for i in range(0, pending_len, BLOCK_SAMPLES):
                yield joined[:, i : i + BLOCK_SAMPLES]

    def _layout(self, stream: av.audio.stream.AudioStream) -> object:
        """Mono and stereo as they are; more channels kept apart (the file's own layout), never mixed down."""
        if self._n_channels <= 2:
            return "mono" if self._n_channels == 1 else "stereo"
        return stream.codec_context.layout


def _probe(path: Path) -> tuple[int, float | None]:
    """Return (channels, declared duration in seconds) or raise a clear InputError."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a recording")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty")
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(f"{path}: the file has no audio stream")
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels or 1
            declared = None
            if stream.duration is not None and stream.time_base is not None:
                declared = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                declared = container.duration / 1_000_000
    except av.FFmpegError as exc:
        raise InputError(f"{path}: not an audio file this app can read ({exc.strerror or exc})") from exc
    # FFmpeg sizes a WAV by the bytes present, so a cut-off WAV looks whole to it;
    # the RIFF header still says how much audio was meant to be there.
    header = _wav_header_duration(path)
    if header is not None:
        declared = header
    return channels, declared


def _wav_header_duration(path: Path) -> float | None:
    """Seconds of audio a RIFF/WAVE header promises, or None for other files."""
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        byte_rate = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            size = struct.unpack("<I", chunk[4:8])[0]
            if chunk[:4] == b"fmt ":
                fmt = f.read(size)
                byte_rate = struct.unpack("<I", fmt[8:12])[0] if len(fmt) >= 12 else None
                f.seek(size % 2, 1)
            elif chunk[:4] == b"data":
                # 0 and 0xFFFFFFFF mark a header written before the length was known.
                if not byte_rate or size in (0, 0xFFFFFFFF):
                    return None
                return size / byte_rate
            else:
                f.seek(size + size % 2, 1)
