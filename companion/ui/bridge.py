"""The one door between the engine's threads and the GUI thread.

The pipeline calls its listeners from its own threads; ``EngineBridge`` is such
a listener.  It re-emits every event as a Qt signal, and because the bridge lives
in the GUI thread, Qt queues each emission to the GUI thread's event loop: the
engine never touches a widget and the GUI thread never waits for the engine.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal

from companion.asr.model import load_model
from companion.audio.sources import Source
from companion.errors import CompanionError
from companion.events import CallEnded, Event
from companion.jobs import JobsManager
from companion.pipeline import CallPipeline, Coach, EngineSettings

log = logging.getLogger(__name__)


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
    """One call run by the real pipeline as a background job, reported through an ``EngineBridge``."""

    name = "call-pipeline"

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
        self.jobs: JobsManager | None = None

    # A model still preloading is waited for inside load_model, so starting a call never loads it twice.
    def start(self, jobs: JobsManager) -> bool:
        # Added last, after any recorder: when the window hears of the end, the recorder already has it.
        self.pipeline.add_listener(self.bridge.announce_end)
        self.jobs = jobs
        return jobs.start(self)

    def run(self) -> None:
        """The job: the whole call, in the jobs manager's thread (its error stays in ``error``)."""
        with contextlib.suppress(CompanionError):
            self.pipeline.run()

    def cancel(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the call to end; what was heard is still transcribed and reported."""
        self.pipeline.stop()

    def wait(self, timeout: float | None = None) -> bool:
        return self.jobs is None or self.jobs.wait(self, timeout)

    @property
    def running(self) -> bool:
        return self.jobs is not None and self.jobs.is_running(self)

    @property
    def error(self) -> CompanionError | None:
        return self.pipeline.error

    @property
    def events(self) -> list[Event]:
        return self.pipeline.events

    def __hash__(self) -> int:  # a QObject: one job per object
        return id(self)


class ModelWarmUp:
    """Loads the speech model in the background, so the first call starts without a pause.

    It cannot be cancelled (CTranslate2 does not stop mid-load), so quitting waits for it.
    """

    name = "model-warm-up"

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings

    def run(self) -> None:
        try:
            load_model(self.settings.model)
        except CompanionError as exc:  # the call that needs it will report it in the window
            log.info("speech model not preloaded: %s", exc)

    def cancel(self) -> None:
        pass
