"""The sessions window: the library, and a replay opened from it, in one window beside the companion."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import QMainWindow, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from companion.jobs import JobsManager
from companion.store.recorder import RecorderSettings
from companion.ui.coaching import StepInfo
from companion.ui.library_view import LibraryView
from companion.ui.replay_view import ReplayView

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
        self.pages.addWidget(self.library)
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

    def show_library(self) -> None:
        self.replay.player.pause()
        self.pages.setCurrentIndex(0)
        self.library.refresh()
        self.library.table.setFocus()

    def set_dark(self, dark: bool) -> None:
        self.replay.set_dark(dark)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.replay.player.stop()
        if self.library.job is not None:
            self.library.cancel_import()
        super().closeEvent(event)
