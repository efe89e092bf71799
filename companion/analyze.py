"""Headless analysis of one file through the live pipeline."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.analysis.report import build_report
from companion.asr.model import ModelSettings
from companion.audio.files import FileSource
from companion.audio.frames import AudioBlock
from companion.errors import CompanionError, InputError
from companion.pipeline import CallPipeline, Coach, EngineSettings
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder


def analyze_file(
    path: Path, agent: str | None = None, realtime: bool = False, model: str = "bundled"
) -> tuple[dict[str, Any], CompanionError | None]:
    """Analyse a recording; return the report and the error that cut it short, if any.

    An error raised before any audio was read (missing file, not audio) is raised;
    one met part-way returns the report of what was read, so nothing is lost.
    """
    source = FileSource(path, agent=agent, realtime=realtime)
    settings = EngineSettings(model=ModelSettings(name=model))
    pipeline = CallPipeline(source, settings)
    with contextlib.suppress(CompanionError):
        pipeline.run()
    report = build_report(pipeline.events, wall_s=pipeline.wall_s, source=str(path))
    return report, pipeline.error


def record_file(
    path: Path,
    store: SessionStore,
    agent: str | None = None,
    model: str = "bundled",
    recorder_settings: RecorderSettings | None = None,
    coach: Coach | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[int | None, dict[str, Any], CompanionError | None]:
    """Import a recording as a session: the same pipeline as a live call, with a recorder listening.

    Returns (session id, report, error that cut the file short). ``progress``
    receives the fraction read (0..1); setting ``cancel`` stops the import and
    removes the half-made session.
    """
    source = FileSource(path, agent=agent, realtime=False)
    pipeline = CallPipeline(source, EngineSettings(model=ModelSettings(name=model)), coach=coach)
    recorder = SessionRecorder(store, recorder_settings).attach(pipeline)
    total = source.declared_duration or 0.0

    def on_block(block: AudioBlock) -> None:
        if cancel is not None and cancel.is_set():
            pipeline.stop()
        if progress is not None and total > 0:
            progress(min(1.0, block.t1 / total))

    pipeline.add_audio_listener(on_block)
    with contextlib.suppress(CompanionError):
        pipeline.run()
    recorder.close()
    if cancel is not None and cancel.is_set():
        if recorder.session_id is not None:
            store.delete_session(recorder.session_id)
        raise InputError(f"the import of {path} was cancelled; nothing was kept")
    if recorder.errors and recorder.session_id is None:
        raise recorder.errors[-1]
    report = build_report(pipeline.events, wall_s=pipeline.wall_s, source=str(path))
    return recorder.session_id, report, pipeline.error
