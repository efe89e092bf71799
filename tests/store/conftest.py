"""A real call recorded once for the store tests: espeak speech, the bundled model, the real coach, a store.

The pipeline runs with every socket refused and each attempt noted, so the same
run also proves that a call makes no network connection.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from companion.analysis.coach import coach_for
from companion.analysis.playbook import load_playbook
from companion.audio.files import FileSource
from companion.events import Event
from companion.pipeline import CallPipeline
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder
from tests import speech
from tests.store.calls import BILLING_CALL


@dataclass
class RecordedCall:
    wav: Path
    turns: list[speech.Turn]
    store_dir: Path
    session_id: int
    events: list[Event]  # what the pipeline emitted
    connections: list[object]  # network attempts seen while the call ran


class NetworkGuard:
    """Refuses every socket and remembers who asked: the privacy promise, checked."""

    def __init__(self) -> None:
        self.attempts: list[object] = []

    def __call__(self, *args: object, **kwargs: object) -> socket.socket:
        self.attempts.append(args)
        raise OSError("network use is forbidden during a call")


@pytest.fixture(scope="session")
def network_guard() -> Iterator[NetworkGuard]:
    guard = NetworkGuard()
    mp = pytest.MonkeyPatch()
    mp.setattr(socket, "socket", guard)
    mp.setattr(socket, "create_connection", guard)
    yield guard
    mp.undo()


@pytest.fixture(scope="session")
def billing_wav(espeak: None) -> tuple[Path, list[speech.Turn]]:
    return speech.synthesize_call(BILLING_CALL)


@pytest.fixture(scope="session")
def recorded_call(
    billing_wav: tuple[Path, list[speech.Turn]], tmp_path_factory: pytest.TempPathFactory
) -> RecordedCall:
    wav, turns = billing_wav
    store_dir = tmp_path_factory.mktemp("store")
    guard = NetworkGuard()
    mp = pytest.MonkeyPatch()
    mp.setattr(socket, "socket", guard)
    mp.setattr(socket, "create_connection", guard)
    try:
        with SessionStore(store_dir) as store:
            playbook = load_playbook()
            pipeline = CallPipeline(FileSource(wav), coach=coach_for(playbook))
            steps = tuple(playbook.step_titles())
            settings = RecorderSettings(agent="Sam", playbook_steps=steps, flush_every_s=0.2)
            recorder = SessionRecorder(store, settings).attach(pipeline)
            events = pipeline.run()
            recorder.close()
            assert recorder.errors == [] and recorder.session_id is not None
    finally:
        mp.undo()
    return RecordedCall(wav, turns, store_dir, recorder.session_id, list(events), guard.attempts)
