"""Every call ends with one CallEnded, last of all, saying why: the window and the recorder need no other sign.

Real parts throughout: the bundled model on a spoken call, a file source that
loses its "device" part-way (the real CaptureError), and a real-time call that
the user stops.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from companion import events
from companion.asr.model import ModelSettings
from companion.audio.files import FileSource
from companion.audio.frames import AudioBlock
from companion.errors import CaptureError, ModelError
from companion.events import CallEnded, CallStarted, EngineError, Event, Speaker, Utterance
from companion.pipeline import CallPipeline, EngineSettings
from tests import speech

CALL = [
    ("agent", "Hello, this is Sam from Fibrelink. How can I help you today?"),
    ("customer", "My router keeps dropping the connection every evening."),
    ("agent", "I am sorry to hear that, let me check your line now."),
]


@pytest.fixture(scope="module")
def call_wav(espeak: None) -> Path:
    wav, _turns = speech.synthesize_call(CALL)
    return wav


class LosesDevice:
    """A spoken call whose "headset" is unplugged part-way: the real error a live source raises."""

    realtime = False
    carries_audio = True
    description = "USB headset"

    def __init__(self, path: Path, at_s: float) -> None:
        self._file = FileSource(path)
        self._at_s = at_s

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        return self._file.channels

    def run(self, deliver: Callable[[AudioBlock], None], stop: threading.Event) -> None:
        def until_unplugged(block: AudioBlock) -> None:
            if block.t0 >= self._at_s:
                raise CaptureError("the agent's headset was disconnected")
            deliver(block)

        self._file.run(until_unplugged, stop)


def _ends(events: list[Event]) -> list[CallEnded]:
    ended = [e for e in events if isinstance(e, CallEnded)]
    assert len(ended) == 1 and events[-1] is ended[0], "one CallEnded, the last event"
    return ended


def test_a_model_that_cannot_load_still_ends_the_call(call_wav: Path) -> None:
    heard: list[Event] = []
    settings = EngineSettings(model=ModelSettings(name="/no/such/model"))
    pipeline = CallPipeline(FileSource(call_wav), settings, listeners=[heard.append])
    pipeline.start()
    assert pipeline.wait(30)
    (ended,) = _ends(heard)
    assert ended.reason == events.MODEL_FAILED and ended.t == 0.0
    assert isinstance(pipeline.error, ModelError)
    errors = [e for e in heard if isinstance(e, EngineError)]
    assert errors and errors[0].fatal and "speech model" in errors[0].message
    assert not any(isinstance(e, CallStarted) for e in heard), "no audio was read"


def test_a_device_lost_mid_call_ends_the_call_with_what_was_heard(call_wav: Path) -> None:
    pipeline = CallPipeline(LosesDevice(call_wav, at_s=6.0))
    with pytest.raises(CaptureError):
        pipeline.run()
    (ended,) = _ends(pipeline.events)
    assert ended.reason == events.DEVICE_LOST and 5.5 <= ended.t <= 6.5
    assert [e for e in pipeline.events if isinstance(e, Utterance)], "what was said before is kept"


def test_stopping_a_call_ends_it_as_stopped(call_wav: Path) -> None:
    started = threading.Event()
    heard: list[Event] = []

    def listen(event: Event) -> None:
        heard.append(event)
        if isinstance(event, CallStarted):
            started.set()

    pipeline = CallPipeline(FileSource(call_wav, realtime=True), listeners=[listen])
    pipeline.start()
    assert started.wait(60)
    threading.Timer(1.5, pipeline.stop).start()
    assert pipeline.wait(60)
    (ended,) = _ends(heard)
    assert ended.reason == events.STOPPED and 1.0 < ended.t < 4.0
