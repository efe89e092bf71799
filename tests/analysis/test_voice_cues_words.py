"""The words that decide whose silence it is, on Whisper-style text."""

from __future__ import annotations

import pytest

from companion.analysis.silence_words import asks_question, asks_to_wait, says_goodbye


@pytest.mark.parametrize(
    "text",
    [
        "Let me check that for you, one moment please.",
        "Bear with me while I pull up your account.",
        "I'm going to put you on hold for a minute.",
        "Hang on, let me find my card.",
        "Could you hold please?",
        "Give me a second.",
        "Just a moment, I\u2019ll check with my manager.",
    ],
)
def test_asking_to_wait(text: str) -> None:
    assert asks_to_wait(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can see the outage in your area.",
        "The engineer will be there tomorrow.",
        "Thank you for calling, this is Sam.",
        "This is unacceptable.",
    ],
)
def test_not_asking_to_wait(text: str) -> None:
    assert not asks_to_wait(text)


def test_questions_and_goodbyes() -> None:
    assert asks_question("Could you confirm the email address on the account?")
    assert asks_question('Is that "okay?"')
    assert not asks_question("I will confirm the email address.")
    assert says_goodbye("Thanks again, have a great day, goodbye.")
    assert says_goodbye("Okay, bye.")
    assert not says_goodbye("Thank you for calling, how can I help?")
    assert not says_goodbye("I bought it last week.")  # "bye" only as a word
