"""Which recognition job runs next: the transcriber's queue, with no threads and no locks of its own.

Four kinds of job, in order of urgency:

* ``final``: a segment's last audio; always first and never dropped.  One per
  speaker at a time, in the order submitted, and not while an early final of
  the same segment is under way (its text is the answer).
* ``prefinal``: an early final, started the moment the speaker pauses.
* ``partial``: provisional text; only the newest per speaker is kept, so when
  the machine falls behind it skips partials, never audio.  Never while a
  final is being recognised (the final gets both cores), and only on a worker
  that takes partials.
* ``settle``: a live line recognised again in context; the least urgent, only
  when nothing above is under way or waiting, one line per speaker at a time,
  in spoken order.

The transcriber holds its condition variable around every call here; this class
only decides, so it can be tested on its own.

NOT WIRED IN YET: this is the rule as it stood before the ``cpu`` branch's
merge (2026-12-01), which added a duty cap on partials and settles that need no
pass to ``Transcriber._next_job``; the merge kept that Transcriber as it is, so
this class is tested but unused until those two rules are ported into it.
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum

from companion.asr.segmenter import SegmentAudio
from companion.events import Speaker

Key = tuple[Speaker, int]


class JobKind(StrEnum):
    """A recognition job's kind (``SegmentAudio.kind``; members equal their strings)."""

    PARTIAL = "partial"
    PREFINAL = "prefinal"
    FINAL = "final"
    SETTLE = "settle"


class RecognitionQueue:
    """The waiting requests and the jobs under way, and the rule for what comes next."""

    def __init__(self) -> None:
        self.finals: deque[SegmentAudio] = deque()
        self.prefinals: dict[Key, SegmentAudio] = {}
        self.partials: dict[Speaker, SegmentAudio] = {}
        self.settles: deque[SegmentAudio] = deque()
        self.closed: set[Key] = set()  # segments whose final was submitted: their partials are stale
        self.working: set[Key] = set()  # segments whose final or early final is being recognised
        self.speakers_in_final: set[Speaker] = set()
        self.speakers_settling: set[Speaker] = set()
        self.busy = 0  # jobs under way

    def submit(self, request: SegmentAudio) -> None:
        key = (request.speaker, request.segment)
        if request.kind == JobKind.FINAL:
            self.finals.append(request)
            self.closed.add(key)
            self.prefinals.pop(key, None)
            current = self.partials.get(request.speaker)
            if current is not None and current.segment == request.segment:
                del self.partials[request.speaker]
        elif request.kind == JobKind.PREFINAL:
            self.prefinals[key] = request
        elif request.kind == JobKind.SETTLE:
            self.settles.append(request)
        else:
            self.partials[request.speaker] = request

    def next_job(self, takes_partials: bool) -> SegmentAudio | None:
        """Take the most urgent job that may start now, or None."""
        for request in self.finals:
            key = (request.speaker, request.segment)
            # Wait for an early final of the same segment already under way (its text
            # is the answer), and keep each speaker's lines in the order they were said.
            if key not in self.working and request.speaker not in self.speakers_in_final:
                self.finals.remove(request)
                return request
        for key in list(self.prefinals):
            if key not in self.working:
                return self.prefinals.pop(key)
        # While a final is being recognised, provisional text waits: the final gets
        # both cores, and it is what the agent is waiting for.
        if takes_partials and not self.working:
            for speaker in list(self.partials):
                request = self.partials.pop(speaker)
                if (request.speaker, request.segment) not in self.closed:
                    return request
        # Settling is the least urgent work: never while a final is under way or
        # provisional text is waiting, one line per speaker at a time, in spoken order.
        if not self.working and not self.partials:
            for request in self.settles:
                if request.speaker not in self.speakers_settling:
                    self.settles.remove(request)
                    return request
        return None

    def begin(self, job: SegmentAudio) -> None:
        """A worker took ``job``."""
        self.busy += 1
        self._hold(job, True)

    def end(self, job: SegmentAudio) -> None:
        """A worker is done with ``job`` (its result handed over, or its error kept)."""
        self._hold(job, False)
        self.busy -= 1

    def _hold(self, job: SegmentAudio, held: bool) -> None:
        # What a job under way holds back: its segment's final, its speaker's next final or settle.
        marks: list[tuple[set, object]] = []
        if job.kind in (JobKind.FINAL, JobKind.PREFINAL):
            marks.append((self.working, (job.speaker, job.segment)))
        if job.kind == JobKind.FINAL:
            marks.append((self.speakers_in_final, job.speaker))
        if job.kind == JobKind.SETTLE:
            marks.append((self.speakers_settling, job.speaker))
        for held_set, item in marks:
            if held:
                held_set.add(item)
            else:
                held_set.discard(item)

    def must_finish(self) -> bool:
        """Work that has to be done before the transcriber may stop: finals and settles waiting."""
        return bool(self.finals or self.settles)

    def drained(self) -> bool:
        """Every final and settle submitted so far is done."""
        return not self.finals and not self.settles and not self.busy
