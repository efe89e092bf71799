"""The vocabulary of a call: plain, immutable event values with call-time stamps.

Every layer speaks in these values.  The audio and speech layers produce
``Partial`` and ``Utterance``; the coach folds those into ``SentimentPoint``,
``StepDone``, ``NextStep`` and ``Alert``; the window, the store, ``analyze`` and
the tests only consume them.  Because each value carries the call time at which
it happened, the state of a call at any moment can be rebuilt from the stored
list of events, which is what makes replay show exactly what the agent saw.

Times are seconds since the call started (``t = 0`` is the first audio sample).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

Speaker: TypeAlias = Literal["agent", "customer", "call"]
"""Who a channel belongs to; ``call`` is a mono recording with both voices."""

SPEAKERS: tuple[Speaker, ...] = ("agent", "customer", "call")

Party: TypeAlias = Literal["first", "second"]
"""One of the two voices of a mono call or an unnamed transcript: ``first`` is whoever spoke first."""

ONE_CHANNEL = "mono: "
"""Starts the channel names of a mono call split by voice (``mono: first voice``)."""


def one_channel(channels: tuple[tuple[Speaker, str], ...]) -> bool:
    """Whether a call's speakers were separated from one recorded channel (by voice), not captured apart."""
    return any(name.startswith(ONE_CHANNEL) for _speaker, name in channels)


@dataclass(frozen=True, slots=True)
class CallStarted:
    """The call began; ``channels`` maps each speaker to its channel name or device."""

    t: float
    source: str
    channels: tuple[tuple[Speaker, str], ...]
    realtime: bool


# Why a call ended (``CallEnded.reason``).  Sessions stored before these names may say "end" or "error".
FINISHED = "finished"  # the source ran out (a file's end)
STOPPED = "stopped"  # the user stopped it
DEVICE_LOST = "device lost"  # live capture failed mid-call
MODEL_FAILED = "model failed"  # the speech model could not be loaded: no audio was read
FAILED = "failed"  # anything else cut the call short (an unreadable file, a bug); what was heard is kept
INTERRUPTED = "interrupted"  # the app stopped mid-call; the recovery closed the session


@dataclass(frozen=True, slots=True)
class CallEnded:
    """The call is over and every event it will have has been sent; ``t`` is the call's duration.

    The pipeline sends one on every path, errors included, so a window or a recorder
    learns of the end from this event alone.
    """

    t: float
    reason: str = FINISHED


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The voice-activity detector found the start of speech on a speaker's channel."""

    t: float
    speaker: Speaker
    segment: int


@dataclass(frozen=True, slots=True)
class Partial:
    """Provisional text of a segment still being spoken; replaced by later partials."""

    t: float  # call time at which this text was produced
    speaker: Speaker
    segment: int  # per-speaker segment number; the final Utterance carries the same
    start: float  # call time at which the segment's speech began
    text: str


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its call-time span (filled where the engine has it)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Utterance:
    """Final text of one speech segment of one speaker.

    ``emitted`` is the call time at which the final text was produced and
    ``first_partial`` the call time of the segment's first partial (``None`` when
    the pipeline ran faster than real time, where these latencies mean nothing).
    """

    id: int  # unique within the call, in order of emission
    speaker: Speaker
    start: float
    end: float
    text: str
    segment: int = -1
    emitted: float | None = None
    first_partial: float | None = None
    words: tuple[Word, ...] = ()

    @property
    def t(self) -> float:
        """Call time at which the utterance became known (its end if not live)."""
        return self.emitted if self.emitted is not None else self.end


@dataclass(frozen=True, slots=True)
class Revision:
    """Settled text of an earlier utterance, recognised again with the speaker's preceding lines.

    A live call shows an utterance's first text within a second; this replaces it
    a little later (every live utterance gets one, changed or not).  The coach has
    already acted on the first text and does not act again: the revision is for
    the transcript the call leaves behind.
    """

    t: float  # call time at which the settled text was produced
    utterance: int
    speaker: Speaker
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class Level:
    """Input loudness of one speaker's channel (RMS in dBFS) over a short block."""

    t: float
    speaker: Speaker
    dbfs: float


@dataclass(frozen=True, slots=True)
class SentimentPoint:
    """A speaker's sentiment at call time ``t``.

    ``score`` is the raw compound score of what was just said (-1 .. 1);
    ``smoothed`` the time-smoothed line the window draws; ``utterance`` the id
    it came from, or ``None`` for a live reading of a partial.
    """

    t: float
    speaker: Speaker
    score: float
    smoothed: float
    utterance: int | None = None
    trend: float = 0.0  # change of the smoothed line per minute


@dataclass(frozen=True, slots=True)
class StepDone:
    """A playbook step was evidenced by an agent utterance; ``evidence`` quotes it."""

    t: float
    step: str
    utterance: int
    evidence: str
    late: bool = False  # ticked by the line's settled text, after the agent saw its first text


@dataclass(frozen=True, slots=True)
class Act:
    """One thing an agent's words do: a playbook step or a word pitfall, the words, how sure (0..1)."""

    id: str
    quote: str
    score: float


@dataclass(frozen=True, slots=True)
class Acts:
    """Everything an agent utterance evidences, whether or not it ticks a step.

    A later ``Acts`` for the same utterance (from its settled text) replaces the earlier one.
    """

    t: float
    utterance: int
    speaker: Speaker
    acts: tuple[Act, ...] = ()


@dataclass(frozen=True, slots=True)
class NextStep:
    """The step the agent should take now, with the reason the coach chose it."""

    t: float
    step: str
    reason: str
    utterance: int | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """A pitfall or a voice cue, raised once per episode.

    ``kind`` is a pitfall id (``trigger-words``, ``early-solution``,
    ``interruption``, ``dead-air``, ``agent-negativity``) or a cue id
    (``pace-fast``, ``slow-response``, ...); ``value`` the measured figure, if any.
    """

    t: float
    kind: str
    text: str
    utterance: int | None = None
    value: float | None = None
    speaker: Speaker | None = None  # whose behaviour raised it, where that matters


@dataclass(frozen=True, slots=True)
class Mood:
    """A change of the customer's mood: ``escalated`` or ``calmed``."""

    t: float
    kind: Literal["escalated", "calmed"]
    smoothed: float
    utterance: int | None = None


@dataclass(frozen=True, slots=True)
class EngineError:
    """A problem the engine met mid-call, written for a person; the call's data is kept."""

    t: float
    message: str
    fatal: bool = False


Event: TypeAlias = (
    CallStarted
    | CallEnded
    | SpeechStarted
    | Partial
    | Utterance
    | Revision
    | Level
    | SentimentPoint
    | StepDone
    | Acts
    | NextStep
    | Alert
    | Mood
    | EngineError
)
