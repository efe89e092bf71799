"""Cue phrases matched against transcribed speech, tolerant of recognition slips.

A cue is a short pattern written by a person (``i understand how ... frustrating``);
what it is matched against is the output of a small speech model, which drops
words, swaps homophones ("here"/"hear") and mangles endings ("understood" for
"understand").  So a cue matches when nearly all of its words appear in order,
each word either exactly, by spelling distance, or by a rough sound key, and the
match reports the span of the words it used so the coach can quote its evidence.

Pattern syntax: words in order; ``a|b`` alternatives in one place; a trailing
``?`` makes a place optional; ``word*`` matches any word starting with ``word``
and ``*ing`` any word ending in ``ing``; ``...`` allows up to four other words
in between.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from companion.analysis.heard_words import VOCABULARY, TokenIndex

_CONTRACTIONS = {
    "i'm": "i am",
    "im": "i am",
    "can't": "can not",
    "cant": "can not",
    "cannot": "can not",
    "won't": "will not",
    "wont": "will not",
    "don't": "do not",
    "dont": "do not",
    "didnt": "did not",
    "doesnt": "does not",
    "isnt": "is not",
    "it's": "it is",
    "that's": "that is",
    "thats": "that is",
    "there's": "there is",
    "here's": "here is",
    "what's": "what is",
    "let's": "let us",
    "youre": "you are",
    "ive": "i have",
}
_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'d", " would"))
_LIGHT_WORDS = "i you a an the to is are that it of for me my your and so do be am this we"
_LIGHT = frozenset(_LIGHT_WORDS.split())
_WORD = re.compile(r"[a-z0-9']+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_OPENER_WORDS = "what when where why how which who can could would did do does have has is was were are may"
_QUESTION_OPENERS = frozenset(_OPENER_WORDS.split())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FILLERS = _words("and so okay ok right now well then also")
_AUXILIARIES = _words("can could would will did do does have has is was were are may should")
_PRONOUNS = _words("you it there they he she we i your the this that")
_WH_WORDS = _words("what when where which who why how")
GAP = 4
MIN_SCORE = 0.78


def normalise_word(word: str) -> list[str]:
    """One spoken word as the lower-case tokens a cue is written in (contractions expanded)."""
    w = word.lower().replace("\u2019", "'").strip("'")
    if w in _CONTRACTIONS:
        return _CONTRACTIONS[w].split()
    for suffix, expanded in _SUFFIXES:
        if w.endswith(suffix) and len(w) > len(suffix):
            stem = w[: -len(suffix)]
            if suffix == "n't" and stem == "ca":
                stem = "can"
            return [*stem.split(), *expanded.split()]
    if w.endswith("'s"):
        return [w[:-2]]
    return [w] if w else []


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an utterance: its normalised tokens and, for each, the original word index."""

    words: tuple[str, ...]  # original words, punctuation kept, for quoting
    tokens: tuple[str, ...]
    origin: tuple[int, ...]
    question: bool
    index: TokenIndex = field(compare=False, repr=False, default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.index is None:
            object.__setattr__(self, "index", TokenIndex(self.tokens))

    def quote(self, first: int, last: int) -> str:
        """The original words behind tokens ``first..last``, as the speaker's own quote."""
        text = " ".join(self.words[self.origin[first] : self.origin[last] + 1])
        return text.strip(" ,;:")


def split_sentences(text: str) -> list[Sentence]:
    """Cut an utterance into sentences; a sentence with no end mark is a question if it opens like one."""
    out = []
    for part in _SENTENCE_END.split(text.strip()):
        words = part.split()
        tokens: list[str] = []
        origin: list[int] = []
        for i, word in enumerate(words):
            for match in _WORD.finditer(word.lower().replace("\u2019", "'")):
                for token in normalise_word(match.group()):
                    tokens.append(token)
                    origin.append(i)
        if not tokens:
            continue
        ends = part.rstrip()[-1:]
        question = ends == "?" or opens_question(tokens) or (ends not in (".", "!") and tokens[0] in _QUESTION_OPENERS)
        out.append(Sentence(tuple(words), tuple(tokens), tuple(origin), question))
    return out


def opens_question(tokens: list[str] | tuple[str, ...]) -> bool:
    """Whether a sentence opens like a question, whatever punctuation the recogniser gave it.

    "And did you get a reference number." is a question: an auxiliary before a
    pronoun, or a question word before an auxiliary, after an optional filler.
    """
    rest = list(tokens[1:] if tokens and tokens[0] in _FILLERS else tokens)
    if len(rest) < 2:
        return False
    first, second = rest[0], rest[1]
    if first in _AUXILIARIES and second in _PRONOUNS:
        return True
    if first not in _WH_WORDS:
        return False
    if second in _AUXILIARIES or (first == "how" and second in ("long", "often", "many", "much")):
        return True
    # "What date did ...", "Which card was ..."; but not "What I can do is ..."
    return second not in _PRONOUNS and len(rest) > 2 and rest[2] in _AUXILIARIES


@dataclass(frozen=True, slots=True)
class Slot:
    words: tuple[str, ...]
    optional: bool
    gap: int  # how many other words may come before this one
    weight: float


@dataclass(frozen=True, slots=True)
class Match:
    score: float
    first: int
    last: int


_State = tuple[float, int, int, int]


def _keeper(states: dict[int | None, _State]) -> Callable[[int | None, _State], None]:
    """A function that keeps, for each position, the best-scoring state."""

    def keep(key: int | None, value: _State) -> None:
        old = states.get(key)
        if old is None or value[0] > old[0]:
            states[key] = value

    return keep


class Phrase:
    """A compiled cue pattern; ``find`` locates its best fuzzy occurrence in a sentence."""

    def __init__(self, text: str) -> None:
        self.text = text
        slots: list[Slot] = []
        gap = 1
        for raw in text.lower().split():
            if raw == "...":
                gap = GAP
                continue
            optional = raw.endswith("?")
            alts = []
            for alt in raw.rstrip("?").split("|"):
                tokens = normalise_word(alt) if "*" not in alt else [alt]
                if tokens:
                    alts.append(" ".join(tokens))
            if not alts:
                raise ValueError(f"empty word in cue {text!r}")
            words = tuple(alts)
            for alt in alts:
                for word in alt.split():
                    VOCABULARY.add(word)
            weight = 0.5 if all(w in _LIGHT for w in words) else 1.0
            multi = [a for a in words if " " in a]
            if multi:
                # An expanded contraction ("can't" -> "can not") becomes consecutive places.
                for token in multi[0].split():
                    slots.append(Slot((token,), optional, gap, weight))
                    gap = 1
            else:
                slots.append(Slot(words, optional, gap, weight))
            gap = 1
        if not slots:
            raise ValueError(f"empty cue {text!r}")
        self.slots = tuple(slots)
        self.required = sum(s.weight for s in slots if not s.optional)
        self.required_places = sum(1 for s in slots if not s.optional)

    def __repr__(self) -> str:
        return f"Phrase({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def find(self, tokens: tuple[str, ...] | TokenIndex) -> Match | None:
        """The best occurrence scoring at least MIN_SCORE, or None."""
        index = tokens if isinstance(tokens, TokenIndex) else TokenIndex(tokens)
        hits = [index.slot_hits(slot.words) for slot in self.slots]
        # Cheap bound first: most cues share no word with a given sentence.
        empty = [s for s, h in zip(self.slots, hits, strict=True) if not h and not s.optional]
        if len(empty) > 1 or (empty and self.required_places < 4):
            return None
        if (self.required - sum(s.weight for s in empty)) / self.required < MIN_SCORE:
            return None
        # State: next token index -> (score, first matched index, last matched index, misses).
        states: dict[int | None, _State] = {None: (0.0, -1, -1, 0)}
        for slot, slot_hits in zip(self.slots, hits, strict=True):
            new: dict[int | None, _State] = {}
            keep = _keeper(new)
            for pos, (score, first, last, misses) in states.items():
                # Skipping a place: free if optional, else one miss (the recogniser dropped it).
                if slot.optional:
                    keep(pos, (score, first, last, misses))
                elif misses == 0:
                    keep(pos, (score, first, last, misses + 1))
                reach = None if pos is None else pos + slot.gap + (1 if misses else 0)
                for k, (sim, width) in slot_hits.items():
                    if pos is not None and not pos <= k < reach:  # type: ignore[operator]
                        continue
                    start = first if first >= 0 else k
                    keep(k + width, (score + sim * slot.weight, start, k + width - 1, misses))
            states = new
        best: Match | None = None
        for score, first, last, misses in states.values():
            if first < 0:
                continue
            if misses and self.required_places < 4:
                continue  # short cues must be heard whole
            value = score / self.required
            value = round(min(value, 1.0), 3)
            # On a tie the earliest occurrence wins: question cues must open the sentence.
            if value >= MIN_SCORE and (best is None or (value, -first) > (best.score, -best.first)):
                best = Match(value, first, last)
        return best


def first_quote(phrases: tuple[Phrase, ...], sentences: list[Sentence]) -> str | None:
    """The words of the first phrase found, in sentence order, None when none is."""
    for sentence in sentences:
        for phrase in phrases:
            hit = phrase.find(sentence.index)
            if hit is not None:
                return sentence.quote(hit.first, hit.last)
    return None


def quotes_by_sentence(phrases: tuple[Phrase, ...], sentences: Sequence[Sentence]) -> list[tuple[str, int]]:
    """Each sentence's first phrase match, with the sentence's index: a match the reader overrules in
    one sentence must not hide another in the next ("What do you want me to do? I already told you.")."""
    found = []
    for i, sentence in enumerate(sentences):
        quote = first_quote(phrases, [sentence])
        if quote is not None:
            found.append((quote, i))
    return found


_STOP_WORDS = (
    "i me my you your we our the a an and or but to of in on at for with is are was were be been it this "
    "that have has had do does did not no so just still they them there what when about from as all very "
    "really am can could would will"
)
_STOP = frozenset(_STOP_WORDS.split())


def content_words(text: str) -> set[str]:
    """The words of ``text`` that carry its content (no function words, nothing under three letters)."""
    return {t for s in split_sentences(text) for t in s.tokens if t not in _STOP and len(t) > 2}
