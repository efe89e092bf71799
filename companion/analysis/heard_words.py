"""Heard words against cue words: spelling distance, homophones, and an index per sentence.

Every cue word of the playbook goes into one ``Vocabulary``; each word the
recogniser produced is compared with it once (and remembered), and a
``TokenIndex`` then tells every cue where its words were heard in a sentence.
That keeps the coach to about one per cent of transcription time.
"""

from __future__ import annotations

from functools import lru_cache

LONG_WORD = 8  # cue words this long may be heard split in two

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


class Vocabulary:
    """Every word any cue uses; for a heard token, the cue words it may stand for.

    A sentence is looked up once per token instead of once per cue word, and a
    token's matches are remembered, so coaching stays a small share of the time
    spent transcribing.
    """

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.by_length: dict[int, list[str]] = {}
        self.wildcards: list[str] = []
        self._cache: dict[str, dict[str, float]] = {}

    def add(self, word: str) -> None:
        if word in self.words:
            return
        self.words.add(word)
        self._cache.clear()
        if "*" in word:
            self.wildcards.append(word)
        else:
            self.by_length.setdefault(len(word), []).append(word)

    def matches(self, token: str) -> dict[str, float]:
        found = self._cache.get(token)
        if found is not None:
            return found
        found = {}
        if token in self.words:
            found[token] = 1.0
        for word in _HOMOPHONE_OF.get(token, ()):
            if word in self.words and word != token:
                found[word] = 0.9
        for word in self.wildcards:
            if word_similarity(token, word):
                found[word] = 1.0
        if len(token) >= 3:
            letters = set(token)
            for length in range(max(4, len(token) - 3), len(token) + 4):
                allowed = int(max(length, len(token)) * 0.25)  # edits within the 0.75 ratio
                for word in self.by_length.get(length, ()):
                    # Cheap bound before the edit distance: letters only one side has.
                    if word in found or len(letters.symmetric_difference(word)) > 2 * allowed:
                        continue
                    sim = word_similarity(token, word)
                    if sim:
                        found[word] = sim
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[token] = found
        return found


VOCABULARY = Vocabulary()


class TokenIndex:
    """Where each cue word is heard in one sentence, worked out once and shared by all cues."""

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens
        self._at: dict[str, dict[int, tuple[float, int]]] = {}
        for k, token in enumerate(tokens):
            for word, sim in VOCABULARY.matches(token).items():
                self._at.setdefault(word, {})[k] = (sim, 1)
        for k in range(len(tokens) - 1):
            # The recogniser splits words ("under stand", "call back").
            for word, sim in VOCABULARY.matches(tokens[k] + tokens[k + 1]).items():
                if len(word) >= LONG_WORD and "*" not in word:
                    self._at.setdefault(word, {}).setdefault(k, (sim, 2))
        self._slots: dict[tuple[str, ...], dict[int, tuple[float, int]]] = {}

    def slot_hits(self, words: tuple[str, ...]) -> dict[int, tuple[float, int]]:
        """Token position -> (similarity, how many tokens it spans) for one place of a cue."""
        found = self._slots.get(words)
        if found is None:
            found = {}
            for word in words:
                for k, hit in self._at.get(word, {}).items():
                    if k not in found or hit[0] > found[k][0]:
                        found[k] = hit
            self._slots[words] = found
        return found
