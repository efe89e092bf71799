"""Settings' Team page: the team database's URL, a connection test, and sync on or off.

The URL is kept in the settings without its password; the password goes to the
system keyring when there is one, else to a file readable by the user alone.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from companion.errors import CompanionError
from companion.jobs import JobsManager
from companion.team.connection import connect, describe, with_password, without_password
from companion.ui.settings import Key, Settings
from companion.ui.team_sync import passwords


class ConnectionTest(QObject):
    """Tries a URL as a background job (a server may take seconds to answer)."""

    done = Signal(bool, str)

    def __init__(self, jobs: JobsManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = jobs

    def start(self, url: str) -> None:
        self.jobs.start(_TestJob(self, url))

    def try_url(self, url: str) -> None:
        try:
            with connect(url) as conn:
                row = conn.execute("SELECT current_user, version FROM team.schema_version").fetchone()
            self.done.emit(True, f"Connected as {row[0] if row else '?'} (schema {row[1] if row else '?'}).")
        except CompanionError as exc:
            self.done.emit(False, str(exc))


class _TestJob:
    name = "team-test"

    def __init__(self, test: ConnectionTest, url: str) -> None:
        self.test, self.url = test, url

    def run(self) -> None:
        self.test.try_url(self.url)

    def cancel(self) -> None:
        pass  # a connection attempt is bounded by its connect timeout


class TeamPage(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None, jobs: JobsManager | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.url = QLineEdit()
        self.url.setPlaceholderText("postgresql://user:password@host/dbname?sslmode=verify-full")
        self.url.editingFinished.connect(lambda: self.set_url(self.url.text()))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("taken out of the URL when it holds one")
        self.sync = QCheckBox("Send my finished calls to the team database after each call")
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setObjectName("TeamTestResult")
        self.store_note = QLabel()
        self.store_note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Team database", self.url)
        form.addRow("Password", self.password)
        form.addRow("", self.test_button)
        form.addRow("", self.result)
        form.addRow("Sync", self.sync)
        form.addRow("", self.store_note)
        self.tester = ConnectionTest(jobs or JobsManager(), self)
        self.tester.done.connect(self._on_tested)
        self._load()

    def _load(self) -> None:
        bare = self.settings.text(Key.TEAM_URL)
        try:
            self.set_url(passwords(self.settings).full_url(bare) if bare else "")
        except CompanionError as exc:
            self.url.setText(bare)
            self.result.setText(f"⚠  {exc}")
        self.sync.setChecked(self.settings.flag(Key.TEAM_SYNC))
        self.store_note.setText(f"The password is kept in {passwords(self.settings).where}, not in the settings.")

    def set_url(self, url: str) -> None:
        """Show a URL; a password in it moves to the masked field."""
        url = url.strip()
        if "://" in url:
            try:
                bare, password = without_password(url)
            except CompanionError:
                bare, password = url, None
            if password:
                self.password.setText(password)
            url = bare
        self.url.setText(url)

    def full_url(self) -> str:
        url = self.url.text().strip()
        if not url or "://" not in url:
            return url
        try:
            return with_password(url, self.password.text() or None)
        except CompanionError:
            return url

    def test_connection(self) -> None:
        url = self.full_url()
        if not url:
            self.result.setText("⚠  Enter the URL your team lead or admin gave you.")
            return
        self.test_button.setEnabled(False)
        self.result.setText(f"Connecting to {describe(url) if '://' in url else url}…")
        self.tester.start(url)

    def _on_tested(self, ok: bool, text: str) -> None:
        self.test_button.setEnabled(True)
        self.result.setText(("✓  " if ok else "⚠  ") + text)

    def save(self) -> None:
        url = self.full_url()
        bare = ""
        if url:
            try:
                bare = passwords(self.settings).save_url(url)
            except CompanionError as exc:
                self.result.setText(f"⚠  {exc}")
                bare, _ = without_password(url) if "://" in url else (url, None)
        self.settings.set(Key.TEAM_URL, bare)
        self.settings.set(Key.TEAM_SYNC, self.sync.isChecked())
