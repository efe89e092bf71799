"""The recogniser's workers: threads that turn segment audio into text.

Both speakers share them.  Final text always comes first and is never dropped;
a provisional (partial) request is replaced by the speaker's newer one while
the workers are busy, so when the machine falls behind it skips partials,
never audio.  With two workers, one takes no partials but a line's first (and
all the settles): when a speaker stops, their final text starts at once instead
of queueing behind someone's provisional text, and a settle never holds up the
next line's first partial.  Workers wait on a condition variable, never in a
sleep loop.

Lines can be recognised with the speaker's earlier lines as context
(companion.asr.context): more accurate, about twice the work.  Analysing a
file, finals are recognised that way at once.  In a live call the plain text
comes first, within a second, and a "settle" request recognises the line again
in context when nothing more urgent is waiting; its text replaces the first.

The power setting (companion.asr.effort) decides how many passes a live call
makes: how often partials run (with a duty cap that thins them out on a loaded
machine), which lines are settled again (doubtful ones at the default), and which
passes encode a window cut to their audio instead of Whisper's padded 30 s
(companion.asr.window).  ``passes`` counts what was spent.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from companion.asr.context import SpeakerContext, strip_prefix
from companion.asr.effort import Effort
from companion.asr.model import ModelSettings
from companion.asr.schedule import JobKind, Key, RecognitionQueue
from companion.asr.segmenter import SegmentAudio
from companion.asr.window import ShortWindow
from companion.audio.frames import SAMPLE_RATE
from companion.events import Speaker, Word

log = logging.getLogger(__name__)

# Whisper's confidence below which a segment with a high no-speech probability
# is taken for noise the VAD let through rather than words.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
# Digital silence put after a partial's audio when its encoder window is cut short (samples).
PARTIAL_SILENCE = SAMPLE_RATE // 2


@dataclass(frozen=True, slots=True)
class Recognised:
    """Text for a segment request, handed back to the pipeline."""

    request: SegmentAudio
    text: str
    words: tuple[Word, ...] = ()
    logprob: float = 0.0  # the lowest mean token log-probability of its segments: how sure Whisper was


class Transcriber:
    """Runs a faster-whisper model over segment requests in ``settings.workers`` threads."""

    def __init__(
        self,
        model: object,
        settings: ModelSettings,
        on_result: Callable[[Recognised], None],
        word_timestamps: bool = False,
        context_s: float = 0.0,
        settle_later: bool = False,
        effort: Effort | None = None,
    ) -> None:
        """``context_s``: seconds of a speaker's earlier speech to recognise a line with (0: none).

        ``settle_later``: finals are recognised plainly and settle requests redo them in
        context (live); otherwise finals are recognised in context straight away.
        ``effort``: how much a live call may spend on partials and settling (companion.asr.effort).
        """
        self._settings = settings
        self.effort = effort or Effort()
        self._whisper = ShortWindow(model, settings.language)
        # Live passes of the kinds the effort names encode a window cut to the audio; a file's
        # analysis keeps Whisper's 30 s window (its figures were measured that way).
        self._short_kinds = self.effort.short_window if settle_later else frozenset()
        # Recognition passes made, by speaker and kind ("partial", "prefinal", "final", "settle",
        # and "redone": a short-window pass that looped, done again on the full window):
        # what the call cost (a pass on a window cut to the audio costs about half a 30 s one).
        self.passes: Counter[tuple[Speaker, str]] = Counter()
        self._on_result = on_result
        self._word_timestamps = word_timestamps
        self._cond = threading.Condition()
        self._queue = RecognitionQueue()  # what runs next; only touched under self._cond
        self._cache: dict[Key, Recognised] = {}  # early finals' results
        self._context_s = context_s
        self._settle_later = settle_later
        self._contexts: dict[Speaker, SpeakerContext] = {}
        self._first_pass: dict[Key, Recognised] = {}
        # Finals are released in the order their segments ended (the order they were
        # submitted), so a short reply recognised quickly never overtakes the long
        # line before it: the coach reads the call in the order it was spoken.
        self._final_seq: dict[int, int] = {}
        self._submitted = 0
        self._released = 0
        self._finished: dict[int, Recognised] = {}
        self._release_lock = threading.Lock()
        self._stopping = False
        self._error: BaseException | None = None
        workers = max(1, settings.workers)
        self._threads = [
            threading.Thread(
                target=self._run,
                # The worker that takes partials settles nothing unless it is the only one.
                args=(i == workers - 1, i < workers - 1 or workers == 1),
                name=f"transcriber-{i}",
                daemon=True,
            )
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, request: SegmentAudio) -> None:
        with self._cond:
            if request.kind == JobKind.FINAL:
                self._final_seq[id(request)] = self._submitted
                self._submitted += 1
            self._queue.submit(request)
            self._cond.notify_all()

    def drain(self) -> None:
        """Block until every final and settle request submitted so far has been recognised."""
        with self._cond:
            self._cond.wait_for(lambda: self._queue.drained() or self._error is not None)
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    def _run(self, takes_partials: bool, takes_settles: bool) -> None:
        queue = self._queue
        while True:
            with self._cond:
                while True:
                    if self._stopping and not queue.must_finish():
                        return
                    job = queue.next_job(takes_partials, time.monotonic(), takes_settles)
                    if job is not None:
                        break
                    # A timed wait only while a partial waits out its duty cap; otherwise
                    # the worker sleeps until a request comes (no polling).
                    self._cond.wait(queue.partial_wait(takes_partials, time.monotonic()))
                queue.begin(job)
            try:
                self._do(job)
            except BaseException as exc:  # surfaced to the pipeline by drain()
                log.exception("recognition failed")
                with self._cond:
                    self._error = exc
                    queue.end(job)
                    self._cond.notify_all()
                return
            with self._cond:
                queue.end(job)
                self._cond.notify_all()

    def _do(self, job: SegmentAudio) -> None:
        key = (job.speaker, job.segment)
        if job.kind == "settle":
            self._on_result(self._in_context(job))
            return
        if job.kind == "final":
            with self._cond:
                cached = self._cache.pop(key, None)
            if cached is not None and len(cached.request.audio) == len(job.audio):
                self._release(job, dataclasses.replace(cached, request=job))
                return
            if self._context_s > 0 and not self._settle_later:
                self._release(job, self._in_context(job))
                return
        started = time.monotonic()
        result = self.recognise(job, job.audio, job.audio_t0)
        if job.kind == "partial":
            self._after_partial(job, started, bool(result.text))
            self._on_result(result)
        elif job.kind == "prefinal":
            with self._cond:
                self._cache[key] = result
                closed = key in self._queue.closed
            if not closed and result.text:
                # The speaker only paused: the early final's text is the freshest provisional
                # text there is, so it is shown as the line's partial (one pass, two uses).
                self._after_partial(job, started, True)
                self._on_result(dataclasses.replace(result, request=dataclasses.replace(job, kind="partial")))
        else:
            self._release(job, result)

    def _after_partial(self, job: SegmentAudio, started: float, shown: bool) -> None:
        """The duty cap: a speaker's next partial waits in proportion to what this pass took.

        Until a line's provisional text has shown, its next partial is still its first (it
        jumps the queue); an empty one does not count.
        """
        took = time.monotonic() - started
        duty = max(0.05, self.effort.partial_duty)
        with self._cond:
            self._queue.hold_partials(job.speaker, started + took / duty)
            if shown:
                self._queue.mark_shown((job.speaker, job.segment))

    def _in_context(self, job: SegmentAudio) -> Recognised:
        """Recognise a line after the speaker's preceding lines, then remember it as their context."""
        key = (job.speaker, job.segment)
        context = self._contexts.setdefault(job.speaker, SpeakerContext(self._context_s))
        with self._cond:
            first = self._first_pass.pop(key, None)
            sure = self._queue.take_sure(key)
        if sure and first is not None:
            context.add(job.audio, first.text)  # its first text stands (the effort's doubt rule)
            return dataclasses.replace(first, request=job)
        found = context.before(job.audio)
        result: Recognised | None = None
        if found is None and first is not None:
            result = first  # nothing to add: the plain text stands
        elif found is not None:
            audio = np.concatenate([found.audio, job.audio])
            heard = self.recognise(job, audio, job.audio_t0 - found.seconds, prefix=found.text)
            rest = strip_prefix(heard.text, found.text)
            if rest is not None:
                words = tuple(w for w in heard.words if w.start >= job.audio_t0)
                result = Recognised(job, rest, words, heard.logprob)
            else:
                log.debug("context output did not repeat its prefix; keeping the plain text")
                result = first
        if result is None:
            result = self.recognise(job, job.audio, job.audio_t0)
        context.add(job.audio, result.text)
        return dataclasses.replace(result, request=job)

    def _release(self, job: SegmentAudio, result: Recognised) -> None:
        """Hand over this final and any later ones it was holding back, in spoken order."""
        with self._release_lock:
            with self._cond:
                self._finished[self._final_seq.pop(id(job))] = result
                ready = []
                while self._released in self._finished:
                    ready.append(self._finished.pop(self._released))
                    self._released += 1
            for item in ready:
                self._on_result(item)
                self._queue_settle(item)

    def _queue_settle(self, final: Recognised) -> None:
        """Live, a line with words is settled after its first text has been handed over.

        Only a doubtful first text is recognised again (the effort's rule); the others are
        settled as they are, so every live line still gets its settled text, in spoken order.
        """
        if not (self._settle_later and self._context_s > 0 and final.text):
            return
        job = final.request
        key = (job.speaker, job.segment)
        with self._cond:
            self._first_pass[key] = final
            if not self.effort.doubtful(final.text, final.logprob):
                self._queue.mark_sure(key)
            self._queue.submit(dataclasses.replace(job, kind=JobKind.SETTLE))
            self._cond.notify_all()

    def recognise(self, job: SegmentAudio, audio: np.ndarray, t0: float, prefix: str | None = None) -> Recognised:
        """Recognise one padded segment for ``job``; ``t0`` places its words in call time.

        ``prefix`` is text the audio is known to begin with; the decoder is forced
        through it, and it is part of the returned text.
        """
        final = job.kind != "partial"
        want_words = self._word_timestamps and final
        beam = self._settings.beam_size if final else 1
        if self._settle_later and final:  # live, the power setting decides
            beam = min(beam, self.effort.settle_beam if job.kind == "settle" else self.effort.final_beam)
        with self._cond:
            self.passes[job.speaker, job.kind] += 1
        if self._short_kinds and job.kind in self._short_kinds:
            if job.kind == "partial":
                # Provisional audio stops mid-speech; finals end in the segmenter's pad of
                # silence.  Without one, a short window's decoder does not know where to stop.
                audio = np.concatenate([audio, np.zeros(PARTIAL_SILENCE, dtype=np.float32)])
            segments, redone = self._whisper.transcribe(audio, beam, prefix, want_words)
            if redone:  # it looped, and was done again on the full window: one more pass
                with self._cond:
                    self.passes[job.speaker, "redone"] += 1
        else:
            segments = self._whisper.full(audio, beam, prefix, want_words)
        texts: list[str] = []
        words: list[Word] = []
        logprobs: list[float] = []
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
                continue
            texts.append(seg.text.strip())
            logprobs.append(seg.avg_logprob)
            for w in seg.words or ():
                words.append(Word(w.word.strip(), t0 + w.start, t0 + w.end))
        text = " ".join(t for t in texts if t).strip()
        return Recognised(job, text, tuple(words), min(logprobs) if logprobs else 0.0)
