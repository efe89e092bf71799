"""A session's sound: both speakers in one Ogg Opus file, written as the call goes.

Agent left and customer right (mono for a one-channel call), 16 kHz, about
24 kbit/s: roughly 0.2 MB per call minute.  The two sides are two separate Opus
streams in the file (not joint stereo), so neither leaks into the other.  Ogg suits a recording that may be
cut off at any moment: it is a chain of self-checking pages, so a file whose
writer was killed still plays up to its last whole page.  Sample ``n`` of the
file is call time ``n / 16000``; gaps in the input are filled with silence so
replay stays in sync with the stored events.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.errors import StoreError

log = logging.getLogger(__name__)

BIT_RATE = 24_000
FRAME = 320  # 20 ms at 16 kHz, a frame size Opus accepts
# A speaker whose audio stops (device gone) must not hold back the other's: past this lag it is padded.
MAX_LAG = 2 * SAMPLE_RATE
# Mapping family 255: each channel its own Opus stream, none coupled.  The default (family 0)
# codes stereo jointly, which leaked about -24 dB of one speaker into the other's channel
# (benchmarks/store_leak.py), and a stored call analysed again would inherit that bleed.
ENCODER_OPTIONS = {"mapping_family": "255"}
# Pages of at most half a second, pushed to the file as soon as they are made.
MUX_OPTIONS = {"page_duration": "500000", "flush_packets": "1"}


class AudioWriter:
    """Encodes the speakers' blocks into one aligned, compressed file; ``flush`` makes it durable."""

    def __init__(self, path: Path, speakers: Sequence[str]) -> None:
        self.path = path
        self.speakers = tuple(speakers)
        self._pending = {s: np.zeros(0, dtype=np.float32) for s in self.speakers}
        self._written = 0  # samples per channel handed to the encoder
        try:
            self._file: BinaryIO = open(path, "wb")  # noqa: SIM115 (closed in close())
            self._container = av.open(self._file, "w", format="ogg", options=MUX_OPTIONS)
            layout = "stereo" if len(self.speakers) == 2 else "mono"
            options = ENCODER_OPTIONS if layout == "stereo" else {}
            self._stream = self._container.add_stream("libopus", rate=SAMPLE_RATE, layout=layout, options=options)
            self._stream.bit_rate = BIT_RATE
            self._layout = layout
        except (OSError, av.FFmpegError) as exc:
            raise StoreError(f"cannot write the call's audio to {path}: {exc}") from exc
        self.closed = False

    @property
    def seconds(self) -> float:
        """Call time up to which audio has been encoded."""
        return self._written / SAMPLE_RATE

    def write(self, block: AudioBlock) -> None:
        if block.speaker not in self._pending:
            return
        pending = self._pending[block.speaker]
        at = round(block.t0 * SAMPLE_RATE) - self._written  # where the block falls in the pending buffer
        samples = block.samples.astype(np.float32, copy=False)
        if at < 0:  # already written (a late block): keep only what is new
            samples = samples[-at:]
            at = 0
        if at > len(pending):
            pending = np.concatenate([pending, np.zeros(at - len(pending), dtype=np.float32)])
        self._pending[block.speaker] = np.concatenate([pending[:at], samples])
        self._encode_ready()

    def _encode_ready(self, final: bool = False) -> None:
        lengths = [len(p) for p in self._pending.values()]
        ready = max(lengths) if final else max(min(lengths), max(lengths) - MAX_LAG)
        if not final:
            ready -= ready % FRAME
        if ready <= 0:
            return
        channels = []
        for speaker in self.speakers:
            p = self._pending[speaker]
            if len(p) < ready:
                p = np.concatenate([p, np.zeros(ready - len(p), dtype=np.float32)])
            channels.append(p[:ready])
            self._pending[speaker] = p[ready:]
        self._encode(np.stack(channels))

    def _encode(self, pcm: np.ndarray) -> None:
        try:
            for i in range(0, pcm.shape[1], FRAME):
                chunk = np.ascontiguousarray(pcm[:, i : i + FRAME])
                if chunk.shape[1] < FRAME:  # the last frame of the call
                    chunk = np.pad(chunk, ((0, 0), (0, FRAME - chunk.shape[1])))
                interleaved = chunk.T.reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(interleaved, format="flt", layout=self._layout)
                frame.sample_rate = SAMPLE_RATE
                frame.pts = self._written
                self._written += FRAME
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except (OSError, av.FFmpegError) as exc:
            raise StoreError(f"cannot write the call's audio to {self.path}: {exc}") from exc

    def flush(self) -> None:
        """Push what is encoded to the disk (survives a killed app and a power cut)."""
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise StoreError(f"cannot write the call's audio to {self.path}: {exc}") from exc

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self._encode_ready(final=True)
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
            self.flush()
        finally:
            self._file.close()


def write_pcm(path: Path, speakers: Sequence[str], pcm: np.ndarray) -> None:
    """Encode a whole (channels, samples) array as a session's audio file.

    The speakers' blocks go in turn, a second at a time: handed over one whole channel after
    another, the writer would pad the channel still to come as a speaker that stopped (MAX_LAG)
    and then drop it as late audio.
    """
    writer = AudioWriter(path, speakers)
    for a in range(0, pcm.shape[1], SAMPLE_RATE):
        for i, speaker in enumerate(writer.speakers):
            writer.write(AudioBlock(speaker, a / SAMPLE_RATE, pcm[i, a : a + SAMPLE_RATE]))  # type: ignore[arg-type]
    writer.close()


def read_audio(path: Path) -> np.ndarray:
    """The file's audio as (channels, samples) float32 at 16 kHz; a cut-off file up to where it ends."""
    parts: list[np.ndarray] = []
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            layout = "stereo" if (stream.codec_context.channels or 1) >= 2 else "mono"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
            try:
                for frame in container.decode(stream):
                    parts.extend(out.to_ndarray() for out in resampler.resample(frame))
            except av.FFmpegError as exc:  # a cut-off last page: keep what decoded
                log.info("%s ends early: %s", path, exc)
            parts.extend(out.to_ndarray() for out in resampler.resample(None))
    except (OSError, av.FFmpegError, IndexError) as exc:
        raise StoreError(f"the call's audio {path} cannot be read: {exc}") from exc
    if not parts:
        return np.zeros((1, 0), dtype=np.float32)
    return np.concatenate(parts, axis=1).astype(np.float32, copy=False)


def audio_seconds(path: Path) -> float:
    return read_audio(path).shape[1] / SAMPLE_RATE


def repair(path: Path, speakers: Sequence[str]) -> float:
    """Rewrite a file cut off by a crash as a clean one; return the seconds of audio kept."""
    pcm = read_audio(path)
    if pcm.shape[1] == 0:
        return 0.0
    tmp = path.with_name(path.name + ".repair")
    if pcm.shape[0] != len(speakers):
        speakers = ("agent", "customer") if pcm.shape[0] == 2 else ("call",)
    write_pcm(tmp, speakers, pcm)
    os.replace(tmp, path)
    return pcm.shape[1] / SAMPLE_RATE
