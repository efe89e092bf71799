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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

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
# Words a small recogniser confuses for each other; matched as equals.
_HOMOPHONES = (
    {"hear", "here"},
    {"to", "too", "two"},
    {"for", "four"},
    {"right", "write"},
    {"know", "no"},
    {"your", "you"},
    {"their", "there"},
    {"weight", "wait"},
    {"see", "sea"},
)
_HOMOPHONE_OF = {w: frozenset(group) for group in _HOMOPHONES for w in group}
_LIGHT_WORDS = "i you a an the to is are that it of for me my your and so do be am this we"
_LIGHT = frozenset(_LIGHT_WORDS.split())
_WORD = re.compile(r"[a-z0-9']+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_OPENER_WORDS = "what when where why how which who can could would did do does have has is was were are may"
_QUESTION_OPENERS = frozenset(_OPENER_WORDS.split())
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
        question = ends == "?" or (ends not in (".", "!") and tokens[0] in _QUESTION_OPENERS)
        out.append(Sentence(tuple(words), tuple(tokens), tuple(origin), question))
    return out


def sound_key(word: str) -> str:
    """A rough sound key: first letter, then consonants with doubles and silent letters folded."""
    if not word:
        return ""
    word = word.replace("ph", "f").replace("ck", "k").replace("gh", "")
    head, tail = word[0], word[1:]
    tail = re.sub(r"[aeiouyhw]", "", tail)
    tail = re.sub(r"(.)\1+", r"\1", tail)
    return head + tail


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=65536)
def word_similarity(token: str, cue: str) -> float:
    """How well a heard token stands for a cue word (0..1); short words must match exactly."""
    if token == cue:
        return 1.0
    if cue.endswith("*"):
        return 1.0 if token.startswith(cue[:-1]) and len(cue) > 2 else 0.0
    if cue.startswith("*"):
        return 1.0 if token.endswith(cue[1:]) and len(token) > len(cue) + 1 else 0.0
    if cue in _HOMOPHONE_OF and token in _HOMOPHONE_OF[cue]:
        return 0.9
    if len(cue) < 4 or len(token) < 3:
        return 0.0
    longest = max(len(token), len(cue))
    if abs(len(token) - len(cue)) > 3:
        return 0.0
    ratio = 1.0 - edit_distance(token, cue) / longest
    # A looser sound-alike rule was tried and dropped: it took "seeing" for "saying".
    return ratio if ratio >= 0.75 else 0.0


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

    def __repr__(self) -> str:
        return f"Phrase({self.text!r})"

    def find(self, tokens: tuple[str, ...]) -> Match | None:
        """The best occurrence scoring at least MIN_SCORE, or None."""
        # State: next token index -> (score, first matched index, last matched index, misses).
        states: dict[int | None, tuple[float, int, int, int]] = {None: (0.0, -1, -1, 0)}
        n = len(tokens)
        for slot in self.slots:
            new: dict[int | None, tuple[float, int, int, int]] = {}
            keep = _keeper(new)
            for pos, (score, first, last, misses) in states.items():
                # Skipping a place: free if optional, else one miss (the recogniser dropped it).
                if slot.optional:
                    keep(pos, (score, first, last, misses))
                elif misses == 0:
                    keep(pos, (score, first, last, misses + 1))
                lo, hi = (0, n) if pos is None else (pos, min(n, pos + slot.gap + (1 if misses else 0)))
                for k in range(lo, hi):
                    sim = max(word_similarity(tokens[k], w) for w in slot.words)
                    if sim > 0.0:
                        keep(k + 1, (score + sim * slot.weight, first if first >= 0 else k, k, misses))
            states = new
        best: Match | None = None
        for score, first, last, misses in states.values():
            if first < 0:
                continue
            matched = len([s for s in self.slots if not s.optional])
            if misses and matched < 4:
                continue  # short cues must be heard whole
            value = score / self.required
            if value >= MIN_SCORE and (best is None or value > best.score):
                best = Match(round(min(value, 1.0), 3), first, last)
        return best
