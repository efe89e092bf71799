"""Importing a recording as a session, off the GUI thread: the same pipeline as a live call.

A job of the window's ``JobsManager`` (its thread is not a Qt object, so
results travel back through a small ``Signals`` QObject, queued to the GUI
thread).  Progress is the fraction of the file read; ``cancel`` stops
the pipeline and the half-made session is removed by ``record_file``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from companion.errors import CompanionError
from companion.store.recorder import RecorderSettings

log = logging.getLogger(__name__)


class ImportSignals(QObject):
    progress = Signal(float)  # 0..1 of the file read
    finished = Signal(int, str)  # session number, and a warning if the file was cut short ("" if none)
    failed = Signal(str)  # a message for the user; nothing was kept


class ImportRecordingJob:
    """Runs ``companion.call_analysis.record_file`` with a coach, reporting through ``signals``."""

    name = "import-recording"

    def __init__(
        self,
        path: Path,
        store_dir: Path,
        playbook: str = "",
        agent_channel: str | None = None,
        settings: RecorderSettings | None = None,
        model: str = "bundled",
    ) -> None:
        self.path = Path(path)
        self.store_dir = Path(store_dir)
        self.playbook = playbook
        self.agent_channel = agent_channel
        self.settings = settings or RecorderSettings()
        self.model = model
        self.cancel_event = threading.Event()
        self.signals = ImportSignals()
        self._last = -1.0

    def cancel(self) -> None:
        self.cancel_event.set()

    def _progress(self, fraction: float) -> None:
        # Blocks come 10+ a second: tell the GUI thread only of whole percents.
        if fraction - self._last >= 0.01 or fraction >= 1.0:
            self._last = fraction
            self.signals.progress.emit(fraction)

    def run(self) -> None:
        from dataclasses import replace

        from companion.analysis.coach import coach_for
        from companion.analysis.playbook import load_playbook_or_default
        from companion.call_analysis import record_file
        from companion.store.db import SessionStore

        try:
            book, _problem = load_playbook_or_default(Path(self.playbook) if self.playbook else None)
            settings = replace(self.settings, playbook_steps=tuple(book.step_titles()))
            if not settings.title:
                settings = replace(settings, title=self.path.stem)
            with SessionStore(self.store_dir) as store:
                session_id, _report, error = record_file(
                    self.path,
                    store,
                    self.agent_channel,
                    self.model,
                    settings,
                    coach=coach_for(book),
                    progress=self._progress,
                    cancel=self.cancel_event,
                )
        except CompanionError as exc:
            self.signals.failed.emit(str(exc))
            return
        except Exception as exc:  # a bug must reach the user as a message, not kill a pool thread
            log.exception("importing %s failed", self.path)
            self.signals.failed.emit(f"the import of {self.path.name} failed: {exc}")
            return
        if session_id is None:
            self.signals.failed.emit(f"{self.path.name} gave no session: nothing could be read from it")
            return
        warning = f"{error} (the part before it was kept)" if error is not None else ""
        self.signals.finished.emit(session_id, warning)
