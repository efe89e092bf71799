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
from companion.events import Speaker, Utterance
from companion.pipeline import CallPipeline, EngineSettings
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder

TRANSCRIPT_SUFFIXES = (".txt",)
TRANSCRIPT_CHANNEL = "transcript"  # the channel name of a session kept from a transcript (no audio)


def is_transcript(path: Path) -> bool:
    return Path(path).suffix.lower() in TRANSCRIPT_SUFFIXES


class TranscriptSource:
    """A transcript file as a call: its lines, read when the source is made, delivered in order as utterances."""

    realtime = False
    carries_audio = False
    declared_duration = None
    note = None

    def __init__(self, path: Path) -> None:
        self.description = str(path)
        self.lines = read_transcript_lines(path)  # a bad line is an InputError now, before any call starts

    @property
    def channels(self) -> tuple[tuple[Speaker, str], ...]:
        return (("agent", TRANSCRIPT_CHANNEL), ("customer", TRANSCRIPT_CHANNEL))

    def untimed(self) -> set[int]:
        """Ids of the lines whose times the file did not give (they were estimated)."""
        return {line.utterance.id for line in self.lines if not line.timed}

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
    channels: tuple[int, int] | None = None,
) -> tuple[dict[str, Any], CompanionError | None]:
    """Analyse a recording or transcript; return the report and the error that cut it short, if any.

    An error raised before any audio was read (missing file, not audio, a bad
    transcript line) is raised; one met part-way returns the report of what was
    read, so nothing is lost.  Without a ``playbook`` there is no coaching.
    ``effort`` is the power setting of a ``realtime`` run (companion.asr.effort);
    ``channels`` picks the agent's and the customer's channel of a multichannel file (1-based).
    """
    path = Path(path)
    coach = (coach_for(playbook) if cues is None else Coach(playbook, cues)) if playbook is not None else None
    steps = playbook.step_titles() if playbook is not None else ()
    source = open_source(path, agent, realtime, channels)
    settings = EngineSettings(model=ModelSettings(name=model), effort=effort or Effort())
    pipeline = CallPipeline(source, settings, coach=coach)
    with contextlib.suppress(CompanionError):
        pipeline.run()
    return _report(source, pipeline, steps, path), pipeline.error


def open_source(
    path: Path, agent: str | None = None, realtime: bool = False, channels: tuple[int, int] | None = None
) -> FileSource | TranscriptSource:
    """The call a file holds: a transcript's lines or a recording's audio; InputError if neither."""
    if not is_transcript(path):
        return FileSource(path, agent=agent, realtime=realtime, channels=channels)
    if realtime:
        raise InputError(f"{path} is a transcript: --realtime paces audio and has no meaning for text")
    if channels is not None:  # (an --agent is let pass: the window's import sends its channel choice for any file)
        raise InputError(f"{path} is a transcript: its lines name their speakers; --channels does not apply")
    return TranscriptSource(path)


def _report(source: FileSource | TranscriptSource, pipeline: CallPipeline, steps: Any, path: Path) -> dict[str, Any]:
    text = isinstance(source, TranscriptSource)
    report = build_report(pipeline.events, steps=steps, wall_s=None if text else pipeline.wall_s, source=str(path))
    if source.note is not None:
        report["warnings"].insert(0, source.note)
    if text:
        untimed = source.untimed()
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
    realtime: bool = False,
    channels: tuple[int, int] | None = None,
) -> tuple[int | None, dict[str, Any], CompanionError | None]:
    """Import a recording or a transcript as a session: the pipeline of a live call, a recorder listening.

    Returns (session id, report, error that cut the file short). ``progress``
    receives the fraction read (0..1); setting ``cancel`` stops the import and
    removes the half-made session.  A transcript is kept as a session without
    audio; ``realtime`` feeds a recording at the pace of the call.
    """
    path = Path(path)
    source = open_source(path, agent, realtime, channels)
    pipeline = CallPipeline(source, EngineSettings(model=ModelSettings(name=model)), coach=coach)
    settings = recorder_settings or RecorderSettings()
    if coach is not None and not settings.playbook_steps:
        # The session keeps the playbook it was judged by, so the library can count missed steps.
        settings = dataclasses.replace(settings, playbook_steps=tuple(coach.playbook.step_titles()))
    recorder = SessionRecorder(store, settings).attach(pipeline)
    total = source.declared_duration or 0.0
    if isinstance(source, TranscriptSource):
        pipeline.add_listener(lambda event: _follow_lines(event, source, progress, cancel, pipeline))

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
    return recorder.session_id, _report(source, pipeline, steps, path), pipeline.error


def _follow_lines(
    event: object,
    source: TranscriptSource,
    progress: Callable[[float], None] | None,
    cancel: threading.Event | None,
    pipeline: CallPipeline,
) -> None:
    """A transcript's progress and cancel, line by line (it has no audio blocks to count)."""
    if not isinstance(event, Utterance):
        return
    if cancel is not None and cancel.is_set():
        pipeline.stop()
    if progress is not None:
        progress(min(1.0, (event.id + 1) / len(source.lines)))
