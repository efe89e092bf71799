"""Whose sentence is it: the agent's or the customer's, read from its meaning.

A logistic layer on the reader's sentence encoder, trained on the project's
own text: the corpus's agent sentences and the lines of the labelled calls'
agents on one side; the customer turns the corpus gives as context, the mood
corpus's customer lines and the calls' customer lines on the other.  It tells
"can I take your postcode" from "my parcel never came" without a phrase list,
which is what naming the parties of a mono call needs when the agent never
says the company's name or the customer speaks first.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from companion.analysis.reader.classifier import SoftmaxClassifier, train
from companion.analysis.reader.corpus import read_corpus, recogniser_style
from companion.analysis.reader.encoder import DIMENSIONS, SentenceEncoder
from companion.analysis.reader.mood import read_mood_corpus
from companion.analysis.reader.training import VectorTable

ROLE_FILE = "roles.npz"
_TURN = re.compile(r"^(A|C)(?:\[[^\]]*\])?\s*:\s*(.+)$")


class RoleSense:
    def __init__(self, encoder: SentenceEncoder, classifier: SoftmaxClassifier) -> None:
        self.encoder = encoder
        self.classifier = classifier

    def agent_odds(self, sentences: list[str]) -> np.ndarray:
        """Log-odds that each sentence is the agent's (0: either)."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        p = self.classifier.probabilities(self.encoder.encode(sentences))[:, 1]
        return np.log(p + 1e-6) - np.log(1.0 - p + 1e-6)


@functools.lru_cache(maxsize=1)
def load_role_sense() -> RoleSense:
    """The shipped layer; ``ReaderError`` if it or the encoder cannot be had."""
    from companion.analysis.reader.acts import reader_dir, shared_encoder

    return RoleSense(shared_encoder(), SoftmaxClassifier.load(reader_dir() / ROLE_FILE, DIMENSIONS, 2))


def call_lines(folder: Path) -> list[tuple[bool, str]]:
    """(is the agent's, text) of every turn of the labelled calls in ``folder``."""
    out = []
    for path in sorted(folder.glob("*.call")):
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _TURN.match(line.strip())
            if m:
                out.append((m.group(1) == "A", m.group(2)))
    return out


def training_texts(folder: Path) -> tuple[set[str], set[str]]:
    """(agent sentences, customer sentences) from the reader's folder, each also in the recogniser's style."""
    from companion.analysis.phrases import split_sentences

    agent: set[str] = set()
    customer: set[str] = set()
    for s in read_corpus(folder / "corpus"):
        agent |= {s.sentence, recogniser_style(s.sentence)}
        if s.context:
            customer |= {s.context, recogniser_style(s.context)}
    customer |= {text for _, text in read_mood_corpus(folder / "mood")}
    for is_agent, text in call_lines(folder / "calls"):
        for sentence in split_sentences(text):
            words = " ".join(sentence.words)
            (agent if is_agent else customer).update({words, recogniser_style(words)})
    both = agent & customer  # "Okay.", "Thank you.": either side says them, so neither teaches
    return agent - both - {""}, customer - both - {""}


def fit_roles(folder: Path, table: VectorTable, encoder: SentenceEncoder) -> SoftmaxClassifier:
    """The layer trained on the reader's folder (sentences the table lacks are encoded first)."""
    agent, customer = training_texts(folder)
    texts = sorted(agent) + sorted(customer)
    table.fill(set(texts), encoder)
    rows = np.stack([table.get(t) for t in texts])
    labels = np.array([1] * len(agent) + [0] * len(customer))
    return train(rows, labels, l2=1e-4, steps=1500, rate=0.02, classes=2)
