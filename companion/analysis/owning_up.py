"""Words by which an agent owns up to a fault or takes back what they just said.

Such a sentence names the fault or the hurt ("that's our error", "I put that badly") without
pushing the customer away, so neither the reader nor the cue rules should call it a pitfall.
"""

from __future__ import annotations

import re

# "I'm sorry, that came out wrong", "you're right, that's on us": owning up names the fault, it does not
# push the customer away, unless a "but" takes it back ("sorry, but if you'd told us...").
_OWNING_UP = re.compile(
    r"^(?!.*\bbut\b).*\b(?:sorry|apologi[sz]e|i understand|i hear you|fair (?:enough|point)|"
    r"you(?:'re| are) (?:absolutely |quite |completely |totally )?right|"
    r"(?<!not )(?<!n't )(?:our|my) (?:error|mistake|fault)|(?:that's|that is) on (?:us|me)|"
    # ... or clears the customer of it ("It is not your fault the boats cannot go out.")
    r"(?:not|isn't|wasn't) your fault|(?:do not|don't) (?:blame|put this on) yourself)\b",
    re.IGNORECASE,
)
# The agent taking back what they just said: the rest of the turn repairs it.
_TAKES_BACK = re.compile(
    r"\b(?:that came out wrong|(?:that was|it was) (?:a |such a )?(?:thoughtless|unfair|careless|wrong|rude|unkind|"
    r"insensitive|clumsy)|i put that badly|i should(?:n't| not) have|sorry i (?:said|led with|put)|"
    r"i take that back|that was(?:n't| not) fair)\b",
    re.IGNORECASE,
)


def owns_up(sentence: str) -> bool:
    return bool(_OWNING_UP.search(sentence))


def takes_back(sentence: str) -> bool:
    return bool(_TAKES_BACK.search(sentence))
