"""The mark of an app using a session store: a second copy on the same store learns of the first.

Two copies of the app on one store are safe (SQLite's own locks, one lock per
call being recorded), but a person running two by mistake should hear of it,
and a second window's "locked" warnings need an explanation.  The first copy
holds an exclusive ``flock`` on ``instance.lock`` with its process id in it; the
kernel drops the lock however that copy ends, so a crash leaves no stale claim.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from companion.store.session_lock import SessionLock

LOCK_NAME = "instance.lock"


class InstanceLock:
    """Held for as long as this copy of the app uses the store at ``root``."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LOCK_NAME
        self._lock = SessionLock(self.path)
        self.held = False

    def acquire(self, what: str) -> str | None:
        """Claim the store for this copy; None when claimed, else who holds it (for the message)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.held = self._lock.acquire()
        except OSError:  # a store we cannot write to: its own errors will say so
            return None
        if not self.held:
            with contextlib.suppress(OSError):
                return self.path.read_text(encoding="utf-8").strip() or "another copy of the app"
            return "another copy of the app"
        with contextlib.suppress(OSError):
            self.path.write_text(f"{what} (process {os.getpid()})", encoding="utf-8")
        return None

    def release(self) -> None:
        if self.held:
            # The file stays: removing it could race a copy that has just opened it.
            self._lock.release(remove=False)
            self.held = False

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def in_use_message(root: Path, holder: str) -> str:
    """What the second copy says: who else uses the store, and that nothing is at risk."""
    return (
        f"the session store {root} is also in use by {holder}; both copies keep their calls there "
        "safely, but close one of them if you did not mean to run two"
    )
