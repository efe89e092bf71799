"""Sentiment of transcribed speech: VADER, corrected for what it gets wrong on calls.

VADER was made for written social-media text.  On a small recogniser's output
of a service call it fails in a handful of recurring ways, each handled here
and each covered by a test (tests/analysis/test_sentiment.py):

* complaints without emotive words ("I still have not received my refund",
  "this is the third time") score neutral: complaint markers pull them down;
* filler "like" ("I feel like you do not care") counts as the verb *like*;
* politeness in a request ("can you please help me") reads as happiness;
* the agent's empathy ("I understand how frustrating this is", "I am so sorry
  you had to wait") reads as the agent turning negative, and the agent naming
  the customer's problem ("I can fix that problem") likewise;
* Whisper's stock hallucinations on silence ("thanks for watching") are not speech;
* very short utterances ("okay", "fine") carry little evidence and move the
  smoothed line less (see ``evidence``).

Shouting is lost in transcription (no capitals, no "!!!"); the coach weighs a
``raised-voice`` cue in instead.  Sarcasm is out of scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_COMPLAINT_MARKERS = tuple(
    re.compile(p)
    for p in (
        r"\bstill (?:have|has|had|did|do|does|am|is|are)? ?(?:not|n't|never)\b",
        r"\bstill (?:waiting|no|nothing|broken|down|not)\b",
        r"\bnever (?:arrived|came|got|received|showed|called|heard|worked|fixed)\b",
        r"\b(?:nobody|no one|no-one) (?:has |have )?(?:called|came|helped|answered|got back|replied|fixed|"
        r"told|let me know|informed|listens|cares)\b",
        r"\bnot (?:even )?listening\b",
        r"\balready (?:did|tried|done) (?:that|this|everything)\b",
        r"\btried everything\b",
        r"\btrying to get through\b",
        r"\b(?:second|third|fourth|fifth|another) time\b",
        r"\b(?:twice|three times|four times) already\b",
        r"\bcalled (?:twice|three times|again|before|already)\b",
        r"\b(?:can ?not|can't|cant) believe\b",
        # Time spent waiting, not time asked for ("freeze it for two months" is no complaint).
        r"\b(?:been|waiting|waited|down|broken|stuck|trying|queue|queuing|hold)\b(?: \w+){0,5} "
        r"(?:for|over) (?:over )?(?:two|three|four|five|six|ten|twenty|thirty|forty|fifty|several|many|\d+) "
        r"(?:weeks|days|hours|months|minutes)\b",
        r"\b(?:been|waiting|waited|on hold) (?:for )?(?:an|over an) hour\b",
        r"\bon hold for\b",
        r"\bwaste of (?:time|money)\b",
        r"\bfed up\b",
        r"\bsick of\b",
        r"\btired of\b",
        r"\bi want (?:to cancel|to speak to|to talk to|a refund|my money back|it fixed|this fixed)\b",
        r"\b(?:do not|don't|dont) tell me\b",
        r"\bnot (?:paying|happy|impressed|good enough)\b",
        r"\bwhat (?:are|is) you(?: people)? (?:going to|gonna) do\b",
        # The problem itself: a caller reporting damage or failure is complaining, however flat the words.
        r"\b(?:damaged|broken|torn|ripped|scratched|dented|cracked|faulty|defective|ruined|flooded|stolen)\b",
        r"\b(?:a|the|huge|big|large) (?:tear|hole|crack|dent|scratch|stain|leak)\b",
        r"\b(?:stopped|not|never|isn't|isnt|doesn't|doesnt|does not|won't|wont|will not) "
        r"(?:working|work|arrived|turn on|connect|start|load)\b",
        r"\b(?:gone|went|going|been) down\b",
        r"\b(?:overcharged|double charged|charged (?:me )?twice|charged (?:me )?for)\b",
        r"\b(?:two|three|four|five|six|several|many) times (?:this|a|last|in)\b",
        r"\blost (?:a|my|the|all)\b",
        r"\bwrong (?:item|size|order|amount|address|colour|color|product)\b",
        r"\bleft (?:before|without)\b",
        r"\bnot (?:good enough|acceptable|what i (?:asked|ordered|paid))\b",
        r"\bunacceptable\b",
        r"\bkeeps? (?:dropping|crashing|failing|breaking|happening)\b",
    )
)
COMPLAINT_WEIGHT = -0.3
# Service talk VADER reads as bad news: "no rush", "a lower price", "the odd video call" are calm.
_SERVICE_WORDS = re.compile(
    r"\bno (?:drama|rush|hurry|change|charge|charges|fee|fees|cost|extra cost|penalty|obligation|contract)\b"
    r"|\blower (?=(?:price|prices|bill|bills|rate|rates|payment|payments|cost|costs|fee|fees|tier|plan)\b)"
    r"|\b(?:the|an) odd (?=\w)"
)
_FILLER_LIKE = re.compile(r"\b(feel|felt|feels|it's|its|was|is|just|seems?|looks?|sounds?) like\b")
_REQUEST_PLEASE = re.compile(r"\bplease\b")
_REQUEST_HELP = re.compile(
    r"\b(?:can|could|would|will) you (?:please )?help\b|\bhelp me\b|\bneed (?:some )?help\b"
    r"|\bhow can i help\b"
)
_HALLUCINATIONS = re.compile(
    r"^\W*(?:thanks? (?:you )?for watching|please subscribe|subtitles by|you)\W*$", re.IGNORECASE
)
# Frames in which the agent names the customer's feelings rather than showing their own.
_EMPATHY_FRAME = re.compile(
    r"\b(?:understand|hear|sorry|apologi[sz]e|imagine|must be|must have|sounds|can see|i'd|that's really|"
    r"feel the same|in your (?:shoes|place|position)|would be|get why|no wonder|why you|"
    r"would make (?:me|anyone)|makes sense)\b"
)
# Words that name the customer's trouble; from the agent they describe, they do not judge.
_PROBLEM_WORDS = re.compile(
    r"(?<!\bno )(?<!\bnot a )\b(?:problem|problems|issue|issues|trouble|damaged|broken|error|errors|"
    r"fault|faulty|delay|delayed|mistake|outage|missing|lost|stuck|wrong|inconvenience|frustration|"
    r"block|blocked|declined|cancel|cancelled|canceled|charge|charged|stranded|late|refused|failed|locked|"
    r"crashed|crash|dead|worried|worry|hassle|complaint|dispute|fraud|stolen|damage|leak|leaking)\b"
)
_CLAUSE = re.compile(r"[.;!?]+|,\s*(?:but|and)\b|\bbut\b")
SHORT_WORDS = 3
DOMAIN_LEXICON = {"unbelievable": -1.5, "incredible": -0.5}


@dataclass(frozen=True, slots=True)
class Reading:
    """A sentiment reading: the corrected score, VADER's own, and what was corrected."""

    score: float
    raw: float
    evidence: float  # 0..1, how much this reading should move the smoothed line
    notes: tuple[str, ...] = ()


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))


class SentimentReader:
    """Scores what one speaker said, correcting VADER's known failures on call transcripts."""

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()
        # Said by a caller, these are complaints, whatever they mean in a product review.
        self._vader.lexicon.update(DOMAIN_LEXICON)

    def vader(self, text: str) -> float:
        return float(self._vader.polarity_scores(text)["compound"])

    def read(self, text: str, speaker: str) -> Reading:
        clean = text.replace("\u2019", "'").strip()
        raw = self.vader(clean) if clean else 0.0
        if not clean or _HALLUCINATIONS.match(clean):
            return Reading(0.0, raw, 0.0, ("no speech",) if clean else ())
        notes: list[str] = []
        lower = clean.lower()
        words = len(lower.split())
        if _FILLER_LIKE.search(lower):
            lower = _FILLER_LIKE.sub(r"\1", lower)
            notes.append("filler 'like' ignored")
        if speaker == "agent":
            lower, agent_notes = self._agent_text(lower)
            notes += agent_notes
        else:
            if _REQUEST_HELP.search(lower) or (_REQUEST_PLEASE.search(lower) and "?" in lower):
                lower = _REQUEST_PLEASE.sub("", _REQUEST_HELP.sub(" ", lower))
                notes.append("polite request read as neutral")
        if _SERVICE_WORDS.search(lower):
            lower = _SERVICE_WORDS.sub(" ", lower)
            notes.append("service words read as neutral")
        score = self.vader(lower) if lower.strip() else 0.0
        if speaker != "agent":
            markers = sum(1 for m in _COMPLAINT_MARKERS if m.search(lower))
            if markers:
                score = _clamp(min(score, 0.0) + COMPLAINT_WEIGHT * min(markers, 3))
                notes.append(f"{markers} complaint marker(s)")
        evidence = min(1.0, words / (SHORT_WORDS * 2)) if words > SHORT_WORDS else 0.35
        return Reading(round(score, 4), round(raw, 4), evidence, tuple(notes))

    def _agent_text(self, lower: str) -> tuple[str, list[str]]:
        """Drop the clauses in which the agent mirrors feelings; neutralise problem nouns."""
        notes = []
        clauses = [c for c in _CLAUSE.split(lower) if c and c.strip()]
        kept = [c for c in clauses if not _EMPATHY_FRAME.search(c)]
        if len(kept) != len(clauses):
            notes.append("empathy clause not read as the agent's own mood")
            lower = ". ".join(kept)
        if _PROBLEM_WORDS.search(lower):
            lower = _PROBLEM_WORDS.sub("matter", lower)
            notes.append("problem words read as description")
        return lower, notes
