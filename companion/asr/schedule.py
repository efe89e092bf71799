"""Which recognition job runs next: the transcriber's queue, with no threads and no locks of its own.

Four kinds of job, in order of urgency:

* ``final``: a segment's last audio; always first and never dropped.  One per
  speaker at a time, in the order submitted, and not while an early final of
  the same segment is under way (its text is the answer).
* ``prefinal``: an early final, started the moment the speaker pauses.
* ``partial``: provisional text; only the newest per speaker is kept, so when
  the machine falls behind it skips partials, never audio.  Never while a
  final is being recognised (the final gets both cores), only on a worker
  that takes partials, and not before the speaker's duty cap allows
  (``hold_partials``: on a loaded machine passes take longer, so partials thin out).
  A line's *first* partial (until one has shown text: ``mark_shown``) is the
  exception: it is what tells the agent the line is heard, and a pass on a
  second of audio is short, so it goes on either worker, ahead of settles and
  whatever the duty cap says (but still not beside a final: tried, and the
  long lines' finals came later).
* ``settle``: a live line recognised again in context; the least urgent, only
  when nothing above is under way or waiting, one line per speaker at a time,
  in spoken order, and only on a worker that takes settles (with two workers,
  not the one that takes partials: a settle pass holds 20 s of context and
  takes seconds, and the next line's first partial must not wait for it).  A
  line whose first text stands (``mark_sure``) needs no pass, so its settle
  goes at once, busy or not.

The transcriber holds its condition variable around every call here; this class
only decides, and takes the time as an argument, so it can be tested on its own.
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
        self.partial_not_before: dict[Speaker, float] = {}  # monotonic time: the partials' duty cap
        self.sure: set[Key] = set()  # lines whose first text stands: their settle needs no pass
        self.shown: set[Key] = set()  # open lines whose provisional text has been shown
        self.busy = 0  # jobs under way

    def submit(self, request: SegmentAudio) -> None:
        key = (request.speaker, request.segment)
        if request.kind == JobKind.FINAL:
            self.finals.append(request)
            self.closed.add(key)
            self.shown.discard(key)
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

    def next_job(self, takes_partials: bool, now: float = 0.0, takes_settles: bool = True) -> SegmentAudio | None:
        """Take the most urgent job that may start at monotonic time ``now``, or None."""
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
        # A line's first partial goes on either worker and past the duty cap: until it
        # shows, the agent cannot tell the line is being heard.
        for speaker, request in list(self.partials.items()):
            if self._first_partial(request) and not self.working:
                return self.partials.pop(speaker)
        # While a final is being recognised, provisional text waits: the final gets
        # both cores, and it is what the agent is waiting for.
        if takes_partials and not self.working:
            for speaker in list(self.partials):
                request = self.partials[speaker]
                if (request.speaker, request.segment) in self.closed:
                    del self.partials[speaker]
                elif now >= self.partial_not_before.get(speaker, 0.0):
                    return self.partials.pop(speaker)
        # Settling is the least urgent work: never while a final is under way or
        # provisional text is waiting, one line per speaker at a time, in spoken order.
        if not takes_settles:
            return None
        idle = not self.working and not self.partials
        seen: set[Speaker] = set()
        for request in self.settles:
            first_of_speaker = request.speaker not in seen and request.speaker not in self.speakers_settling
            seen.add(request.speaker)
            if first_of_speaker and (idle or (request.speaker, request.segment) in self.sure):
                self.settles.remove(request)
                return request
        return None

    def partial_wait(self, takes_partials: bool, now: float) -> float | None:
        """Seconds until a waiting partial may start (its speaker's duty cap); None when none waits."""
        if not takes_partials or not self.partials or self.working:
            return None
        due = min(self.partial_not_before.get(speaker, 0.0) for speaker in self.partials)
        return max(0.005, due - now)

    def _first_partial(self, request: SegmentAudio) -> bool:
        key = (request.speaker, request.segment)
        return key not in self.shown and key not in self.closed

    def mark_shown(self, key: Key) -> None:
        """The line's provisional text is on screen: its later partials take their turn."""
        if key not in self.closed:
            self.shown.add(key)

    def hold_partials(self, speaker: Speaker, until: float) -> None:
        """The speaker's next partial may not start before monotonic time ``until`` (the duty cap)."""
        self.partial_not_before[speaker] = until

    def mark_sure(self, key: Key) -> None:
        """The line's first text stands: its settle is handed over without a pass."""
        self.sure.add(key)

    def take_sure(self, key: Key) -> bool:
        """Whether the line was marked sure (and forget it)."""
        if key in self.sure:
            self.sure.discard(key)
            return True
        return False

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
