"""The sessions window: the library, and a replay opened from it, in one window beside the companion."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QMainWindow, QPushButton, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from companion.jobs import JobsManager
from companion.store.recorder import RecorderSettings
from companion.ui.coaching import StepInfo
from companion.ui.library_view import LibraryView
from companion.ui.replay_view import ReplayView
from companion.ui.team_dashboard import TeamDashboard
from companion.ui.team_library_view import TeamLibraryView

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1280, 860)


class SessionsWindow(QMainWindow):
    """Library first; opening a call switches to its replay, Back (or Escape) returns."""

    def __init__(
        self,
        store_dir: Path,
        catalogue: Sequence[StepInfo] = (),
        recorder_settings: RecorderSettings | None = None,
        playbook: str = "",
        reviewer: str = "",
        redact: bool = True,
        parent: QWidget | None = None,
        team_url: Callable[[], str | None] | None = None,
        jobs: JobsManager | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Call Companion – Sessions")
        self.setWindowIcon(QIcon(":/icons/app.svg"))
        self.library = LibraryView(store_dir, recorder_settings, playbook, redact, jobs=jobs)
        self.replay = ReplayView(catalogue, redact)
        self.replay.notes.author.setText(reviewer)
        self.back_button = QPushButton("← All calls")
        self.back_button.clicked.connect(self.show_library)
        replay_page = QWidget()
        replay_layout = QVBoxLayout(replay_page)
        replay_layout.setContentsMargins(10, 8, 10, 0)
        replay_layout.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        replay_layout.addWidget(self.replay, 1)
        self.pages = QStackedWidget()
        self.sources = QTabWidget()
        self.sources.setObjectName("SessionSources")
        self.sources.addTab(self.library, "This computer")
        self.team: TeamLibraryView | None = None
        self.dashboard: TeamDashboard | None = None
        if team_url is not None:
            # The team's calls and the lead's dashboard, read from the team database.
            steps = [(step.id, step.title) for step in catalogue]
            self.team = TeamLibraryView(team_url, steps)
            self.team.open_requested.connect(self.open_team_session)
            self.dashboard = TeamDashboard(team_url, steps)
            self.sources.addTab(self.team, "Team")
            self.sources.addTab(self.dashboard, "Team dashboard")
            self.sources.currentChanged.connect(self._on_source_changed)
        self.pages.addWidget(self.sources)
        self.pages.addWidget(replay_page)
        self.setCentralWidget(self.pages)
        self.library.open_requested.connect(self.open_session)
        self.replay.back_requested.connect(self.show_library)
        self.resize(DEFAULT_SIZE)
        self.library.refresh()

    def open_session(self, session_id: int) -> bool:
        store = self.library.open_store()
        if store is None or not self.replay.load(store, session_id):
            if store is not None:
                self.library.show_status(f"Session {session_id} cannot be replayed.", error=True)
            return False
        self.pages.setCurrentIndex(1)
        self.replay.setFocus()
        return True

    def open_team_session(self, uid: str) -> bool:
        """Replay a call from the team database (audio streamed into a cache file, notes written back there)."""
        if self.team is None:
            return False
        session = self.team.load(uid)
        if session is None or not self.replay.show_session(session, self.team.write_note(uid)):
            return False
        self.pages.setCurrentIndex(1)
        self.replay.setFocus()
        return True

    def _on_source_changed(self, index: int) -> None:
        page = self.sources.widget(index)
        if page is self.team and self.team is not None and not self.team.rows:
            self.team.refresh()
        elif page is self.dashboard and self.dashboard is not None and not self.dashboard.rows:
            self.dashboard.refresh()

    def show_library(self) -> None:
        self.replay.player.pause()
        self.pages.setCurrentIndex(0)
        if self.sources.currentWidget() is self.team and self.team is not None:
            self.team.table.setFocus()
            return
        self.library.refresh()
        self.library.table.setFocus()

    def set_dark(self, dark: bool) -> None:
        self.replay.set_dark(dark)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.replay.player.stop()
        if self.team is not None:
            self.team.close()
        if self.library.job is not None:
            self.library.cancel_import()
        super().closeEvent(event)
