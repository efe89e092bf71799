"""Files that hold what customers said: readable by the user who made them and nobody else.

A shared PC has other accounts; a store folder left at the usual 755/644 lets
any of them read every call.  Folders are made 0700 and files 0600 from the
start (created with that mode, not chmod-ed after, so there is no moment when
another account could open them), and a store made by an older version is
tightened the first time it is opened for writing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) a folder only its owner can enter."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with owner-only access if it is missing, else make it owner-only.

    Writers that later open it with ``"wb"`` truncate it but keep this mode.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _chmod(path, FILE_MODE)
    else:
        os.close(fd)
    return path


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (replacing it) with owner-only access."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    _chmod(path, FILE_MODE)  # an existing file keeps its old mode through O_TRUNC


def tighten_tree(root: Path) -> None:
    """Owner-only access for a folder and everything in it (a store an older version left open)."""
    for folder, dirs, files in os.walk(root):
        _chmod(Path(folder), DIR_MODE)
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):
                _chmod(Path(folder) / name, FILE_MODE)
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]


def is_private(path: Path) -> bool:
    return path.stat().st_mode & 0o077 == 0


def _chmod(path: Path, mode: int) -> None:
    # Someone else's file (a store shared on purpose, read-only media) is left as it is.
    with contextlib.suppress(PermissionError, FileNotFoundError, NotImplementedError):
        os.chmod(path, mode)
