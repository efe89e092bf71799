"""What the classifier sees of an agent's sentence: its meaning, the customer's turn before it, its form.

The context is what makes the same words mean different acts: a summary
restates the customer's own content (its vector lies close to theirs), a
listening prompt follows a customer still telling the story, an agreement
restates a plan with a time or a channel and checks it.  The product of the two
vectors lets a linear layer see *which* meanings they share.
"""

from __future__ import annotations

import re

import numpy as np

from companion.analysis.reader.encoder import DIMENSIONS

_CHECK_TAG = re.compile(
    r"\b(?:right|correct|ok|okay|good|yes|yeah|fine|alright|all right|sound good|does that work|"
    r"is that right|have i got that|did i get that|fair)\W*$",
    re.IGNORECASE,
)
_QUESTION_OPENER = re.compile(
    r"^\W*(?:and |so |okay |ok |um |uh )*(?:what|when|where|which|who|why|how|can|could|would|did|do|does|"
    r"have|has|is|was|were|are)\b",
    re.IGNORECASE,
)
_TIME_OR_CHANNEL = re.compile(
    r"\b(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|twelve|today|tonight|tomorrow|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|morning|afternoon|evening|hours?|days?|weeks?|minutes?|"
    r"email|e-mail|text|sms|call you|ring you|link|by)\b",
    re.IGNORECASE,
)
_SPOKEN = re.compile(r"[A-Z.,?!]")

SCALARS = 7
WIDTH = 3 * DIMENSIONS + SCALARS
SCALAR_WEIGHT = 0.25  # scalars share the scale of the unit vectors' components, so they do not swamp them


def form(text: str, context: str) -> np.ndarray:
    """The sentence's form, as a few numbers."""
    words = text.split()
    stripped = text.rstrip()
    question = stripped.endswith("?") or bool(_QUESTION_OPENER.search(text))
    return np.array(
        [
            1.0 if context.strip() else 0.0,
            1.0 if question else 0.0,
            1.0 if _CHECK_TAG.search(stripped.rstrip("?.! ")) or _CHECK_TAG.search(stripped) else 0.0,
            1.0 if _TIME_OR_CHANNEL.search(text) else 0.0,
            min(len(words), 30) / 30.0,
            0.0 if _SPOKEN.search(text) else 1.0,  # recogniser-style text: no capitals, no marks
            min(len(context.split()), 40) / 40.0,
        ],
        dtype=np.float32,
    )


def features(sentence: np.ndarray, context: np.ndarray, forms: np.ndarray) -> np.ndarray:
    """Rows of features from sentence vectors, context vectors (zero rows: no context) and forms."""
    similarity = np.sum(sentence * context, axis=1, keepdims=True)
    forms = forms.copy()
    forms[:, 0] = forms[:, 0] * (0.5 + similarity[:, 0])  # how much the sentence echoes the customer
    return np.hstack([sentence, context, sentence * context * 8.0, forms * SCALAR_WEIGHT]).astype(np.float32)
