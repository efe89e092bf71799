"""The transcriber's queue on its own: finals first, partials replaced, settles after; no threads, no model."""

from __future__ import annotations

import dataclasses

import numpy as np

from companion.asr.schedule import JobKind, RecognitionQueue
from companion.asr.segmenter import SegmentAudio
from companion.events import Speaker


def req(speaker: Speaker, segment: int, kind: JobKind, end: float = 1.0) -> SegmentAudio:
    return SegmentAudio(speaker, segment, 0.0, end, np.zeros(160, dtype=np.float32), 0.0, kind)


def take(queue: RecognitionQueue, takes_partials: bool = True) -> SegmentAudio | None:
    job = queue.next_job(takes_partials)
    if job is not None:
        queue.begin(job)
    return job


def test_finals_come_before_everything_else() -> None:
    queue = RecognitionQueue()
    queue.mark_shown(("customer", 0))  # a later partial of the line (a first one jumps ahead: below)
    queue.submit(req("customer", 0, JobKind.PARTIAL))
    queue.submit(req("agent", 3, JobKind.SETTLE))
    queue.submit(req("agent", 4, JobKind.FINAL))
    assert take(queue).kind == JobKind.FINAL
    # A final under way holds the provisional text and the settling back (the final gets both cores).
    assert take(queue) is None
    queue.end(dataclasses.replace(req("agent", 4, JobKind.FINAL)))
    assert take(queue).kind == JobKind.PARTIAL
    assert take(queue).kind == JobKind.SETTLE


def test_a_speakers_newer_partial_replaces_the_waiting_one_and_a_closed_segments_partial_is_dropped() -> None:
    queue = RecognitionQueue()
    queue.submit(req("customer", 0, JobKind.PARTIAL, end=1.0))
    queue.submit(req("customer", 0, JobKind.PARTIAL, end=1.5))
    queue.submit(req("agent", 2, JobKind.PARTIAL))
    first = take(queue)
    assert (first.speaker, first.end) == ("customer", 1.5), "only the newest partial is kept"
    queue.end(first)
    queue.submit(req("agent", 2, JobKind.FINAL))  # the agent's segment ended: its partial is stale
    assert take(queue).kind == JobKind.FINAL
    assert take(queue) is None and queue.partials == {}


def test_partials_only_on_a_worker_that_takes_them() -> None:
    queue = RecognitionQueue()
    queue.mark_shown(("customer", 0))
    queue.submit(req("customer", 0, JobKind.PARTIAL))
    assert take(queue, takes_partials=False) is None
    assert take(queue, takes_partials=True).kind == JobKind.PARTIAL


def test_one_final_per_speaker_at_a_time_in_the_order_submitted() -> None:
    queue = RecognitionQueue()
    queue.submit(req("agent", 0, JobKind.FINAL))
    queue.submit(req("agent", 1, JobKind.FINAL))
    queue.submit(req("customer", 0, JobKind.FINAL))
    a0 = take(queue)
    assert (a0.speaker, a0.segment) == ("agent", 0)
    other = take(queue)
    assert (other.speaker, other.segment) == ("customer", 0), "the agent's next line waits for their first"
    assert take(queue) is None
    queue.end(a0)
    a1 = take(queue)
    assert (a1.speaker, a1.segment) == ("agent", 1)


def test_a_final_waits_for_its_own_early_final_and_replaces_a_waiting_one() -> None:
    queue = RecognitionQueue()
    queue.submit(req("customer", 5, JobKind.PREFINAL))
    early = take(queue)
    assert early.kind == JobKind.PREFINAL
    queue.submit(req("customer", 5, JobKind.FINAL))
    assert take(queue) is None, "the early final under way has the answer"
    queue.end(early)
    assert take(queue).kind == JobKind.FINAL
    queue.submit(req("agent", 1, JobKind.PREFINAL))
    queue.submit(req("agent", 1, JobKind.FINAL))  # ended before its early final started: only the final runs
    assert queue.prefinals == {}


def test_settles_come_last_one_per_speaker_in_spoken_order() -> None:
    queue = RecognitionQueue()
    for segment in (0, 1):
        queue.submit(req("agent", segment, JobKind.SETTLE))
    queue.submit(req("customer", 0, JobKind.SETTLE))
    queue.mark_shown(("customer", 1))
    queue.submit(req("customer", 1, JobKind.PARTIAL))
    assert take(queue, takes_partials=False) is None, "a partial waiting for its worker still holds settling back"
    assert take(queue).kind == JobKind.PARTIAL
    s0 = take(queue)
    assert (s0.speaker, s0.segment, s0.kind) == ("agent", 0, JobKind.SETTLE)
    c0 = take(queue)
    assert (c0.speaker, c0.segment) == ("customer", 0), "the agent's second line waits for their first"
    assert take(queue) is None
    queue.end(s0)
    assert take(queue).segment == 1


def test_drained_and_must_finish_count_finals_and_settles_not_partials() -> None:
    queue = RecognitionQueue()
    queue.submit(req("agent", 0, JobKind.PARTIAL))
    assert queue.drained() and not queue.must_finish(), "provisional text is never waited for"
    partial = take(queue)
    assert partial.kind == JobKind.PARTIAL
    queue.end(partial)
    queue.submit(req("agent", 0, JobKind.SETTLE))
    assert queue.must_finish() and not queue.drained()
    job = take(queue, takes_partials=False)
    assert job.kind == JobKind.SETTLE and not queue.must_finish() and not queue.drained()
    queue.end(job)
    assert queue.drained() and queue.busy == 0


def test_a_speakers_partial_waits_out_its_duty_cap_and_holds_settling_back_meanwhile() -> None:
    queue = RecognitionQueue()
    queue.hold_partials("agent", until=10.0)
    queue.mark_shown(("agent", 0))
    queue.submit(req("agent", 0, JobKind.PARTIAL))
    queue.submit(req("customer", 1, JobKind.SETTLE))
    assert queue.next_job(True, now=9.0) is None, "the partial waits, and settling waits behind it"
    assert queue.partial_wait(True, now=9.0) == 1.0
    assert queue.partial_wait(False, now=9.0) is None, "a worker that takes no partials sleeps until woken"
    assert take_at(queue, now=10.0).kind == JobKind.PARTIAL
    assert take_at(queue, now=10.0).kind == JobKind.SETTLE


def test_a_sure_lines_settle_needs_no_pass_so_it_goes_even_while_a_final_is_under_way() -> None:
    queue = RecognitionQueue()
    queue.submit(req("customer", 2, JobKind.FINAL))
    final = take(queue)
    queue.submit(req("agent", 0, JobKind.SETTLE))
    assert take(queue) is None, "a doubtful line's settle waits for the final"
    queue.mark_sure(("agent", 0))
    assert take(queue).kind == JobKind.SETTLE
    assert queue.take_sure(("agent", 0)) and not queue.take_sure(("agent", 0))
    queue.end(final)


def take_at(queue: RecognitionQueue, now: float) -> SegmentAudio | None:
    job = queue.next_job(True, now)
    if job is not None:
        queue.begin(job)
    return job


def test_a_lines_first_partial_goes_on_either_worker_past_the_duty_cap_but_not_beside_a_final() -> None:
    queue = RecognitionQueue()
    queue.submit(req("customer", 4, JobKind.FINAL))
    final = take(queue)
    queue.hold_partials("agent", until=10.0)  # from the agent's previous line
    queue.submit(req("agent", 5, JobKind.PARTIAL))
    assert queue.next_job(False, now=9.0) is None, "the final under way keeps both cores"
    queue.end(final)
    first = queue.next_job(False, now=9.0)
    assert first is not None and (first.segment, first.kind) == (5, JobKind.PARTIAL), "either worker, cap or not"
    queue.begin(first)
    queue.end(first)
    # An empty first partial shows nothing: the line's next one is still its first.
    queue.submit(req("agent", 5, JobKind.PARTIAL))
    again = queue.next_job(False, now=9.0)
    assert again is not None and again.segment == 5
    queue.mark_shown(("agent", 5))  # this one showed text: the line's later partials take their turn
    queue.submit(req("agent", 5, JobKind.PARTIAL))
    assert queue.next_job(False, now=11.0) is None, "only on the worker that takes partials"
    assert queue.next_job(True, now=9.0) is None, "and after the duty cap"
    assert queue.next_job(True, now=11.0).segment == 5


def test_a_worker_that_takes_no_settles_leaves_them_to_the_other() -> None:
    queue = RecognitionQueue()
    queue.submit(req("agent", 0, JobKind.SETTLE))
    assert queue.next_job(True, takes_settles=False) is None
    job = queue.next_job(False, takes_settles=True)
    assert job is not None and job.kind == JobKind.SETTLE
