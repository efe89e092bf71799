"""Where Call Companion keeps its data by default: one answer for the window and the command line.

Qt-free on purpose: the command line must not load Qt to find the store, and
the window must not find a different folder by asking Qt.  A folder chosen in
the settings or given with ``--store-dir`` overrides the default.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR = "call-companion"


def data_home() -> Path:
    """The user's data folder for applications (XDG on Linux, the platform's own elsewhere)."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def default_store_dir() -> Path:
    """The session store everyone uses unless told otherwise (e.g. ~/.local/share/call-companion)."""
    return data_home() / APP_DIR


def legacy_store_dirs() -> tuple[Path, ...]:
    """Where earlier versions of the window kept sessions (Qt's AppDataLocation + "sessions").

    Sessions found there are moved into ``default_store_dir()`` on start
    (companion.store.migrate).
    """
    return (data_home() / APP_DIR / "Call Companion" / "sessions",)
