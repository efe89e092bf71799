"""Fixtures for the window's tests: compiled resources, settings that never touch the user's,
and a real stored call for the library and replay tests.

The stored call is spoken by espeak-ng, run through the real pipeline (the bundled
model, the real coach over the bundled playbook) with a ``SessionRecorder``
writing into a temporary store: the same path a live call takes.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

import companion.ui  # noqa: F401  (guards None/True/False before any Qt call)
from companion.analysis.coach import coach_for
from companion.analysis.playbook import load_playbook
from companion.audio.files import FileSource
from companion.events import Event
from companion.pipeline import CallPipeline
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder
from companion.ui import resources
from companion.ui.settings import Settings
from companion.ui.theme import apply_theme
from tests import speech

ORGANISATION = "call-companion-tests"


@pytest.fixture(scope="session")
def ui_resources(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Every QSettings of the test session lives in a temporary folder.
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    resources.load()
    apply_theme(qapp, "light")
    yield


@pytest.fixture
def settings(ui_resources: None) -> Iterator[Settings]:
    scoped = Settings(ORGANISATION, f"test-{uuid.uuid4().hex[:8]}")
    yield scoped
    scoped.clear()


@pytest.fixture(autouse=True)
def no_engine_left_running() -> Iterator[None]:
    """A test that leaves a call pipeline running fails: the window must stop what it starts."""
    yield
    left = [t.name for t in threading.enumerate() if t.name in ("call-pipeline", "input-probe") and t.is_alive()]
    assert not left, f"threads left running: {left}"


@pytest.fixture(scope="session")
def demo_call() -> Path:
    from companion.ui.demo import DEMO_CALL

    assert DEMO_CALL.exists(), "the demo call is missing: run scripts/make_demo.py"
    return DEMO_CALL


# A broadband outage: upset at first, a trigger phrase ("our policy"), empathy, a fix, calmer at the end.
OUTAGE_CALL = [
    ("agent", "Hello, Fibrelink support, this is Dana. How can I help?"),
    ("customer", "My internet has been down for two days and I am really angry about it."),
    ("agent", "Please go on, tell me what happened."),
    ("customer", "I rang yesterday and was told to wait."),
    ("agent", "Our policy is to reply within three working days."),
    ("customer", "Nobody called me back and I work from home. It is terrible."),
    ("agent", "That is really upsetting, I would be frustrated too."),
    ("customer", "Yes, I am."),
    ("agent", "I will send an engineer tomorrow morning and credit your account for the two days."),
    ("customer", "Thank you, that is great, I really appreciate it."),
]

# Two lines, for tests that only need a call to exist (a window's call, an import).
SHORT_CALL = [("agent", "Hello, this is Sam from Fibrelink."), ("customer", "Hi, my router keeps dropping.")]


@dataclass
class StoredCall:
    wav: Path
    store_dir: Path
    session_id: int
    events: list[Event]  # as stored (what replay folds)


@pytest.fixture(scope="session")
def outage_wav(espeak: None) -> Path:
    wav, _turns = speech.synthesize_call(OUTAGE_CALL)
    return wav


@pytest.fixture(scope="session")
def stored_call(outage_wav: Path, tmp_path_factory: pytest.TempPathFactory) -> StoredCall:
    store_dir = tmp_path_factory.mktemp("ui-store")
    book = load_playbook()
    pipeline = CallPipeline(FileSource(outage_wav), coach=coach_for(book))
    settings = RecorderSettings(
        agent="Dana",
        title="Broadband outage",
        playbook_steps=tuple(book.step_titles()),
        flush_every_s=0.2,
        spool_dir=tmp_path_factory.mktemp("spool"),
    )
    recorder = SessionRecorder(store_dir, settings).attach(pipeline)
    pipeline.run()
    recorder.close()
    assert recorder.errors == [] and recorder.session_id is not None
    with SessionStore(store_dir) as store:
        events = store.events(recorder.session_id)
    return StoredCall(outage_wav, store_dir, recorder.session_id, events)


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (CALL_COMPANION_SHOTS=DIR keeps them for the docs)."""
    import os

    keep = os.environ.get("CALL_COMPANION_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="session", autouse=True)
def _window_look(ui_resources: None) -> None:
    """The app's own resources and light theme, so widgets (and screenshots) look as users see them."""
