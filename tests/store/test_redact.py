from __future__ import annotations

import pytest

from companion.events import Alert, Revision, StepDone, Utterance
from companion.store.redact import CARD, EMAIL, PHONE, SSN, luhn_ok, redact_event, redact_text
from tests.store.calls import words_event


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my card is 4111 1111 1111 1111 thanks", f"my card is {CARD} thanks"),
        ("it's 4111-1111-1111-1111", f"it's {CARD}"),
        ("number 5500005555555559.", f"number {CARD}."),
        ("four one one one one one one one one one one one one one one one", CARD),
        (
            "it is four one one one, one one one one, one one one one, one one one one okay",
            f"it is {CARD} okay",
        ),
        ("four one one one double one one one one one one one one one one one", CARD),
        ("the recogniser wrote 4-1-1-1-1-1-1-1-1-1-1-1-1-1-1-1", f"the recogniser wrote {CARD}"),
        ("my social security number is 123-45-6789", f"my social security number is {SSN}"),
        ("social security one two three four five six seven eight nine", f"social security {SSN}"),
        ("write to jane.doe+bills@example.co.uk please", f"write to {EMAIL} please"),
        ("it's jane dot doe at example dot com", f"it's {EMAIL}"),
        ("call me on 555-123-4567", f"call me on {PHONE}"),
        ("my number is (555) 123 4567", f"my number is {PHONE}"),
        ("reach me at five five five one two three four five six seven", f"reach me at {PHONE}"),
    ],
)
def test_sensitive_numbers_are_replaced_visibly(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 1234567890123456 was shipped",  # 16 digits that fail Luhn, no card talk
        "I have two kids and one dog",
        "it was 2019 when 3 of us came",
        "your reference is 48213",
        "we are open nine to five",
        "I have been waiting 45 minutes",
    ],
)
def test_ordinary_numbers_are_kept(text: str) -> None:
    assert redact_text(text) == text


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert luhn_ok("79927398713")
    assert not luhn_ok("4111111111111112")


def test_events_carry_redacted_text_and_drop_word_timings() -> None:
    u = Utterance(1, "customer", 0.0, 3.0, "card 4111 1111 1111 1111", words=words_event().words)
    red = redact_event(u)
    assert isinstance(red, Utterance)
    assert red.text == f"card {CARD}" and red.words == ()
    assert redact_event(words_event()) is words_event() or redact_event(words_event()) == words_event()
    step = redact_event(StepDone(1.0, "verify", 1, "email me at a@b.com"))
    assert isinstance(step, StepDone) and step.evidence == f"email me at {EMAIL}"
    alert = redact_event(Alert(1.0, "trigger-words", "said 555 123 4567"))
    assert isinstance(alert, Alert) and alert.text == f"said {PHONE}"
    # The settled text of a line is spoken text too.
    settled = redact_event(Revision(4.0, 1, "customer", "my card is 4111 1111 1111 1111", words=u.words))
    assert isinstance(settled, Revision) and settled.text == f"my card is {CARD}" and settled.words == ()
