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
from companion.events import Event, Party, Speaker, Utterance
from companion.pipeline import CallPipeline, EngineSettings
from companion.store.db import SessionStore
from companion.store.recorder import RecorderSettings, SessionRecorder

TRANSCRIPT_SUFFIXES = (".txt",)
TRANSCRIPT_CHANNEL = "transcript"  # the channel name of a session kept from a transcript (no audio)
PARTY_CHOICES = ("first", "second")
# Cues that need each voice on its own channel; on a mono call they are not guessed at.
TWO_CHANNEL_CUES = {
    "interruption": "a mono recording holds both voices on one channel, so talking over each other cannot be measured"
}


def is_transcript(path: Path) -> bool:
    return Path(path).suffix.lower() in TRANSCRIPT_SUFFIXES


class TranscriptSource:
    """A transcript file as a call: its lines, read when the source is made, delivered in order as utterances."""

    realtime = False
    carries_audio = False
    declared_duration = None
    note = None

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
    events, extra = _with_roles(source, pipeline.events, agent, playbook)
    return _report(source, events, pipeline.wall_s, steps, path) | extra, pipeline.error


AnySource = FileSource | TranscriptSource | MonoSource


def analyze_transcript(path: Path, coach: Coach | None, agent: str | None = None) -> dict[str, Any]:
    """A transcript through the pipeline with the caller's own coach (a benchmark's rules-only one, say)."""
    source = TranscriptSource(Path(path), _party(agent))
    pipeline = CallPipeline(source, coach=coach)
    pipeline.run()
    playbook = coach.playbook if coach is not None else None
    steps = playbook.step_titles() if playbook is not None else ()
    events, extra = _with_roles(source, pipeline.events, agent, playbook)
    return _report(source, events, pipeline.wall_s, steps, Path(path)) | extra


def open_source(
    path: Path, agent: str | None = None, realtime: bool = False, channels: tuple[int, int] | None = None
) -> AnySource:
    """The call a file holds: a transcript's lines, a stereo recording's two sides, or a mono
    recording split into its voices; InputError if none of these."""
    if is_transcript(path):
        if realtime:
            raise InputError(f"{path} is a transcript: --realtime paces audio and has no meaning for text")
        if channels is not None:  # (an --agent is let pass: the window's import sends its channel choice for any file)
            raise InputError(f"{path} is a transcript: its lines name their speakers; --channels does not apply")
        return TranscriptSource(path, _party(agent))
    if channel_count(path) == 1:
        if channels is not None:
            raise InputError(f"{path} has one channel; --channels needs a file with two or more")
        return MonoSource(path, agent=_party(agent) or "first", realtime=realtime)
    if agent in PARTY_CHOICES:
        raise InputError(f"{path} is a stereo recording: give the agent's channel as 'left' or 'right', not '{agent}'")
    return FileSource(path, agent=agent, realtime=realtime, channels=channels)


def _party(agent: str | None) -> Party | None:
    """``--agent`` for a mono file or an unnamed transcript: which voice is the agent."""
    if agent is None or agent in ("left", "right"):
        return None  # a stereo choice, meaningless here: the roles are decided from the words
    if agent not in PARTY_CHOICES:
        raise InputError(f"unknown agent '{agent}': give 'first' or 'second' (mono) or 'left' or 'right' (stereo)")
    return agent  # type: ignore[return-value]


def _with_roles(
    source: AnySource, events: list[Event], agent: str | None, playbook: Playbook | None
) -> tuple[list[Event], dict[str, Any]]:
    """A call's events with the agent where the words put them, and what the report adds about it."""
    if isinstance(source, TranscriptSource):
        return events, ({"roles": source.roles.as_json()} if source.roles is not None else {})
    if not isinstance(source, MonoSource):
        return events, {}
    events, roles = settle_roles(events, source, _party(agent), playbook)
    return events, mono_summary(source, roles)


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


def _report(source: AnySource, events: list[Event], wall_s: float, steps: Any, path: Path) -> dict[str, Any]:
    text = isinstance(source, TranscriptSource)
    report = build_report(events, steps=steps, wall_s=None if text else wall_s, source=str(path))
    note = getattr(source, "note", None)
    if note is not None:
        report["warnings"].insert(0, note)
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
    playbook = coach.playbook if coach is not None else None
    before = source.agent if isinstance(source, MonoSource) else None
    events, extra = _with_roles(source, pipeline.events, agent, playbook)
    if isinstance(source, MonoSource) and source.agent != before and recorder.session_id is not None:
        from companion.role_swap import swap_session_roles  # the stored session follows the words too

        swap_session_roles(store, recorder.session_id, playbook)
    return recorder.session_id, _report(source, events, pipeline.wall_s, steps, path) | extra, pipeline.error


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
