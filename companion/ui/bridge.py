"""The one door between the engine's threads and the GUI thread.

The pipeline calls its listeners from its own threads; ``EngineBridge`` is such
a listener.  It re-emits every event as a Qt signal, and because the bridge lives
in the GUI thread, Qt queues each emission to the GUI thread's event loop: the
engine never touches a widget and the GUI thread never waits for the engine.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from companion.asr.model import load_model
from companion.audio.sources import Source
from companion.errors import CompanionError
from companion.events import CallEnded, Event
from companion.pipeline import CallPipeline, Coach, EngineSettings

log = logging.getLogger(__name__)

_warming: threading.Thread | None = None


class EngineBridge(QObject):
    """Typed signals carrying the engine's frozen event values to the GUI thread."""

    event_ready = Signal(object)  # any companion.events value
    finished = Signal(str)  # the call's CallEnded reason (companion.events: finished, stopped, device lost...)

    def __call__(self, event: Event) -> None:
        """The pipeline's listener: runs on an engine thread, so it only emits."""
        self.event_ready.emit(event)

    def announce_end(self, event: Event) -> None:
        """The pipeline's last listener: the call is over once every other listener has its CallEnded."""
        if isinstance(event, CallEnded):
            self.finished.emit(event.reason)


class CallSession(QObject):
    """One call run by the real pipeline in its own thread, reported through an ``EngineBridge``."""

    def __init__(
        self,
        source: Source,
        settings: EngineSettings | None = None,
        coach: Coach | None = None,
        extra_listeners: Sequence = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = EngineBridge(self)
        self.pipeline = CallPipeline(source, settings, coach, [self.bridge, *extra_listeners])

    # The pipeline owns its thread; a model still preloading is waited for inside
    # load_model, so starting a call never loads the model twice.
    def start(self) -> None:
        # Added last, after any recorder: when the window hears of the end, the recorder already has it.
        self.pipeline.add_listener(self.bridge.announce_end)
        self.pipeline.start()

    def stop(self) -> None:
        """Ask the call to end; what was heard is still transcribed and reported."""
        self.pipeline.stop()

    def wait(self, timeout: float | None = None) -> bool:
        return self.pipeline.wait(timeout)

    @property
    def running(self) -> bool:
        return self.pipeline.running

    @property
    def error(self) -> CompanionError | None:
        return self.pipeline.error

    @property
    def events(self) -> list[Event]:
        return self.pipeline.events


def wait_for_warm_up(timeout: float | None = None) -> None:
    """Let a model load finish: leaving the process mid-load aborts inside CTranslate2."""
    if _warming is not None:
        _warming.join(timeout)


def warm_up(settings: EngineSettings) -> threading.Thread:
    """Load the speech model in the background, so the first call starts without a pause."""

    def load() -> None:
        try:
            load_model(settings.model)
        except CompanionError as exc:  # the call that needs it will report it in the window
            log.info("speech model not preloaded: %s", exc)

    global _warming
    if _warming is not None and _warming.is_alive():
        return _warming  # one load at a time; the next window shares it
    thread = threading.Thread(target=load, name="model-warm-up", daemon=True)
    thread.start()
    _warming = thread
    return thread
