"""The Sessions window's Team source: the team database's calls this login may see.

Search runs PostgreSQL's full-text search over the settled transcripts; the
filters (agent, dates, outcome, a step missed, a pitfall) narrow the same query.
Opening a call streams its audio out of the database into a cache file and
replays it with the same view as a local call; notes written there go to the
team database (and reach the agent's own library at their next sync).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg
from PySide6.QtCore import QDate, QModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from companion.analysis.scorecard import PITFALL_KINDS
from companion.errors import CompanionError
from companion.store.session_data import StoredSession
from companion.team import library
from companion.team.connection import connect
from companion.team.library import TeamFilter, TeamSession
from companion.ui.library_frame import debounced, frame, row_of, search_box, show_status, status_line
from companion.ui.session_table import SessionTableModel, session_table_view

ANY = "Any"
OUTCOMES = {"Any outcome": None, "Customer recovered": True, "Not recovered": False}


class TeamLibraryView(QWidget):
    """Team calls with search and filters; ``open_requested(uid)`` asks the window to replay one."""

    open_requested = Signal(str)

    def __init__(self, url: Callable[[], str | None], steps: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("TeamLibraryView")
        self.url = url
        self.conn: psycopg.Connection | None = None
        self.rows: list[TeamSession] = []
        self.cache_dir = Path(tempfile.mkdtemp(prefix="cc-team-audio-"))

        self.search_box = search_box("Search what was said in the team's calls…")
        self.agent_box = QLineEdit()
        self.agent_box.setPlaceholderText("agent")
        self.since = QDateEdit(QDate.currentDate().addDays(-90))
        self.until = QDateEdit(QDate.currentDate().addDays(1))
        for box in (self.since, self.until):
            box.setCalendarPopup(True)
            box.setDisplayFormat("yyyy-MM-dd")
        self.outcome_box = QComboBox()
        self.outcome_box.addItems(list(OUTCOMES))
        self.step_box = QComboBox()
        self.step_box.addItem("Any step missed", "")
        for step_id, title in steps:
            self.step_box.addItem(f"Missed: {title}", step_id)
        self.pitfall_box = QComboBox()
        self.pitfall_box.addItem("Any pitfall", "")
        for kind in PITFALL_KINDS:
            self.pitfall_box.addItem(f"Pitfall: {kind.replace('-', ' ')}", kind)

        self.timer = debounced(self, self.refresh)
        self.search_box.textChanged.connect(self.timer.start)
        self.agent_box.textChanged.connect(self.timer.start)
        for box in (self.since, self.until):
            box.dateChanged.connect(self.timer.start)
        for combo in (self.outcome_box, self.step_box, self.pitfall_box):
            combo.currentIndexChanged.connect(self.refresh)

        self.model = SessionTableModel(self)
        self.table = session_table_view(self.model)
        self.table.doubleClicked.connect(self._on_row_activated)
        self.open_button = QPushButton("Open replay")
        self.open_button.clicked.connect(self.open_selected)
        self.delete_button = QPushButton("Delete from the team…")
        self.delete_button.setToolTip("Delete the call from the team database (a lead's or an admin's right)")
        self.delete_button.clicked.connect(lambda: self.delete_selected(confirm=True))
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.status = status_line()

        boxes = (self.agent_box, self.since, self.until, self.outcome_box, self.step_box, self.pitfall_box)
        filters = row_of([self.search_box, *boxes], stretch_first=True)
        actions = row_of([self.open_button, self.refresh_button, self.delete_button], stretch_after=True)
        frame(self, filters, self.table, actions, self.status)

    # -- the connection -----------------------------------------------------------------------

    def connection(self) -> psycopg.Connection | None:
        if self.conn is not None and not self.conn.closed:
            return self.conn
        url = self.url()
        if not url:
            self.show_status("No team database is set: Settings → Team.", error=True)
            return None
        try:
            self.conn = connect(url)
        except CompanionError as exc:
            self.show_status(str(exc), error=True)
            return None
        return self.conn

    def close_connection(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def close(self) -> bool:
        """Let go of the connection and the audio cache (team calls are not kept on this machine)."""
        self.close_connection()
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        return super().close()

    def _call(self, what: Callable[[psycopg.Connection], object]) -> object | None:
        """Run a read; on a lost connection, reconnect once."""
        for attempt in (1, 2):
            conn = self.connection()
            if conn is None:
                return None
            try:
                return what(conn)
            except CompanionError as exc:
                if self.conn is not None and self.conn.broken and attempt == 1:
                    self.close_connection()
                    continue
                self.show_status(str(exc), error=True)
                return None
        return None

    # -- the list ---------------------------------------------------------------------------------

    def current_filter(self) -> TeamFilter:
        return TeamFilter(
            search=self.search_box.text().strip(),
            agent=self.agent_box.text().strip(),
            since=self.since.date().toString("yyyy-MM-dd"),
            until=self.until.date().toString("yyyy-MM-dd"),
            recovered=OUTCOMES[self.outcome_box.currentText()],
            step_missed=str(self.step_box.currentData() or ""),
            pitfall=str(self.pitfall_box.currentData() or ""),
        )

    def refresh(self) -> None:
        f = self.current_filter()
        rows = self._call(lambda conn: library.list_sessions(conn, f))
        if rows is None:
            return
        self.rows = list(rows)  # type: ignore[call-overload]
        self.model.set_rows([r.summary for r in self.rows])
        self.show_status(f"{len(self.rows)} team call(s)" + (f" matching “{f.search}”" if f.search else ""))

    def selected_uid(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        return self.rows[index.row()].summary.uid

    def select_uid(self, uid: str) -> bool:
        for i, r in enumerate(self.rows):
            if r.summary.uid == uid:
                self.table.selectRow(i)
                return True
        return False

    def open_selected(self) -> None:
        uid = self.selected_uid()
        if uid is not None:
            self.open_requested.emit(uid)

    def _on_row_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_selected()

    def delete_selected(self, confirm: bool = True) -> bool:
        """Delete the selected call from the team database; the database refuses a login without the right."""
        uid = self.selected_uid()
        if uid is None:
            return False
        if confirm:
            answer = QMessageBox.question(
                self, "Delete the call", "Delete this call, its audio and its notes from the team database?"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        gone = self._call(lambda conn: library.delete_session(conn, uid))
        if gone is None:
            return False
        if not gone:
            self.show_status("This login may not delete that call (a lead of its team or an admin may).", error=True)
            return False
        self.refresh()
        self.show_status(f"Deleted {uid} from the team database.")
        return True

    # -- one call ---------------------------------------------------------------------------------

    def load(self, uid: str) -> StoredSession | None:
        """The session with its audio streamed into the cache (the replay plays the file)."""

        def read(conn: psycopg.Connection) -> StoredSession:
            session = library.load_session(conn, uid)
            audio = library.save_audio(conn, uid, self.cache_dir / f"{uid}.ogg")
            return dataclasses.replace(session, summary=dataclasses.replace(session.summary, audio=audio))

        return self._call(read)  # type: ignore[return-value]

    def write_note(self, uid: str) -> Callable[[float, str, str, str], StoredSession]:
        """The replay's note writer for a team call: into the team database, then the call read again."""

        def write(at: float, kind: str, author: str, text: str) -> StoredSession:
            conn = self.connection()
            if conn is None:
                raise CompanionError(self.status.text() or "the team database cannot be reached")
            library.add_note(conn, uid, at, author, text, kind)
            session = library.load_session(conn, uid)  # the audio in the cache is unchanged
            cached = self.cache_dir / f"{uid}.ogg"
            audio = cached if cached.exists() else None
            return dataclasses.replace(session, summary=dataclasses.replace(session.summary, audio=audio))

        return write

    def show_status(self, text: str, error: bool = False) -> None:
        show_status(self.status, text, error)
