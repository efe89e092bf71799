"""Where the window keeps its sessions: a folder from the settings, or the default every part shares.

The default comes from ``companion.paths`` (no Qt), so the window and the
command line see the same calls.
"""

from __future__ import annotations

from pathlib import Path

from companion.paths import default_store_dir
from companion.store.migrate import adopt_default_stores
from companion.ui.settings import Key, Settings


def store_dir(settings: Settings) -> Path:
    """The store to use; on first use of the default, sessions an older window kept elsewhere are moved in."""
    chosen = settings.text(Key.STORE_DIR).strip()
    if chosen:
        return Path(chosen).expanduser()
    folder = default_store_dir()
    adopt_default_stores(folder)
    return folder
