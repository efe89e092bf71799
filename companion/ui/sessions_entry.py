"""Sessions in the companion window: every call recorded, crash recovery at start, and the Sessions action.

``install_sessions`` is the whole hook: the main window only announces a call
about to start (``call_starting``) and its end (``call_finished``).  Messages
about the store go to a permanent label in the status bar: never a dialog.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from companion.store.recorder import RecorderSettings
from companion.ui.bridge import CallSession
from companion.ui.call_keeper import CallKeeper
from companion.ui.main_window import MainWindow
from companion.ui.settings import Key
from companion.ui.shortcuts import Shortcut
from companion.ui.team_sync import SyncIndicator, TeamSync, team_url

log = logging.getLogger(__name__)

STORE_ERROR_STYLE = "color: #b91c1c; font-weight: 600;"
_PATH = re.compile(r"(?<![\w.])(?:~|/)[^\s'\"]*/([^\s'\"/]+)")


def without_paths(text: str) -> str:
    """A status-bar line names files, not folders: the full path is in the tooltip."""
    return _PATH.sub(lambda m: m.group(1), text)


class SessionsEntry(QObject):
    """What ``install_sessions`` added to a window (kept alive by the window)."""

    def __init__(self, window: MainWindow, store_dir: Path, spool_dir: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.store_dir = Path(store_dir)
        self.keeper = CallKeeper(self.store_dir, spool_dir=spool_dir, parent=self)
        self.sessions_window = None
        self.store_label = QLabel()
        self.store_label.setObjectName("StoreStatus")
        self.store_label.setWordWrap(False)
        window.statusBar().addPermanentWidget(self.store_label)
        self.keeper.message.connect(self._on_message)
        self.keeper.store_failed.connect(self._on_store_failed)
        self.keeper.session_saved.connect(self._on_session_saved)
        window.call_starting.connect(self._on_call_starting)
        window.call_finished.connect(self.keeper.on_call_finished)
        self.action = window._action("sessions", "Sessions", Shortcut.SESSIONS, self.open_sessions)
        window.toolbar.insertAction(window.settings_action, self.action)
        # The team store: a sync after each saved call (never while one runs), and its indicator.
        self.team_sync = TeamSync(
            window.settings, self.store_dir, busy=lambda: window.in_call, parent=self, jobs=window.jobs
        )
        self.sync_indicator = SyncIndicator(self.team_sync)
        window.statusBar().addPermanentWidget(self.sync_indicator)
        self.keeper.session_saved.connect(lambda _id: self.team_sync.request())
        QTimer.singleShot(2000, self.team_sync, self.team_sync.request_due)  # what waited since last time

    def recorder_settings(self) -> RecorderSettings:
        s = self.window.settings
        return RecorderSettings(
            agent=s.text(Key.AGENT_NAME),
            redact=s.flag(Key.REDACT),
            playbook_steps=tuple((step.id, step.title) for step in self.window.live.steps),
            spool_dir=self.keeper.spool_dir,
        )

    def _on_call_starting(self, session: CallSession) -> None:
        self.keeper.on_call_starting(session, self.recorder_settings())

    def _on_message(self, text: str) -> None:
        self.store_label.setStyleSheet("")
        self.store_label.setText(without_paths(text))
        self.store_label.setToolTip(text)

    def _on_store_failed(self, text: str) -> None:
        self.store_label.setStyleSheet(STORE_ERROR_STYLE)
        self.store_label.setText(f"⚠  Sessions: {without_paths(text)}")
        self.store_label.setToolTip(text)

    def _on_session_saved(self, _session_id: int) -> None:
        if self.sessions_window is not None:
            self.sessions_window.library.refresh()

    def _remember_reviewer(self, _kind: str, author: str, _text: str) -> None:
        self.window.settings.set(Key.REVIEWER, author)

    def open_sessions(self) -> None:
        """Show the library in its own window (made on first use)."""
        if self.sessions_window is None:
            from companion.ui.sessions_window import SessionsWindow

            s = self.window.settings
            self.sessions_window = SessionsWindow(
                self.store_dir,
                catalogue=self.window.live.steps,
                # An imported recording is not necessarily this user's call: no agent name is assumed.
                recorder_settings=RecorderSettings(redact=s.flag(Key.REDACT)),
                playbook=s.text(Key.PLAYBOOK),
                reviewer=s.text(Key.REVIEWER) or s.text(Key.AGENT_NAME),
                redact=s.flag(Key.REDACT),
                parent=self.window,
                team_url=lambda: team_url(s),
                jobs=self.window.jobs,
            )
            self.sessions_window.set_dark(self.window.dark)
            self.sessions_window.replay.notes.note_requested.connect(self._remember_reviewer)
        else:
            self.sessions_window.library.refresh()
        self.sessions_window.show()
        self.sessions_window.raise_()
        self.sessions_window.activateWindow()


def install_sessions(window: MainWindow, store_dir: Path, spool_dir: Path | None = None) -> SessionsEntry:
    """Record the window's calls into ``store_dir``, recover cut-off calls now, add the Sessions action."""
    entry = SessionsEntry(window, store_dir, spool_dir)
    entry.keeper.recover()
    return entry
