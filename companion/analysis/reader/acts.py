"""The reader at work: which acts each sentence of an agent's turn performs, with how sure it is.

``load_reader`` gives the reader for a playbook: the shipped weights when the
playbook's example phrasings are the default's, otherwise weights retrained
with the team's examples (seconds, once; kept in the user's cache folder under
a name made from the examples, so an edit retrains and an unchanged file does
not).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.analysis.playbook import Playbook, assets_dir, load_playbook
from companion.analysis.reader.classifier import LABELS, Classifier, HiddenLayerClassifier
from companion.analysis.reader.corpus import digest, playbook_examples, read_corpus, team_examples, with_variants
from companion.analysis.reader.encoder import ENCODER_VERSION, SentenceEncoder
from companion.analysis.reader.features import WIDTH, features, form
from companion.analysis.reader.neighbours import PitfallNeighbours
from companion.analysis.reader.step_prior import StepPrior
from companion.analysis.reader.training import VectorTable, fit, texts_of
from companion.errors import ReaderError

log = logging.getLogger(__name__)


READER_DIR_VARIABLE = "CALL_COMPANION_READER_DIR"


def reader_dir() -> Path:
    """The reader's shipped files; ``CALL_COMPANION_READER_DIR`` points elsewhere (a site's own build)."""
    override = os.environ.get(READER_DIR_VARIABLE)
    return Path(override) if override else assets_dir() / "reader"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "call-companion"


@dataclass(frozen=True, slots=True)
class SentenceReading:
    """One sentence and the probability of each label for it."""

    text: str
    probabilities: dict[str, float]
    pitfall_neighbours: float | None = None  # share of its nearest corpus sentences that are word pitfalls

    def best(self) -> tuple[str, float]:
        label = max(self.probabilities, key=self.probabilities.__getitem__)
        return label, self.probabilities[label]


class ActReader:
    """Reads sentences, in the context of the customer's turn before them."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        classifier: Classifier,
        prior: StepPrior | None = None,
        neighbours: PitfallNeighbours | None = None,
    ) -> None:
        self.encoder = encoder
        self.classifier = classifier
        self.prior = prior
        self.neighbours = neighbours
        self._context_text = ""
        self._context_vector: np.ndarray | None = None
        self._lock = threading.Lock()

    def read(self, sentences: list[str], context: str = "", phase: str | None = None) -> list[SentenceReading]:
        """``phase``: where the call is (``step_prior.PHASES``); the steps' odds are weighed by it."""
        if not sentences:
            return []
        with self._lock:
            # The same customer turn is the context of every sentence of the agent's reply: encode it once.
            if context.strip() and context != self._context_text:
                vectors = self.encoder.encode([*sentences, context])
                self._context_text, self._context_vector = context, vectors[-1]
                vectors = vectors[:-1]
            else:
                vectors = self.encoder.encode(sentences)
            ctx = self._context_vector if context.strip() and self._context_vector is not None else None
        contexts = np.zeros_like(vectors) if ctx is None else np.repeat(ctx[None, :], len(sentences), axis=0)
        forms = np.stack([form(s, context) for s in sentences])
        probs = self.classifier.probabilities(features(vectors, contexts, forms))
        near = self.neighbours.share(vectors) if self.neighbours is not None else [None] * len(sentences)
        readings = [
            SentenceReading(text, {label: float(p) for label, p in zip(LABELS, row, strict=True)}, _float(n))
            for text, row, n in zip(sentences, probs, near, strict=True)
        ]
        if phase is None or self.prior is None:
            return readings
        prior = self.prior
        return [SentenceReading(r.text, prior.weigh(r.probabilities, phase), r.pitfall_neighbours) for r in readings]


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=1)
def shared_encoder() -> SentenceEncoder:
    """One encoder per process: loading it costs a few hundred ms and ~60 MB."""
    return SentenceEncoder()


def _step_prior() -> StepPrior | None:
    path = reader_dir() / "step_prior.json"
    try:
        return StepPrior.load(path)
    except (OSError, ValueError, KeyError) as exc:  # the reader still reads; it only loses the call's phase
        log.warning("the reader's step prior is missing or damaged (%s): %s", path, exc)
        return None


def _shipped() -> tuple[HiddenLayerClassifier, dict[str, str]]:
    folder = reader_dir()
    try:
        meta = json.loads((folder / "weights.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReaderError(f"the sentence reader's weights are missing or damaged ({folder}: {exc})") from None
    return HiddenLayerClassifier.load(folder / "weights.npz", WIDTH), meta


@functools.lru_cache(maxsize=4)
def _reader_for(examples_digest: str, playbook: Playbook, cache_dir: Path) -> ActReader:
    encoder = shared_encoder()
    classifier, meta = _shipped()
    prior = _step_prior()
    shipped_corpus = read_corpus(reader_dir() / "corpus")
    samples = shipped_corpus + playbook_examples(playbook)
    table = VectorTable.load(reader_dir() / "vectors.npz")
    table.fill(texts_of(samples), encoder)  # only a team's new examples lack a shipped vector
    neighbours = PitfallNeighbours.from_samples(samples, table)
    if meta.get("examples") == examples_digest:
        return ActReader(encoder, classifier, prior, neighbours)
    cached = cache_dir / f"reader-{ENCODER_VERSION}-{meta.get('corpus', 'x')}-{examples_digest}.npz"
    if cached.is_file():
        try:
            return ActReader(encoder, HiddenLayerClassifier.load(cached, WIDTH), prior, neighbours)
        except ReaderError:
            log.warning("retraining the sentence reader: the cached weights %s are damaged", cached)
    log.info("training the sentence reader with the playbook's own examples (once)")
    training = with_variants(shipped_corpus) + team_examples(playbook, load_playbook())
    table.fill(texts_of(training), encoder)
    classifier = fit(training, table, start=classifier)
    try:
        classifier.save(cached)
    except OSError as exc:  # a read-only home only costs the next start the same seconds
        log.warning("could not keep the retrained reader in %s: %s", cached, exc)
    return ActReader(encoder, classifier, prior, neighbours)


def load_reader(playbook: Playbook, cache_dir: Path | None = None) -> ActReader:
    """The reader for this playbook; ``ReaderError`` (one clear message) if it cannot be had."""
    return _reader_for(digest(playbook_examples(playbook)), playbook, cache_dir or default_cache_dir())
