"""The reader's training sentences: the project's corpus, its recogniser-style variants, a playbook's examples.

The corpus (``assets/reader/corpus/*.tsv``: ``label``, ``sentence``,
``customer_before``) was written for this project across many industries and
registers.  Every sentence also trains in the shape the recogniser gives it
(lower case, no punctuation), since that is what a live call feeds the reader.
A playbook's ``examples`` (of steps and pitfalls) join as weighted rows, so a
team teaches the reader its own phrasings by editing YAML.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from companion.analysis.playbook import Playbook
from companion.analysis.reader.classifier import LABELS
from companion.errors import ReaderError

# A team's own phrasing counts for more than one corpus sentence: twenty, since each corpus sentence
# is also trained on without its customer line (``with_variants``), which doubled the corpus's pull.
EXAMPLE_WEIGHT = 20.0
# A team's own phrasings, added to a reader already trained: a few further epochs at the shipped
# examples' weight move a reading of them by ~0.1; at this weight they are read as the team meant.
TEAM_EXAMPLE_WEIGHT = 400.0
_MARKS = re.compile(r"[^\w\s']")


@dataclass(frozen=True, slots=True)
class Sample:
    label: str
    sentence: str
    context: str = ""
    weight: float = 1.0
    group: str = ""  # the corpus file it came from (for leave-one-group-out checks)


def read_corpus(folder: Path) -> list[Sample]:
    """Every row of every ``*.tsv`` in ``folder``; ``ReaderError`` names a malformed row."""
    samples: list[Sample] = []
    files = sorted(folder.glob("*.tsv"))
    if not files:
        raise ReaderError(f"the sentence reader's corpus is missing ({folder})")
    for path in files:
        with open(path, encoding="utf-8", newline="") as f:
            rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = next(rows, None)
            if header is None or [h.strip() for h in header[:2]] != ["label", "sentence"]:
                raise ReaderError(f"{path}: the first line must be 'label<TAB>sentence<TAB>customer_before'")
            for number, row in enumerate(rows, 2):
                if not row or not "".join(row).strip():
                    continue
                label = row[0].strip()
                if label not in LABELS or len(row) < 2 or not row[1].strip():
                    raise ReaderError(f"{path}, line {number}: expected a known label and a sentence")
                context = row[2].strip() if len(row) > 2 else ""
                samples.append(Sample(label, row[1].strip(), context, 1.0, path.stem))
    return samples


def recogniser_style(text: str) -> str:
    """The text as the speech recogniser tends to give it: lower case, no punctuation."""
    return " ".join(_MARKS.sub(" ", text.lower()).split())


def with_variants(samples: list[Sample]) -> list[Sample]:
    """Each sample, plus its recogniser-style variant where that differs, plus the sentence alone.

    The corpus pairs every sentence with the one customer line a writer chose for it; in a call
    the line before is often a bare "Yes." or missing, and a reader trained only on chosen lines
    leans on them ("Yes." then read every offer as an agreement). The copy without its line
    teaches what the sentence says by itself.
    """
    out: list[Sample] = []
    for s in samples:
        out.append(s)
        plain = recogniser_style(s.sentence)
        if plain and plain != s.sentence:
            out.append(Sample(s.label, plain, recogniser_style(s.context), s.weight, s.group))
        if s.context.strip():
            out.append(Sample(s.label, s.sentence, "", s.weight, s.group))
    return out


def playbook_examples(playbook: Playbook) -> list[Sample]:
    """The playbook's example phrasings of its steps and word pitfalls, as training rows."""
    out = [Sample(step.id, text, "", EXAMPLE_WEIGHT, "playbook") for step in playbook.steps for text in step.examples]
    out += [
        Sample(p.id, text, "", EXAMPLE_WEIGHT, "playbook")
        for p in playbook.pitfalls
        if p.id in LABELS
        for text in p.examples
    ]
    return out


def team_examples(playbook: Playbook, shipped: Playbook) -> list[Sample]:
    """``playbook``'s examples, those that are not ``shipped``'s weighed as a team's own (``TEAM_EXAMPLE_WEIGHT``)."""
    known = {(s.label, s.sentence) for s in playbook_examples(shipped)}
    return [
        s if (s.label, s.sentence) in known else Sample(s.label, s.sentence, s.context, TEAM_EXAMPLE_WEIGHT, s.group)
        for s in playbook_examples(playbook)
    ]


def digest(samples: list[Sample]) -> str:
    """A short fingerprint of training rows: the name of a model trained on them."""
    h = hashlib.sha256()
    for s in samples:
        h.update(f"{s.label}\t{s.sentence}\t{s.context}\t{s.weight}\n".encode())
    return h.hexdigest()[:16]
