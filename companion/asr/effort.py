"""How much recognition a live call may spend: the power setting (``--effort low|normal|high``).

Every Whisper pass costs the same whatever the line's length (tiny.en always
encodes a padded 30 s window, ~0.75 CPU-s), so what a call costs is how many
passes it makes.  Three kinds are optional: provisional text while someone
talks (partials), early finals at pauses that turn out not to end the line, and
the second recognition of a line in context (settle).  Analysing a file makes
none of them, so the effort only changes live calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SETTLE_ALL = "all"
SETTLE_DOUBTFUL = "doubtful"
SETTLE_NONE = "none"

_DIGITS = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Effort:
    """One power level; ``EFFORTS`` holds the three the user can choose."""

    name: str = "normal"
    # Onset -> first request for provisional text; the first partial is what tells the
    # agent the line is being heard, so it comes early at every level.
    first_partial_s: float = 0.35
    # Then a partial at most this often per speaker (seconds of new audio).
    partial_every_s: float = 2.0
    # Partials may keep a recogniser busy at most this share of the time: after a pass
    # that took d seconds, the speaker's next one waits until d / duty has passed since
    # it started.  On a loaded machine passes take longer, so partials thin out.
    partial_duty: float = 0.5
    # Early finals at pauses (32 ms windows of silence before one starts).  Two: a single
    # quiet window is mostly the VAD flickering mid-word (15 of 65 mid-line pauses on the
    # internet-outage call), and each early final a resumed line wastes is a full pass.
    prefinal_after_windows: int = 2
    # Which live lines are recognised again in context (companion.asr.context).
    settle: str = SETTLE_DOUBTFUL
    # A first text is doubtful below this mean token log-probability, or with fewer words
    # than doubt_words, or with digits in it.  On three labelled calls (53 lines) this settles
    # 20 lines and keeps WER at 0.088 (every line settled: 0.084; none: 0.101); docs/engine.md.
    doubt_logprob: float = -0.4
    doubt_words: int = 8
    final_beam: int = 5

    def doubtful(self, text: str, logprob: float) -> bool:
        """Whether a line's first text is worth the second recognition in context."""
        if self.settle == SETTLE_ALL:
            return True
        if self.settle == SETTLE_NONE or not text:
            return False
        return logprob < self.doubt_logprob or len(text.split()) < self.doubt_words or bool(_DIGITS.search(text))


EFFORTS: dict[str, Effort] = {
    "low": Effort(
        name="low", partial_every_s=3.0, partial_duty=0.3, prefinal_after_windows=3, settle=SETTLE_NONE, final_beam=1
    ),
    "normal": Effort(),
    # What the engine did before the power setting: a partial every 0.5 s, every line settled.
    "high": Effort(name="high", partial_every_s=0.5, partial_duty=1.0, prefinal_after_windows=1, settle=SETTLE_ALL),
}
DEFAULT_EFFORT = "normal"


def effort_named(name: str) -> Effort:
    """The effort called ``name``; a ValueError naming the choices otherwise."""
    try:
        return EFFORTS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown effort '{name}': choose {', '.join(EFFORTS)}") from None
