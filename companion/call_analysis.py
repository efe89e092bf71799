"""Headless analysis of one file through the live pipeline: a recording, or a .txt transcript."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.analysis.coach import Coach, coach_for
from companion.analysis.playbook import Playbook
from companion.analysis.report import build_report
from companion.analysis.transcript_text import read_transcript_lines
from companion.asr.effort import Effort
from companion.asr.model import ModelSettings
from companion.audio.files import FileSource
from companion.audio.frames import AudioBlock
from companion.audio.sources import SourceItem
from companion.errors import CompanionError, InputError
from companion.events import Speaker
from companion.pipeline import CallPipeline, EngineSettings
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder

TRANSCRIPT_SUFFIXES = (".txt",)


class TranscriptSource:
    """A transcript file as a call: its lines, read when the source is made, delivered in order as utterances."""

    realtime = False
    carries_audio = False

    def __init__(self, path: Path) -> None:
        self.description = str(path)
        self.lines = read_transcript_lines(path)  # a bad line is an InputError now, before any call starts

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        return (("agent", "transcript"), ("customer", "transcript"))

    def run(self, deliver: Callable[[SourceItem], None], stop: threading.Event) -> None:
        for line in self.lines:
            if stop.is_set():
                return
            deliver(line.utterance)


def analyze_file(
    path: Path,
    agent: str | None = None,
    realtime: bool = False,
    model: str = "bundled",
    playbook: Playbook | None = None,
    cues: object | None = None,
    effort: Effort | None = None,
) -> tuple[dict[str, Any], CompanionError | None]:
    """Analyse a recording or transcript; return the report and the error that cut it short, if any.

    An error raised before any audio was read (missing file, not audio, a bad
    transcript line) is raised; one met part-way returns the report of what was
    read, so nothing is lost.  Without a ``playbook`` there is no coaching.
    ``effort`` is the power setting of a ``realtime`` run (companion.asr.effort).
    """
    path = Path(path)
    coach = (coach_for(playbook) if cues is None else Coach(playbook, cues)) if playbook is not None else None
    steps = playbook.step_titles() if playbook is not None else ()
    if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
        return _analyze_transcript(path, coach, steps), None
    source = FileSource(path, agent=agent, realtime=realtime)
    settings = EngineSettings(model=ModelSettings(name=model), effort=effort or Effort())
    pipeline = CallPipeline(source, settings, coach=coach)
    with contextlib.suppress(CompanionError):
        pipeline.run()
    report = build_report(pipeline.events, steps=steps, wall_s=pipeline.wall_s, source=str(path))
    return report, pipeline.error


def _analyze_transcript(path: Path, coach: Coach | None, steps: Any) -> dict[str, Any]:
    source = TranscriptSource(path)
    pipeline = CallPipeline(source, coach=coach)
    pipeline.run()
    report = build_report(pipeline.events, steps=steps, wall_s=None, source=str(path))
    untimed = {line.utterance.id for line in source.lines if not line.timed}
    for row in report["utterances"]:
        if row["id"] in untimed:
            # The times were only estimated for smoothing; the file gave none.
            row["start"] = row["end"] = None
    return report


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
    settings = recorder_settings or RecorderSettings()
    if coach is not None and not settings.playbook_steps:
        # The session keeps the playbook it was judged by, so the library can count missed steps.
        settings = dataclasses.replace(settings, playbook_steps=tuple(coach.playbook.step_titles()))
    recorder = SessionRecorder(store, settings).attach(pipeline)
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
    steps = coach.playbook.step_titles() if coach is not None else ()
    report = build_report(pipeline.events, steps=steps, wall_s=pipeline.wall_s, source=str(path))
    return recorder.session_id, report, pipeline.error
