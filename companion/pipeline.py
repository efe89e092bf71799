"""The one pipeline: source -> segmenter -> transcriber -> coach -> listeners.

The window, ``call-companion analyze`` and the tests all drive this object.
It knows nothing of Qt: listeners are plain callables that receive event
values, called from the engine's threads (the window's bridge queues them to
the GUI thread).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from companion.asr.bleed import BleedJudge
from companion.asr.bleed_router import SegmentRouter
from companion.asr.effort import Effort
from companion.asr.model import ModelSettings, load_model
from companion.asr.segmenter import SegmentAudio, Segmenter, SegmentStarted
from companion.asr.transcriber import Recognised, Transcriber
from companion.asr.vad import VadSettings
from companion.audio.frames import AudioBlock, dbfs
from companion.audio.sources import Source, SourceItem
from companion.errors import CaptureError, CompanionError, ModelError
from companion.events import (
    DEVICE_LOST,
    FAILED,
    FINISHED,
    MODEL_FAILED,
    STOPPED,
    CallEnded,
    CallStarted,
    EngineError,
    Event,
    Level,
    Partial,
    Revision,
    Speaker,
    SpeechStarted,
    Utterance,
)
from companion.jobs import JobsManager

log = logging.getLogger(__name__)

Listener = Callable[[Event], None]
AudioListener = Callable[[AudioBlock], None]


class Coach(Protocol):
    """Anything that folds call events into derived events (sentiment, steps, alerts)."""

    def feed(self, event: Event) -> Sequence[Event]: ...


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Settings of the engine, passed in (never read from globals)."""

    model: ModelSettings = field(default_factory=ModelSettings)
    vad: VadSettings = field(default_factory=VadSettings)
    partials: bool | None = None  # None: provisional text only when the source is real-time
    word_timestamps: bool = False
    level_every_s: float = 0.1
    # Seconds of a speaker's earlier speech each line is recognised with (companion.asr.context).
    # 20 s: 10 s gave half the gain, 16 s most of it (benchmarks/engine_bench.py).
    context_s: float = 20.0
    # The power setting: how many recognition passes a live call may spend (companion.asr.effort).
    effort: Effort = field(default_factory=Effort)
    # Give each line once when one channel carries the other's voice (companion.asr.bleed).
    # Off only to measure what it prevents (benchmarks/bleed_bench.py).
    one_voice_per_line: bool = True


class CallPipeline:
    """Runs one call from its source to its listeners, keeping every event it produced."""

    def __init__(
        self,
        source: Source,
        settings: EngineSettings | None = None,
        coach: Coach | None = None,
        listeners: Sequence[Listener] = (),
    ) -> None:
        self.source = source
        self.settings = settings or EngineSettings()
        self.coach = coach
        self.events: list[Event] = []
        self.error: CompanionError | None = None
        self.wall_s = 0.0
        self._listeners: list[Listener] = list(listeners)
        self._audio_listeners: list[AudioListener] = []
        self._emit_lock = threading.RLock()
        self._stop = threading.Event()
        self._jobs: JobsManager | None = None
        self._job: _CallJob | None = None
        self._wall_start = 0.0
        self._next_id = 0
        self._first_partial: dict[tuple[Speaker, int], float] = {}
        self._finalised: set[tuple[Speaker, int]] = set()
        self._unsettled: dict[tuple[Speaker, int], Utterance] = {}
        self._level_acc: dict[Speaker, list[float]] = {}
        self._router: SegmentRouter | None = None  # set when an audio call with two channels runs
        self._audio_t = 0.0
        self._clock_anchor = (time.monotonic(), 0.0)
        self._clock_lock = threading.Lock()
        self._clock_last = 0.0
        self.transcriber: Transcriber | None = None  # set when the call runs; counts its recognition passes

    # -- control ---------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def add_audio_listener(self, listener: AudioListener) -> None:
        """Receive every audio block as it arrives (the session recorder keeps the call's sound)."""
        self._audio_listeners.append(listener)

    def start(self, jobs: JobsManager | None = None) -> None:
        """Run the call as a job of ``jobs`` (the app's one owner of background work; a manager of
        its own when none is given); events reach the listeners as they happen."""
        self._jobs = jobs or JobsManager()
        self._job = _CallJob(self)
        if not self._jobs.start(self._job):
            raise CompanionError("the app is closing: no new call starts")

    def stop(self) -> None:
        """End the call: the audio so far is still transcribed and every event kept."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        if self._jobs is None or self._job is None:
            return True
        return self._jobs.wait(self._job, timeout)

    @property
    def running(self) -> bool:
        return self._jobs is not None and self._job is not None and self._jobs.is_running(self._job)

    def clock(self) -> float:
        """Call time now, for real-time sources.

        Anchored to the newest audio delivered rather than to when the source
        was opened: a sound server may take seconds to send its first buffer,
        and that wait is not part of the call.
        """
        anchor_wall, anchor_audio = self._clock_anchor
        now = anchor_audio + (time.monotonic() - anchor_wall)
        # A block delivered late re-anchors the clock behind where it had run on to; call
        # time never runs backwards (a line's settled text came 1 ms "before" its first text).
        with self._clock_lock:
            self._clock_last = max(self._clock_last, now)
            return self._clock_last

    # -- the call ----------------------------------------------------------------

    def run(self) -> list[Event]:
        """Run the call to its end in this thread; raise the source's error after keeping the data."""
        self._run_safely()
        if self.error is not None:
            raise self.error
        return self.events

    def _run_safely(self) -> None:
        # CallEnded goes out on every path, last of all: the window and the recorder need no other sign.
        reason = FAILED
        try:
            reason = self._run()
        except CompanionError as exc:
            self.error = exc
            reason = MODEL_FAILED if isinstance(exc, ModelError) else FAILED
            self._emit(EngineError(self._audio_t, str(exc), fatal=True))
        except Exception as exc:  # a bug must not lose the call: report it, keep the events
            log.exception("the call pipeline failed")
            self.error = CompanionError(f"the call stopped unexpectedly: {exc}")
            self._emit(EngineError(self._audio_t, str(self.error), fatal=True))
        finally:
            self.wall_s = time.monotonic() - self._wall_start if self._wall_start else 0.0
            self._emit(CallEnded(self._audio_t, reason))

    def _run(self) -> str:
        """Run the call; returns why it ended (a source's error is kept in ``error``, the rest raise)."""
        # Sources written before text sources existed carry audio.
        if not getattr(self.source, "carries_audio", True):
            return self._run_text()
        settings = self.settings
        model = load_model(settings.model)
        realtime = self.source.realtime
        partials = realtime if settings.partials is None else settings.partials
        self._segmenters: dict[Speaker, Segmenter] = {
            speaker: Segmenter(
                speaker,
                settings.vad,
                settings.effort.partial_every_s if partials else None,
                settings.effort.first_partial_s,
                settings.effort.prefinal_after_windows,
                settings.effort.short_line_s,
                settings.effort.short_line_prefinal_windows,
            )
            for speaker, _ in self.source.channels
        }
        speakers = [speaker for speaker, _ in self.source.channels]
        # Two channels may carry one voice (a leak, or dual mono): each line is given once. A source
        # that split one recording by voice (a mono file) made its channels apart: nothing to judge.
        if len(speakers) == 2 and settings.one_voice_per_line and not getattr(self.source, "voices_apart", False):
            self._router = SegmentRouter(BleedJudge(speakers))
        transcriber = Transcriber(
            model,
            settings.model,
            self._on_recognised,
            settings.word_timestamps,
            context_s=settings.context_s,
            settle_later=realtime,
            effort=settings.effort,
        )
        self.transcriber = transcriber  # its pass counts say what the call cost
        self._wall_start = time.monotonic()
        self._clock_anchor = (self._wall_start, 0.0)
        self._emit(CallStarted(0.0, self.source.description, tuple(self.source.channels), realtime))
        reason = FINISHED
        try:
            self.source.run(lambda block: self._on_block(block, transcriber), self._stop)  # type: ignore[arg-type]
            if self._stop.is_set():
                reason = STOPPED
        except CompanionError as exc:
            self.error = exc
            reason = DEVICE_LOST if isinstance(exc, CaptureError) else FAILED
            self._emit(EngineError(self._audio_t, str(exc), fatal=True))
        finally:
            # Whatever ended the audio, what was heard is still transcribed and kept.
            for segmenter in self._segmenters.values():
                for item in segmenter.flush():
                    self._handle_segment(item, transcriber)
            try:
                transcriber.drain()
            finally:
                transcriber.close()
        return reason

    def _on_block(self, block: AudioBlock, transcriber: Transcriber) -> None:
        if block.t1 > self._audio_t:
            self._audio_t = block.t1
            self._clock_anchor = (time.monotonic(), block.t1)
        for listener in self._audio_listeners:
            try:
                listener(block)
            except Exception:  # a failing recorder must not stop the transcript
                log.exception("audio listener %r failed", listener)
        self._track_level(block)
        if self._router is not None:
            self._router.add(block)
        for item in self._segmenters[block.speaker].feed(block.t0, block.samples):
            self._handle_segment(item, transcriber)

    def _track_level(self, block: AudioBlock) -> None:
        acc = self._level_acc.setdefault(block.speaker, [])
        acc.append(dbfs(block.samples))
        if len(acc) * block.duration >= self.settings.level_every_s:
            # Mean of block levels: cheap, and smooth enough for a meter and loudness cues.
            self._emit(Level(block.t1, block.speaker, sum(acc) / len(acc)))
            acc.clear()

    def _handle_segment(self, item: SegmentAudio | SegmentStarted, transcriber: Transcriber) -> None:
        items: tuple[SegmentAudio | SegmentStarted, ...] = (item,)
        if self._router is not None:
            routed = self._router.route(item)
            if routed.warning is not None:
                self._emit(EngineError(self._audio_t, routed.warning, fatal=False))
            items = routed.items
            if not items and isinstance(item, SegmentAudio) and item.kind == "final":
                # Someone else's line: a partial of it still in the recogniser's queue is dropped too.
                self._finalised.add((item.speaker, item.segment))
        for each in items:
            if isinstance(each, SegmentStarted):
                self._emit(SpeechStarted(each.start, each.speaker, each.segment))
            else:
                transcriber.submit(each)

    def _speaker(self, request: SegmentAudio) -> Speaker:
        """Who a segment's text is given to (``call`` for a dual-mono call's lines)."""
        return self._router.label(request.speaker, request.segment) if self._router is not None else request.speaker

    def _now(self) -> float | None:
        return self.clock() if self.source.realtime else None

    def _on_recognised(self, result: Recognised) -> None:
        request = result.request
        key = (request.speaker, request.segment)
        now = self._now()
        if request.kind == "partial":
            # A partial that finishes after its segment's final text would show stale
            # provisional words under the final line: it is dropped.
            if not result.text or key in self._finalised:
                return
            self._first_partial.setdefault(key, now if now is not None else request.end)
            self._emit(
                Partial(
                    now if now is not None else request.end,
                    self._speaker(request),
                    request.segment,
                    request.start,
                    result.text,
                )
            )
            return
        if request.kind == "settle":
            self._on_settled(result, now)
            return
        self._finalised.add(key)
        if not result.text:
            return  # Whisper heard no words in what the VAD took for speech
        first = self._first_partial.pop(key, None)
        utterance = Utterance(
            id=self._next_id,
            speaker=self._speaker(request),
            start=round(request.start, 3),
            end=round(request.end, 3),
            text=result.text,
            segment=request.segment,
            emitted=round(now, 3) if now is not None else None,
            first_partial=round(first, 3) if (first is not None and now is not None) else None,
            words=result.words,
        )
        self._next_id += 1
        self._unsettled[key] = utterance  # the transcriber settles live lines (none when analysing a file)
        self._emit(utterance)

    def _on_settled(self, result: Recognised, now: float | None) -> None:
        request = result.request
        utterance = self._unsettled.pop((request.speaker, request.segment), None)
        # Sent even when the words did not change: the line is settled either way.
        if utterance is None or not result.text:
            return
        self._emit(
            Revision(
                round(now, 3) if now is not None else request.end,
                utterance.id,
                utterance.speaker,
                result.text,
                result.words,
            )
        )

    def _run_text(self) -> str:
        """A transcript's lines go straight to the coach: the same fold, no recogniser."""
        self._wall_start = time.monotonic()
        self._emit(CallStarted(0.0, self.source.description, tuple(self.source.channels), self.source.realtime))

        def on_line(line: SourceItem) -> None:
            if not isinstance(line, Utterance):
                raise TypeError(f"a text source delivered {type(line).__name__}, not an Utterance")
            self._audio_t = max(self._audio_t, line.end)
            self._emit(line)

        self.source.run(on_line, self._stop)
        return STOPPED if self._stop.is_set() else FINISHED

    def _emit(self, event: Event) -> None:
        with self._emit_lock:
            queue = [event]
            while queue:
                current = queue.pop(0)
                self.events.append(current)
                if self.coach is not None and current is event:
                    queue.extend(self.coach.feed(current))
                for listener in self._listeners:
                    try:
                        listener(current)
                    except Exception:  # one broken listener must not end the call
                        log.exception("listener %r failed on %r", listener, current)


class _CallJob:
    """A call started in the background, as a job of the app's JobsManager."""

    name = "call-pipeline"

    def __init__(self, pipeline: CallPipeline) -> None:
        self.pipeline = pipeline

    def run(self) -> None:
        self.pipeline._run_safely()  # keeps its error in pipeline.error; CallEnded goes out last

    def cancel(self) -> None:
        self.pipeline.stop()
