"""The window's team sync: after each saved call (never during one) the outbox goes up, notes come back.

A worker thread runs ``companion.team.sync.sync``; its outcome comes back as a
queued signal.  A timer retries what waits (the outbox's backoff decides when).
The status bar shows a small indicator: off, syncing, synced (with the time),
waiting (with the count), or the last error.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel

from companion.errors import CompanionError
from companion.jobs import JobsManager
from companion.store.db import SessionStore
from companion.team.credentials import PasswordStore
from companion.team.outbox import Outbox
from companion.team.sync import sync
from companion.ui.settings import Key, Settings

log = logging.getLogger(__name__)

RETRY_MS = 5 * 60 * 1000


def team_url(settings: Settings) -> str | None:
    """The team database's full URL (password from the keyring or the 0600 file), None when unset."""
    bare = settings.text(Key.TEAM_URL).strip()
    if not bare:
        return None
    return passwords(settings).full_url(bare)


def passwords(settings: Settings) -> PasswordStore:
    return PasswordStore(Path(settings.file_name).parent)


class TeamSync(QObject):
    """Runs one sync at a time in a worker thread; ``busy`` says a call is under way (then nothing runs)."""

    state_changed = Signal(str, bool)  # indicator text, is an error
    synced = Signal(object)  # the SyncReport

    def __init__(
        self,
        settings: Settings,
        store_dir: Path,
        busy: Callable[[], bool],
        parent: QObject | None = None,
        jobs: JobsManager | None = None,
    ):
        super().__init__(parent)
        self.settings = settings
        self.store_dir = Path(store_dir)
        self.busy = busy
        self.jobs = jobs or JobsManager()  # the window's, so quitting waits for a sync under way
        self._job: _SyncJob | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(RETRY_MS)
        self.timer.timeout.connect(self.request_due)
        self.timer.start()

    @property
    def enabled(self) -> bool:
        return self.settings.flag(Key.TEAM_SYNC) and bool(self.settings.text(Key.TEAM_URL).strip())

    @property
    def running(self) -> bool:
        return self._job is not None and self.jobs.is_running(self._job)

    def request_due(self) -> bool:
        """A retry of what waits, each item when its backoff is over."""
        return self.request(honour_backoff=True)

    def request(self, honour_backoff: bool = False) -> bool:
        """Start a sync now unless one runs, a call is under way, or sync is off."""
        if not self.enabled:
            self.state_changed.emit("Team: off", False)
            return False
        if self.running or self.busy():
            return False
        try:
            url = team_url(self.settings)
        except CompanionError as exc:
            self.state_changed.emit(f"Team: ⚠ {exc}", True)
            return False
        self.state_changed.emit("Team: syncing…", False)
        self._job = _SyncJob(self, url, honour_backoff)
        return self.jobs.start(self._job)

    def run_sync(self, url: str, honour_backoff: bool) -> None:
        try:
            with SessionStore(self.store_dir) as store, Outbox(self.store_dir) as outbox:
                report = sync(store, outbox, url, honour_backoff=honour_backoff)
                pending = outbox.status().pending
        except CompanionError as exc:
            self._tell(f"Team: ⚠ {exc}", True)
            return
        except Exception as exc:  # a sync must never take the window down
            log.exception("team sync failed")
            self._tell(f"Team: ⚠ sync failed ({exc})", True)
            return
        if report.stopped:
            self._tell(f"Team: ⚠ {report.stopped} ({pending} waiting)", True)
        elif pending:
            self._tell(f"Team: {pending} waiting", False)
        else:
            self._tell(f"Team: synced {datetime.now().strftime('%H:%M')}", False)
        with contextlib.suppress(RuntimeError):
            self.synced.emit(report)

    def _tell(self, text: str, error: bool) -> None:
        with contextlib.suppress(RuntimeError):  # the window closed while the sync ran
            self.state_changed.emit(text, error)

    def wait(self, timeout_s: float = 30.0) -> None:
        if self._job is not None:
            self.jobs.wait(self._job, timeout_s)


class _SyncJob:
    """One sync, as a job of the window's JobsManager.  It cannot be cut short: each item is one
    transaction bounded by the connection's timeouts, so quitting waits for it (nothing half-sent)."""

    name = "team-sync"

    def __init__(self, owner: TeamSync, url: str, honour_backoff: bool) -> None:
        self.owner, self.url, self.honour_backoff = owner, url, honour_backoff

    def run(self) -> None:
        self.owner.run_sync(self.url, self.honour_backoff)

    def cancel(self) -> None:
        pass


class SyncIndicator(QLabel):
    """The status bar's small team sync indicator."""

    def __init__(self, sync: TeamSync) -> None:
        super().__init__("Team: off" if not sync.enabled else "Team: –")
        self.setObjectName("TeamSyncIndicator")
        sync.state_changed.connect(self.show_state)

    def show_state(self, text: str, error: bool) -> None:
        self.setText(text if len(text) < 60 else text[:57] + "…")
        self.setToolTip(text)
        self.setStyleSheet("color: #b91c1c;" if error else "")
