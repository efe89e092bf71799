"""Only the user who keeps the calls can read them: the store folder 0700, its files 0600, bundles 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.events import CallEnded, CallStarted, Utterance
from companion.store.bundle import export_bundle, import_bundle
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask() -> Iterator[None]:
    # The usual desktop umask, under which files are made readable to everyone unless the app says otherwise.
    old = os.umask(0o022)
    yield
    os.umask(old)


def _record_a_call(store_dir: Path, spool_dir: Path) -> SessionRecorder:
    """Two seconds of a tone on each side and one line, through the real recorder into a real store."""
    recorder = SessionRecorder(store_dir, RecorderSettings(title="tone", spool_dir=spool_dir))
    recorder.on_event(CallStarted(0.0, "test", (("agent", "left"), ("customer", "right")), False))
    tone = (0.2 * np.sin(np.arange(SAMPLE_RATE) * 2 * np.pi * 440 / SAMPLE_RATE)).astype(np.float32)
    for second in range(2):
        for speaker in ("agent", "customer"):
            recorder.on_audio(AudioBlock(speaker, float(second), tone))  # type: ignore[arg-type]
    recorder.on_event(Utterance(0, "agent", 0.2, 1.5, "My card is four one one one."))
    recorder.on_event(CallEnded(2.0))
    recorder.close()
    assert recorder.session_id is not None and recorder.audio_path is not None
    return recorder


def test_a_new_store_and_its_files_are_owner_only(tmp_path: Path) -> None:
    store_dir = tmp_path / "calls"
    recorder = _record_a_call(store_dir, tmp_path / "spool")
    assert _mode(store_dir) == 0o700
    assert _mode(store_dir / "audio") == 0o700
    assert recorder.audio_path is not None and _mode(recorder.audio_path) == 0o600
    with SessionStore(store_dir) as store:
        store.add_note(1, 1.0, "Lead", "fine")  # a write, so the -wal and -shm files exist
        db_files = [store_dir / name for name in ("sessions.db", "sessions.db-wal", "sessions.db-shm")]
        assert all(p.exists() for p in db_files)
        assert {p.name: _mode(p) for p in db_files} == dict.fromkeys((p.name for p in db_files), 0o600)
        # Everything else in the folder too (locks, anything added later by the app).
        loose = [p for p in store_dir.rglob("*") if p.is_file() and _mode(p) & 0o077]
        assert loose == []
        bundle = export_bundle(store, 1, tmp_path / "call.ccsession")
    assert _mode(bundle) == 0o600


def test_an_imported_bundles_audio_is_owner_only(tmp_path: Path) -> None:
    _record_a_call(tmp_path / "first", tmp_path / "spool")
    with SessionStore(tmp_path / "first") as first:
        bundle = export_bundle(first, 1, tmp_path / "call.ccsession")
    with SessionStore(tmp_path / "second") as second:
        result = import_bundle(second, bundle)
        audio = second.session(result.session_id).audio
    assert audio is not None and audio.exists() and _mode(audio) == 0o600
    assert _mode(tmp_path / "second") == 0o700


def test_a_store_left_open_by_an_older_version_is_closed_on_opening(tmp_path: Path) -> None:
    store_dir = tmp_path / "calls"
    recorder = _record_a_call(store_dir, tmp_path / "spool")
    # As the versions before this one left it: 755 folders, 644 files.
    for path in [store_dir, *store_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    SessionStore(store_dir).close()
    assert _mode(store_dir) == 0o700 and _mode(store_dir / "audio") == 0o700
    assert _mode(store_dir / "sessions.db") == 0o600
    assert recorder.audio_path is not None and _mode(recorder.audio_path) == 0o600


def test_the_spool_of_a_call_the_store_refused_is_owner_only(tmp_path: Path) -> None:
    # The store's path is taken by a file, so the call waits in the spool (in the shared temp folder).
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    spool = tmp_path / "spool"
    recorder = _record_a_call_into_spool(blocked, spool)
    files = list(spool.iterdir())
    assert files and _mode(spool) == 0o700
    assert all(_mode(p) == 0o600 for p in files), {p.name: oct(_mode(p)) for p in files}
    assert recorder.errors


def _record_a_call_into_spool(store: Path, spool: Path) -> SessionRecorder:
    recorder = SessionRecorder(store, RecorderSettings(spool_dir=spool))
    recorder.on_event(CallStarted(0.0, "test", (("agent", "left"), ("customer", "right")), False))
    recorder.on_event(Utterance(0, "agent", 0.2, 1.5, "Hello."))
    recorder.on_event(CallEnded(2.0))
    recorder.close()
    return recorder
