"""The library: every stored call, searchable, with import and export.

The page runs the store's queries and hands the rows to ``SessionTableModel``.
Search goes through the store's full-text index; the filters narrow the rows
the query gave.  Imports of recordings run on the thread pool with progress and
cancel; bundles and exports are quick and run in place.  Every failure a user
can cause is shown in the page's status line, never as a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHeaderView,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QWidget,
)

from companion.errors import CompanionError, StoreError
from companion.jobs import JobsManager
from companion.store.bundle import SUFFIX, export_bundle, import_bundle
from companion.store.db import SessionStore
from companion.store.export import export_session
from companion.store.recorder import RecorderSettings
from companion.store.records import SessionSummary
from companion.store.session_data import load_session
from companion.ui.import_job import ImportRecordingJob
from companion.ui.library_frame import debounced, frame, row_of, search_box, show_status, status_line
from companion.ui.session_table import COL_AGENT, COL_SENTIMENT, SessionTableModel, session_table_view

log = logging.getLogger(__name__)

NEGATIVE_END = -0.15  # the chart's negative band: a call that ended with the customer still upset

FILTERS: dict[str, Callable[[SessionSummary], bool]] = {
    "All calls": lambda s: True,
    "Steps missed": lambda s: s.steps_missed > 0,
    "With alerts": lambda s: s.alerts > 0,
    "Ended upset": lambda s: s.sentiment_end is not None and s.sentiment_end <= NEGATIVE_END,
    "Recovered after a crash": lambda s: s.state == "recovered",
}
ALL_AGENTS = "All agents"
EXPORTS = (
    ("Transcript (TXT)", "txt"),
    ("Subtitles (SRT)", "srt"),
    ("Subtitles (WebVTT)", "vtt"),
    ("Session data (JSON)", "json"),
    ("Scorecard (HTML)", "html"),
    ("Scorecard (PDF)", "pdf"),
    ("Session bundle, to share", "bundle"),
)
CHANNEL_MAPS = (("Agent on the left", "left"), ("Agent on the right", "right"))
AUDIO_FILES = (
    "Recordings and transcripts (*.wav *.flac *.mp3 *.ogg *.opus *.m4a *.txt);;"
    "Transcripts ([mm:ss] Agent: ... lines) (*.txt);;All files (*)"
)


class LibraryView(QWidget):
    """Stored sessions with search, filters, import and export; ``open_requested`` opens a replay."""

    open_requested = Signal(int)
    sessions_changed = Signal()
    import_finished = Signal(int)  # the new session's number
    import_failed = Signal(str)

    def __init__(
        self,
        store_dir: Path,
        recorder_settings: RecorderSettings | None = None,
        playbook: str = "",
        redact: bool = True,
        parent: QWidget | None = None,
        jobs: JobsManager | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LibraryView")
        self.jobs = jobs or JobsManager()  # the window's, so quitting cancels an import and waits for it
        self.store_dir = Path(store_dir)
        self.recorder_settings = recorder_settings or RecorderSettings()
        self.playbook = playbook
        self.redact = redact
        self.store: SessionStore | None = None
        self.job: ImportRecordingJob | None = None
        self.last_job: ImportRecordingJob | None = None
        self.all_rows: list[SessionSummary] = []
        self._showing_search = False  # the status line holds a search's count, to clear with the search

        self.search_box = search_box("Search what was said in every call…")
        self.filter_box = QComboBox()
        self.filter_box.addItems(list(FILTERS))
        self.agent_box = QComboBox()
        self.agent_box.addItem(ALL_AGENTS)
        self._search_timer = debounced(self, self.refresh)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.filter_box.currentIndexChanged.connect(self._apply_filters)
        self.agent_box.currentIndexChanged.connect(self._apply_filters)

        self.model = SessionTableModel(self)
        self.table = session_table_view(self.model)
        header = self.table.horizontalHeader()
        for col in (COL_AGENT, COL_SENTIMENT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._on_row_activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_swap())

        self.open_button = QPushButton("Open replay")
        self.open_button.clicked.connect(self.open_selected)
        open_action = QAction(self)
        open_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        open_action.triggered.connect(self.open_selected)
        self.table.addAction(open_action)
        self.swap_button = QPushButton("Swap agent / customer")
        self.swap_button.setToolTip(
            "A mono call's voices were told apart by sound and its agent guessed from the words: "
            "if the guess is wrong, swap them and the call is coached again"
        )
        self.swap_button.clicked.connect(self.swap_selected)
        self.import_button = QPushButton("Import recording…")
        self.import_button.clicked.connect(self._choose_recording)
        self.channel_box = QComboBox()
        for label, channel in CHANNEL_MAPS:
            self.channel_box.addItem(label, channel)
        self.channel_box.setToolTip(
            "Which side of a stereo recording is the agent (mono: split by voice, the words say who)"
        )
        self.bundle_button = QPushButton("Import bundle…")
        self.bundle_button.clicked.connect(self._choose_bundle)
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, fmt in EXPORTS:
            menu.addAction(label).triggered.connect(lambda _=False, f=fmt: self._choose_export(f))
        self.export_button.setMenu(menu)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("Importing… %p%")
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.clicked.connect(self.cancel_import)
        self.status = status_line()

        filters = row_of([self.search_box, self.filter_box, self.agent_box], stretch_first=True)
        buttons = (self.open_button, self.export_button, self.swap_button, self.import_button, self.channel_box)
        actions = row_of([*buttons, self.bundle_button], stretch_after=True)
        actions.addWidget(self.progress)
        actions.addWidget(self.cancel_button)
        frame(self, filters, self.table, actions, self.status)
        self._set_importing(False)

    # -- the store ------------------------------------------------------------------------

    def open_store(self) -> SessionStore | None:
        if self.store is None:
            try:
                self.store = SessionStore(self.store_dir)
            except StoreError as exc:
                self.show_status(str(exc), error=True)
                return None
        return self.store

    def close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def refresh(self) -> None:
        """Run the query (full-text when the search box has words) and show the filtered rows."""
        store = self.open_store()
        if store is None:
            return
        text = self.search_box.text().strip()
        try:
            self.all_rows = store.sessions(search=text or None)
        except StoreError as exc:
            self.all_rows = []
            self.show_status(str(exc), error=not text)
        else:
            if text:
                self.show_status(f"{len(self.all_rows)} call(s) where someone said “{text}”")
            elif self._showing_search:
                self.show_status("")
        self._showing_search = bool(text)
        self._fill_agents()
        self._apply_filters()

    def _fill_agents(self) -> None:
        current = self.agent_box.currentText()
        agents = sorted({s.agent for s in self.all_rows if s.agent})
        self.agent_box.blockSignals(True)
        self.agent_box.clear()
        self.agent_box.addItems([ALL_AGENTS, *agents])
        self.agent_box.setCurrentText(current if current in agents else ALL_AGENTS)
        self.agent_box.blockSignals(False)

    def _apply_filters(self) -> None:
        keep = FILTERS[self.filter_box.currentText()]
        agent = self.agent_box.currentText()
        rows = [s for s in self.all_rows if keep(s) and (agent == ALL_AGENTS or s.agent == agent)]
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self._update_swap()

    # -- opening ----------------------------------------------------------------------------

    def selected_session_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        summary = self.model.session_at(rows[0].row())
        return summary.id if summary is not None else None

    def select_session(self, session_id: int) -> bool:
        for row, summary in enumerate(self.model.rows):
            if summary.id == session_id:
                self.table.selectRow(row)
                return True
        return False

    def open_selected(self) -> None:
        session_id = self.selected_session_id()
        if session_id is not None:
            self.open_requested.emit(session_id)

    def _on_row_activated(self, index: QModelIndex) -> None:
        summary = self.model.session_at(index.row())
        if summary is not None:
            self.open_requested.emit(summary.id)

    # -- roles of a mono call ----------------------------------------------------------------

    def _update_swap(self) -> None:
        from companion.role_swap import can_swap

        rows = self.table.selectionModel().selectedRows()
        summary = self.model.session_at(rows[0].row()) if rows else None
        self.swap_button.setEnabled(summary is not None and can_swap(summary))

    def swap_selected(self) -> None:
        session_id = self.selected_session_id()
        if session_id is not None:
            self.swap_roles(session_id)

    def swap_roles(self, session_id: int) -> bool:
        """Exchange the agent and the customer of a stored mono call and coach its lines again."""
        from companion.analysis.playbook import load_playbook_or_default
        from companion.role_swap import swap_session_roles

        store = self.open_store()
        if store is None:
            return False
        try:
            book, _problem = load_playbook_or_default(Path(self.playbook) if self.playbook else None)
            swap_session_roles(store, session_id, book)
        except CompanionError as exc:
            self.show_status(str(exc), error=True)
            return False
        self.refresh()
        self.select_session(session_id)
        self.show_status(f"Session {session_id}: agent and customer swapped; the call was coached again.")
        self.sessions_changed.emit()
        return True

    # -- import -----------------------------------------------------------------------------

    def _choose_recording(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a call recording or transcript", "", AUDIO_FILES)
        if path:
            self.import_recording(Path(path), self.channel_box.currentData())

    def import_recording(self, path: Path, agent_channel: str | None = None) -> ImportRecordingJob | None:
        """Analyse a recording on the thread pool and store it as a session."""
        if self.job is not None:
            self.show_status("An import is already running; wait for it or cancel it.", error=True)
            return None
        job = ImportRecordingJob(path, self.store_dir, self.playbook, agent_channel, self.recorder_settings)
        job.signals.progress.connect(self._on_import_progress)
        job.signals.finished.connect(self._on_import_finished)
        job.signals.failed.connect(self._on_import_failed)
        self.job = self.last_job = job
        self._set_importing(True)
        self.show_status(f"Importing {path.name}: the call is transcribed and coached as if it were live…")
        if not self.jobs.start(job):
            self._on_import_failed("The app is closing: the import was not started.")
            return None
        return job

    def cancel_import(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.show_status("Cancelling the import…")

    def _on_import_progress(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 100))

    def _on_import_finished(self, session_id: int, warning: str) -> None:
        name = self.job.path.name if self.job is not None else "the recording"
        self.job = None
        self._set_importing(False)
        self.refresh()
        self.select_session(session_id)
        self.show_status(f"{name} imported as session {session_id}. {warning}".strip(), error=bool(warning))
        self.sessions_changed.emit()
        self.import_finished.emit(session_id)

    def _on_import_failed(self, message: str) -> None:
        self.job = None
        self._set_importing(False)
        self.show_status(message, error=True)
        self.import_failed.emit(message)

    def _set_importing(self, busy: bool) -> None:
        self.progress.setValue(0)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.import_button.setEnabled(not busy)

    def _choose_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a shared call", "", f"Call bundles (*{SUFFIX})")
        if path:
            self.import_bundle(Path(path))

    def import_bundle(self, path: Path) -> int | None:
        store = self.open_store()
        if store is None:
            return None
        try:
            result = import_bundle(store, path)
        except StoreError as exc:
            self.show_status(str(exc), error=True)
            return None
        self.refresh()
        self.select_session(result.session_id)
        self.show_status(f"{path.name}: {result.message}")
        if not result.duplicate:
            self.sessions_changed.emit()
        return result.session_id

    # -- export -----------------------------------------------------------------------------

    def _choose_export(self, fmt: str) -> None:
        session_id = self.selected_session_id()
        if session_id is None:
            self.show_status("Choose a call to export first.", error=True)
            return
        suffix = SUFFIX if fmt == "bundle" else f".{fmt}"
        path, _ = QFileDialog.getSaveFileName(self, "Export the call", f"call-{session_id}{suffix}")
        if path:
            self.export(session_id, fmt, Path(path))

    def export(self, session_id: int, fmt: str, out: Path) -> Path | None:
        """Write a session as ``fmt``: a transcript, a scorecard (HTML/PDF) or a bundle."""
        store = self.open_store()
        if store is None:
            return None
        try:
            if fmt == "bundle":
                written = export_bundle(store, session_id, out, redact=self.redact)
            else:
                from companion.ui.pdf import render_pdf

                session = load_session(store, session_id, redact=self.redact)
                written = export_session(session, fmt, out, render_pdf=render_pdf)
        except CompanionError as exc:
            self.show_status(str(exc), error=True)
            return None
        self.show_status(f"Wrote {written}")
        return written

    # -- messages -----------------------------------------------------------------------------

    def show_status(self, text: str, error: bool = False) -> None:
        show_status(self.status, text, error)
