"""How much recognition a live call may spend: the power setting (``--effort low|normal|high``).

What a call costs is how many passes it makes, and how long a window each one
encodes: Whisper's padded 30 s (~0.75 CPU-s a pass) or, for the kinds in
``short_window``, a window cut to the audio (companion.asr.window; about half).
Three kinds of pass are optional: provisional text while someone talks
(partials), early finals at pauses that turn out not to end the line, and the
second recognition of a line in context (settle).  Analysing a file makes
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
    # Then a partial at most this often per speaker (seconds of new audio); an early final at
    # a pause also shows as the line's partial and restarts this wait.
    partial_every_s: float = 4.0
    # Partials may keep a recogniser busy at most this share of the time: after a pass
    # that took d seconds, the speaker's next one waits until d / duty has passed since
    # it started.  On a loaded machine passes take longer, so partials thin out.
    partial_duty: float = 0.5
    # Early finals at pauses (32 ms windows of silence before one starts).  Each early final
    # a resumed line wastes is a full pass: on the internet-outage call 65 pauses inside lines
    # last 1 window or more, 50 two or more, 17 six or more (19 lines end).  Six costs the
    # first text 160 ms against one, within the 0.45 s end-of-speech wait on an idle machine.
    prefinal_after_windows: int = 6
    # A line shorter than this so far waits this many windows instead (0 s: no difference).  Most
    # early finals a resumed line wastes come in its first 2 s (after "Okay," or a name): at 12
    # windows the internet-outage call makes 55 passes instead of 61, every final still served
    # early, but a short line's text comes up to 190 ms later, so only low does it.
    short_line_s: float = 0.0
    short_line_prefinal_windows: int = 6
    # Which live lines are recognised again in context (companion.asr.context).
    settle: str = SETTLE_DOUBTFUL
    # A first text is doubtful below this mean token log-probability, or with fewer words
    # than doubt_words, or with digits in it.  On three labelled calls (53 lines) this settles
    # 20 lines and keeps WER at 0.088 (every line settled: 0.084; none: 0.101); docs/engine.md.
    doubt_logprob: float = -0.4
    doubt_words: int = 8
    # Beam width of a live line's first text and of its settling.  The encoder is most of a
    # pass (0.58 of 0.77 CPU-s); beam 5 adds ~0.19 CPU-s a pass over greedy decoding.  Greedy
    # first text was tried at normal: the stored text of lines not settled got worse (agent
    # WER 0.099 -> 0.127 on the internet-outage call), so only low decodes greedily.
    final_beam: int = 5
    settle_beam: int = 5
    # Pass kinds whose encoder window is cut to the audio plus a margin instead of Whisper's
    # padded 30 s (companion.asr.window): about half the CPU of a pass on a short line.
    # Settles hold up to 20 s of context, so they gain little and keep the full window.
    short_window: frozenset[str] = frozenset({"partial", "prefinal", "final"})

    def doubtful(self, text: str, logprob: float) -> bool:
        """Whether a line's first text is worth the second recognition in context."""
        if self.settle == SETTLE_ALL:
            return True
        if self.settle == SETTLE_NONE or not text:
            return False
        return logprob < self.doubt_logprob or len(text.split()) < self.doubt_words or bool(_DIGITS.search(text))


EFFORTS: dict[str, Effort] = {
    "low": Effort(
        name="low",
        partial_every_s=6.0,
        partial_duty=0.3,
        prefinal_after_windows=9,
        short_line_s=2.0,
        short_line_prefinal_windows=12,
        settle=SETTLE_NONE,
        final_beam=1,
    ),
    "normal": Effort(),
    # What the engine did before the power setting: a partial every 0.5 s, every line settled.
    "high": Effort(
        name="high",
        partial_every_s=0.5,
        partial_duty=1.0,
        prefinal_after_windows=1,
        settle=SETTLE_ALL,
        short_window=frozenset(),
    ),
}
DEFAULT_EFFORT = "normal"


def effort_named(name: str) -> Effort:
    """The effort called ``name``; a ValueError naming the choices otherwise."""
    try:
        return EFFORTS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown effort '{name}': choose {', '.join(EFFORTS)}") from None
