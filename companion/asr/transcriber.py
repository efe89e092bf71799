"""The recogniser's workers: threads that turn segment audio into text.

Both speakers share them.  Which job runs next is ``RecognitionQueue``'s rule
(companion.asr.schedule): final text first and never dropped, a speaker's
partial replaced by their newer one, settling last.  With two workers, one
never takes partials: when a speaker stops, their final text starts at once
instead of queueing behind someone's provisional text.  Workers wait on a
condition variable, never in a sleep loop.

Lines can be recognised with the speaker's earlier lines as context
(companion.asr.context): more accurate, about twice the work.  Analysing a
file, finals are recognised that way at once.  In a live call the plain text
comes first, within a second, and a "settle" request recognises the line again
in context when nothing more urgent is waiting; its text replaces the first.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from companion.asr.context import SpeakerContext, strip_prefix
from companion.asr.model import ModelSettings
from companion.asr.schedule import JobKind, Key, RecognitionQueue
from companion.asr.segmenter import SegmentAudio
from companion.events import Speaker, Word

log = logging.getLogger(__name__)

# Whisper's confidence below which a segment with a high no-speech probability
# is taken for noise the VAD let through rather than words.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0


@dataclass(frozen=True, slots=True)
class Recognised:
    """Text for a segment request, handed back to the pipeline."""

    request: SegmentAudio
    text: str
    words: tuple[Word, ...] = ()


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
    ) -> None:
        """``context_s``: seconds of a speaker's earlier speech to recognise a line with (0: none).

        ``settle_later``: finals are recognised plainly and settle requests redo them in
        context (live); otherwise finals are recognised in context straight away.
        """
        self._model = model
        self._settings = settings
        self._on_result = on_result
        self._word_timestamps = word_timestamps
        self._cond = threading.Condition()
        self._queue = RecognitionQueue()  # what runs next (companion.asr.schedule); guarded by _cond
        self._cache: dict[Key, tuple[int, str, tuple[Word, ...]]] = {}
        self._context_s = context_s
        self._settle_later = settle_later
        self._contexts: dict[Speaker, SpeakerContext] = {}
        self._first_pass: dict[Key, tuple[str, tuple[Word, ...]]] = {}
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
            threading.Thread(target=self._run, args=(i == workers - 1,), name=f"transcriber-{i}", daemon=True)
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

    def _run(self, takes_partials: bool) -> None:
        queue = self._queue
        while True:
            with self._cond:
                job: SegmentAudio | None = None

                def ready() -> bool:
                    nonlocal job
                    if self._stopping and not queue.must_finish():
                        return True
                    job = queue.next_job(takes_partials)
                    return job is not None

                self._cond.wait_for(ready)
                if job is None:
                    return
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
        if job.kind == JobKind.SETTLE:
            text, words = self._in_context(job)
            self._on_result(Recognised(job, text, words))
            return
        if job.kind == JobKind.FINAL:
            with self._cond:
                cached = self._cache.pop(key, None)
            if cached is not None and cached[0] == len(job.audio):
                self._release(job, Recognised(job, cached[1], cached[2]))
                return
            if self._context_s > 0 and not self._settle_later:
                text, words = self._in_context(job)
                self._release(job, Recognised(job, text, words))
                return
        text, words = self.recognise(job.audio, job.audio_t0, final=job.kind != JobKind.PARTIAL)
        if job.kind == JobKind.PREFINAL:
            with self._cond:
                self._cache[key] = (len(job.audio), text, words)
            return
        if job.kind == JobKind.FINAL:
            self._release(job, Recognised(job, text, words))
        else:
            self._on_result(Recognised(job, text, words))

    def _in_context(self, job: SegmentAudio) -> tuple[str, tuple[Word, ...]]:
        """Recognise a line after the speaker's preceding lines, then remember it as their context."""
        context = self._contexts.setdefault(job.speaker, SpeakerContext(self._context_s))
        with self._cond:
            first = self._first_pass.pop((job.speaker, job.segment), None)
        found = context.before(job.audio)
        result: tuple[str, tuple[Word, ...]] | None = None
        if found is None and first is not None:
            result = first  # nothing to add: the plain text stands
        elif found is not None:
            audio = np.concatenate([found.audio, job.audio])
            text, words = self.recognise(audio, job.audio_t0 - found.seconds, final=True, prefix=found.text)
            rest = strip_prefix(text, found.text)
            if rest is not None:
                result = rest, tuple(w for w in words if w.start >= job.audio_t0)
            else:
                log.debug("context output did not repeat its prefix; keeping the plain text")
                result = first
        if result is None:
            result = self.recognise(job.audio, job.audio_t0, final=True)
        context.add(job.audio, result[0])
        return result

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
        """Live, a line with words is settled after its first text has been handed over."""
        if not (self._settle_later and self._context_s > 0 and final.text):
            return
        job = final.request
        with self._cond:
            self._first_pass[(job.speaker, job.segment)] = (final.text, final.words)
            self._queue.submit(dataclasses.replace(job, kind=JobKind.SETTLE))
            self._cond.notify_all()

    def recognise(
        self, audio: np.ndarray, t0: float, final: bool, prefix: str | None = None
    ) -> tuple[str, tuple[Word, ...]]:
        """Recognise one padded segment; ``t0`` places its words in call time.

        ``prefix`` is text the audio is known to begin with; the decoder is forced
        through it, and it is part of the returned text.
        """
        want_words = self._word_timestamps and final
        segments, _info = self._model.transcribe(  # type: ignore[attr-defined]
            audio,
            language=self._settings.language,
            beam_size=self._settings.beam_size if final else 1,
            best_of=1,
            temperature=0.0,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=not want_words,
            word_timestamps=want_words,
            prefix=prefix,
        )
        texts: list[str] = []
        words: list[Word] = []
        for seg in segments:
            if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
                continue
            texts.append(seg.text.strip())
            for w in seg.words or ():
                words.append(Word(w.word.strip(), t0 + w.start, t0 + w.end))
        return " ".join(t for t in texts if t).strip(), tuple(words)
