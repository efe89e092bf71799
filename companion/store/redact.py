"""Visible redaction of card numbers, social security numbers, e-mail addresses and phone numbers.

Applied to what the store keeps and to every export (on by default).  Card
numbers are only redacted when their digits pass the Luhn check, so an order
number is left alone; digits count whether the recogniser wrote them as
figures ("4111 1111 ...") or as spoken words ("four one one one ...").
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from companion.events import Acts, Alert, Event, Partial, Revision, StepDone, Utterance

CARD = "[card number]"
SSN = "[social security number]"
EMAIL = "[e-mail]"
PHONE = "[phone number]"

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
# "double five" is how people read out numbers; it stands for two digits.
_REPEAT_WORDS = {"double": 2, "triple": 3}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Spoken addresses as a recogniser writes them: "john dot smith at example dot com".
_SPOKEN_EMAIL = re.compile(
    r"\b[\w]+(?:\s+dot\s+[\w]+)*\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+(?:com|org|net|edu|gov|co|io|uk|us)\b",
    re.IGNORECASE,
)
_SSN = re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b")
# A token that carries digits: figures (with inner dashes/dots), a digit word, or a repeat word.
_TOKEN = re.compile(r"\+?\(?\d[\d\-.)(]*\d\)?|\+?\d|[A-Za-z]+")
_SEPARATOR = re.compile(r"^[\s,.\-/()]*$")
_MAYBE_DIGITS = re.compile(r"\d|\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)\b", re.IGNORECASE)


def luhn_ok(digits: str) -> bool:
    """True when a digit string passes the Luhn checksum used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def redact_text(text: str) -> str:
    """The text with sensitive numbers and addresses replaced by visible labels."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _SPOKEN_EMAIL.sub(EMAIL, text)
    text = _SSN.sub(SSN, text)
    if not _MAYBE_DIGITS.search(text):
        return text  # most sentences hold no number at all: skip the tokenizer
    return _redact_digit_runs(text)


def _digit_value(token: str) -> str | None:
    """The digits a token stands for, or None if it is not part of a spoken/written number."""
    lower = token.lower()
    if lower in _DIGIT_WORDS:
        # A lone "o"/"oh" is only a digit between other digits; the run length check covers it.
        return _DIGIT_WORDS[lower]
    stripped = re.sub(r"[^\d]", "", token)
    if stripped and not re.search(r"[A-Za-z]", token):
        return stripped
    return None


def _runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, digits) for each run of digit tokens separated only by spaces/punctuation."""
    tokens = list(_TOKEN.finditer(text))
    i = 0
    while i < len(tokens):
        digits = ""
        start = end = -1
        j = i
        repeat = 1
        while j < len(tokens):
            tok = tokens[j]
            if j > i and not _SEPARATOR.match(text[tokens[j - 1].end() : tok.start()]):
                break
            lower = tok.group().lower()
            if lower in _REPEAT_WORDS and j + 1 < len(tokens):
                repeat = _REPEAT_WORDS[lower]
                if start < 0:
                    start = tok.start()
                j += 1
                continue
            value = _digit_value(tok.group())
            if value is None:
                break
            if start < 0:
                start = tok.start()
            digits += value * repeat if len(value) == 1 else value
            repeat = 1
            end = tok.end()
            j += 1
        if digits and end > start:
            yield start, end, digits
            i = j
        else:
            i += 1


def _label_for(digits: str, context: str) -> str | None:
    n = len(digits)
    if 13 <= n <= 19 and luhn_ok(digits):
        return CARD
    if n == 9 and re.search(r"social|security|ssn", context, re.IGNORECASE):
        return SSN
    if 10 <= n <= 12 or (n == 7 and re.search(r"phone|call|number|reach", context, re.IGNORECASE)):
        return PHONE
    if 13 <= n <= 19 and re.search(r"card|visa|mastercard|amex", context, re.IGNORECASE):
        # A card number misheard by one digit still should not be kept in the clear.
        return CARD
    return None


def _redact_digit_runs(text: str) -> str:
    pieces: list[str] = []
    last = 0
    for start, end, digits in _runs(text):
        context = text[max(0, start - 40) : start]
        label = _label_for(digits, context)
        if label is None:
            continue
        pieces.append(text[last:start])
        pieces.append(label)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def redact_event(event: Event) -> Event:
    """The event with its spoken text redacted (word timings are dropped where the text changed)."""
    if isinstance(event, (Utterance, Revision)):
        text = redact_text(event.text)
        if text == event.text:
            return event
        return dataclasses.replace(event, text=text, words=())
    if isinstance(event, Partial):
        text = redact_text(event.text)
        return event if text == event.text else dataclasses.replace(event, text=text)
    if isinstance(event, StepDone):
        text = redact_text(event.evidence)
        return event if text == event.evidence else dataclasses.replace(event, evidence=text)
    if isinstance(event, Alert):
        text = redact_text(event.text)
        return event if text == event.text else dataclasses.replace(event, text=text)
    if isinstance(event, Acts):
        acts = tuple(dataclasses.replace(a, quote=redact_text(a.quote)) for a in event.acts)
        return event if acts == event.acts else dataclasses.replace(event, acts=acts)
    return event
