"""The agent's speaking rate over a sliding window, against the playbook's band.

Pace is words per minute of speaking time: the agent's utterances, plus the
short pauses between consecutive ones (the detector cuts more of those out of
a phone line than of a clean one, and a listener hears them as part of the
pace), but not the customer's turns or longer silences.
"""

from __future__ import annotations

import itertools
from collections import deque

from companion.analysis.cue_settings import CueThresholds
from companion.events import Alert, Utterance

# Back inside the band by this fraction before the same cue can fire again.
HYSTERESIS = 0.05
# Pauses shorter than this between the agent's utterances count as speaking time.
PAUSE_S = 1.0


def count_words(utterance: Utterance) -> int:
    if utterance.words:
        return len(utterance.words)
    return sum(1 for token in utterance.text.split() if any(c.isalnum() for c in token))


class AgentPace:
    """Folds the agent's utterances into ``pace-fast`` / ``pace-slow`` alerts, one per episode."""

    def __init__(self, thresholds: CueThresholds) -> None:
        self.thresholds = thresholds
        self._window: deque[tuple[float, float, int]] = deque()  # (start, end, words)
        self._state = "ok"

    def speaking_s(self) -> float:
        spans = list(self._window)
        total = sum(end - start for start, end, _ in spans)
        for (_, end, _), (start, _, _) in itertools.pairwise(spans):
            if 0.0 < start - end < PAUSE_S:
                total += start - end
        return total

    def feed(self, utterance: Utterance) -> Alert | None:
        th = self.thresholds
        self._window.append((utterance.start, utterance.end, count_words(utterance)))
        while self._window and self._window[0][1] <= utterance.end - th.pace_window_s:
            self._window.popleft()
        speaking = self.speaking_s()
        if speaking < th.pace_min_speech_s:
            return None
        wpm = sum(n for _, _, n in self._window) / speaking * 60.0
        t = round(utterance.end, 2)
        if wpm > th.pace_fast_wpm and self._state != "fast":
            self._state = "fast"
            text = f"Speaking fast: {wpm:.0f} words a minute; slow down"
            return Alert(t, "pace-fast", text, utterance.id, round(wpm), "agent")
        if wpm < th.pace_slow_wpm and self._state != "slow":
            self._state = "slow"
            return Alert(
                t,
                "pace-slow",
                f"Speaking slowly: {wpm:.0f} words a minute",
                utterance.id,
                round(wpm),
                "agent",
            )
        if th.pace_slow_wpm * (1 + HYSTERESIS) <= wpm <= th.pace_fast_wpm * (1 - HYSTERESIS):
            self._state = "ok"
        return None
