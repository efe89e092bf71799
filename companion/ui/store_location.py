"""Where the window keeps its sessions: a folder from the settings, or the user's data folder.

The store never decides where user data lives; the window asks Qt for the
platform's application-data folder and passes the path down.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from companion.ui.settings import Key, Settings


def default_store_dir() -> Path:
    """The platform's data folder for this app (e.g. ~/.local/share/call-companion/Call Companion)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "sessions" if base else Path.home() / ".local" / "share" / "call-companion"


def store_dir(settings: Settings) -> Path:
    chosen = settings.text(Key.STORE_DIR).strip()
    return Path(chosen).expanduser() if chosen else default_store_dir()
