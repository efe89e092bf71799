"""Finding capture devices by name through PortAudio (sounddevice)."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from companion.errors import CaptureError

PORTAUDIO_HINT = (
    "PortAudio, the sound library used for live capture, is not installed: "
    "on Debian/Ubuntu run 'sudo apt-get install libportaudio2', then start the app again"
)


@dataclass(frozen=True, slots=True)
class InputDevice:
    """An input PortAudio can open."""

    index: int
    name: str
    host_api: str
    max_input_channels: int
    default_samplerate: float


def portaudio() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio into a CaptureError."""
    try:
        import sounddevice
    except OSError as exc:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise CaptureError(PORTAUDIO_HINT) from exc
    return sounddevice


def list_input_devices() -> list[InputDevice]:
    sd = portaudio()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise CaptureError(f"cannot list sound devices: {exc}") from exc
    found = []
    for index, info in enumerate(devices):
        if info["max_input_channels"] > 0:
            found.append(
                InputDevice(
                    index=index,
                    name=str(info["name"]),
                    host_api=str(apis[info["hostapi"]]["name"]),
                    max_input_channels=int(info["max_input_channels"]),
                    default_samplerate=float(info["default_samplerate"]),
                )
            )
    return found


def find_input_device(wanted: str | int) -> InputDevice:
    """Resolve a device by index, exact name, or a unique part of its name (case-insensitive)."""
    devices = list_input_devices()
    if not devices:
        raise CaptureError("no sound input devices were found: plug in a headset or check that the sound server runs")
    if isinstance(wanted, int) or (isinstance(wanted, str) and wanted.isdigit()):
        index = int(wanted)
        for device in devices:
            if device.index == index:
                return device
        raise CaptureError(f"there is no input device number {index}")
    exact = [d for d in devices if d.name == wanted]
    if exact:
        return exact[0]
    partial = [d for d in devices if wanted.lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0]
    names = ", ".join(f"'{d.name}'" for d in devices)
    if not partial:
        raise CaptureError(f"input device '{wanted}' was not found; available: {names}")
    raise CaptureError(f"'{wanted}' matches several input devices ({names}): give the full name")
