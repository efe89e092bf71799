"""Moves sessions an earlier version kept in another folder into the store, without losing any.

Earlier windows kept sessions in Qt's application-data folder while the command
line used the data folder itself, so each saw only its own calls.  On start,
both now call ``adopt_stores``: a store found in an old folder is moved into
the default one when that has none yet (the files are renamed, nothing is
copied), and otherwise each of its sessions is copied in (events, notes and
audio, by way of a session bundle; a call already there is recognised by its
uid and not added twice).  The old database is then renamed, not deleted.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from companion.errors import StoreError
from companion.paths import default_store_dir, legacy_store_dirs
from companion.store.bundle import export_bundle, import_bundle
from companion.store.db import AUDIO_DIR, DB_NAME, SessionStore

log = logging.getLogger(__name__)

ADOPTED_SUFFIX = ".adopted"  # what an old database is renamed to once its sessions are in the new store


def adopt_stores(target: Path, old_roots: Sequence[Path]) -> int:
    """Bring the sessions of every old store into ``target``; returns how many sessions came over."""
    moved = 0
    for old in old_roots:
        if Path(old).resolve() == Path(target).resolve() or not (old / DB_NAME).exists():
            continue
        moved += _adopt(Path(target), Path(old))
    return moved


def _adopt(target: Path, old: Path) -> int:
    with SessionStore(old) as source:  # opened writable: recovers its WAL into the database first
        ids = [s.id for s in source.sessions()]
    if not (target / DB_NAME).exists():
        target.mkdir(parents=True, exist_ok=True)
        if not (target / AUDIO_DIR).exists() or not any((target / AUDIO_DIR).iterdir()):
            _move_whole(old, target)
            log.info("moved the session store from %s to %s", old, target)
            return len(ids)
    with SessionStore(old) as source, SessionStore(target) as store, tempfile.TemporaryDirectory() as tmp:
        for session_id in ids:
            bundle = export_bundle(source, session_id, Path(tmp) / f"{session_id}.ccsession", redact=False)
            import_bundle(store, bundle)
    os.replace(old / DB_NAME, old / (DB_NAME + ADOPTED_SUFFIX))
    log.info("copied %d sessions from %s into %s", len(ids), old, target)
    return len(ids)


def _move_whole(old: Path, target: Path) -> None:
    (target / AUDIO_DIR).mkdir(exist_ok=True)
    for item in (old / AUDIO_DIR).iterdir() if (old / AUDIO_DIR).exists() else ():
        os.replace(item, target / AUDIO_DIR / item.name)
    # The database last: until it moves, the old store is whole and a failure leaves it as it was.
    for name in (DB_NAME + "-wal", DB_NAME + "-shm"):
        (old / name).unlink(missing_ok=True)  # checkpointed and closed above: nothing left in them
    os.replace(old / DB_NAME, target / DB_NAME)


def adopt_default_stores(target: Path) -> int:
    """``adopt_stores`` for the default store; a failure is logged and the old store left in place."""
    if Path(target).resolve() != default_store_dir().resolve():
        return 0  # a folder the user chose: theirs to manage
    try:
        return adopt_stores(target, legacy_store_dirs())
    except (StoreError, OSError) as exc:
        log.warning("sessions in an older folder could not be moved: %s", exc)
        return 0
