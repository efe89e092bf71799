"""Which of a call's two parties is the agent, from what each says and who opens the call.

A mono recording (after companion.asr.diarize) or a transcript without speaker
names gives two parties, "first" (who speaks first) and "second".  The agent
is the one who greets with a company's name, asks the questions, offers and
plans; the customer is the one who complains and describes their problem.
Each line scores for a side by a handful of phrase patterns and by what it
means (companion.analysis.reader.role_sense, a layer on the reader's sentence
encoder that tells an agent's sentence from a customer's); who opens the call
tips a close decision.  The answer says how sure it is.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from companion.analysis.phrases import split_sentences
from companion.events import Party

PARTIES: tuple[Party, Party] = ("first", "second")

_AGENT = [
    re.compile(p)
    for p in (
        r"\b(thank you|thanks) for (calling|contacting|holding|your patience)\b",
        r"\b(welcome to|you'?ve reached|you have reached|you'?re through to|you'?re speaking (with|to))\b",
        r"\b(it'?s|this is) \w+ (from|calling from)\b|\b(you'?re welcome|my pleasure)\b",
        r"\b(this is|my name is) \w+\b.*\b(how (can|may) i help|speaking)\b|\b\w+ speaking\b",
        r"\bhow (can|may) i (help|assist)\b|\bwhat can i do for you\b",
        r"\b(can|could|may) i (take|ask|confirm|check|grab)\b|\b(can|could|may) i (have|get) (your|the)\b",
        r"\b(could|can|would) you (please )?(confirm|give|tell|spell|read|verify)\b",
        r"\blet me\b|\bi'?ll (check|look|send|arrange|book|process|escalate|make sure|put)\b",
        r"\bi (can|will) (offer|arrange|refund|replace|send|book|process|credit|waive)\b",
        r"\b(i understand|i'?m (so |really )?sorry (to hear|about|for)|i apologi[sz]e)\b",
        r"\bis there anything else\b|\bhave a (great|good|nice|lovely) (day|evening|weekend)\b",
        r"\b(your (order|account|booking|reference|claim|ticket) number)\b",
        r"\bdoes that (work|sound)\b|\bjust to (confirm|recap)\b",
    )
]
_CUSTOMER = [
    re.compile(p)
    for p in (
        r"\bi'?m calling (about|because|to)\b|\bi (called|rang|phoned)\b",
        r"\b(my|our) (order|bill|card|account|parcel|package|flight|booking|internet|phone|refund|claim|sofa|laptop)\b",
        # (not "I want to make this right", "I need to check your address": an agent's)
        r"\bi (want|need|demand|expect)\b(?! to (get|make|help|check|ask|confirm|take|send|give|sort|book|arrange)\b)"
        r"|\bi'?d like (a|my|to (cancel|complain|speak))\b",
        r"\bi (was|have been|'ve been) (charged|waiting|told|promised|on hold)\b",
        r"\b(ridiculous|unacceptable|unbelievable|outrageous|disgraceful|useless|fed up)\b",
        r"\b(you people|you guys|your company|nobody|no one) \w+",
        r"\b(still|never) (not )?(arrived|came|working|received|got)\b|\bhasn'?t (arrived|come)\b",
        r"\bwhy (is|was|did|does|has)\b|\bhow (long|many times)\b",
        r"\bhow much (is|does|will|would)\b|\bthanks for (picking up|your help|sorting)\b|\bthank you for your help\b",
    )
]
# Who answers "hello?" or asks whether this is the right place is the caller (or, on a call-back,
# the customer picking up).  Asking for a person by name ("Hi, is that Mr Osei?") is the agent's
# outbound opening, not a caller's.
_OPENING_CUSTOMER = re.compile(
    r"^(hello|hi)\b(?![^.]*\b(mr|mrs|ms|miss|dr)\b)[^.]*\?"
    r"|\bcan you hear me\b|\bis (this|that) (the )?(right number|\w+ (department|team|desk))\b"
    r"|^is this \w+\?|\bwho'?s (this|calling)\b"
)
# "Yeah?", "Yes." as the first words of a call: someone picking up a call-back, no company's greeting.
_PICKED_UP = re.compile(r"^((yeah|yes|yep|hello|hi)[,.!?]* )*(yeah|yes|yep)[,.!?]*$")
# How someone answering the phone opens: a greeting, or a few words ("Pharmacy.", "Support, go ahead.").
_GREETING = re.compile(r"^(hello|hi|hiya|hey|good (morning|afternoon|evening)|morning|afternoon|evening)\b")
ANSWER_WORDS = 6  # a first line this short reads as answering the phone
_BARE_THANKS = re.compile(
    r"^((ok(ay)?|great|perfect|brilliant|lovely|right)[,.!]? )*(thank you|thanks|cheers)( (so|very) much)?[.!]*$"
)

# A recorded prompt's words (an IVR before the agent answers, a message while on hold) are no
# party's.  The diarizer gives a prompt it recognises to no one; one it does not leaves "Thank
# you for calling" on whichever side took it, where it reads as that side's greeting.
_RECORDED = re.compile(
    r"\b(calls?|this call|your call) (may|will|might|can) be (recorded|monitored)\b"
    r"|\bfor (training|quality|monitoring) (and (training|quality|monitoring) )?purposes\b"
    r"|\bpress (one|two|three|four|five|six|seven|eight|nine|zero|star|hash|\d)\b"
    r"|\byour call is (important|valuable) to us\b"
    r"|\bour (advisors|advisers|agents|operators|representatives|colleagues|lines) are "
    r"(all |currently )*(busy|engaged)\b"
    r"|\bthe (next|first) available (advisor|adviser|agent|operator|representative|member)\b"
)

OPENER_WEIGHT = 0.5  # who answered the phone (opening()): the agent answers most calls, but not every one
SENSE_WEIGHT = 1.0  # the meaning layer: per standard error of the difference of the parties' mean log-odds
SENSE_SPREAD_FLOOR = 0.5  # log-odds: no party's readings are taken to agree more closely than this
SENSE_CLIP = 4.0  # no one sentence's log-odds counts for more than this
LONG_LINE = 12  # words: a longer line weighs no more than this in the meaning layer's mean
CLOSING_LINES = 3  # "thanks" alone this near the end is the customer's
SURE_AT = 3.0  # a margin this large (in phrase hits) gives about 0.95


@dataclass(frozen=True, slots=True)
class Roles:
    """Which party is the agent, how sure (0.5 = a coin toss, 1 = certain), and from what."""

    agent: Party
    confidence: float
    source: str  # "words" (what they said), "opening" (who spoke first, nothing else to go on), "override"

    def as_json(self) -> dict[str, object]:
        return {"agent": self.agent, "confidence": round(self.confidence, 2), "source": self.source}


def _plain(text: str) -> str:
    return text.lower().replace("’", "'").strip()


def line_score(text: str, closing: bool = False) -> float:
    """Phrase evidence that a line is the agent's (positive) or the customer's (negative).

    ``closing``: the line is among the call's last few, where a bare "thanks" is the customer's.
    """
    low = _plain(text)
    score = sum(1 for p in _AGENT if p.search(low)) - sum(1 for p in _CUSTOMER if p.search(low))
    if _OPENING_CUSTOMER.search(low):
        score -= 1
    if closing and _BARE_THANKS.match(low):
        score -= 1
    return float(score)


def recorded_prompt(text: str) -> bool:
    """Whether a line reads as a recorded prompt ("calls may be recorded", "press one for billing")."""
    return bool(_RECORDED.search(_plain(text)))


def opening(text: str) -> int:
    """Whether the call's first line makes its speaker the one who answered (1), the caller (-1) or neither (0).

    Most calls are answered by the agent, so a greeting or a short answer counts for whoever
    speaks first; "Hello?" or "Is this billing?" is a caller, or a customer picking up a
    call-back; a long first line with no greeting is a recording that starts mid-call, where
    who spoke first says nothing.
    """
    score = line_score(text)  # a caller's opening ("Hello?") or a customer's line ("Hi, I'm calling about...")
    if score:
        return 1 if score > 0 else -1
    low = _plain(text)
    if _PICKED_UP.match(low):
        return -1
    return 1 if _GREETING.search(low) or len(low.split()) <= ANSWER_WORDS else 0


def sense_scores(texts: Sequence[str]) -> list[float] | None:
    """How agent-like each line reads by its meaning (mean log-odds of its sentences); None without the layer."""
    from companion.analysis.reader.role_sense import load_role_sense
    from companion.errors import CompanionError

    try:
        sense = load_role_sense()
    except CompanionError:
        return None
    sentences: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        mine = [" ".join(s.words) for s in split_sentences(text)] or [text]
        sentences += mine
        owner += [i] * len(mine)
    odds: list[list[float]] = [[] for _ in texts]
    for i, value in zip(owner, sense.agent_odds(sentences), strict=True):
        odds[i].append(max(-SENSE_CLIP, min(SENSE_CLIP, float(value))))
    return [sum(v) / len(v) if v else 0.0 for v in odds]


def decide(lines: Sequence[tuple[Party, str]], use_sense: bool = True) -> Roles:
    """The agent among the parties, from the lines in call order as (party, text)."""
    said = [(party, text) for party, text in lines if text.strip() and not recorded_prompt(text)]
    if not said:
        return Roles("first", 0.5, "opening")
    margin = 0.0  # evidence that "first" is the agent
    words = 0.0
    for k, (party, text) in enumerate(said):
        score = line_score(text, closing=k >= len(said) - CLOSING_LINES)
        words += abs(score)
        margin += score if party == "first" else -score
    if use_sense:
        readings = sense_scores([text for _, text in said])
        if readings is not None:
            # Each line weighs by its length: "Sure." says little about who says it, a sentence says more.
            weight = [min(max(len(text.split()), 1), LONG_LINE) for _, text in said]
            parts = [[(r, w) for (q, _), r, w in zip(said, readings, weight, strict=True) if q == p] for p in PARTIES]
            if parts[0] and parts[1]:
                # The means, not the sums: a talkative customer is no more an agent for talking more.  The
                # difference counts in standard errors: lines the recogniser garbled read any which way, and
                # a call whose readings scatter says less than one whose readings agree.
                (mean_a, err_a), (mean_b, err_b) = _mean_and_error(parts[0]), _mean_and_error(parts[1])
                margin += SENSE_WEIGHT * (mean_a - mean_b) / math.sqrt(err_a + err_b)
                words += 1.0
    opener = said[0][0]
    # The opener's whole first turn: "Hello?" then "Hi, it's Tom from Lumen" is an agent checking the line.
    first_turn = " ".join(text for _, text in itertools.takewhile(lambda line: line[0] == opener, said))
    margin += OPENER_WEIGHT * opening(first_turn) * (1 if opener == "first" else -1)
    agent: Party = "first" if margin >= 0 else "second"
    confidence = 1.0 / (1.0 + math.exp(-abs(margin) * math.log(19.0) / SURE_AT))
    return Roles(agent, confidence, "words" if words else "opening")


def _mean_and_error(readings: list[tuple[float, float]]) -> tuple[float, float]:
    """A party's weighted mean reading and its squared standard error, as (reading, weight) pairs."""
    total = sum(w for _, w in readings)
    mean = sum(r * w for r, w in readings) / total
    spread = max(sum(w * (r - mean) ** 2 for r, w in readings) / total, SENSE_SPREAD_FLOOR**2)
    lines = total**2 / sum(w * w for _, w in readings)  # how many lines the weights amount to
    return mean, spread / lines


def alternating(count: int) -> list[Party]:
    """Parties of lines that take turns, starting with the first party."""
    return [PARTIES[i % 2] for i in range(count)]
