"""The word-based pitfalls: trigger words, a fix offered too early, the agent turning negative.

Timing-based pitfalls (interruption, dead air) come from the voice cues; these
three are read from what the agent says.  Each finding is one alert for one
utterance, with the quoted words and a short reason, so nothing storms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from companion.analysis.phrases import Phrase, Sentence, first_quote, quotes_by_sentence, split_sentences
from companion.analysis.playbook import Playbook

AGENT_NEGATIVE = -0.5  # corrected agent sentiment at or below this reads as the agent getting drawn in
MIN_WORDS = 4  # a tone read from fewer words is noise
_SORRY = re.compile(r"\bsorry\b|\bapologi[sz]e\b", re.IGNORECASE)
# Initialisms ("the MCS cert", "a DNO notification"), or their letters as a transcript spells them
# ("an a n p r mismatch"): exact to the agent, jargon to a caller who never said them.
_INITIALISM = re.compile(r"\b[A-Z][A-Z0-9]{1,5}\b")
_SPELT = re.compile(r"\b(?:[b-hj-z] ){1,4}[b-hj-z]\b")
# Initialisms everyone knows, and everyday words an agent might stress in capitals.
_EVERYDAY_WORDS = (
    "ok okay tv id pin uk us usa eu am pm pdf sms gp nhs atm dvd cd pc it hr vat mot diy faq asap "
    "so no not do is am we my me he to in on at of or an and the all now yes one two ten"
)
_EVERYDAY = frozenset(_EVERYDAY_WORDS.split())
JARGON_TERMS = 2  # one initialism may be a name everyone knows; two in a turn talk over the caller's head


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    reason: str
    quote: str
    cue: bool = False  # raised by a playbook cue's words (which the reader may overrule), not by tone or jargon


class PitfallSpotter:
    """Reads one agent utterance at a time; remembers only the run of bare apologies."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        self._sorry_run = 0

    def fix_offer(self, text: str) -> str | None:
        """Words offering a fix that are not a playbook step by themselves ("just restart it")."""
        pitfall = self.playbook.pitfall("early-solution")
        if pitfall is None or not pitfall.cues:
            return None
        return first_quote(pitfall.cues, split_sentences(text))

    def check(
        self,
        text: str,
        steps: set[str],
        agent_score: float,
        heard: str = "",
        ruled_out: Callable[[str], bool] = lambda quote: False,
    ) -> list[Finding]:
        """Pitfalls in one agent utterance; ``steps``: the steps the same utterance evidences;
        ``heard``: what the customer has said so far (their own terms are no jargon to them);
        ``ruled_out``: whether the reader rules a pitfall out in the sentence holding a cue's words."""
        sentences = split_sentences(text)
        found: list[Finding] = []
        empathized = "empathize" in steps
        trigger = self.playbook.pitfall("trigger-words")
        if trigger is not None:
            # "I can't imagine how hard that was" is empathy, and "you need to be there by ten"
            # in a summary is the customer's own need: neither is a trigger.
            mirrored = [s for s in ("empathize", "affirm") if s in steps]
            plain = [s for s in sentences if not self._mirrors(s, mirrored)]
            cues = trigger.cues
            if "affirm" in steps:  # a summary restates what the customer needs or must do
                cues = tuple(p for p in cues if not p.text.startswith("you "))
            quote = _first_standing(cues, plain, ruled_out)
            if quote is not None:
                reason = f'"{quote}" tends to inflame: say what you can do'
                found.append(Finding("trigger-words", reason, quote, cue=True))
            elif (jargon := first_quote(trigger.jargon, sentences) or _initialisms(text, heard)) is not None:
                found.append(Finding("trigger-words", f'jargon "{jargon}": use the customer\'s words', jargon))
            sorries = len(_SORRY.findall(text))
            if sorries and not empathized:
                self._sorry_run += sorries
            elif not sorries:
                self._sorry_run = 0
            if trigger.sorry_repeats and self._sorry_run >= trigger.sorry_repeats and not found:
                found.append(Finding("trigger-words", 'repeated "I\'m sorry": name their feeling instead', "sorry"))
                self._sorry_run = 0
        negative = self.playbook.pitfall("agent-negativity")
        if negative is not None:
            quote = _first_standing(negative.cues, sentences, ruled_out)
            if quote is not None:
                found.append(Finding("agent-negativity", f'"{quote}": stay warm and even', quote, cue=True))
            elif agent_score <= AGENT_NEGATIVE and len(text.split()) >= MIN_WORDS:
                found.append(Finding("agent-negativity", f"your tone reads negative ({agent_score:+.2f})", text[:60]))
        return found

    def _mirrors(self, sentence: Sentence, steps: list[str]) -> bool:
        return any(p.find(sentence.index) is not None for step in steps for p in self.playbook.step(step).cues)


def _first_standing(
    cues: tuple[Phrase, ...], sentences: Sequence[Sentence], ruled_out: Callable[[str], bool]
) -> str | None:
    """The first cue match in a sentence the reader does not rule out."""
    return next((quote for quote, _ in quotes_by_sentence(cues, sentences) if not ruled_out(quote)), None)


def _terms(text: str) -> list[str]:
    """The initialisms of ``text``, written or spelt out, but for the ones everyone knows."""
    return [t for t in _INITIALISM.findall(text) + _SPELT.findall(text) if t.lower() not in _EVERYDAY]


def uses_their_terms(text: str, heard: str) -> bool:
    """Whether ``text`` holds initialisms and the customer said every one of them first."""
    terms = _terms(text)
    return bool(terms) and all(t.lower() in heard.lower() for t in terms)


def _initialisms(text: str, heard: str) -> str | None:
    """The initialisms of ``text`` the customer has not used, if there are enough to lose them."""
    heard = heard.lower()
    new = list(dict.fromkeys(t for t in _terms(text) if t.lower() not in heard))
    return ", ".join(new) if len(new) >= JARGON_TERMS else None
