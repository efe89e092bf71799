"""Live capture of a call: the agent's microphone and the customer's audio.

Two layouts are supported, both resampled to 16 kHz mono per speaker:
two input devices (the headset microphone, and the softphone's output taken
from a monitor / loopback / virtual device), or one stereo device with a
channel map.  PortAudio's callbacks only copy samples into a queue; nothing
is ever dropped, and call time is counted in samples so it cannot drift from
the audio.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np

from companion.audio.devices import InputDevice, find_input_device, portaudio
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.errors import CaptureError
from companion.events import Speaker

log = logging.getLogger(__name__)

# A device that delivers nothing for this long has gone away (unplugged, server died).
STALL_S = 2.0
# Sound servers can take a couple of seconds to deliver the first buffer after opening.
STARTUP_GRACE_S = 8.0
BLOCK_FRAMES = 1024


@dataclass
class _Input:
    """One open PortAudio stream and the speakers its channels carry."""

    device: InputDevice
    routes: tuple[tuple[Speaker, int], ...]  # (speaker, channel index in the stream)
    channels: int
    rate: int
    stream: object = None
    last_data: float = 0.0
    got_data: bool = False
    failed: str | None = None


class LiveSource:
    """Audio from sound devices, delivered at the pace of the call."""

    realtime = True
    carries_audio = True

    def __init__(
        self,
        agent_device: str | int,
        customer_device: str | int | None = None,
        agent_channel: str | None = None,
    ) -> None:
        self._sd = portaudio()
        agent = find_input_device(agent_device)
        if customer_device is None:
            if agent.max_input_channels < 2:
                raise CaptureError(
                    f"'{agent.name}' has one channel: choose a second device for the customer, "
                    "or a stereo device with a channel map"
                )
            agent_index = 1 if agent_channel == "right" else 0
            if agent_channel not in (None, "left", "right"):
                raise CaptureError(f"unknown channel '{agent_channel}': use 'left' or 'right'")
            self._inputs = [_Input(agent, (("agent", agent_index), ("customer", 1 - agent_index)), 2, 0)]
            side = "right" if agent_index else "left"
            self._channels: tuple[tuple[Speaker, str], ...] = (
                ("agent", f"{agent.name} ({side})"),
                ("customer", f"{agent.name} ({'left' if agent_index else 'right'})"),
            )
        else:
            customer = find_input_device(customer_device)
            self._inputs = [
                _Input(agent, (("agent", 0),), 1, 0),
                _Input(customer, (("customer", 0),), 1, 0),
            ]
            self._channels = (("agent", agent.name), ("customer", customer.name))
        self.description = " + ".join(name for _, name in self._channels)
        self._queue: queue.Queue[tuple[int, np.ndarray]] = queue.Queue()

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        return self._channels

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:
        sd = self._sd
        resamplers: dict[int, _Resampler | None] = {}
        sent: dict[Speaker, int] = {}
        try:
            for i, inp in enumerate(self._inputs):
                inp.rate = self._pick_rate(inp)
                resamplers[i] = None if inp.rate == SAMPLE_RATE else _Resampler(inp.channels, inp.rate)
                inp.stream = sd.InputStream(
                    device=inp.device.index,
                    channels=inp.channels,
                    samplerate=inp.rate,
                    dtype="float32",
                    blocksize=BLOCK_FRAMES,
                    callback=self._callback(i),
                    finished_callback=self._finished(i, stop),
                )
            now = time.monotonic()
            for inp in self._inputs:
                inp.last_data = now
                inp.stream.start()  # type: ignore[attr-defined]
        except sd.PortAudioError as exc:
            self._close()
            raise CaptureError(f"cannot open the sound input: {exc}") from exc
        try:
            while not stop.is_set():
                try:
                    index, data = self._queue.get(timeout=0.25)
                except queue.Empty:
                    self._check_alive()
                    continue
                self._deliver(index, data, resamplers[index], sent, deliver)
                self._check_alive()
        finally:
            self._close()
            # Samples already queued when the call stopped still belong to it.
            while True:
                try:
                    index, data = self._queue.get_nowait()
                except queue.Empty:
                    break
                self._deliver(index, data, resamplers[index], sent, deliver)

    def _pick_rate(self, inp: _Input) -> int:
        """16 kHz if the device takes it (no resampling), else its own default rate."""
        try:
            self._sd.check_input_settings(
                device=inp.device.index, channels=inp.channels, samplerate=SAMPLE_RATE, dtype="float32"
            )
            return SAMPLE_RATE
        except Exception:  # PortAudio says no in several ways; any of them means "use native"
            return int(inp.device.default_samplerate)

    def _callback(self, index: int) -> Callable[..., None]:
        def on_audio(indata: np.ndarray, frames: int, time_info: object, status: object) -> None:
            if status:
                log.warning("input %d: %s", index, status)
            inp = self._inputs[index]
            inp.last_data = time.monotonic()
            inp.got_data = True
            self._queue.put((index, indata.copy()))

        return on_audio

    def _finished(self, index: int, stop: threading.Event) -> Callable[[], None]:
        def on_finished() -> None:
            if not stop.is_set():
                self._inputs[index].failed = "the stream ended unexpectedly"

        return on_finished

    def _check_alive(self) -> None:
        now = time.monotonic()
        for inp in self._inputs:
            limit = STALL_S if inp.got_data else STARTUP_GRACE_S
            if inp.failed or now - inp.last_data > limit:
                role = " and ".join(s for s, _ in inp.routes)
                why = inp.failed or f"no audio for {limit:.0f} s"
                raise CaptureError(
                    f"the {role} input '{inp.device.name}' stopped delivering audio ({why}): "
                    "check that it is still plugged in; the call so far is kept"
                )

    def _deliver(
        self,
        index: int,
        data: np.ndarray,
        resampler: _Resampler | None,
        sent: dict[Speaker, int],
        deliver: Callable[[AudioBlock], None],
    ) -> None:
        inp = self._inputs[index]
        planes = data.T if resampler is None else resampler(data)
        for speaker, channel in inp.routes:
            samples = np.ascontiguousarray(planes[channel], dtype=np.float32)
            if len(samples) == 0:
                continue
            start = sent.get(speaker, 0)
            deliver(AudioBlock(speaker, start / SAMPLE_RATE, samples))
            sent[speaker] = start + len(samples)

    def _close(self) -> None:
        for inp in self._inputs:
            stream = inp.stream
            if stream is None:
                continue
            try:
                stream.stop()  # type: ignore[attr-defined]
                stream.close()  # type: ignore[attr-defined]
            except Exception as exc:  # a vanished device may fail to close; the data is safe
                log.info("closing %s: %s", inp.device.name, exc)
            inp.stream = None


class _Resampler:
    """PyAV's streaming resampler plus the input format it is fed (PortAudio gives interleaved)."""

    def __init__(self, channels: int, rate: int) -> None:
        self.layout = "mono" if channels == 1 else "stereo"
        self.rate = rate
        self._resampler = av.AudioResampler(format="fltp", layout=self.layout, rate=SAMPLE_RATE)

    def __call__(self, data: np.ndarray) -> np.ndarray:
        """Frames x channels at the device rate -> channels x samples at 16 kHz."""
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(data.T), format="fltp", layout=self.layout)
        frame.sample_rate = self.rate
        out = [f.to_ndarray() for f in self._resampler.resample(frame)]
        if not out:
            return np.zeros((data.shape[1], 0), dtype=np.float32)
        return np.concatenate(out, axis=1)
