"""The mark of a session being recorded right now: an advisory lock the kernel drops when the app dies.

A row left in state ``recording`` is ambiguous (a call in progress in another
window, or an app killed mid-call).  The recorder holds an exclusive ``flock``
on ``<uid>.lock`` for the whole call; the kernel releases it the moment the
process ends, however it ends, so recovery can tell the two apart without
trusting process ids that may have been reused.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Linux/macOS: every open session counts as abandoned
    fcntl = None  # type: ignore[assignment]


class SessionLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another live process holds it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        self._fd = fd
        return True

    def release(self, remove: bool = True) -> None:
        if self._fd is None:
            return
        if remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = None


def is_abandoned(path: Path) -> bool:
    """True when no living process holds the session's lock (or the lock file is gone)."""
    if not path.exists():
        return True
    lock = SessionLock(path)
    if not lock.acquire():
        return False
    lock.release(remove=False)
    return True
