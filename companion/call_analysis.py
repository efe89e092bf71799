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
from companion.analysis.recoach import recoach, swap_speakers
from companion.analysis.report import build_report
from companion.analysis.roles import Roles, decide
from companion.analysis.settled import settled_utterances
from companion.analysis.transcript_text import read_transcript_lines
from companion.asr.effort import Effort
from companion.asr.model import ModelSettings
from companion.asr.mono_source import MonoSource
from companion.audio.files import FileSource, channel_count
from companion.audio.frames import AudioBlock
from companion.audio.sources import SourceItem
from companion.errors import CompanionError, InputError
from companion.events import Event, Party, Speaker
from companion.pipeline import CallPipeline, EngineSettings
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder

TRANSCRIPT_SUFFIXES = (".txt",)
PARTY_CHOICES = ("first", "second")
# Cues that need each voice on its own channel; on a mono call they are not guessed at.
TWO_CHANNEL_CUES = {
    "interruption": "a mono recording holds both voices on one channel, so talking over each other cannot be measured"
}


class TranscriptSource:
    """A transcript file as a call: its lines, read when the source is made, delivered in order as utterances."""

    realtime = False
    carries_audio = False

    def __init__(self, path: Path, agent: Party | None = None) -> None:
        self.description = str(path)
        self.lines = read_transcript_lines(path)  # a bad line is an InputError now, before any call starts
        self.roles: Roles | None = None
        if any(line.party is not None for line in self.lines):
            # No names in the file: the lines take turns, and what each side says tells which is the agent.
            if agent is not None:
                self.roles = Roles(agent, 1.0, "override")
            else:
                self.roles = decide([(line.party, line.utterance.text) for line in self.lines if line.party])
            self.lines = [line.with_agent(self.roles.agent) for line in self.lines]

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
        return _analyze_transcript(path, coach, steps, _party(agent)), None
    settings = EngineSettings(model=ModelSettings(name=model), effort=effort or Effort())
    if channel_count(path) == 1:
        return _analyze_mono(path, _party(agent), realtime, settings, playbook, coach, steps)
    if agent in PARTY_CHOICES:
        raise InputError(f"{path} is a stereo recording: give the agent's channel as 'left' or 'right', not '{agent}'")
    source = FileSource(path, agent=agent, realtime=realtime)
    pipeline = CallPipeline(source, settings, coach=coach)
    with contextlib.suppress(CompanionError):
        pipeline.run()
    report = build_report(pipeline.events, steps=steps, wall_s=pipeline.wall_s, source=str(path))
    return report, pipeline.error


def _party(agent: str | None) -> Party | None:
    """``--agent`` for a mono file or an unnamed transcript: which voice is the agent."""
    if agent is None or agent in ("left", "right"):
        return None  # a stereo choice, meaningless here: the roles are decided from the words
    if agent not in PARTY_CHOICES:
        raise InputError(f"unknown agent '{agent}': give 'first' or 'second' (mono) or 'left' or 'right' (stereo)")
    return agent  # type: ignore[return-value]


def _analyze_mono(
    path: Path,
    agent: Party | None,
    realtime: bool,
    settings: EngineSettings,
    playbook: Playbook | None,
    coach: Coach | None,
    steps: Any,
) -> tuple[dict[str, Any], CompanionError | None]:
    """A mono file: diarized, run as two channels, then its roles settled from the words."""
    source = MonoSource(path, agent=agent or "first", realtime=realtime)
    pipeline = CallPipeline(source, settings, coach=coach)
    with contextlib.suppress(CompanionError):
        pipeline.run()
    events, roles = settle_roles(pipeline.events, source, agent, playbook)
    report = build_report(events, steps=steps, wall_s=pipeline.wall_s, source=str(path))
    report |= mono_summary(source, roles)
    return report, pipeline.error


def settle_roles(
    events: list[Event], source: MonoSource, agent: Party | None, playbook: Playbook | None
) -> tuple[list[Event], Roles | None]:
    """The roles of a diarized call and its events with the agent where the words put them.

    The call ran with ``source.agent`` as the agent; when the words say the other
    voice is, the lines swap sides and a fresh coach judges them again.
    """
    if not source.two_parties:
        return events, None
    if agent is not None:
        return events, Roles(agent, 1.0, "override")
    lines = []
    for u in settled_utterances(events):
        party = source.party_of(u.speaker)
        if party is not None:
            lines.append((party, u.text))
    roles = decide(lines)
    if roles.agent != source.agent:
        events = recoach(swap_speakers(events), coach_for(playbook) if playbook is not None else None)
        source.agent = roles.agent
    return events, roles


def mono_summary(source: MonoSource, roles: Roles | None) -> dict[str, Any]:
    """What the analysis of a mono file adds: the voices found, the roles and the cues it cannot give."""
    d = source.diarization
    out: dict[str, Any] = {
        "diarization": {
            "voices": d.parties,
            "first_s": round(d.speech_s(0), 2),
            "second_s": round(d.speech_s(1), 2),
            "neither_s": round(d.speech_s(-1), 2),
            "separation": d.separation,
            "cost_s": round(source.diarize_s, 3),
        },
        "voice_cues_unavailable": dict(TWO_CHANNEL_CUES),
    }
    if roles is not None:
        out["roles"] = roles.as_json()
    return out


def _analyze_transcript(path: Path, coach: Coach | None, steps: Any, agent: Party | None = None) -> dict[str, Any]:
    source = TranscriptSource(path, agent)
    pipeline = CallPipeline(source, coach=coach)
    pipeline.run()
    report = build_report(pipeline.events, steps=steps, wall_s=None, source=str(path))
    if source.roles is not None:
        report["roles"] = source.roles.as_json()
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
    mono = channel_count(path) == 1
    party = _party(agent) if mono else None
    source: FileSource | MonoSource = (
        MonoSource(path, agent=party or "first") if mono else FileSource(path, agent=agent, realtime=False)
    )
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
    events: list[Event] = pipeline.events
    extra: dict[str, Any] = {}
    if isinstance(source, MonoSource):
        playbook = coach.playbook if coach is not None else None
        before = source.agent
        events, roles = settle_roles(events, source, party, playbook)
        if source.agent != before and recorder.session_id is not None:
            from companion.role_swap import swap_session_roles

            swap_session_roles(store, recorder.session_id, playbook)
        extra = mono_summary(source, roles)
    report = build_report(events, steps=steps, wall_s=pipeline.wall_s, source=str(path)) | extra
    return recorder.session_id, report, pipeline.error
