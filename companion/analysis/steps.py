"""Which playbook steps an agent's utterance evidences, each with the words that show it."""

from __future__ import annotations

from dataclasses import dataclass

from companion.analysis.phrases import Phrase, Sentence, split_sentences
from companion.analysis.playbook import Playbook

QUOTE_WORDS = 16  # a sentence up to this long is quoted whole; longer ones by the matched words
QUESTION_START = 2  # a question cue must open the question (after at most this many filler words)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a step counts as done: the step, the quoted words and the cue they matched."""

    step: str
    quote: str
    cue: str
    score: float


def _quote(sentence: Sentence, first: int, last: int) -> str:
    if len(sentence.words) <= QUOTE_WORDS:
        return " ".join(sentence.words).strip()
    return sentence.quote(first, last)


def _matches_any(phrases: tuple[Phrase, ...], sentence: Sentence) -> bool:
    return any(p.find(sentence.tokens) is not None for p in phrases)


class StepMatcher:
    """Matches agent speech against the playbook's step cues, sentence by sentence."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook

    def match(self, text: str) -> list[Evidence]:
        """Steps the text evidences, in playbook order, each once with its best evidence."""
        best: dict[str, Evidence] = {}
        for sentence in split_sentences(text):
            for step in self.playbook.steps:
                if step.not_when and _matches_any(step.not_when, sentence):
                    continue
                found = self._best(step.cues, sentence)
                if found is None and sentence.question and step.question_cues:
                    found = self._best(step.question_cues, sentence, anchored=True)
                if found is None:
                    continue
                cue, score, quote = found
                old = best.get(step.id)
                if old is None or score > old.score:
                    best[step.id] = Evidence(step.id, quote, cue, score)
        order = [s.id for s in self.playbook.steps]
        return sorted(best.values(), key=lambda e: order.index(e.step))

    @staticmethod
    def _best(
        phrases: tuple[Phrase, ...], sentence: Sentence, anchored: bool = False
    ) -> tuple[str, float, str] | None:
        found: tuple[str, float, str] | None = None
        for phrase in phrases:
            hit = phrase.find(sentence.tokens)
            if hit is None or (anchored and hit.first > QUESTION_START):
                continue
            if found is None or hit.score > found[1]:
                found = (phrase.text, hit.score, _quote(sentence, hit.first, hit.last))
                if hit.score >= 1.0:
                    break
        return found
