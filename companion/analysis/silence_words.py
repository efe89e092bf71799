"""What the words before a silence say about whose silence it is.

A silence is dead air only when the customer is left waiting for the agent.
It is not when the agent has announced a hold ("bear with me while I check"),
when the customer asked for a moment themselves ("hang on, let me find the
card"), when the agent has just asked the customer something, or when the
call is being closed.  These are deliberately plain phrase lists: the text is
Whisper's, so punctuation and spelling are normalised before matching.
"""

from __future__ import annotations

import re

# Phrases with which either side asks the other to wait.
PAUSE_PHRASES: tuple[str, ...] = (
    "hold on",
    "hang on",
    "on hold",
    "a hold",
    "hold please",
    "please hold",
    "bear with me",
    "one moment",
    "one second",
    "one sec",
    "a moment",
    "a second",
    "a minute",
    "a sec",
    "just a mo",
    "let me check",
    "let me look",
    "let me have a look",
    "let me take a look",
    "let me see",
    "let me find",
    "let me get",
    "let me pull",
    "let me just",
    "while i check",
    "while i look",
    "while i find",
    "while i pull",
    "i'll check",
    "i will check",
    "i'll look",
    "i'll just",
    "give me a",
    "wait a",
)

FAREWELL_PHRASES: tuple[str, ...] = (
    "goodbye",
    "good bye",
    "bye",
    "have a good",
    "have a nice",
    "have a great",
    "have a lovely",
    "take care",
)


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, punctuation to spaces (apostrophes kept)."""
    text = text.lower().replace("\u2019", "'")
    return " " + " ".join(re.sub(r"[^a-z0-9' ]", " ", text).split()) + " "


def _has(text: str, phrases: tuple[str, ...]) -> bool:
    norm = normalise(text)
    return any(f" {p} " in norm for p in phrases)


def asks_to_wait(text: str) -> bool:
    """The speaker asked the other side to wait (a hold, a moment to look something up)."""
    return _has(text, PAUSE_PHRASES)


def says_goodbye(text: str) -> bool:
    return _has(text, FAREWELL_PHRASES)


def asks_question(text: str) -> bool:
    """The utterance ends on a question, so its speaker now waits for the answer."""
    return text.rstrip().rstrip("\"')").endswith("?")
