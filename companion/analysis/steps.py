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
    # The matched words and what follows them in the clause, so the quote reads on its own.
    end = last
    while end + 1 < len(sentence.tokens) and end - first < QUOTE_WORDS - 4:
        end += 1
        if sentence.words[sentence.origin[end]].endswith((",", ";", ":")):
            break
    return sentence.quote(first, end)


def _matches_any(phrases: tuple[Phrase, ...], sentence: Sentence) -> bool:
    return any(p.find(sentence.index) is not None for p in phrases)


class StepMatcher:
    """Matches agent speech against the playbook's step cues, sentence by sentence."""

    def __init__(self, playbook: Playbook) -> None:
        self.playbook = playbook
        # A sentence that is itself a pitfall ("what do you want me to do?") is no step.
        self.pitfall_cues = tuple(
            phrase
            for pitfall in playbook.pitfalls
            if pitfall.id in ("trigger-words", "agent-negativity")
            for phrase in pitfall.cues
        )
        self.fix_offers = next((p.cues for p in playbook.pitfalls if p.id == "early-solution"), ())

    def is_pitfall(self, sentence: Sentence) -> bool:
        """Whether the sentence is itself a word pitfall by the playbook's cues."""
        return _matches_any(self.pitfall_cues, sentence)

    def is_fix_offer(self, sentence: Sentence) -> bool:
        """Whether the sentence offers a quick fix by the early-solution pitfall's cues."""
        return _matches_any(self.fix_offers, sentence)

    def is_greeting(self, text: str) -> bool:
        """Whether the utterance opens the call with one of the playbook's greetings."""
        return any(_matches_any(self.playbook.greeting, s) for s in split_sentences(text))

    def match(self, text: str, opening: bool = False) -> list[Evidence]:
        """Steps the text evidences, in playbook order, each once with its best evidence.

        ``opening``: the agent's first words, before the customer said anything.
        """
        best: dict[str, Evidence] = {}
        sentences = split_sentences(text)
        if opening or any(_matches_any(self.playbook.greeting, s) for s in sentences):
            return []
        sentences = [s for s in sentences if not _matches_any(self.pitfall_cues, s)]
        fix_offers = self.fix_offers
        # An exclusion anywhere in the utterance counts: the recogniser cuts sentences freely
        # ("Thank you for calling. This is Sam. How can I help?").
        excluded = {step.id for step in self.playbook.steps if any(_matches_any(step.not_when, s) for s in sentences)}
        for sentence in sentences:
            matched_here: set[str] = set()
            for step in self.playbook.steps:
                if step.id in excluded:
                    continue
                found = self._best(step.cues, sentence)
                if found is not None:
                    self._keep(best, step.id, found)
                    matched_here.add(step.id)
            # A question counts by its form only when no step's own cue explains it
            # ("Does that work for you?" is agreeing, not assessing).
            # "Have you tried restarting it?" offers a fix; it does not ask for facts.
            if sentence.question and not matched_here and not _matches_any(fix_offers, sentence):
                for step in self.playbook.steps:
                    if step.question_cues and step.id not in excluded:
                        found = self._best(step.question_cues, sentence, anchored=True)
                        if found is not None:
                            self._keep(best, step.id, found)
        order = [s.id for s in self.playbook.steps]
        return sorted(best.values(), key=lambda e: order.index(e.step))

    @staticmethod
    def _keep(best: dict[str, Evidence], step: str, found: tuple[str, float, str]) -> None:
        cue, score, quote = found
        old = best.get(step)
        if old is None or score > old.score:
            best[step] = Evidence(step, quote, cue, score)

    @staticmethod
    def _best(phrases: tuple[Phrase, ...], sentence: Sentence, anchored: bool = False) -> tuple[str, float, str] | None:
        found: tuple[str, float, str] | None = None
        for phrase in phrases:
            hit = phrase.find(sentence.index)
            if hit is None or (anchored and hit.first > QUESTION_START):
                continue
            if found is None or hit.score > found[1]:
                found = (phrase.text, hit.score, _quote(sentence, hit.first, hit.last))
                if hit.score >= 1.0:
                    break
        return found
