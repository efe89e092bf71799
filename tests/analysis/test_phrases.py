"""Cue phrases match through the slips of a small recogniser, and not beyond them."""

from __future__ import annotations

import pytest

from companion.analysis.phrases import Phrase, normalise_word, split_sentences


def find(cue: str, text: str) -> str | None:
    phrase = Phrase(cue)
    for sentence in split_sentences(text):
        hit = phrase.find(sentence.tokens)
        if hit is not None:
            return sentence.quote(hit.first, hit.last)
    return None


@pytest.mark.parametrize(
    ("cue", "heard", "quote"),
    [
        (
            "so if i understand ... correctly",
            "So if I understood correctly, you sent it back",
            "So if I understood correctly",
        ),
        ("thank you for your patience", "Thank you for your patients.", "Thank you for your patients."),
        ("i hear you", "Here you. Please go on.", None),  # two words of three, short cue: no
        ("i hear you", "I here you, please go on.", "I here you"),  # homophone
        ("i can not", "I can't do that today", "I can't"),
        ("i can not", "I cant do that today", "I cant"),
        ("i would feel ... same", "I'd feel exactly the same way.", "I'd feel exactly the same"),
        ("here is what i can do", "Here's what I can do.", "Here's what I can do."),
        (
            "let me make sure i understand the whole story",
            "Let me make sure I under stand the whole story",
            "Let me make sure I under stand the whole story",
        ),
    ],
)
def test_cues_survive_recognition_slips(cue: str, heard: str, quote: str | None) -> None:
    assert find(cue, heard) == quote


def test_wildcards_and_optional_words() -> None:
    assert find("i completely? understand ... frustrat*", "I understand, that is frustrating") == (
        "I understand, that is frustrating"
    )
    assert find("thank you for your? *ing", "Thank you for sending the photos.") == "Thank you for sending"
    assert find("thank you for your? *ing", "Thank you for the photos.") is None


def test_unrelated_words_do_not_match() -> None:
    assert find("calm down", "Let me come round tomorrow.") is None
    assert find("is that right", "Yes, that is a right turn") is None
    assert find("so what you are saying", "Tell me what you are seeing on the bill") is None


def test_contractions_expand() -> None:
    assert normalise_word("don't") == ["do", "not"]
    assert normalise_word("I'm") == ["i", "am"]
    assert normalise_word("you’re") == ["you", "are"]
    assert normalise_word("customer's") == ["customer"]


def test_sentences_know_questions_without_a_question_mark() -> None:
    first, second = split_sentences("I see. when did it start")
    assert not first.question
    assert second.question


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("And did the person you spoke to give you a reference number.", True),  # the recogniser's full stop
        ("What date did they leave your account.", True),
        ("How long has it been down.", True),
        ("What I can do is send a new one.", False),
        ("When it arrived, the box was open.", False),
        ("I see.", False),
    ],
)
def test_questions_are_known_by_how_they_open(text: str, question: bool) -> None:
    assert split_sentences(text)[0].question is question


def test_split_words_join_only_for_long_cue_words() -> None:
    assert find("backend", "It is a back end problem") is None  # "back and" must not read as jargon
    assert find("understand", "I under stand you") == "under stand"
