"""Keeps every call the window runs as a session, and recovers the calls a crash cut off.

A ``SessionRecorder`` is attached to each call's pipeline before it starts
(the window's ``call_starting`` signal is delivered directly, so no event is
missed) and closed when the call ends.  A store that cannot be written is
reported once, in place and without a dialog; the call goes on and the
recorder keeps its data in memory and a spool file until it can be saved.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from companion.errors import StoreError
from companion.store.db import SessionStore
from companion.store.instance_lock import InstanceLock, in_use_message
from companion.store.recorder import RecorderSettings, SessionRecorder, default_spool_dir
from companion.store.recovery import RecoveredSession, recover
from companion.ui.bridge import CallSession

log = logging.getLogger(__name__)


def recovery_message(recovered: list[RecoveredSession]) -> str:
    """One status-bar line for what the start-up recovery saved."""
    if not recovered:
        return ""
    if len(recovered) == 1:
        return f"Recovered a cut-off call: {recovered[0].message}"
    utterances = sum(r.utterances for r in recovered)
    return f"Recovered {len(recovered)} cut-off calls ({utterances} utterances); see Sessions."


class CallKeeper(QObject):
    """Records the window's calls into the store at ``store_dir``."""

    message = Signal(str)  # something the user should read in the status bar
    store_failed = Signal(str)  # the store refused a write; the call's data waits elsewhere
    session_saved = Signal(int)  # a call was stored (its session number)
    _recorder_error = Signal(str)  # from the recorder's thread, queued to the GUI thread

    def __init__(
        self,
        store_dir: Path,
        settings: RecorderSettings | None = None,
        spool_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store_dir = Path(store_dir)
        self.settings = settings or RecorderSettings()
        self.spool_dir = spool_dir
        self.recorder: SessionRecorder | None = None
        self.last_session_id: int | None = None
        self._failure_shown = False
        self.instance = InstanceLock(self.store_dir)  # held while this window uses the store
        self._recorder_error.connect(self._on_recorder_error, Qt.ConnectionType.QueuedConnection)

    # -- start-up -------------------------------------------------------------------------

    def recover(self) -> list[RecoveredSession]:
        """Finish the sessions a crash left open; say what was saved in one line.

        Also claims the store for this window, and says so if another copy of the app has it.
        """
        holder = self.instance.acquire("a Call Companion window")
        if holder is not None:
            text = in_use_message(self.store_dir, holder)
            self.message.emit(f"{text[0].upper()}{text[1:]}.")
        try:
            with SessionStore(self.store_dir) as store:
                recovered = recover(store, self.spool_dir or default_spool_dir())
        except StoreError as exc:
            self._show_failure(str(exc))
            return []
        text = recovery_message(recovered)
        if text and holder is None:  # the other copy's warning stays on screen: it matters more
            self.message.emit(text)
        return recovered

    # -- calls ----------------------------------------------------------------------------

    def on_call_starting(self, session: CallSession, settings: RecorderSettings | None = None) -> None:
        """Attach a recorder to a call about to start (called before its pipeline runs)."""
        self.close_recorder()
        self._failure_shown = False
        s = settings or self.settings
        if self.spool_dir is not None and s.spool_dir is None:
            s = replace(s, spool_dir=self.spool_dir)
        self.recorder = SessionRecorder(self.store_dir, s, on_error=self._from_recorder_thread)
        self.recorder.attach(session.pipeline)

    def on_call_finished(self, _reason: str = "") -> None:
        self.close_recorder()

    def close_recorder(self) -> None:
        recorder, self.recorder = self.recorder, None
        if recorder is None:
            return
        # The call has ended, so the writer has only the last commit left: a short wait.
        recorder.close()
        if recorder.session_id is not None and not recorder.failing:
            self.last_session_id = recorder.session_id
            self.session_saved.emit(recorder.session_id)
            self.message.emit(f"Call saved as session {recorder.session_id}.")
        elif recorder.errors:
            self._show_failure(f"{recorder.errors[-1]} The call waits in {recorder.spool_dir} and is saved later.")

    # -- failures -------------------------------------------------------------------------

    def _from_recorder_thread(self, exc: StoreError) -> None:
        self._recorder_error.emit(str(exc))

    def _on_recorder_error(self, text: str) -> None:
        self._show_failure(f"{text} The call goes on; what is said is kept and saved later.")

    def _show_failure(self, text: str) -> None:
        if self._failure_shown:
            return
        self._failure_shown = True
        log.warning("%s", text)
        self.store_failed.emit(text)
