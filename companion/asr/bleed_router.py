"""Each line once: the bleed judge's verdicts applied to what the segmenter hands the recogniser.

Between the segmenter and the recogniser of a two-channel call (``CallPipeline``), every
segment's start, partial, early final and final goes through ``SegmentRouter.route``: a
leaked segment is never recognised, a dual-mono call's lines are given once as ``call``,
and an own segment's leaked stretches are silenced and cut off (``companion.asr.bleed``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from companion.asr.bleed import BleedJudge, Verdict, VerdictKind
from companion.asr.segmenter import SegmentAudio, SegmentStarted
from companion.asr.vad import WINDOW
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.events import Speaker

Item = SegmentAudio | SegmentStarted


@dataclass(frozen=True, slots=True)
class Routed:
    """What the pipeline does with one of the segmenter's items."""

    items: tuple[Item, ...]  # to announce or recognise, in order (none: the segment is someone else's)
    warning: str | None = None  # said once a call, when bleed or dual mono is first found


_NAMES = {"agent": "agent's", "customer": "customer's"}


class SegmentRouter:
    """Gives each line once: drops leaked segments, and a dual-mono call's twin on the second channel.

    A segment on the second channel that is the same voice as the first's is dropped;
    the first channel's copy is kept and labelled ``call`` (``label``).  A segment's start
    that looked leaked, or came before the other channel had delivered enough to tell, is
    held back and announced with the segment's first request that proves to be its own.
    """

    def __init__(self, judge: BleedJudge) -> None:
        self.judge = judge
        self._first = judge.speakers[0]
        self._held: dict[tuple[Speaker, int], SegmentStarted] = {}
        self._as_call: set[tuple[Speaker, int]] = set()
        self._warned: set[VerdictKind] = set()

    def add(self, block: AudioBlock) -> None:
        self.judge.add(block)

    def label(self, speaker: Speaker, segment: int) -> Speaker:
        """The speaker a segment's text is given to."""
        return "call" if (speaker, segment) in self._as_call else speaker

    def route(self, item: Item) -> Routed:
        key = (item.speaker, item.segment)
        if isinstance(item, SegmentStarted):
            verdict = self.judge.judge(item.speaker, item.start)
        else:
            verdict = self.judge.judge(item.speaker, item.start, item.end)
        undecided = verdict.kind == "unknown" and isinstance(item, SegmentStarted)
        if undecided or verdict.kind == "leak" or (verdict.kind == "same" and item.speaker != self._first):
            if isinstance(item, SegmentStarted):
                self._held[key] = item
                return Routed(())
            if item.kind == "final":
                self._held.pop(key, None)
            return Routed((), self._warning(item.speaker, verdict))
        warning = None
        if verdict.kind == "same":
            self._as_call.add(key)
            warning = self._warning(item.speaker, verdict)
        elif isinstance(item, SegmentAudio):
            item = self._strip(item, verdict)
        out: list[Item] = []
        held = self._held.pop(key, None)
        if held is not None:
            out.append(dataclasses.replace(held, start=item.start))
        out.append(item)
        if key in self._as_call:
            out = [dataclasses.replace(i, speaker="call") if isinstance(i, SegmentStarted) else i for i in out]
        return Routed(tuple(out), warning)

    def _strip(self, item: SegmentAudio, verdict: Verdict) -> SegmentAudio:
        """The segment without the other's leaked stretches: silenced, and cut off its ends.

        The agent answering within the end-of-speech pause of the customer's line makes one
        segment of the customer's leaked tail and the agent's words; Whisper would write both.
        """
        lag = verdict.lag_s if verdict.explained > 0 else self.judge.lag_into(item.speaker)
        if lag is None:
            return item
        leaked = self.judge.leaked_windows(item.speaker, item.audio_t0, len(item.audio), lag)
        if not leaked.any():
            return item
        times = item.audio_t0 + np.arange(len(leaked)) * (WINDOW / SAMPLE_RATE)
        inside = (times + WINDOW / SAMPLE_RATE > item.start) & (times < item.end)
        own = np.flatnonzero(inside & ~leaked & self.judge.loud_windows(item.speaker, item.audio_t0, len(item.audio)))
        if len(own) == 0:
            return item
        audio = item.audio.copy()
        audio[: len(leaked) * WINDOW].reshape(-1, WINDOW)[leaked] = 0.0
        start = max(item.start, float(times[own[0]]))
        end = min(item.end, float(times[own[-1]]) + WINDOW / SAMPLE_RATE)
        # Cut what came before the speaker's own words, keeping the pre-roll the segmenter gave.
        pre_roll = item.start - item.audio_t0
        cut = max(0, round((start - pre_roll - item.audio_t0) * SAMPLE_RATE) // WINDOW * WINDOW)
        t0 = item.audio_t0 + cut / SAMPLE_RATE
        return dataclasses.replace(item, audio=audio[cut:], audio_t0=t0, start=start, end=end)

    def _warning(self, speaker: Speaker, verdict: Verdict) -> str | None:
        if verdict.kind in self._warned:
            return None
        self._warned.add(verdict.kind)
        if verdict.kind == "same":
            return "the two channels carry the same voice (dual mono): each line is given once, as speaker 'call'"
        other = self.judge.speakers[1] if speaker == self.judge.speakers[0] else self.judge.speakers[0]
        return (
            f"the {_NAMES.get(speaker, speaker)} channel also carries the {_NAMES.get(other, other)} voice "
            f"(about {verdict.level_db:.0f} dB, {verdict.lag_s * 1000:.0f} ms late: a loudspeaker near the "
            f"microphone?); those stretches are given to the {other} only"
        )
